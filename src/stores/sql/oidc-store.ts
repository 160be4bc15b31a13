// The OpenID Connect provider's storage in SQL: registered clients, signing keys and artifacts. Consuming
// an artifact is one UPDATE … WHERE consumed_at IS NULL, so exactly one caller can redeem a code or
// rotate a refresh token.
import type { Kysely, Selectable } from "kysely";
import type { OIDCArtifactRecord, OIDCArtifactStore, OIDCClientAuthMethod, OIDCClientRecord, OIDCClientStore, SigningKeyStore } from "../types.ts";
import { insertAuditEvent } from "./audit-store.ts";
import type { Database, OIDCArtifactsTable, OIDCClientsTable, SqlCodec } from "./schema.ts";

export function createSqlOIDCClientStore(db: Kysely<Database>, codec: SqlCodec): OIDCClientStore {
  const toRecord = (row: Selectable<OIDCClientsTable>): OIDCClientRecord => ({
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    authMethod: row.auth_method as OIDCClientAuthMethod,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    firstParty: codec.fromBool(row.first_party),
    resourceServer: codec.fromBool(row.resource_server),
    createdAt: codec.date(row.created_at),
    previousSecretHash: row.previous_secret_hash,
    previousSecretExpiresAt: row.previous_secret_expires_at === null ? null : codec.date(row.previous_secret_expires_at),
  });
  return {
    async createClient(client, options = {}) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("oidc_clients")
          .values({
            id: client.id,
            name: client.name,
            secret_hash: client.secretHash,
            auth_method: client.authMethod,
            redirect_uris: JSON.stringify(client.redirectUris),
            post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
            first_party: codec.bool(client.firstParty),
            resource_server: codec.bool(client.resourceServer === true),
            created_at: codec.time(client.createdAt),
            previous_secret_hash: null,
            previous_secret_expires_at: null,
          })
          .execute();
        if (options.audit) await insertAuditEvent(trx, codec, options.audit);
      });
    },
    async getClient(clientId) {
      const row = await db.selectFrom("oidc_clients").selectAll().where("id", "=", clientId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async listClients() {
      const rows = await db.selectFrom("oidc_clients").selectAll().orderBy("created_at", "asc").orderBy("id", "asc").execute();
      return rows.map(toRecord);
    },
    async deleteClient(clientId, options = {}) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("oidc_artifacts").where("client_id", "=", clientId).execute();
        const removed = await trx.deleteFrom("oidc_clients").where("id", "=", clientId).returningAll().executeTakeFirst();
        if (!removed) return false;
        if (options.audit) await insertAuditEvent(trx, codec, options.audit(toRecord(removed)));
        return true;
      });
    },
    async updateClientSettings(current, next, options = {}) {
      // The URI lists are stored as the JSON text we wrote, so comparing the text compares the lists.
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable("oidc_clients")
          .set({
            name: next.name,
            redirect_uris: JSON.stringify(next.redirectUris),
            post_logout_redirect_uris: JSON.stringify(next.postLogoutRedirectUris),
            first_party: codec.bool(next.firstParty),
            resource_server: codec.bool(next.resourceServer),
          })
          .where("id", "=", current.id)
          .where("name", "=", current.name)
          .where("redirect_uris", "=", JSON.stringify(current.redirectUris))
          .where("post_logout_redirect_uris", "=", JSON.stringify(current.postLogoutRedirectUris))
          .where("first_party", "=", codec.bool(current.firstParty))
          .where("resource_server", "=", codec.bool(current.resourceServer === true))
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        if (options.audit) await insertAuditEvent(trx, codec, options.audit);
        return toRecord(row);
      });
    },
    async rotateClientSecret(clientId, secretHash, previousExpiresAt, options = {}) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable("oidc_clients")
          .set((eb) => ({
            secret_hash: secretHash,
            // The right-hand side reads the row as it was, so this keeps the hash being replaced.
            previous_secret_hash: previousExpiresAt === null ? null : eb.ref("secret_hash"),
            previous_secret_expires_at: previousExpiresAt === null ? null : codec.time(previousExpiresAt),
          }))
          .where("id", "=", clientId)
          .where("secret_hash", "is not", null)
          .returningAll()
          .executeTakeFirst();
        if (!row) return null;
        if (options.audit) await insertAuditEvent(trx, codec, options.audit);
        return toRecord(row);
      });
    },
    async forgetExpiredPreviousSecrets(now) {
      const result = await db
        .updateTable("oidc_clients")
        .set({ previous_secret_hash: null, previous_secret_expires_at: null })
        .where("previous_secret_expires_at", "<=", codec.time(now))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export function createSqlSigningKeyStore(db: Kysely<Database>, codec: SqlCodec): SigningKeyStore {
  return {
    async listSigningKeys() {
      const rows = await db.selectFrom("oidc_signing_keys").selectAll().orderBy("generation", "desc").execute();
      return rows.map((row) => ({ generation: Number(row.generation), kid: row.kid, sealedJwk: row.sealed_jwk, createdAt: codec.date(row.created_at) }));
    },
    async addSigningKey(key) {
      const result = await db
        .insertInto("oidc_signing_keys")
        .values({ generation: key.generation, kid: key.kid, sealed_jwk: key.sealedJwk, created_at: codec.time(key.createdAt) })
        .onConflict((oc) => oc.column("generation").doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async deleteSigningKeysBefore(generation) {
      const result = await db.deleteFrom("oidc_signing_keys").where("generation", "<", generation).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function createSqlOIDCArtifactStore(db: Kysely<Database>, codec: SqlCodec): OIDCArtifactStore {
  const toRecord = (row: Selectable<OIDCArtifactsTable>): OIDCArtifactRecord => ({
    kind: row.kind,
    id: row.id,
    payload: row.payload,
    grantId: row.grant_id,
    uid: row.uid,
    userCode: row.user_code,
    accountId: row.account_id,
    clientId: row.client_id,
    expiresAt: row.expires_at === null ? null : codec.date(row.expires_at),
    consumedAt: row.consumed_at === null ? null : codec.date(row.consumed_at),
  });
  const unexpired = (now: Date) => {
    const at = codec.time(now);
    return db
      .selectFrom("oidc_artifacts")
      .selectAll()
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", at)]));
  };
  return {
    async saveArtifact(a) {
      const values = {
        payload: a.payload,
        grant_id: a.grantId,
        uid: a.uid,
        user_code: a.userCode,
        account_id: a.accountId,
        client_id: a.clientId,
        expires_at: a.expiresAt === null ? null : codec.time(a.expiresAt),
      };
      await db
        .insertInto("oidc_artifacts")
        .values({ kind: a.kind, id: a.id, consumed_at: null, ...values })
        .onConflict((oc) => oc.columns(["kind", "id"]).doUpdateSet(values))
        .execute();
    },
    async getArtifact(kind, id, now) {
      const row = await unexpired(now).where("kind", "=", kind).where("id", "=", id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async getArtifactByUid(kind, uid, now) {
      const row = await unexpired(now).where("kind", "=", kind).where("uid", "=", uid).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async getArtifactByUserCode(kind, userCode, now) {
      const row = await unexpired(now).where("kind", "=", kind).where("user_code", "=", userCode).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async consumeArtifact(kind, id, now) {
      const at = codec.time(now);
      const result = await db
        .updateTable("oidc_artifacts")
        .set({ consumed_at: at })
        .where("kind", "=", kind)
        .where("id", "=", id)
        .where("consumed_at", "is", null)
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", at)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteArtifact(kind, id) {
      await db.deleteFrom("oidc_artifacts").where("kind", "=", kind).where("id", "=", id).execute();
    },
    async revokeGrantArtifacts(grantId) {
      const result = await db.deleteFrom("oidc_artifacts").where("grant_id", "=", grantId).where("kind", "!=", "Grant").executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async listArtifactsOfAccount(kind, accountId, now) {
      const rows = await unexpired(now).where("kind", "=", kind).where("account_id", "=", accountId).orderBy("id").execute();
      return rows.map(toRecord);
    },
    async deleteExpiredArtifacts(now) {
      const result = await db.deleteFrom("oidc_artifacts").where("expires_at", "<=", codec.time(now)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
