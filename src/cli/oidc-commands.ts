// `latchkey clients add|list|remove` and `latchkey keys rotate`: registering applications with the
// OpenID Connect provider and rotating its signing keys.
import { parseArgs } from "node:util";
import type { Config } from "../config/load.ts";
import { createSystemClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import { checkNewClient, type NewClientInput, registerClient } from "../oidc/clients.ts";
import { rotateSigningKey } from "../oidc/signing-keys.ts";
import { openStores } from "../stores/index.ts";
import type { OIDCClientRecord, Stores } from "../stores/types.ts";
import { UsageError } from "./usage-error.ts";

async function withStores<T>(config: Config, run: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(config, createSystemClock());
  try {
    return await run(stores);
  } finally {
    await stores.close();
  }
}

function clientJson(client: OIDCClientRecord): Record<string, unknown> {
  return {
    id: client.id,
    name: client.name,
    public: client.authMethod === "none",
    firstParty: client.firstParty,
    resourceServer: client.resourceServer === true,
    tokenEndpointAuthMethod: client.authMethod,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    createdAt: client.createdAt.toISOString(),
  };
}

export async function runClientsCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "post-logout-redirect-uri": { type: "string", multiple: true },
      public: { type: "boolean" },
      "first-party": { type: "boolean" },
      "resource-server": { type: "boolean" },
      "auth-method": { type: "string" },
      json: { type: "boolean" },
    },
  });
  const json = values.json === true;
  switch (action) {
    case "add": {
      const authMethod = values["auth-method"];
      if (authMethod !== undefined && authMethod !== "client_secret_basic" && authMethod !== "client_secret_post") {
        throw new UsageError("--auth-method takes client_secret_basic or client_secret_post");
      }
      const input: NewClientInput = {
        name: values.name ?? "",
        redirectUris: values["redirect-uri"] ?? [],
        postLogoutRedirectUris: values["post-logout-redirect-uri"] ?? [],
        isPublic: values.public === true,
        firstParty: values["first-party"] === true,
        resourceServer: values["resource-server"] === true,
        ...(authMethod === "client_secret_basic" || authMethod === "client_secret_post" ? { authMethod } : {}),
      };
      const problems = checkNewClient(input);
      if (problems.length > 0) throw new UsageError(problems.join("\n"));
      return withStores(config, async (stores) => {
        const { client, secret } = await registerClient({ stores, clock: createSystemClock(), random: createCryptoRandom() }, input);
        if (json) {
          process.stdout.write(
            `${JSON.stringify({ ...clientJson(client), ...(secret ? { secret } : {}), issuer: config.baseUrl, discovery: `${config.baseUrl}/.well-known/openid-configuration` })}\n`,
          );
          return 0;
        }
        process.stdout.write(`Registered ${client.name}\n`);
        process.stdout.write(`  client id:     ${client.id}\n`);
        if (secret)
          process.stdout.write(`  client secret: ${secret}\n  (shown only now: store it in the application's configuration; Latchkey keeps only a hash)\n`);
        else process.stdout.write("  public client: no secret; the application must use PKCE (S256)\n");
        process.stdout.write(`  issuer:        ${config.baseUrl}\n  discovery:     ${config.baseUrl}/.well-known/openid-configuration\n`);
        return 0;
      });
    }
    case "list":
      return withStores(config, async (stores) => {
        const clients = await stores.oidcClients.listClients();
        if (json) {
          process.stdout.write(`${JSON.stringify(clients.map(clientJson))}\n`);
          return 0;
        }
        process.stdout.write(`${["id", "name", "type", "redirect URIs", "created"].join("\t")}\n`);
        for (const c of clients) {
          const type = `${c.authMethod === "none" ? "public" : "confidential"}${c.firstParty ? ", first-party" : ""}${c.resourceServer ? ", resource server" : ""}`;
          process.stdout.write(`${[c.id, c.name, type, c.redirectUris.join(" "), c.createdAt.toISOString()].join("\t")}\n`);
        }
        process.stdout.write(`${clients.length} client(s)\n`);
        return 0;
      });
    case "remove": {
      const id = positionals[0];
      if (!id) throw new UsageError("clients remove needs the client id");
      return withStores(config, async (stores) => {
        const removed = await stores.oidcClients.deleteClient(id);
        if (json) process.stdout.write(`${JSON.stringify({ id, removed })}\n`);
        else process.stdout.write(removed ? `Removed client ${id}; its tokens no longer work\n` : "");
        if (!removed) {
          process.stderr.write(`latchkey: no client has the id ${id}\n`);
          return 1;
        }
        return 0;
      });
    }
    default:
      throw new UsageError(action ? `unknown clients command: ${action}` : "clients needs a command: add, list, remove");
  }
}

export async function runKeysCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
  if (action !== "rotate") throw new UsageError(action ? `unknown keys command: ${action}` : "keys needs a command: rotate");
  return withStores(config, async (stores) => {
    const { kid, removed } = await rotateSigningKey({ stores, clock: createSystemClock(), random: createCryptoRandom(), config });
    if (values.json) process.stdout.write(`${JSON.stringify({ kid, removed })}\n`);
    else
      process.stdout.write(
        `New signing key ${kid}. Running instances sign with it within a minute; the previous key stays published for a day.${removed > 0 ? ` Removed ${removed} old key(s).` : ""}\n`,
      );
    return 0;
  });
}
