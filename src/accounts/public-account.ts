// The account as the API and pages show it: never the password hash.
import { Type } from "@sinclair/typebox";
import type { AccountRecord, IdentifierRecord } from "../stores/types.ts";

/** The JSON schema of PublicAccount, for answers serialised by a precompiled serializer. */
export const PublicAccountSchema = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  identifiers: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.Union([Type.Literal("email"), Type.Literal("phone")]),
      value: Type.String(),
      display: Type.String(),
      verified: Type.Boolean(),
    }),
  ),
  isAdmin: Type.Boolean(),
  createdAt: Type.String(),
});

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
