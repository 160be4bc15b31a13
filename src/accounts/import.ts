// Importing accounts from another system: each row names an identifier and the password hash the old system
// stored; good rows become accounts, bad ones are reported with their line and the reason.
import type { Deps } from "../deps.ts";
import { isAppError } from "../errors/app-error.ts";
import { generateId } from "../lib/crypto.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import { identifierMessage } from "../messages/identifiers.ts";
import { accountCreatedEvent } from "../webhooks/events.ts";
import { cleanName, NAME_MAX_LENGTH } from "./identifier-input.ts";
import { checkImportedPasswordHash } from "./legacy-hashes.ts";

/**
 * One row of an import file: its values by column (CSV) or key (JSON lines), or why the line could not be
 * read at all. `line` is where the row starts in the file, counting from 1.
 */
export type ImportRow = { line: number; values: Readonly<Record<string, unknown>> } | { line: number; unreadable: string };

/**
 * The columns an import reads. Anything else (an `is_admin` column, say) is ignored: administrator access is
 * never imported, because a file from another system must not be able to decide who controls this one; grant
 * it afterwards with `latchkey accounts grant-admin`.
 */
export const IMPORT_COLUMNS = ["identifier", "password_hash", "name", "verified", "email_verified"] as const;

export interface ImportRejection {
  line: number;
  reason: string;
  /** The identifier as written in the file, when the row had one (shortened to 320 characters). */
  identifier?: string;
}

export interface ImportResult {
  /** Accounts created (in a dry run: that would have been created). */
  imported: number;
  rejected: ImportRejection[];
}

export interface ImportProgress {
  rows: number;
  imported: number;
  rejected: number;
}

export interface ImportOptions {
  /** Check every row, including against existing accounts, but store nothing. */
  dryRun: boolean;
}

/** Longest shown identifier in a reason; longer input is refused by parseIdentifier anyway. */
const SHOWN_IDENTIFIER_LENGTH = 320;

type RowCheck = { ok: true; value: string } | { ok: false; reason: string };

function readText(values: Readonly<Record<string, unknown>>, column: string): RowCheck | null {
  const value = values[column];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return { ok: false, reason: `${column} must be text` };
  return value.trim() === "" ? null : { ok: true, value };
}

/**
 * Reads `verified` (or `email_verified`). Missing or empty means true: the old system confirmed the
 * identifier, and asking a million people to confirm it again would lock most of them out of the move.
 */
function readVerified(values: Readonly<Record<string, unknown>>): { ok: true; verified: boolean } | { ok: false; reason: string } {
  const column = values.verified !== undefined && values.verified !== null && values.verified !== "" ? "verified" : "email_verified";
  const value = values[column];
  if (value === undefined || value === null || value === "") return { ok: true, verified: true };
  if (typeof value === "boolean") return { ok: true, verified: value };
  const text = String(value).trim().toLowerCase();
  if (["true", "1", "yes", "y", "t"].includes(text)) return { ok: true, verified: true };
  if (["false", "0", "no", "n", "f"].includes(text)) return { ok: true, verified: false };
  return { ok: false, reason: `${column} must be true or false, not ${JSON.stringify(String(value).slice(0, 40))}` };
}

/**
 * Imports accounts row by row, in file order. Each row needs an identifier (e-mail address or mobile number
 * with its country code, normalised exactly as at registration) and a password hash in a format that
 * legacy-hashes.ts accepts; it may have a name and `verified` (default true: the identifier counts as
 * confirmed by the old system; false creates an unconfirmed account that must confirm a code at its first
 * sign-in). Refused, with the reason: unreadable lines, missing or over-long fields, malformed identifiers,
 * unknown or out-of-bounds hashes, an identifier that an earlier row of the file already imported, and one
 * that an existing account uses. The hash is stored as it is and replaced by argon2id at the first
 * successful sign-in. Each account is created in its own transaction, so an interrupted import keeps what
 * it created. `onProgress` is called after every row.
 */
export async function importAccounts(
  deps: Pick<Deps, "stores" | "clock" | "random">,
  rows: AsyncIterable<ImportRow>,
  onProgress: (progress: ImportProgress) => void,
  options: ImportOptions = { dryRun: false },
): Promise<ImportResult> {
  const rejected: ImportRejection[] = [];
  // Normalised identifier → the line that imported it, to name the first row in a duplicate's reason.
  const importedLines = new Map<string, number>();
  let imported = 0;
  let count = 0;

  const importRow = async (row: ImportRow): Promise<ImportRejection | null> => {
    if ("unreadable" in row) return { line: row.line, reason: row.unreadable };
    const { line, values } = row;
    const rawIdentifier = values.identifier;
    const shown = typeof rawIdentifier === "string" ? { identifier: rawIdentifier.slice(0, SHOWN_IDENTIFIER_LENGTH) } : {};
    const reject = (reason: string): ImportRejection => ({ line, reason, ...shown });

    const identifierText = readText(values, "identifier");
    if (identifierText === null) return reject("missing identifier");
    if (!identifierText.ok) return reject(identifierText.reason);
    const parsed = parseIdentifier(identifierText.value);
    if (!parsed.ok) return reject(`identifier ${JSON.stringify(identifierText.value.slice(0, 80))}: ${identifierMessage(parsed.code)} (${parsed.code})`);
    const { identifier } = parsed;
    const earlier = importedLines.get(identifier.value);
    if (earlier !== undefined) return reject(`duplicate: line ${earlier} already imported ${identifier.value}`);

    const hashText = readText(values, "password_hash");
    if (hashText === null) return reject("missing password_hash");
    if (!hashText.ok) return reject(hashText.reason);
    const hash = checkImportedPasswordHash(hashText.value.trim());
    if (!hash.ok) return reject(`password_hash: ${hash.reason}`);

    const nameText = readText(values, "name");
    if (nameText !== null && !nameText.ok) return reject(nameText.reason);
    let name: string | null;
    try {
      name = cleanName(nameText?.value);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return reject(`name is longer than ${NAME_MAX_LENGTH} characters or contains control characters`);
    }
    const verified = readVerified(values);
    if (!verified.ok) return reject(verified.reason);

    const used = `${identifier.display} is already used by an existing account`;
    if (options.dryRun) {
      // The same rule as the store's create methods: only a confirmed identifier blocks the value.
      const existing = await deps.stores.accounts.getAccountByIdentifier(identifier.value);
      if (existing !== null && existing.identifier.verifiedAt !== null) return reject(used);
    } else {
      const account = {
        id: generateId(deps.random),
        name,
        passwordHash: hash.passwordHash,
        createdAt: deps.clock.now(),
        identifier: { id: generateId(deps.random), ...identifier },
      };
      // An imported confirmed account is new to applications too; a pending one becomes theirs when confirmed.
      const created = verified.verified
        ? await deps.stores.accounts.createVerifiedAccount(account, (r) => [
            accountCreatedEvent(deps, r.account, [r.identifier], { kind: "admin", accountId: null }),
          ])
        : await deps.stores.accounts.createPendingAccount(account);
      if (created === null) return reject(used);
    }
    importedLines.set(identifier.value, line);
    return null;
  };

  for await (const row of rows) {
    const rejection = await importRow(row);
    count++;
    if (rejection === null) imported++;
    else rejected.push(rejection);
    onProgress({ rows: count, imported, rejected: rejected.length });
  }
  return { imported, rejected };
}
