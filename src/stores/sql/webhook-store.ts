// Webhook endpoints, the event outbox and the delivery queue in SQL (the same code for SQLite and
// PostgreSQL). Events are written by the change's own transaction (insertWebhookEvents); workers take
// deliveries with one atomic UPDATE … RETURNING, so each is in the hands of one worker at a time.
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type {
  ClaimedWebhookDelivery,
  NewWebhookEvent,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEndpointRecord,
  WebhookEventsFor,
  WebhookStore,
} from "../types.ts";
import type { Database, SqlCodec, WebhookDeliveriesTable, WebhookEndpointsTable } from "./schema.ts";

/** The longest error text kept in the delivery log. */
const ERROR_TEXT_MAX = 300;

/** Resolves a store verb's `events` argument against what the change returned. */
export function resolveWebhookEvents<T>(events: WebhookEventsFor<T> | undefined, result: T): readonly NewWebhookEvent[] {
  if (events === undefined) return [];
  return typeof events === "function" ? events(result) : events;
}

/**
 * Writes events into the outbox inside the caller's transaction: one event row each, and one delivery
 * per endpoint subscribed to its type (or only `onlyEndpointId`). An event no endpoint wants is not kept.
 * Because it runs in the change's transaction, a rolled-back change leaves no event behind. Returns how
 * many deliveries were created.
 */
export async function insertWebhookEvents(
  trx: Transaction<Database> | Kysely<Database>,
  codec: SqlCodec,
  events: readonly NewWebhookEvent[],
  options: { onlyEndpointId?: string } = {},
): Promise<number> {
  if (events.length === 0) return 0;
  let endpointQuery = trx.selectFrom("webhook_endpoints").select(["id", "events"]);
  if (options.onlyEndpointId !== undefined) endpointQuery = endpointQuery.where("id", "=", options.onlyEndpointId);
  const endpoints = await endpointQuery.execute();
  if (endpoints.length === 0) return 0;
  let created = 0;
  for (const event of events) {
    const targets = options.onlyEndpointId !== undefined ? endpoints : endpoints.filter((e) => e.events.split(",").includes(event.type));
    if (targets.length === 0) continue;
    const occurredAt = codec.time(event.occurredAt);
    const payload = JSON.stringify({ id: event.id, type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data });
    const row = await trx
      .insertInto("webhook_events")
      .values({ id: event.id, type: event.type, account_id: event.accountId, occurred_at: occurredAt, payload })
      .returning("seq")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("webhook_deliveries")
      .values(
        targets.map((endpoint) => ({
          // One delivery per (event, endpoint): its id is derived, so it needs no randomness here.
          id: `${event.id}.${endpoint.id}`,
          event_id: event.id,
          endpoint_id: endpoint.id,
          event_seq: row.seq,
          event_type: event.type,
          ordering_key: event.accountId ?? event.id,
          occurred_at: occurredAt,
          status: "pending",
          attempts: 0,
          next_attempt_at: occurredAt,
          lease_token: null,
          lease_expires_at: null,
          created_at: occurredAt,
          last_attempt_at: null,
          last_status_code: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .execute();
    created += targets.length;
  }
  return created;
}

export function createSqlWebhookStore(db: Kysely<Database>, codec: SqlCodec): WebhookStore {
  const toEndpoint = (row: Selectable<WebhookEndpointsTable>): WebhookEndpointRecord => ({
    id: row.id,
    url: row.url,
    events: row.events.split(",").filter(Boolean),
    secretSealed: row.secret_sealed,
    createdAt: codec.date(row.created_at),
    pausedAt: row.paused_at === null ? null : codec.date(row.paused_at),
    pauseReason: row.pause_reason,
    consecutiveFailures: Number(row.consecutive_failures),
    previousSecretSealed: row.previous_secret_sealed,
    previousSecretExpiresAt: row.previous_secret_expires_at === null ? null : codec.date(row.previous_secret_expires_at),
  });
  const toDelivery = (row: Selectable<WebhookDeliveriesTable>): WebhookDeliveryRecord => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    orderingKey: row.ordering_key,
    occurredAt: codec.date(row.occurred_at),
    status: row.status as WebhookDeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: codec.date(row.next_attempt_at),
    createdAt: codec.date(row.created_at),
    lastAttemptAt: row.last_attempt_at === null ? null : codec.date(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: row.delivered_at === null ? null : codec.date(row.delivered_at),
  });

  return {
    async createEndpoint(e) {
      const row = await db
        .insertInto("webhook_endpoints")
        .values({
          id: e.id,
          url: e.url,
          events: e.events.join(","),
          secret_sealed: e.secretSealed,
          created_at: codec.time(e.createdAt),
          paused_at: null,
          pause_reason: null,
          consecutive_failures: 0,
          previous_secret_sealed: null,
          previous_secret_expires_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async listEndpoints() {
      const rows = await db.selectFrom("webhook_endpoints").selectAll().orderBy("created_at").orderBy("id").execute();
      return rows.map(toEndpoint);
    },

    async getEndpoint(endpointId) {
      const row = await db.selectFrom("webhook_endpoints").selectAll().where("id", "=", endpointId).executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async deleteEndpoint(endpointId) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("webhook_deliveries").where("endpoint_id", "=", endpointId).execute();
        const result = await trx.deleteFrom("webhook_endpoints").where("id", "=", endpointId).executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      });
    },

    async resumeEndpoint(endpointId) {
      const result = await db
        .updateTable("webhook_endpoints")
        .set({ paused_at: null, pause_reason: null, consecutive_failures: 0 })
        .where("id", "=", endpointId)
        .where("paused_at", "is not", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async rotateEndpointSecret(endpointId, { secretSealed, previousExpiresAt }) {
      // One statement: every SET reads the row as it was, so the previous secret is exactly the one replaced.
      // A concurrent rotation waits for this row (PostgreSQL re-reads it; SQLite has one writer) and keeps
      // this one's new secret as its previous.
      const row = await db
        .updateTable("webhook_endpoints")
        .set((eb) => ({
          secret_sealed: secretSealed,
          previous_secret_sealed: previousExpiresAt === null ? null : eb.ref("secret_sealed"),
          previous_secret_expires_at: previousExpiresAt === null ? null : codec.time(previousExpiresAt),
        }))
        .where("id", "=", endpointId)
        .returningAll()
        .executeTakeFirst();
      return row ? toEndpoint(row) : null;
    },

    async forgetExpiredPreviousSecrets(now) {
      const result = await db
        .updateTable("webhook_endpoints")
        .set({ previous_secret_sealed: null, previous_secret_expires_at: null })
        .where("previous_secret_expires_at", "<=", codec.time(now))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async recordEvents(events, options = {}) {
      return db
        .transaction()
        .execute((trx) => insertWebhookEvents(trx, codec, events, options.endpointId !== undefined ? { onlyEndpointId: options.endpointId } : {}));
    },

    async claimDeliveries({ leaseToken, now, leaseUntil, limit, perEndpoint, deliveryId }) {
      const t = codec.time(now);
      // One statement chooses and takes: a delivery is due when its time has come, nobody holds an
      // unexpired lease on it, its endpoint is not paused, and no older delivery of the same endpoint and
      // account is still pending (that keeps the order per account). On PostgreSQL a concurrent UPDATE
      // that lost the race re-checks the outer conditions on the new row version and skips it; SQLite
      // runs one writer at a time. Either way each delivery goes to one worker.
      const claimed = await db
        .updateTable("webhook_deliveries")
        .set({ lease_token: leaseToken, lease_expires_at: codec.time(leaseUntil), attempts: sql<number>`attempts + 1` })
        .where("id", "in", (eb) => {
          let due = eb
            .selectFrom("webhook_deliveries as d")
            .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
            .select("d.id")
            .where("d.status", "=", "pending")
            .where("d.next_attempt_at", "<=", t)
            .where((w) => w.or([w("d.lease_expires_at", "is", null), w("d.lease_expires_at", "<=", t)]))
            .where("e.paused_at", "is", null)
            .where((w) =>
              w.not(
                w.exists(
                  w
                    .selectFrom("webhook_deliveries as p")
                    .select("p.id")
                    .whereRef("p.endpoint_id", "=", "d.endpoint_id")
                    .whereRef("p.ordering_key", "=", "d.ordering_key")
                    .whereRef("p.event_seq", "<", "d.event_seq")
                    .where("p.status", "=", "pending"),
                ),
              ),
            );
          if (deliveryId !== undefined) due = due.where("d.id", "=", deliveryId);
          if (deliveryId !== undefined || perEndpoint === undefined) return due.orderBy("d.event_seq").limit(limit);
          // At most `perEndpoint` deliveries of one endpoint under lease at once (those other workers hold
          // included): a receiver that never answers holds only its own share, and the deliveries of every
          // other endpoint go on. The leases are counted once per endpoint, and each due delivery is ranked
          // within its endpoint, oldest first.
          const leased = eb
            .selectFrom("webhook_deliveries as l")
            .select(["l.endpoint_id", (c) => c.fn.countAll<number>().as("n")])
            .where("l.status", "=", "pending")
            .where("l.lease_expires_at", ">", t)
            .groupBy("l.endpoint_id");
          const ranked = due.leftJoin(leased.as("held"), "held.endpoint_id", "d.endpoint_id").select((c) => [
            "d.event_seq",
            c.fn.coalesce("held.n", sql.lit(0)).as("held"),
            c.fn
              .agg<number>("row_number")
              .over((o) => o.partitionBy("d.endpoint_id").orderBy("d.event_seq"))
              .as("rank"),
          ]);
          return eb.selectFrom(ranked.as("r")).select("r.id").where(sql<number>`r.rank + r.held`, "<=", perEndpoint).orderBy("r.event_seq").limit(limit);
        })
        .where("status", "=", "pending")
        .where((w) => w.or([w("lease_expires_at", "is", null), w("lease_expires_at", "<=", t)]))
        .returningAll()
        .execute();
      if (claimed.length === 0) return [];
      const details = await db
        .selectFrom("webhook_deliveries as d")
        .innerJoin("webhook_events as v", "v.id", "d.event_id")
        .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
        .select(["d.id", "v.payload", "e.url", "e.secret_sealed", "e.previous_secret_sealed", "e.previous_secret_expires_at"])
        .where(
          "d.id",
          "in",
          claimed.map((c) => c.id),
        )
        .execute();
      const byId = new Map(details.map((d) => [d.id, d]));
      const out: ClaimedWebhookDelivery[] = [];
      for (const row of claimed.sort((a, b) => Number(a.event_seq) - Number(b.event_seq))) {
        const detail = byId.get(row.id);
        // The endpoint was removed in the meantime: nothing to send.
        if (!detail) continue;
        out.push({
          ...toDelivery(row),
          leaseToken,
          url: detail.url,
          secretSealed: detail.secret_sealed,
          previousSecretSealed: detail.previous_secret_sealed,
          previousSecretExpiresAt: detail.previous_secret_expires_at === null ? null : codec.date(detail.previous_secret_expires_at),
          payload: detail.payload,
        });
      }
      return out;
    },

    async completeDelivery(deliveryId, outcome) {
      const at = codec.time(outcome.at);
      await db.transaction().execute(async (trx) => {
        // Delivered is delivered, even if the lease ran out meanwhile: receivers dedupe by event id.
        const row = await trx
          .updateTable("webhook_deliveries")
          .set({
            status: "delivered",
            delivered_at: at,
            last_attempt_at: at,
            last_status_code: outcome.statusCode,
            last_error: null,
            lease_token: null,
            lease_expires_at: null,
          })
          .where("id", "=", deliveryId)
          .where("status", "=", "pending")
          .returning("endpoint_id")
          .executeTakeFirst();
        if (row) await trx.updateTable("webhook_endpoints").set({ consecutive_failures: 0 }).where("id", "=", row.endpoint_id).execute();
      });
    },

    async failDelivery(deliveryId, leaseToken, outcome) {
      const at = codec.time(outcome.at);
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable("webhook_deliveries")
          .set({
            status: outcome.retryAt === null ? "failed" : "pending",
            next_attempt_at: outcome.retryAt === null ? at : codec.time(outcome.retryAt),
            last_attempt_at: at,
            last_status_code: outcome.statusCode,
            last_error: outcome.error?.slice(0, ERROR_TEXT_MAX) ?? null,
            lease_token: null,
            lease_expires_at: null,
          })
          .where("id", "=", deliveryId)
          .where("status", "=", "pending")
          // A worker whose lease was taken over (it stalled past the lease) must not overwrite the new holder's state.
          .where("lease_token", "=", leaseToken)
          .returning("endpoint_id")
          .executeTakeFirst();
        if (!row) return { paused: false };
        await trx
          .updateTable("webhook_endpoints")
          .set({ consecutive_failures: sql<number>`consecutive_failures + 1` })
          .where("id", "=", row.endpoint_id)
          .execute();
        if (outcome.retryAt !== null) return { paused: false };
        const paused = await trx
          .updateTable("webhook_endpoints")
          .set({ paused_at: at, pause_reason: outcome.pauseReason.slice(0, ERROR_TEXT_MAX) })
          .where("id", "=", row.endpoint_id)
          .where("paused_at", "is", null)
          .executeTakeFirst();
        return { paused: Number(paused.numUpdatedRows) === 1 };
      });
    },

    async listDeliveries({ endpointId, limit }) {
      let query = db.selectFrom("webhook_deliveries").selectAll();
      if (endpointId !== undefined) query = query.where("endpoint_id", "=", endpointId);
      const rows = await query.orderBy("event_seq", "desc").orderBy("id").limit(limit).execute();
      return rows.map(toDelivery);
    },

    async getDelivery(deliveryId) {
      const row = await db.selectFrom("webhook_deliveries").selectAll().where("id", "=", deliveryId).executeTakeFirst();
      return row ? toDelivery(row) : null;
    },

    async listAdminEmailAddresses() {
      const rows = await db
        .selectFrom("identifiers as i")
        .innerJoin("accounts as a", "a.id", "i.account_id")
        .select("i.display")
        .where("a.is_admin", "=", codec.bool(true))
        .where("a.disabled_at", "is", null)
        .where("i.kind", "=", "email")
        .where("i.verified_at", "is not", null)
        .orderBy("i.display")
        .execute();
      return rows.map((r) => r.display);
    },

    async deleteFinishedDeliveries(before) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom("webhook_deliveries")
          .where("status", "in", ["delivered", "failed"])
          .where("created_at", "<", codec.time(before))
          .executeTakeFirst();
        await trx
          .deleteFrom("webhook_events")
          .where("occurred_at", "<", codec.time(before))
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom("webhook_deliveries as d").select("d.id").whereRef("d.event_id", "=", "webhook_events.id"))),
          )
          .execute();
        return Number(result.numDeletedRows);
      });
    },
  };
}
