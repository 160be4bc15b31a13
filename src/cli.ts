// The `latchkey` command: serve, migrate, and account administration for operators.
import { parseArgs } from "node:util";
import { createArgon2Hasher } from "./accounts/password-hash.ts";
import { checkNewPassword } from "./accounts/password-policy.ts";
import { disableAccountAndAccess, enableAccountAgain, grantAdminAccess, revokeAdminAccess } from "./admin/account-actions.ts";
import { buildHelpFeedbackReport, formatHelpReportText } from "./admin/report.ts";
import { type AuditEventType, auditEventRecord, recordAuditEvent } from "./audit/audit.ts";
import { withAccountChangeDeps } from "./cli/account-change-deps.ts";
import { runAccountsImport } from "./cli/import-command.ts";
import { runClientsCommand, runKeysCommand } from "./cli/oidc-commands.ts";
import { runBackup, runMigrateData } from "./cli/operations-commands.ts";
import { readPassword } from "./cli/read-password.ts";
import { UsageError } from "./cli/usage-error.ts";
import { runWebhooksCommand } from "./cli/webhooks-command.ts";
import { type Config, ConfigError, loadConfig, parseDuration } from "./config/load.ts";
import { loadHelpLibrary } from "./help/articles.ts";
import { isLocale, SHIPPED_LOCALES } from "./i18n/locales.ts";
import { createSystemClock } from "./lib/clock.ts";
import { generateId } from "./lib/crypto.ts";
import { parseIdentifier } from "./lib/identifier-parsing.ts";
import { createCryptoRandom } from "./lib/random.ts";
import { describeUserAgent } from "./lib/user-agent.ts";
import { runServe } from "./main.ts";
import { messageForError } from "./messages/errors.ts";
import { openDatabase, openStores } from "./stores/index.ts";
import type { Stores } from "./stores/types.ts";
import { WebhookInputError } from "./webhooks/endpoints.ts";
import { accountCreatedEvent } from "./webhooks/events.ts";

const HELP = `Usage: latchkey <command> [options]

Commands:
  serve                                 Start the server (configuration from LATCHKEY_* variables)
  migrate                               Apply pending database migrations
  backup --out FILE                     Copy the SQLite database while the server runs (online backup)
  migrate-data --from FILE --to postgres://…
                                        Copy a single-mode SQLite database into an empty PostgreSQL
                                        database for cluster mode, then compare row counts
  accounts create --identifier X [--name N] [--admin]
                                        Create a verified account; the password is read from a
                                        hidden prompt, or from standard input when it is not a terminal
  accounts list [--limit N] [--offset N]
                                        List accounts
  accounts disable X [--force]          Refuse sign-in for the account with identifier X; end its sessions,
                                        app tokens, pending reset links and codes, and confirmation codes.
                                        Nothing changes when it is already disabled. The only enabled
                                        admin is refused unless --force (nobody could open /admin after)
  accounts enable X                     Allow sign-in again (ended sessions, tokens and resets stay ended)
  accounts grant-admin X                Give the account access to /admin
  accounts revoke-admin X [--force]     Take that access away. The only enabled admin is refused unless
                                        --force (nobody could open /admin after)
                                        disable, enable, grant-admin and revoke-admin tell the owner as
                                        the admin console does, and change nothing (exit 0) when the
                                        account already is that way
  accounts import FILE [--format csv|jsonl] [--dry-run] [--rejects FILE]
                                        Import accounts with their password hashes (bcrypt, scrypt,
                                        PBKDF2-SHA256, argon2) from another system; exits 1 when
                                        rows were rejected (see docs/deployment.md)
  audit [--account X] [--since 24h] [--type T] [--limit N]
                                        Security events, newest first (sign-ins, failures, locks,
                                        resets, password changes, revoked sessions, admin actions)
  clients add --name N --redirect-uri URI [--redirect-uri URI …] [--public] [--first-party]
        [--post-logout-redirect-uri URI …] [--auth-method client_secret_basic|client_secret_post]
        [--resource-server] [--json]
                                        Register an application with the OpenID Connect provider;
                                        prints its client id and, unless --public, its secret (once).
                                        --resource-server: an API that may introspect other clients'
                                        tokens (then --redirect-uri may be left out)
  clients list [--json]                 List registered applications
  clients remove ID [--json]            Remove an application; its tokens stop working
  clients update ID [--name N] [--redirect-uri URI …  |  --add-redirect-uri URI …
        --remove-redirect-uri URI …] [--post-logout-redirect-uri URI …]
        [--first-party | --third-party] [--resource-server | --no-resource-server] [--json]
                                        Change an application in place: its id, secret, grants
                                        and tokens stay. --redirect-uri replaces the list; a code
                                        is redeemed only at a URI still registered. Same checks
                                        as clients add
  clients rotate-secret ID [--grace 24h] [--json]
                                        New client secret, printed once; for the grace period
                                        (0 to 7d) the previous secret keeps working too
  keys rotate [--json]                  New OpenID Connect signing key (the old one stays published a day)
  help report [--days N] [--lang L]     Help articles: views, yes, no, helpful share and top reason
                                        (as on /admin), for all time or the last N days, every
                                        language or only L (en, de, fr, es, ar)
  webhooks add --url URL --events a,b [--json]
                                        Add a webhook endpoint; prints its id and signing secret
                                        (whsec_…) once (events: see docs/webhooks.md)
  webhooks list [--json]                Endpoints with their events and status
  webhooks remove ID                    Remove an endpoint and its waiting deliveries
  webhooks resume ID                    Resume an endpoint that was paused after failing deliveries
  webhooks rotate-secret ID [--grace 24h] [--json]
                                        New signing secret, printed once; the endpoint, its id and
                                        waiting deliveries stay. For the grace period (0 to 7d)
                                        requests are signed with the new and the old secret
  webhooks test ID [--json]             Send a signed webhook.test event now and show the answer
  webhooks deliveries [ID] [--limit N] [--json]
                                        The delivery log, newest first, of one endpoint or all

Options:
  -h, --help                            Show this help

Exit codes: 0 success, 1 failure, 2 wrong usage, 78 bad configuration.
See docs/configuration.md for every setting.
`;

function fail(message: string, code = 1): number {
  process.stderr.write(`latchkey: ${message}\n`);
  return code;
}

async function withStores<T>(config: Config, run: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(config, createSystemClock());
  try {
    return await run(stores);
  } finally {
    await stores.close();
  }
}

async function findAccountId(stores: Stores, input: string | undefined): Promise<string> {
  return (await findAccount(stores, input)).id;
}

/** The account named by an identifier, with that identifier as its owner confirmed it (for messages). */
async function findAccount(stores: Stores, input: string | undefined): Promise<{ id: string; display: string }> {
  if (!input) throw new UsageError("name the account by its e-mail address or mobile number");
  const parsed = parseIdentifier(input);
  if (!parsed.ok) throw new Error(`${input}: ${messageForError(parsed.code)}`);
  const found = await stores.accounts.getAccountByIdentifier(parsed.identifier.value);
  if (!found) throw new Error(`no account uses ${parsed.identifier.display}`);
  return { id: found.account.id, display: found.identifier.display };
}

async function runAccounts(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === "import") return runAccountsImport(config, rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      identifier: { type: "string" },
      name: { type: "string" },
      admin: { type: "boolean" },
      limit: { type: "string" },
      offset: { type: "string" },
      force: { type: "boolean" },
    },
  });
  if (values.force && action !== "disable" && action !== "revoke-admin") throw new UsageError("--force is only for accounts disable and revoke-admin");
  const clock = createSystemClock();
  switch (action) {
    case "create": {
      const input = values.identifier ?? positionals[0];
      if (!input) throw new UsageError("accounts create needs --identifier");
      const parsed = parseIdentifier(input);
      if (!parsed.ok) return fail(`${input}: ${messageForError(parsed.code)}`);
      const password = await readPassword("Password: ");
      const policy = await checkNewPassword(password, { identifiers: [parsed.identifier.value], name: values.name ?? null, minScore: config.passwordMinScore });
      if (!policy.ok) return fail(messageForError(policy.code));
      const random = createCryptoRandom();
      const hash = await createArgon2Hasher(config.argon2).hashPassword(policy.password);
      return withStores(config, async (stores) => {
        const id = generateId(random);
        const created = await stores.accounts.createVerifiedAccount(
          {
            id,
            name: values.name ?? null,
            passwordHash: hash,
            createdAt: clock.now(),
            identifier: { id: generateId(random), ...parsed.identifier },
          },
          (result) => [accountCreatedEvent({ clock, random }, result.account, [result.identifier], OPERATOR_ACTOR)],
        );
        if (!created) return fail(`${parsed.identifier.display} is already used by an account`);
        await recordCLIEvent(stores, "admin.account_created", id);
        // Made admin as grant-admin does it: the flag and its audit event in one transaction.
        if (values.admin)
          await stores.accounts.grantAdmin(id, clock.now(), {
            audit: auditEventRecord({ clock, random }, { type: "admin.admin_granted", accountId: id, context: CLI_CONTEXT }),
          });
        process.stdout.write(`Created account ${id} for ${parsed.identifier.display}${values.admin ? " (admin)" : ""}\n`);
        return 0;
      });
    }
    case "list": {
      const limit = Number(values.limit ?? "100");
      const offset = Number(values.offset ?? "0");
      if (!Number.isInteger(limit) || limit < 1 || limit > 10000 || !Number.isInteger(offset) || offset < 0)
        throw new UsageError("--limit takes 1–10000 and --offset a whole number");
      return withStores(config, async (stores) => {
        const rows = await stores.accounts.listAccounts({ limit, offset });
        process.stdout.write(`${["id", "identifiers", "name", "status", "created"].join("\t")}\n`);
        for (const { account, identifiers } of rows) {
          const ids = identifiers.map((i) => `${i.display}${i.verifiedAt ? "" : " (unconfirmed)"}`).join(", ");
          const status = account.disabledAt
            ? "disabled"
            : identifiers.some((i) => i.verifiedAt)
              ? account.isAdmin
                ? "active, admin"
                : "active"
              : "unconfirmed";
          process.stdout.write(`${[account.id, ids, account.name ?? "", status, account.createdAt.toISOString()].join("\t")}\n`);
        }
        process.stdout.write(`${rows.length} account(s)\n`);
        return 0;
      });
    }
    case "disable":
      return withStores(config, async (stores) => {
        const { id, display } = await findAccount(stores, positionals[0] ?? values.identifier);
        // The same function as the admin console's, so both end the same things, record them once and tell the owner.
        const { result, appsEnded } = await withAccountChangeDeps(config, stores, (deps) =>
          disableAccountAndAccess(deps, { accountId: id, actor: OPERATOR_ACTOR, context: CLI_CONTEXT, allowLastAdmin: values.force === true }),
        );
        switch (result) {
          case "not_found":
            return fail(`no account uses ${display}`);
          case "unchanged":
            process.stdout.write(`${display} is already disabled (account ${id}): nothing changed\n`);
            return 0;
          case "last_admin":
            // The operator may need this (an admin account that was taken over), so it is allowed, but only
            // when asked for by name: otherwise nobody could open /admin until an account is made admin here.
            return fail(
              `${display} is the only enabled admin: disabling it would leave nobody able to open /admin. ` +
                "Make another account an admin first (latchkey accounts grant-admin), or run again with --force to disable it anyway",
            );
          case "changed":
            process.stdout.write(
              `Disabled ${display} (account ${id}): sign-in is refused; its sessions, pending password resets and confirmation codes ended, and ${appsEnded} application grant(s). The owner has been told\n`,
            );
            return 0;
        }
      });
    case "enable":
      return withStores(config, async (stores) => {
        const { id, display } = await findAccount(stores, positionals[0] ?? values.identifier);
        const result = await withAccountChangeDeps(config, stores, (deps) =>
          enableAccountAgain(deps, { accountId: id, actor: OPERATOR_ACTOR, context: CLI_CONTEXT }),
        );
        if (result === "not_found") return fail(`no account uses ${display}`);
        if (result !== "changed") {
          process.stdout.write(`${display} is not disabled (account ${id}): nothing changed\n`);
          return 0;
        }
        process.stdout.write(`Enabled ${display} (account ${id}): it can sign in again. The owner has been told\n`);
        return 0;
      });
    case "grant-admin":
      return withStores(config, async (stores) => {
        const { id, display } = await findAccount(stores, positionals[0] ?? values.identifier);
        // The same function as the console's: once, recorded with the change, and the owner is told.
        const result = await withAccountChangeDeps(config, stores, (deps) =>
          grantAdminAccess(deps, { accountId: id, actor: OPERATOR_ACTOR, context: CLI_CONTEXT }),
        );
        if (result === "not_found") return fail(`no account uses ${display}`);
        if (result !== "changed") {
          process.stdout.write(`${display} is already an admin (account ${id}): nothing changed\n`);
          return 0;
        }
        process.stdout.write(`${display} is now an admin: it can open /admin (account ${id}). The owner has been told\n`);
        return 0;
      });
    case "revoke-admin":
      return withStores(config, async (stores) => {
        const { id, display } = await findAccount(stores, positionals[0] ?? values.identifier);
        // The same function as the console's; the check for the last admin is made in the change's transaction,
        // so two revokes of the last two admins at once (here or in the console) leave one.
        const result = await withAccountChangeDeps(config, stores, (deps) =>
          revokeAdminAccess(deps, { accountId: id, actor: OPERATOR_ACTOR, context: CLI_CONTEXT, allowLastAdmin: values.force === true }),
        );
        switch (result) {
          case "not_found":
            return fail(`no account uses ${display}`);
          case "unchanged":
            process.stdout.write(`${display} is not an admin (account ${id}): nothing changed\n`);
            return 0;
          case "last_admin":
            return fail(
              `${display} is the only enabled admin: revoking its access would leave nobody able to open /admin. ` +
                "Make another account an admin first (latchkey accounts grant-admin), or run again with --force to revoke it anyway",
            );
          case "changed":
            process.stdout.write(`${display} is no longer an admin (account ${id}). The owner has been told\n`);
            return 0;
        }
      });
    default:
      throw new UsageError(
        action ? `unknown accounts command: ${action}` : "accounts needs a command: create, list, disable, enable, grant-admin, revoke-admin, import",
      );
  }
}

/** Changes made at the terminal: an administrator, but no account to name. */
const OPERATOR_ACTOR = { kind: "admin", accountId: null } as const;

/** Where the operator's actions come from in the audit trail: the terminal, no address. */
const CLI_CONTEXT = { ip: null, userAgent: "latchkey CLI" } as const;

/** Records an operator's action in the audit trail. */
async function recordCLIEvent(stores: Stores, type: AuditEventType, accountId: string): Promise<void> {
  const deps = { stores, clock: createSystemClock(), random: createCryptoRandom(), logger: { info() {}, warn() {}, error() {} } };
  await recordAuditEvent(deps, { type, accountId, context: CLI_CONTEXT });
}

async function runAudit(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { account: { type: "string" }, since: { type: "string" }, type: { type: "string", multiple: true }, limit: { type: "string" } },
  });
  const limit = Number(values.limit ?? "100");
  if (!Number.isInteger(limit) || limit < 1 || limit > 100000) throw new UsageError("--limit takes 1–100000");
  let sinceSeconds: number | undefined;
  if (values.since !== undefined) {
    try {
      sinceSeconds = parseDuration(values.since);
    } catch {
      throw new UsageError("--since takes a duration like 30m, 24h or 7d");
    }
  }
  return withStores(config, async (stores) => {
    const accountId = values.account ? await findAccountId(stores, values.account) : undefined;
    const events = await stores.audit.listEvents({
      limit,
      ...(accountId ? { accountId } : {}),
      ...(sinceSeconds !== undefined ? { since: new Date(Date.now() - sinceSeconds * 1000) } : {}),
      ...(values.type ? { types: values.type } : {}),
    });
    process.stdout.write(`${["time", "event", "account", "ip", "device", "detail"].join("\t")}\n`);
    for (const e of events) {
      const detail = e.detail
        ? Object.entries(e.detail)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")
        : "";
      process.stdout.write(
        `${[e.at.toISOString(), e.type, e.accountId ?? "-", e.ip ?? "-", e.userAgent ? describeUserAgent(e.userAgent) : "-", detail].join("\t")}\n`,
      );
    }
    process.stdout.write(`${events.length} event(s)\n`);
    return 0;
  });
}

async function runHelpCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "report") throw new UsageError(action ? `unknown help command: ${action}` : "help needs a command: report");
  const { values } = parseArgs({ args: rest, options: { days: { type: "string" }, lang: { type: "string" } } });
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UsageError("--days takes a whole number from 1 to 3650");
  const locale = values.lang;
  if (locale !== undefined && !isLocale(locale)) throw new UsageError(`--lang takes one of ${SHIPPED_LOCALES.join(", ")}`);
  const library = loadHelpLibrary();
  return withStores(config, async (stores) => {
    const options = { ...(days ? { sinceDays: days } : {}), ...(locale ? { locale } : {}) };
    const report = await buildHelpFeedbackReport({ stores, clock: createSystemClock() }, library, options);
    process.stdout.write(formatHelpReportText(report));
    return 0;
  });
}

/** Runs the CLI; returns the exit code, or null while the server keeps running. */
export async function runCLI(argv: string[]): Promise<number | null> {
  const [command, ...args] = argv;
  if (!command || command === "-h" || command === "--help" || (command === "help" && args.length === 0) || args.includes("--help") || args.includes("-h")) {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  try {
    if (command === "serve") {
      const code = await runServe();
      return code === 0 ? null : code;
    }
    if (command === "migrate-data") return await runMigrateData(args);
    const config = loadConfig();
    if (command === "backup") return await runBackup(config, args);
    if (command === "migrate") {
      const { db, migrate } = openDatabase(config);
      try {
        const applied = await migrate();
        process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "The database is up to date.\n");
      } finally {
        await db.destroy();
      }
      return 0;
    }
    if (command === "accounts") return await runAccounts(config, args);
    if (command === "help") return await runHelpCommand(config, args);
    if (command === "audit") return await runAudit(config, args);
    if (command === "clients") return await runClientsCommand(config, args);
    if (command === "keys") return await runKeysCommand(config, args);
    if (command === "webhooks") return await runWebhooksCommand(config, args);
    throw new UsageError(`unknown command: ${command}`);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\n\n${HELP}`, 2);
    if (error instanceof ConfigError) return fail(error.message, 78);
    if (error instanceof WebhookInputError) return fail(error.message);
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) return fail(`${error.message}\n\n${HELP}`, 2);
    return fail(error instanceof Error ? error.message : String(error));
  }
}
