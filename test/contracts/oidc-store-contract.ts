// The contract of the OpenID Connect stores (clients, signing keys, artifacts), run against every backend.
// Each test opens fresh storage with unique ids, so runs do not see each other.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createManualClock, type ManualClock } from "../../src/lib/clock.ts";
import type { AuditEventRecord, NewOIDCArtifact, OIDCArtifactStore, OIDCClientRecord, Stores } from "../../src/stores/types.ts";

const unique = (prefix: string): string => `${prefix}-${randomBytes(6).toString("hex")}`;

export function runOIDCStoreContract(name: string, open: (clock: ManualClock) => Promise<Stores>): void {
  describe(`OpenID Connect store contract: ${name}`, () => {
    async function withStores(run: (stores: Stores, clock: ManualClock) => Promise<void>): Promise<void> {
      const clock = createManualClock(new Date("2030-03-01T10:00:00Z"));
      const stores = await open(clock);
      try {
        await run(stores, clock);
      } finally {
        await stores.close();
      }
    }
    const artifact = (clock: ManualClock, kind: string, overrides: Partial<NewOIDCArtifact> = {}): NewOIDCArtifact => ({
      kind,
      id: unique("id"),
      payload: JSON.stringify({ n: 1 }),
      grantId: null,
      uid: null,
      userCode: null,
      accountId: null,
      clientId: null,
      expiresAt: new Date(clock.now().getTime() + 60_000),
      ...overrides,
    });

    for (const which of ["oidcArtifacts", "oidcShortLivedArtifacts"] as const) {
      describe(which, () => {
        const storeOf = (stores: Stores): OIDCArtifactStore => stores[which];

        it("saves, finds until expiry, and finds by uid and user code", async () => {
          await withStores(async (stores, clock) => {
            const store = storeOf(stores);
            const a = artifact(clock, "Session", { uid: unique("uid"), userCode: unique("uc"), accountId: "acc", clientId: "cli", grantId: unique("g") });
            await store.saveArtifact(a);
            const found = await store.getArtifact("Session", a.id, clock.now());
            assert.equal(found?.payload, a.payload);
            assert.equal(found?.accountId, "acc");
            assert.equal(found?.clientId, "cli");
            assert.equal(found?.consumedAt, null);
            assert.equal((await store.getArtifactByUid("Session", a.uid as string, clock.now()))?.id, a.id);
            assert.equal((await store.getArtifactByUserCode("Session", a.userCode as string, clock.now()))?.id, a.id);
            assert.equal(await store.getArtifact("Grant", a.id, clock.now()), null, "kinds are separate");
            clock.advance(60_000);
            assert.equal(await store.getArtifact("Session", a.id, clock.now()), null, "gone at its expiry");
            assert.equal(await store.getArtifactByUid("Session", a.uid as string, clock.now()), null);
          });
        });

        it("consumes once, never after expiry, and a replaced artifact keeps its consumed mark", async () => {
          await withStores(async (stores, clock) => {
            const store = storeOf(stores);
            const a = artifact(clock, "AuthorizationCode");
            await store.saveArtifact(a);
            assert.equal(await store.consumeArtifact("AuthorizationCode", a.id, clock.now()), true);
            assert.equal(await store.consumeArtifact("AuthorizationCode", a.id, clock.now()), false);
            await store.saveArtifact({ ...a, payload: JSON.stringify({ n: 2 }) });
            const again = await store.getArtifact("AuthorizationCode", a.id, clock.now());
            assert.equal(again?.payload, JSON.stringify({ n: 2 }));
            assert.ok(again?.consumedAt, "still consumed");
            assert.equal(await store.consumeArtifact("AuthorizationCode", unique("missing"), clock.now()), false);
            const late = artifact(clock, "AuthorizationCode");
            await store.saveArtifact(late);
            clock.advance(60_000);
            assert.equal(await store.consumeArtifact("AuthorizationCode", late.id, clock.now()), false);
          });
        });

        it("revokes every artifact of a grant, whatever its kind, and deletes one by id", async () => {
          await withStores(async (stores, clock) => {
            const store = storeOf(stores);
            const grantId = unique("grant");
            const code = artifact(clock, "AuthorizationCode", { grantId });
            const token = artifact(clock, "AccessToken", { grantId });
            const other = artifact(clock, "AccessToken", { grantId: unique("other") });
            for (const a of [code, token, other]) await store.saveArtifact(a);
            assert.equal(await store.revokeGrantArtifacts(grantId), 2);
            assert.equal(await store.getArtifact("AuthorizationCode", code.id, clock.now()), null);
            assert.equal(await store.getArtifact("AccessToken", token.id, clock.now()), null);
            assert.ok(await store.getArtifact("AccessToken", other.id, clock.now()));
            await store.deleteArtifact("AccessToken", other.id);
            assert.equal(await store.getArtifact("AccessToken", other.id, clock.now()), null);
          });
        });
      });
    }

    it("lists an account's grants and deletes expired artifacts (database)", async () => {
      await withStores(async (stores, clock) => {
        const accountId = unique("acc");
        const grant = artifact(clock, "Grant", { accountId, clientId: "c1", expiresAt: null });
        const short = artifact(clock, "Grant", { accountId, clientId: "c2" });
        await stores.oidcArtifacts.saveArtifact(grant);
        await stores.oidcArtifacts.saveArtifact(short);
        assert.deepEqual(
          (await stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, clock.now())).map((g) => g.id).sort(),
          [grant.id, short.id].sort(),
        );
        clock.advance(60_000);
        assert.ok((await stores.oidcArtifacts.deleteExpiredArtifacts(clock.now())) >= 1);
        assert.deepEqual(
          (await stores.oidcArtifacts.listArtifactsOfAccount("Grant", accountId, clock.now())).map((g) => g.id),
          [grant.id],
          "no expiry: kept",
        );
      });
    });

    it("deleteAccount deletes what the provider stored for the account and under its grants, and nothing else (database)", async () => {
      await withStores(async (stores, clock) => {
        const account = async (): Promise<string> => {
          const value = `${unique("person")}@example.com`;
          const created = await stores.accounts.createVerifiedAccount({
            id: unique("acc"),
            name: null,
            passwordHash: unique("hash"),
            createdAt: clock.now(),
            identifier: { id: unique("idf"), kind: "email", value, display: value },
          });
          assert.ok(created, "setup: account");
          return created.account.id;
        };
        const [gone, kept] = [await account(), await account()];
        const grant = artifact(clock, "Grant", { accountId: gone, clientId: "c1" });
        const ofAccount = [
          grant,
          artifact(clock, "Session", { accountId: gone, uid: unique("uid") }),
          artifact(clock, "RefreshToken", { accountId: gone, grantId: grant.id }),
          artifact(clock, "AccessToken", { accountId: gone, grantId: grant.id }),
          // Issued under the grant without naming the account: it goes with the grant.
          artifact(clock, "Interaction", { grantId: grant.id }),
        ];
        const keptGrant = artifact(clock, "Grant", { accountId: kept, clientId: "c1" });
        const ofOther = [keptGrant, artifact(clock, "RefreshToken", { accountId: kept, grantId: keptGrant.id })];
        for (const a of [...ofAccount, ...ofOther]) await stores.oidcArtifacts.saveArtifact(a);
        assert.equal(await stores.accounts.deleteAccount(gone), "deleted");
        for (const a of ofAccount) assert.equal(await stores.oidcArtifacts.getArtifact(a.kind, a.id, clock.now()), null, `${a.kind} is gone`);
        for (const a of ofOther) assert.ok(await stores.oidcArtifacts.getArtifact(a.kind, a.id, clock.now()), `another account's ${a.kind} stays`);
      });
    });

    it("stores clients; removing one removes what was issued to it", async () => {
      await withStores(async (stores, clock) => {
        const id = unique("client");
        await stores.oidcClients.createClient({
          id,
          name: "App",
          secretHash: "ab".repeat(32),
          authMethod: "client_secret_basic",
          redirectUris: ["https://a.example/cb"],
          postLogoutRedirectUris: [],
          firstParty: true,
          resourceServer: true,
          createdAt: clock.now(),
        });
        await assert.rejects(
          stores.oidcClients.createClient({
            id,
            name: "Dup",
            secretHash: null,
            authMethod: "none",
            redirectUris: [],
            postLogoutRedirectUris: [],
            firstParty: false,
            createdAt: clock.now(),
          }),
        );
        const stored = await stores.oidcClients.getClient(id);
        assert.deepEqual(stored?.redirectUris, ["https://a.example/cb"]);
        assert.equal(stored?.firstParty, true);
        assert.equal(stored?.resourceServer, true);
        assert.ok((await stores.oidcClients.listClients()).some((c) => c.id === id));
        const token = artifact(clock, "AccessToken", { clientId: id });
        await stores.oidcArtifacts.saveArtifact(token);
        assert.equal(await stores.oidcClients.deleteClient(id), true);
        assert.equal(await stores.oidcClients.deleteClient(id), false);
        assert.equal(await stores.oidcClients.getClient(id), null);
        assert.equal(await stores.oidcArtifacts.getArtifact("AccessToken", token.id, clock.now()), null);
      });
    });

    it("updates a client's settings only while they are as read, in one statement", async () => {
      await withStores(async (stores, clock) => {
        const id = unique("client");
        await stores.oidcClients.createClient({
          id,
          name: "App",
          secretHash: "ab".repeat(32),
          authMethod: "client_secret_basic",
          redirectUris: ["https://a.example/cb"],
          postLogoutRedirectUris: [],
          firstParty: false,
          createdAt: clock.now(),
        });
        const read = await stores.oidcClients.getClient(id);
        assert.ok(read);
        const next = {
          name: "App 2",
          redirectUris: ["https://b.example/cb"],
          postLogoutRedirectUris: ["https://b.example/bye"],
          firstParty: true,
          resourceServer: true,
        };
        const updated = await stores.oidcClients.updateClientSettings(read, next);
        assert.deepEqual(
          {
            name: updated?.name,
            redirectUris: updated?.redirectUris,
            postLogoutRedirectUris: updated?.postLogoutRedirectUris,
            firstParty: updated?.firstParty,
            resourceServer: updated?.resourceServer,
          },
          next,
        );
        assert.equal(updated?.secretHash, "ab".repeat(32), "the secret stays");
        // A stale read changes nothing: the caller reads again and re-checks.
        assert.equal(await stores.oidcClients.updateClientSettings(read, { ...next, name: "Stale" }), null);
        assert.equal((await stores.oidcClients.getClient(id))?.name, "App 2");
        assert.equal(await stores.oidcClients.updateClientSettings({ ...read, id: unique("missing") }, next), null);
        // Of concurrent updates from the same read, exactly one is written.
        const fresh = await stores.oidcClients.getClient(id);
        assert.ok(fresh);
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => stores.oidcClients.updateClientSettings(fresh, { ...next, name: `Racer ${i}` })));
        const winners = results.filter((r) => r !== null);
        assert.equal(winners.length, 1);
        assert.equal((await stores.oidcClients.getClient(id))?.name, winners[0]?.name);
      });
    });

    it("rotates a confidential client's secret, keeping the replaced hash until the given time", async () => {
      await withStores(async (stores, clock) => {
        const id = unique("client");
        const base = { name: "App", redirectUris: ["https://a.example/cb"], postLogoutRedirectUris: [], firstParty: false, createdAt: clock.now() };
        await stores.oidcClients.createClient({ ...base, id, secretHash: "aa".repeat(32), authMethod: "client_secret_basic" });
        assert.equal((await stores.oidcClients.getClient(id))?.previousSecretHash, null);
        // Whole seconds: SQLite keeps times in seconds.
        const until = new Date(Math.floor(clock.now().getTime() / 1000) * 1000 + 3600_000);
        const rotated = await stores.oidcClients.rotateClientSecret(id, "bb".repeat(32), until);
        assert.equal(rotated?.secretHash, "bb".repeat(32));
        assert.equal(rotated?.previousSecretHash, "aa".repeat(32));
        assert.equal(rotated?.previousSecretExpiresAt?.getTime(), until.getTime());
        const dropped = await stores.oidcClients.rotateClientSecret(id, "cc".repeat(32), null);
        assert.equal(dropped?.previousSecretHash, null);
        assert.equal(dropped?.previousSecretExpiresAt, null);
        // Concurrent rotations: each keeps the hash the other replaced, none is lost in between.
        const [first, second] = await Promise.all([
          stores.oidcClients.rotateClientSecret(id, "dd".repeat(32), until),
          stores.oidcClients.rotateClientSecret(id, "ee".repeat(32), until),
        ]);
        const hashes = new Set([first?.previousSecretHash, second?.previousSecretHash, (await stores.oidcClients.getClient(id))?.secretHash]);
        assert.deepEqual(hashes, new Set(["cc".repeat(32), "dd".repeat(32), "ee".repeat(32)]));
        const publicId = unique("client");
        await stores.oidcClients.createClient({ ...base, id: publicId, secretHash: null, authMethod: "none" });
        assert.equal(await stores.oidcClients.rotateClientSecret(publicId, "ff".repeat(32), until), null);
        assert.equal(await stores.oidcClients.rotateClientSecret(unique("missing"), "ff".repeat(32), until), null);
      });
    });

    it("writes an operator's change to a client with its audit event, and no event when nothing changed", async () => {
      await withStores(async (stores, clock) => {
        const id = unique("client");
        const audit = (type: string, detail: Record<string, string | number | boolean> = {}): AuditEventRecord => ({
          id: unique("event"),
          at: clock.now(),
          type,
          accountId: null,
          ip: null,
          userAgent: "latchkey CLI",
          detail: { client: id, ...detail },
        });
        const recorded = async (event: AuditEventRecord): Promise<boolean> =>
          (await stores.audit.listEvents({ types: [event.type], limit: 100000 })).some((e) => e.id === event.id);
        const client = {
          id,
          name: "App",
          secretHash: "aa".repeat(32),
          authMethod: "client_secret_basic" as const,
          redirectUris: ["https://a.example/cb"],
          postLogoutRedirectUris: [],
          firstParty: false,
          createdAt: clock.now(),
        };
        const added = audit("oidc.client_added");
        await stores.oidcClients.createClient(client, { audit: added });
        assert.ok(await recorded(added));
        const duplicate = audit("oidc.client_added");
        await assert.rejects(stores.oidcClients.createClient(client, { audit: duplicate }));
        assert.equal(await recorded(duplicate), false, "a refused registration is not recorded");

        const read = await stores.oidcClients.getClient(id);
        assert.ok(read);
        const settings = { name: "App 2", redirectUris: read.redirectUris, postLogoutRedirectUris: [], firstParty: false, resourceServer: false };
        const updated = audit("oidc.client_updated", { changed: "name" });
        assert.ok(await stores.oidcClients.updateClientSettings(read, settings, { audit: updated }));
        assert.ok(await recorded(updated));
        const stale = audit("oidc.client_updated", { changed: "name" });
        assert.equal(await stores.oidcClients.updateClientSettings(read, { ...settings, name: "App 3" }, { audit: stale }), null);
        assert.equal(await recorded(stale), false, "an update that wrote nothing is not recorded");

        const rotated = audit("oidc.client_secret_rotated", { graceSeconds: 0 });
        assert.ok(await stores.oidcClients.rotateClientSecret(id, "bb".repeat(32), null, { audit: rotated }));
        assert.ok(await recorded(rotated));
        const missing = audit("oidc.client_secret_rotated", { graceSeconds: 0 });
        assert.equal(await stores.oidcClients.rotateClientSecret(unique("missing"), "cc".repeat(32), null, { audit: missing }), null);
        assert.equal(await recorded(missing), false);

        let removedName: string | null = null;
        const removed = audit("oidc.client_removed");
        const removeAudit = (gone: OIDCClientRecord): AuditEventRecord => {
          removedName = gone.name;
          return removed;
        };
        assert.equal(await stores.oidcClients.deleteClient(id, { audit: removeAudit }), true);
        assert.equal(removedName, "App 2", "the event is made of the client as it was removed");
        assert.ok(await recorded(removed));
        const again = audit("oidc.client_removed");
        assert.equal(await stores.oidcClients.deleteClient(id, { audit: () => again }), false);
        assert.equal(await recorded(again), false);
      });
    });

    it("forgets previous secret hashes once their grace period has ended, and only those", async () => {
      await withStores(async (stores, clock) => {
        const base = { name: "App", redirectUris: ["https://a.example/cb"], postLogoutRedirectUris: [], firstParty: false, createdAt: clock.now() };
        // Whole seconds: SQLite keeps times in seconds.
        const now = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
        const ids = { ended: unique("client"), endsNow: unique("client"), running: unique("client"), none: unique("client") };
        for (const id of Object.values(ids))
          await stores.oidcClients.createClient({ ...base, id, secretHash: "aa".repeat(32), authMethod: "client_secret_basic" });
        await stores.oidcClients.rotateClientSecret(ids.ended, "b1".repeat(32), new Date(now.getTime() - 1000));
        await stores.oidcClients.rotateClientSecret(ids.endsNow, "b2".repeat(32), now);
        await stores.oidcClients.rotateClientSecret(ids.running, "b3".repeat(32), new Date(now.getTime() + 1000));
        await stores.oidcClients.rotateClientSecret(ids.none, "b4".repeat(32), null);

        // Other runs may share the database: at least these two.
        assert.ok((await stores.oidcClients.forgetExpiredPreviousSecrets(now)) >= 2);
        for (const [id, secretHash] of [
          [ids.ended, "b1".repeat(32)],
          [ids.endsNow, "b2".repeat(32)],
        ] as const) {
          const client = await stores.oidcClients.getClient(id);
          assert.equal(client?.previousSecretHash, null, "an ended grace period leaves no hash");
          assert.equal(client?.previousSecretExpiresAt, null);
          assert.equal(client?.secretHash, secretHash, "the current secret stays");
        }
        const running = await stores.oidcClients.getClient(ids.running);
        assert.equal(running?.previousSecretHash, "aa".repeat(32), "a grace period still running keeps its hash");
        assert.equal(running?.previousSecretExpiresAt?.getTime(), now.getTime() + 1000);
        assert.equal((await stores.oidcClients.getClient(ids.none))?.secretHash, "b4".repeat(32));
        // Idempotent: run again, nothing of these changes.
        await stores.oidcClients.forgetExpiredPreviousSecrets(now);
        assert.equal((await stores.oidcClients.getClient(ids.running))?.previousSecretHash, "aa".repeat(32));
      });
    });

    it("adds signing keys by generation: one winner per generation", async () => {
      await withStores(async (stores, clock) => {
        const existing = await stores.signingKeys.listSigningKeys();
        const next = (existing[0]?.generation ?? 0) + 1;
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            stores.signingKeys.addSigningKey({ generation: next, kid: unique("kid"), sealedJwk: "sealed", createdAt: clock.now() }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await stores.signingKeys.listSigningKeys())[0]?.generation, next);
        await stores.signingKeys.addSigningKey({ generation: next + 1, kid: unique("kid"), sealedJwk: "sealed", createdAt: clock.now() });
        assert.ok((await stores.signingKeys.deleteSigningKeysBefore(next + 1)) >= 1);
        assert.deepEqual(
          (await stores.signingKeys.listSigningKeys()).map((k) => k.generation),
          [next + 1],
        );
      });
    });
  });
}
