// Migration 0019: client addresses recorded before IPv4-mapped IPv6 addresses were unmapped on arrival
// (`::ffff:203.0.113.5`, the peer of a server listening on ::) take their plain IPv4 spelling, so the admin
// console's search by address finds them together with the later ones. No other text is touched.
import { type Kysely, type Migration, sql } from "kysely";

/** The tables that keep a client's address in their `ip` column. */
const TABLES_WITH_ADDRESSES = ["audit_events", "sessions"] as const;

export function unmappedAddresses(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const table of TABLES_WITH_ADDRESSES) {
        // `::ffff:` is 7 characters: the dotted address starts at the 8th. lower() for both dialects' LIKE.
        await sql`update ${sql.table(table)} set ip = substr(ip, 8) where lower(ip) like '::ffff:%.%.%.%'`.execute(db);
      }
    },
  };
}
