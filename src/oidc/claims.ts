// What the provider may say about an account: a stable subject (the account id, never an e-mail address
// or number that can change hands), the verified e-mail address and mobile number, and the name.
import type { Deps } from "../deps.ts";

export interface AccountClaims {
  [claim: string]: unknown;
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
}

/** The claims of an enabled account, or null when it is missing or disabled (its tokens then stop working). */
export async function loadAccountClaims(deps: Pick<Deps, "stores">, accountId: string): Promise<AccountClaims | null> {
  if (accountId.length > 64) return null;
  const account = await deps.stores.accounts.getAccountById(accountId);
  if (!account || account.disabledAt !== null) return null;
  const identifiers = (await deps.stores.accounts.listIdentifiers(accountId)).filter((i) => i.verifiedAt !== null);
  // The earliest confirmed one of each kind: the one the person has had longest.
  const byAge = [...identifiers].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const email = byAge.find((i) => i.kind === "email");
  const phone = byAge.find((i) => i.kind === "phone");
  return {
    sub: account.id,
    ...(account.name ? { name: account.name } : {}),
    ...(email ? { email: email.value, email_verified: true } : {}),
    ...(phone ? { phone_number: phone.value, phone_number_verified: true } : {}),
  };
}
