// `latchkey clients add|list|remove|update|rotate-secret` and `latchkey keys rotate`: registering
// applications with the OpenID Connect provider, changing them in place and rotating its signing keys.
import { parseArgs } from "node:util";
import { type Config, parseDuration } from "../config/load.ts";
import { createSystemClock } from "../lib/clock.ts";
import { createCryptoRandom } from "../lib/random.ts";
import {
  CLIENT_SECRET_GRACE_MAX_SECONDS,
  type ClientChange,
  checkNewClient,
  type NewClientInput,
  registerClient,
  removeClient,
  rotateClientSecret,
  updateClient,
} from "../oidc/clients.ts";
import { rotateSigningKey } from "../oidc/signing-keys.ts";
import { openStores } from "../stores/index.ts";
import type { OIDCClientRecord, Stores } from "../stores/types.ts";
import { UsageError } from "./usage-error.ts";

/** Where these changes come from in the audit trail: the operator's terminal, no address (as every operator command). */
const CLI_CONTEXT = { ip: null, userAgent: "latchkey CLI" } as const;

async function withStores<T>(config: Config, run: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(config, createSystemClock());
  try {
    return await run(stores);
  } finally {
    await stores.close();
  }
}

/** Until when the secret replaced by the last rotation still works, or null (none, or its time is over). */
function previousSecretValidUntil(client: OIDCClientRecord, now: Date): Date | null {
  return client.previousSecretHash && client.previousSecretExpiresAt && client.previousSecretExpiresAt > now ? client.previousSecretExpiresAt : null;
}

/** `--grace 24h`: 0, or a duration with s, m, h or d, at most 7 days. */
function parseGrace(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let seconds: number;
  try {
    seconds = text === "0" ? 0 : parseDuration(text);
  } catch {
    throw new UsageError(`--grace takes a duration such as 24h, 90m or 0 (not ${JSON.stringify(text)})`);
  }
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > CLIENT_SECRET_GRACE_MAX_SECONDS) throw new UsageError("--grace takes 0 to 7d");
  return seconds;
}

// Never a secret or its hash: only until when a replaced secret still works.
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
    previousSecretValidUntil: previousSecretValidUntil(client, new Date())?.toISOString() ?? null,
  };
}

/** The change `clients update` was given, refusing options that contradict each other. */
function clientChangeOf(values: {
  name?: string | undefined;
  "redirect-uri"?: string[] | undefined;
  "add-redirect-uri"?: string[] | undefined;
  "remove-redirect-uri"?: string[] | undefined;
  "post-logout-redirect-uri"?: string[] | undefined;
  "first-party"?: boolean | undefined;
  "third-party"?: boolean | undefined;
  "resource-server"?: boolean | undefined;
  "no-resource-server"?: boolean | undefined;
}): ClientChange {
  if (values["redirect-uri"] && (values["add-redirect-uri"] || values["remove-redirect-uri"]))
    throw new UsageError("--redirect-uri replaces the list: give it alone, or --add-redirect-uri / --remove-redirect-uri");
  if (values["first-party"] && values["third-party"]) throw new UsageError("give --first-party or --third-party, not both");
  if (values["resource-server"] && values["no-resource-server"]) throw new UsageError("give --resource-server or --no-resource-server, not both");
  const change: ClientChange = {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values["redirect-uri"] ? { redirectUris: values["redirect-uri"] } : {}),
    ...(values["add-redirect-uri"] ? { addRedirectUris: values["add-redirect-uri"] } : {}),
    ...(values["remove-redirect-uri"] ? { removeRedirectUris: values["remove-redirect-uri"] } : {}),
    ...(values["post-logout-redirect-uri"] ? { postLogoutRedirectUris: values["post-logout-redirect-uri"] } : {}),
    ...(values["first-party"] || values["third-party"] ? { firstParty: values["first-party"] === true } : {}),
    ...(values["resource-server"] || values["no-resource-server"] ? { resourceServer: values["resource-server"] === true } : {}),
  };
  if (Object.keys(change).length === 0) throw new UsageError("clients update needs something to change (see latchkey --help)");
  return change;
}

const UPDATE_ONLY_OPTIONS = ["add-redirect-uri", "remove-redirect-uri", "third-party", "no-resource-server"] as const;

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
      "add-redirect-uri": { type: "string", multiple: true },
      "remove-redirect-uri": { type: "string", multiple: true },
      "third-party": { type: "boolean" },
      "no-resource-server": { type: "boolean" },
      grace: { type: "string" },
    },
  });
  const json = values.json === true;
  if (values.grace !== undefined && action !== "rotate-secret") throw new UsageError("--grace is only for clients rotate-secret");
  for (const option of UPDATE_ONLY_OPTIONS)
    if (values[option] !== undefined && action !== "update") throw new UsageError(`--${option} is only for clients update`);
  if (action === "update" && (values.public !== undefined || values["auth-method"] !== undefined))
    throw new UsageError("clients update cannot change --public or --auth-method: register a new client for that");
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
        const { client, secret } = await registerClient({ stores, clock: createSystemClock(), random: createCryptoRandom() }, input, { context: CLI_CONTEXT });
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
        const removed = await removeClient({ stores, clock: createSystemClock(), random: createCryptoRandom() }, id, { context: CLI_CONTEXT });
        if (json) process.stdout.write(`${JSON.stringify({ id, removed })}\n`);
        else process.stdout.write(removed ? `Removed client ${id}; its tokens no longer work\n` : "");
        if (!removed) {
          process.stderr.write(`latchkey: no client has the id ${id}\n`);
          return 1;
        }
        return 0;
      });
    }
    case "update": {
      const id = positionals[0];
      if (!id) throw new UsageError("clients update needs the client id (see latchkey clients list)");
      const change = clientChangeOf(values);
      return withStores(config, async (stores) => {
        const result = await updateClient({ stores, clock: createSystemClock(), random: createCryptoRandom() }, id, change, { context: CLI_CONTEXT });
        if (!result) {
          process.stderr.write(`latchkey: no client has the id ${id}\n`);
          return 1;
        }
        if (!result.client) throw new UsageError(result.problems.join("\n"));
        const client = result.client;
        if (json) {
          process.stdout.write(`${JSON.stringify(clientJson(client))}\n`);
          return 0;
        }
        process.stdout.write(`Updated ${client.name} (${client.id}); its id, secret, grants and tokens stay\n`);
        process.stdout.write(`  redirect URIs:             ${client.redirectUris.join(" ") || "(none)"}\n`);
        process.stdout.write(`  post-logout redirect URIs: ${client.postLogoutRedirectUris.join(" ") || "(none)"}\n`);
        process.stdout.write(
          `  ${client.firstParty ? "first-party (no consent page)" : "third-party (asks for consent)"}${client.resourceServer ? ", resource server" : ""}\n`,
        );
        return 0;
      });
    }
    case "rotate-secret": {
      const id = positionals[0];
      if (!id) throw new UsageError("clients rotate-secret needs the client id (see latchkey clients list)");
      const graceSeconds = parseGrace(values.grace);
      return withStores(config, async (stores) => {
        const clock = createSystemClock();
        const rotated = await rotateClientSecret(
          { stores, clock, random: createCryptoRandom() },
          id,
          graceSeconds === undefined ? { context: CLI_CONTEXT } : { graceSeconds, context: CLI_CONTEXT },
        );
        if (!rotated) {
          const exists = (await stores.oidcClients.getClient(id)) !== null;
          process.stderr.write(exists ? `latchkey: ${id} is a public client: it has no secret\n` : `latchkey: no client has the id ${id}\n`);
          return 1;
        }
        const { client, secret, previousSecretValidUntil: until } = rotated;
        if (json) {
          process.stdout.write(`${JSON.stringify({ ...clientJson(client), secret })}\n`);
          return 0;
        }
        process.stdout.write(`New client secret of ${client.name} (${client.id}):\n  ${secret}\n`);
        process.stdout.write("  (shown only now: put it in the application's configuration; Latchkey keeps only a hash)\n");
        process.stdout.write(
          until
            ? `The previous secret keeps working at the token endpoint until ${until.toISOString()}; after that, only the new one.\n`
            : "The previous secret no longer works.\n",
        );
        return 0;
      });
    }
    default:
      throw new UsageError(action ? `unknown clients command: ${action}` : "clients needs a command: add, list, remove, update, rotate-secret");
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
        `New signing key ${kid}. Running instances publish it within a minute and sign with it after two; the previous key stays published for a day.${removed > 0 ? ` Removed ${removed} old key(s).` : ""}\n`,
      );
    return 0;
  });
}
