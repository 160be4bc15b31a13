// The storage adapter the provider calls for every model. Durable models (grants, sessions, tokens) go to
// the database; short-lived single-use ones (codes, interactions, replay marks) to the short-lived store
// (Redis in cluster mode). Consuming is atomic in storage: the provider's own check reads, then writes,
// so two requests racing with one code would otherwise both win.
import type { Deps } from "../deps.ts";
import type { OIDCArtifactRecord, OIDCArtifactStore } from "../stores/types.ts";
import { clientMetadataOf, isRedirectURIRegistered } from "./clients.ts";

/** What the provider stores: a JSON object with a few well-known members. */
type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; accountId?: string; clientId?: string; consumed?: unknown };

const SHORT_LIVED_MODELS = new Set(["AuthorizationCode", "Interaction", "ReplayDetection", "PushedAuthorizationRequest"]);

type AdapterDeps = Pick<Deps, "stores" | "clock">;

export interface ProviderAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

function toPayload(record: OIDCArtifactRecord | null): Payload | undefined {
  if (!record) return undefined;
  const payload = JSON.parse(record.payload) as Payload;
  if (record.consumedAt) payload.consumed = Math.floor(record.consumedAt.getTime() / 1000);
  return payload;
}

function textOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** The adapter class handed to the provider: `new Adapter("AuthorizationCode")` and so on. */
export function createProviderAdapter(deps: AdapterDeps): new (model: string) => ProviderAdapter {
  const durable = deps.stores.oidcArtifacts;
  const shortLived = deps.stores.oidcShortLivedArtifacts;

  class ClientAdapter implements ProviderAdapter {
    async upsert(): Promise<void> {
      // Clients are registered with the CLI only (no dynamic registration).
    }
    async find(id: string): Promise<Payload | undefined> {
      if (id.length > 64) return undefined;
      const client = await deps.stores.oidcClients.getClient(id);
      return client ? clientMetadataOf(client, deps.clock.now()) : undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async consume(): Promise<void> {}
    async destroy(): Promise<void> {}
    async revokeByGrantId(): Promise<void> {}
  }

  class ArtifactAdapter implements ProviderAdapter {
    readonly store: OIDCArtifactStore;
    constructor(readonly model: string) {
      this.store = SHORT_LIVED_MODELS.has(model) ? shortLived : durable;
    }
    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const now = deps.clock.now();
      const { consumed: _consumed, ...rest } = payload;
      await this.store.saveArtifact({
        kind: this.model,
        id,
        payload: JSON.stringify(rest),
        grantId: textOrNull(payload.grantId),
        uid: textOrNull(payload.uid),
        userCode: textOrNull(payload.userCode),
        accountId: textOrNull(payload.accountId),
        clientId: textOrNull(payload.clientId),
        expiresAt: typeof expiresIn === "number" ? new Date(now.getTime() + expiresIn * 1000) : null,
      });
    }
    async find(id: string): Promise<Payload | undefined> {
      if (id.length > 256) return undefined;
      const payload = toPayload(await this.store.getArtifact(this.model, id, deps.clock.now()));
      if (payload && this.model === "AuthorizationCode" && !(await this.redirectStillRegistered(payload))) return undefined;
      return payload;
    }
    /**
     * The provider redeems a code at the redirect URI it was issued for without asking whether the client
     * still has that URI; after `clients update` removed it, the code must not be redeemable there, so it
     * is treated as unknown (invalid_grant). Grants and tokens already issued are not affected.
     */
    async redirectStillRegistered(payload: Payload): Promise<boolean> {
      const { clientId, redirectUri } = payload;
      if (typeof clientId !== "string" || typeof redirectUri !== "string") return true;
      const client = await deps.stores.oidcClients.getClient(clientId);
      return client !== null && isRedirectURIRegistered(client, redirectUri);
    }
    async findByUid(uid: string): Promise<Payload | undefined> {
      if (uid.length > 256) return undefined;
      return toPayload(await this.store.getArtifactByUid(this.model, uid, deps.clock.now()));
    }
    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      if (userCode.length > 256) return undefined;
      return toPayload(await this.store.getArtifactByUserCode(this.model, userCode, deps.clock.now()));
    }
    async consume(id: string): Promise<void> {
      // Exactly one of any number of concurrent redemptions wins; the others fail like a replay.
      if (!(await this.store.consumeArtifact(this.model, id, deps.clock.now()))) {
        const { errors } = await import("oidc-provider");
        throw new errors.InvalidGrant(this.model === "RefreshToken" ? "refresh token already used" : "grant already consumed");
      }
    }
    async destroy(id: string): Promise<void> {
      await this.store.deleteArtifact(this.model, id);
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      await durable.revokeGrantArtifacts(grantId);
      if (shortLived !== durable) await shortLived.revokeGrantArtifacts(grantId);
    }
  }

  return class Adapter implements ProviderAdapter {
    readonly inner: ProviderAdapter;
    constructor(model: string) {
      this.inner = model === "Client" ? new ClientAdapter() : new ArtifactAdapter(model);
    }
    upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      return this.inner.upsert(id, payload, expiresIn);
    }
    find(id: string): Promise<Payload | undefined> {
      return this.inner.find(id);
    }
    findByUid(uid: string): Promise<Payload | undefined> {
      return this.inner.findByUid(uid);
    }
    findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.inner.findByUserCode(userCode);
    }
    consume(id: string): Promise<void> {
      return this.inner.consume(id);
    }
    destroy(id: string): Promise<void> {
      return this.inner.destroy(id);
    }
    revokeByGrantId(grantId: string): Promise<void> {
      return this.inner.revokeByGrantId(grantId);
    }
  };
}
