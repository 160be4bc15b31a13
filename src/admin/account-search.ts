// Finding accounts for the admin console: by any e-mail address or number in any spelling the sign-in
// accepts, or by account id; and the newest-first list, paged by keyset.
import type { Deps } from "../deps.ts";
import { parseIdentifier } from "../lib/identifier-parsing.ts";
import type { AccountCursor, AccountRecord, IdentifierRecord } from "../stores/types.ts";

export interface AccountWithIdentifiers {
  account: AccountRecord;
  identifiers: IdentifierRecord[];
}

/** Longest search input read; longer text is no address, number or id. */
export const SEARCH_MAX_LENGTH = 320;
export const ACCOUNTS_PAGE_SIZE = 50;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The account whose identifier (verified or not) or id is `query`, or null. The query is parsed exactly as
 * the sign-in field parses it, so `Ada@Example.COM`, `+44 7400 123456` and `0044 7400-123456` all find
 * the account; both lookups are by unique index, so the answer costs the same at any number of accounts.
 */
export async function findAccount(deps: Pick<Deps, "stores">, query: string): Promise<AccountWithIdentifiers | null> {
  const text = query.trim().slice(0, SEARCH_MAX_LENGTH);
  if (text === "") return null;
  const parsed = parseIdentifier(text);
  let account: AccountRecord | null = null;
  if (parsed.ok) account = (await deps.stores.accounts.getAccountByIdentifier(parsed.identifier.value))?.account ?? null;
  if (!account && ACCOUNT_ID.test(text)) account = await deps.stores.accounts.getAccountById(text);
  if (!account) return null;
  return { account, identifiers: await deps.stores.accounts.listIdentifiers(account.id) };
}

/** The cursor in a page link: creation time in milliseconds and id, e.g. `1767225600000.abc`. */
export function formatAccountCursor(cursor: AccountCursor): string {
  return `${cursor.createdAt.getTime()}.${cursor.id}`;
}

/** The cursor from a page link, or undefined for anything malformed (which shows the first page). */
export function parseAccountCursor(raw: unknown): AccountCursor | undefined {
  if (typeof raw !== "string" || raw.length > 100) return undefined;
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(raw);
  if (!match) return undefined;
  return { createdAt: new Date(Number(match[1])), id: match[2] as string };
}

/** One page of accounts, newest first, and the cursor of the next page (absent on the last). */
export async function listAccountsPage(
  deps: Pick<Deps, "stores">,
  after: AccountCursor | undefined,
  limit = ACCOUNTS_PAGE_SIZE,
): Promise<{ accounts: AccountWithIdentifiers[]; next?: AccountCursor }> {
  // One more than shown tells whether a next page exists without counting the table.
  const rows = await deps.stores.accounts.listAccountsPage({ limit: limit + 1, ...(after ? { after } : {}) });
  const accounts = rows.slice(0, limit);
  const last = accounts[accounts.length - 1];
  return rows.length > limit && last ? { accounts, next: { createdAt: last.account.createdAt, id: last.account.id } } : { accounts };
}
