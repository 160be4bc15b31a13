// Child process: the baseline, a bare Fastify server with Latchkey's server options and one route that
// returns a constant at the path given as its argument (bench/run.ts starts it with `npm start`'s Node.js
// flags and environment). Prints "LISTENING <port>" when ready.
import Fastify from "fastify";
import { BODY_LIMIT_BYTES, loggerOptions } from "../src/app.ts";
import { createCryptoRandom } from "../src/lib/random.ts";

async function startBaselineServer(path: string): Promise<void> {
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
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`LISTENING ${port}\n`);
  process.once("SIGTERM", () => {
    void app.close().then(() => process.exit(0));
  });
}

await startBaselineServer(process.argv[2] ?? "/");
