// Reads what the server wrote to its outbox: e-mails (.eml, parsed with mailparser) and SMS (.sms.json).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";

export interface OutboxEmail {
  file: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface OutboxSMS {
  file: string;
  to: string;
  body: string;
  createdAt: string;
}

function files(outboxDir: string, suffix: string): string[] {
  if (!existsSync(outboxDir)) return [];
  return readdirSync(outboxDir)
    .filter((f) => f.endsWith(suffix))
    .sort();
}

export async function readEmails(outboxDir: string): Promise<OutboxEmail[]> {
  const out: OutboxEmail[] = [];
  for (const file of files(outboxDir, ".eml")) {
    const parsed = await simpleParser(readFileSync(join(outboxDir, file)));
    const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : (parsed.to?.text ?? "");
    out.push({ file, to, subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "" });
  }
  return out;
}

export function readSMS(outboxDir: string): OutboxSMS[] {
  return files(outboxDir, ".sms.json").map((file) => ({ file, ...(JSON.parse(readFileSync(join(outboxDir, file), "utf8")) as Omit<OutboxSMS, "file">) }));
}

/** The 6-digit code in the newest message to `to` (e-mail address or E.164 number). */
export async function latestCode(outboxDir: string, to: string): Promise<string> {
  const emails = (await readEmails(outboxDir)).filter((e) => e.to.toLowerCase().includes(to.toLowerCase()));
  const sms = readSMS(outboxDir).filter((s) => s.to === to);
  const texts = [...emails.map((e) => ({ file: e.file, text: e.text })), ...sms.map((s) => ({ file: s.file, text: s.body }))].sort((a, b) =>
    a.file.localeCompare(b.file),
  );
  const last = texts.at(-1);
  const code = last ? /\b(\d{6})\b/.exec(last.text)?.[1] : undefined;
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}
