// Child process: the baseline, a bare Fastify server with Latchkey's server options and two routes (bench/run.ts
// starts it with `npm start`'s Node.js flags and environment). Prints "LISTENING <port>" when ready.
//   GET <path>               returns a constant: the reference of the session and forward-auth checks
//   POST <verify path>       verifies the posted password against the benchmark accounts' hash with
//                            Latchkey's hasher (src/accounts/password-hash.ts, the same parameters and limit)
//                            and does nothing else: no throttle, no lookup, no session, no audit. The
//                            reference that shows what HTTP alone costs on top of the hash limit.
// Arguments: <path> [<verify path> <memory cost> <time cost> <parallelism>]
import Fastify from "fastify";
import { createArgon2Hasher } from "../src/accounts/password-hash.ts";
import { BODY_LIMIT_BYTES, loggerOptions } from "../src/app.ts";
import { createCryptoRandom } from "../src/lib/random.ts";
import { BENCH_PASSWORD } from "./seed.ts";

interface VerifyRoute {
  path: string;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
}

function verifyRouteFrom(args: string[]): VerifyRoute | null {
  const [path, memoryCost, timeCost, parallelism] = args;
  if (path === undefined) return null;
  const numbers = [memoryCost, timeCost, parallelism].map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bad argon2 parameters for the verify route: ${args.join(" ")}`);
  const [m, t, p] = numbers as [number, number, number];
  return { path, argon2: { memoryCost: m, timeCost: t, parallelism: p } };
}

async function startBaselineServer(path: string, verify: VerifyRoute | null): Promise<void> {
  const random = createCryptoRandom();
  // The options of buildApp() in src/app.ts that apply to every request.
  const app = Fastify({
    logger: loggerOptions(process.env.LATCHKEY_LOG_LEVEL ?? "warn"),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
    genReqId: () => random.bytes(8).toString("hex"),
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  app.get(path, async () => ({ status: "ok" }));
  if (verify) {
    const hasher = createArgon2Hasher(verify.argon2);
    const passwordHash = await hasher.hashPassword(BENCH_PASSWORD);
    app.post(verify.path, async (request, reply) => {
      const body = request.body as { password?: unknown } | null;
      const password = typeof body?.password === "string" ? body.password : "";
      if (!(await hasher.verifyPasswordHash(passwordHash, password))) return reply.code(401).send({ status: "wrong password" });
      return { status: "ok" };
    });
  }
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`LISTENING ${port}\n`);
  process.once("SIGTERM", () => {
    void app.close().then(() => process.exit(0));
  });
}

await startBaselineServer(process.argv[2] ?? "/", verifyRouteFrom(process.argv.slice(3)));
