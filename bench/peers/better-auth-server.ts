// Child process: the peer, Better Auth with e-mail and password on a SQLite file (better-sqlite3), its
// defaults otherwise, served by node:http through its own Node handler. Prints "LISTENING <port>" when ready.
import { createServer } from "node:http";
import { join } from "node:path";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import Database from "better-sqlite3";

async function startPeerServer(): Promise<void> {
  const dataDir = process.env.BENCH_PEER_DATA_DIR;
  const secret = process.env.BENCH_PEER_SECRET;
  if (!dataDir || !secret) throw new Error("BENCH_PEER_DATA_DIR and BENCH_PEER_SECRET are required");
  const options = {
    database: new Database(join(dataDir, "better-auth.db")),
    secret,
    baseURL: "http://127.0.0.1",
    emailAndPassword: { enabled: true },
  };
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  const auth = betterAuth(options);
  const server = createServer(toNodeHandler(auth));
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`LISTENING ${port}\n`);
  });
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

await startPeerServer();
