// Slow and stalled clients against a real server process over raw sockets: headers and bodies that
// arrive too slowly (or never, short of their Content-Length) are cut off with 408 in the error shape, and
// on SIGTERM the instance answers late requests 503 in the error shape and exits by its shutdown deadline
// even while a client keeps a request open.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEnv } from "../helpers/app.ts";
import { startServerProcess } from "../helpers/server-process.ts";

interface Server {
  port: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(): void;
}

const started: Server[] = [];
after(() => {
  for (const server of started) server.stop();
});

async function startServer(env: Record<string, string>): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), "latchkey-conn-"));
  const process_ = await startServerProcess({ ...testEnv(dataDir), LATCHKEY_LOG_LEVEL: "warn", ...env });
  const server: Server = {
    ...process_,
    stop() {
      if (process_.child.exitCode === null && process_.child.signalCode === null) process_.child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  started.push(server);
  return server;
}

interface RawConnection {
  socket: Socket;
  /** Everything the server sent, once it closed the connection (or after `limitMs`, as "still open"). */
  closed(limitMs: number): Promise<{ text: string; closedByServer: boolean }>;
}

function openRaw(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let ended = false;
    const endWaiters: Array<() => void> = [];
    socket.on("data", (d: Buffer) => {
      text += d.toString();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      ended = true;
      for (const w of endWaiters) w();
    });
    socket.once("connect", () =>
      resolve({
        socket,
        closed: (limitMs) =>
          new Promise((done) => {
            if (ended) return done({ text, closedByServer: true });
            const timer = setTimeout(() => done({ text, closedByServer: false }), limitMs);
            endWaiters.push(() => {
              clearTimeout(timer);
              done({ text, closedByServer: true });
            });
          }),
      }),
    );
    socket.once("error", reject);
  });
}

/** Writes one byte every `everyMs` until the socket closes. */
function dribble(socket: Socket, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return clearInterval(timer);
    socket.write("a");
  }, everyMs);
  return () => clearInterval(timer);
}

function errorBodyOf(text: string): { code: string; message: string } {
  const body = text.slice(text.indexOf("\r\n\r\n") + 4);
  return (JSON.parse(body) as { error: { code: string; message: string } }).error;
}

const POST_HEAD = (length: number) => `POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe("slow clients are cut off", () => {
  // The defaults are 10 s and 30 s; short ones here so the test is quick. Without them, each of these
  // connections would stay open for as long as the client likes.
  const env = { LATCHKEY_HEADERS_TIMEOUT: "1s", LATCHKEY_BODY_TIMEOUT: "2s" };
  let server: Server;
  before(async () => {
    server = await startServer(env);
  });

  it("closes a connection whose body stops short of its Content-Length, answering 408 REQUEST_TIMEOUT", async () => {
    const raw = await openRaw(server.port);
    raw.socket.write(`${POST_HEAD(100)}{"identifier":`);
    const { text, closedByServer } = await raw.closed(15_000);
    assert.ok(closedByServer, "the server closed the connection");
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.deepEqual(Object.keys(errorBodyOf(text)), ["code", "message"]);
    assert.equal(errorBodyOf(text).code, "REQUEST_TIMEOUT");
  });

  it("closes a connection whose body keeps arriving a byte at a time past the body timeout", async () => {
    const raw = await openRaw(server.port);
    raw.socket.write(POST_HEAD(10_000));
    const stop = dribble(raw.socket, 200);
    const { text, closedByServer } = await raw.closed(15_000);
    stop();
    assert.ok(closedByServer, "activity on the socket does not keep a slow body alive");
    assert.equal(errorBodyOf(text).code, "REQUEST_TIMEOUT");
  });

  it("closes a connection whose headers never end", async () => {
    const raw = await openRaw(server.port);
    raw.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    const stop = dribble(raw.socket, 200);
    const { text, closedByServer } = await raw.closed(15_000);
    stop();
    assert.ok(closedByServer);
    assert.equal(errorBodyOf(text).code, "REQUEST_TIMEOUT");
    // Other clients were served meanwhile, and still are.
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
  });
});

describe("requests Node.js cannot parse", () => {
  it("answers oversized headers, and an address too long for the same limit, 431 HEADERS_TOO_LARGE, and a malformed request 400, in the error shape", async () => {
    const server = await startServer({});
    // Node.js counts the request line with the headers: there is no separate limit on the address, so no 414.
    for (const request of [
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      `GET /signin?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    ]) {
      const big = await openRaw(server.port);
      big.socket.write(request);
      const bigAnswer = await big.closed(10_000);
      assert.match(bigAnswer.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      assert.match(bigAnswer.text, /\r\nCache-Control: no-store\r\n/i);
      assert.equal(errorBodyOf(bigAnswer.text).code, "HEADERS_TOO_LARGE");
    }
    const bad = await openRaw(server.port);
    bad.socket.write("GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n");
    const badAnswer = await bad.closed(10_000);
    assert.match(badAnswer.text, /^HTTP\/1\.1 400/);
    assert.equal(errorBodyOf(badAnswer.text).code, "VALIDATION_FAILED");
    assert.match(badAnswer.text, /\r\nCache-Control: no-store\r\n/i);
  });
});

describe("shutdown", () => {
  it("answers late requests 503 in the error shape and exits by LATCHKEY_SHUTDOWN_TIMEOUT although a client keeps a request open", async () => {
    // The body timeout is long, so only the shutdown deadline can end the slow request.
    const server = await startServer({ LATCHKEY_SHUTDOWN_TIMEOUT: "2s", LATCHKEY_BODY_TIMEOUT: "5m" });
    const slow = await openRaw(server.port);
    slow.socket.write(POST_HEAD(10_000));
    const stop = dribble(slow.socket, 200);
    // A second client has begun a request; it completes it after the signal.
    const late = await openRaw(server.port);
    late.socket.write("GET /api/v1/session HTTP/1.1\r\n");
    await new Promise((resolve) => setTimeout(resolve, 300));

    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    late.socket.write("Host: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
    const answer = await late.closed(10_000);
    assert.match(answer.text, /^HTTP\/1\.1 503/, answer.text);
    assert.match(answer.text, /\r\nconnection: close\r\n/i);
    assert.match(answer.text, /\r\nretry-after: 5\r\n/i);
    assert.equal(errorBodyOf(answer.text).code, "SERVICE_UNAVAILABLE");

    const exit = await Promise.race([server.exited, new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 20_000))]);
    stop();
    assert.equal(exit, 0, `the process exits cleanly by the deadline: ${server.output()}`);
    assert.ok((await slow.closed(1000)).closedByServer, "the slow client's connection was closed");
    assert.match(server.output(), /closing their connections/);
    // The late request is part of the stop, not an outage an alert should fire for.
    assert.doesNotMatch(server.output(), /storage unavailable/);
  });
});
