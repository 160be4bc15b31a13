// Migration 0016: the language a person chose in the language menu while signed in, so every page, e-mail
// and text message for them is in that language on any browser. Null until they choose one.
import type { Kysely, Migration } from "kysely";
import type { ColumnTypes } from "./column-types.ts";

export function accountLocale(_t: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // A shipped language tag ("en", "de", "fr", "es", "ar"); one that is not offered any more is ignored.
      await db.schema.alterTable("accounts").addColumn("locale", "text").execute();
    },
  };
}
