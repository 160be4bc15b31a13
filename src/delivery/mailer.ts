// E-mail through nodemailer: SMTP when configured, otherwise RFC 5322 .eml files in the outbox.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type nodemailer from "nodemailer";
import type { Config } from "../config/load.ts";
import type { Clock } from "../lib/clock.ts";
import { lazyRequire } from "../lib/lazy-require.ts";
import type { Random } from "../lib/random.ts";
import { DeliveryError, type EmailMessage, type Mailer } from "./types.ts";

const loadNodemailer = lazyRequire<typeof nodemailer>("nodemailer");

let outboxSequence = 0;

/** Writes a whole file or nothing: readers of the outbox never see a half-written message. */
export async function writeOutboxFile(dir: string, name: string, content: Buffer | string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `.${name}.partial`);
  await writeFile(partial, content, { mode: 0o600 });
  await rename(partial, join(dir, name));
}

/** Outbox files sort in the order they were written, even when the clock stands still (as in tests). */
export function outboxFileName(clock: Clock, random: Random, extension: string): string {
  const stamp = clock.now().toISOString().replace(/[:.]/g, "-");
  outboxSequence = (outboxSequence + 1) % 1_000_000;
  return `${stamp}-${String(outboxSequence).padStart(6, "0")}-${random.bytes(4).toString("hex")}${extension}`;
}

/**
 * The From header: LATCHKEY_MAIL_FROM as written when it names a sender ("Name <address>"), otherwise the
 * bare address under the site's name. nodemailer encodes a name that is not plain ASCII.
 */
export function mailFromHeader(config: Pick<Config, "mailFrom" | "branding">): string | { name: string; address: string } {
  return config.mailFrom.includes("<") ? config.mailFrom : { name: config.branding.siteName, address: config.mailFrom.trim() };
}

/**
 * How long the SMTP client waits to connect and be greeted, and for each answer once connected (like the
 * SMS webhook's 10 s). nodemailer's own defaults (2 min to connect, 30 s for the greeting, 10 min of
 * silence) outlast LATCHKEY_REQUEST_TIMEOUT: a stalled mail server turned into SERVICE_UNAVAILABLE while the
 * send went on, and the message could still go out after the person was told it had failed.
 */
const SMTP_TIMEOUT_MS = 10_000;

export function createMailer(config: Pick<Config, "mail" | "mailFrom" | "outboxDir" | "branding">, clock: Clock, random: Random): Mailer {
  const from = mailFromHeader(config);
  if (config.mail.transport === "smtp") {
    // Options in the URL's query string (?socketTimeout=…) still win over these: nodemailer reads them last.
    const smtp = { url: config.mail.smtpUrl, connectionTimeout: SMTP_TIMEOUT_MS, greetingTimeout: SMTP_TIMEOUT_MS, socketTimeout: SMTP_TIMEOUT_MS };
    // The SMTP client is created with the first message (nodemailer costs start-up time and memory).
    let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
    return {
      async sendEmail(message: EmailMessage) {
        try {
          transport ??= loadNodemailer().createTransport(smtp);
          await transport.sendMail({ from, ...message });
        } catch (cause) {
          throw new DeliveryError("SMTP delivery failed", { cause });
        }
      },
      close: () => transport?.close(),
    };
  }
  // The stream transport builds the complete RFC 5322 message without sending it.
  let builder: ReturnType<typeof nodemailer.createTransport> | undefined;
  return {
    async sendEmail(message: EmailMessage) {
      try {
        builder ??= loadNodemailer().createTransport({ streamTransport: true, buffer: true, newline: "unix" });
        const info = await builder.sendMail({ from, ...message });
        await writeOutboxFile(config.outboxDir, outboxFileName(clock, random, ".eml"), info.message as Buffer);
      } catch (cause) {
        throw new DeliveryError("writing to the outbox failed", { cause });
      }
    },
  };
}
