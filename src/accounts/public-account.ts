// The account as the API and pages show it: never the password hash.
import type { AccountRecord, IdentifierRecord } from "../stores/types.ts";

export interface PublicIdentifier {
  id: string;
  kind: "email" | "phone";
  value: string;
  display: string;
  verified: boolean;
}

export interface PublicAccount {
  id: string;
  name: string | null;
  identifiers: PublicIdentifier[];
  isAdmin: boolean;
  createdAt: string;
}

export function toPublicAccount(account: AccountRecord, identifiers: IdentifierRecord[]): PublicAccount {
  return {
    id: account.id,
    name: account.name,
    identifiers: identifiers.map((i) => ({ id: i.id, kind: i.kind, value: i.value, display: i.display, verified: i.verifiedAt !== null })),
    isAdmin: account.isAdmin,
    createdAt: account.createdAt.toISOString(),
  };
}
