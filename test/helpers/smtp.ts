// A real SMTP server on loopback (smtp-server) that keeps what it receives, parsed with mailparser.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
}

export interface TestSMTPServer {
  /** For LATCHKEY_SMTP_URL. */
  url: string;
  port: number;
  /** The smtp-server itself, for a test that changes how it answers (its onConnect, say). */
  server: SMTPServer;
  received: ReceivedMail[];
  /** The newest message to `to` (compared without case), or undefined. */
  latestTo(to: string): ReceivedMail | undefined;
  close(): Promise<void>;
}

/** Starts an SMTP server on a free loopback port; every message is parsed and kept in `received`. */
export function startSMTPServer(): Promise<TestSMTPServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(", ") : (mail.to?.text ?? "");
          received.push({ to, subject: mail.subject ?? "", text: mail.text ?? "" });
          callback();
        })
        .catch(callback);
    },
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.server.address() as AddressInfo).port;
      resolve({
        url: `smtp://127.0.0.1:${port}`,
        port,
        server,
        received,
        latestTo: (to) => received.filter((m) => m.to.toLowerCase().includes(to.toLowerCase())).at(-1),
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
