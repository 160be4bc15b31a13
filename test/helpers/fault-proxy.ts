// A TCP relay between the application and a real PostgreSQL or Redis, so a test can cut the connection
// (every open socket reset, new connections refused) and restore it, without touching the shared server.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface FaultProxy {
  /** The port the application connects to. */
  port: number;
  /** Resets every relayed connection and refuses new ones (the port is closed). */
  cut(): Promise<void>;
  /** Resets every relayed connection; new ones are accepted but never answered (a hung server). */
  stall(): void;
  /**
   * Holds every relayed connection open but passes nothing either way, and accepts new ones without
   * answering: a database that hangs without resetting anything.
   */
  freeze(): void;
  /** Accepts and relays connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  };
  let stalled = false;
  const makeServer = (): Server =>
    createServer((client) => {
      track(client);
      if (stalled) return;
      const upstream = connect(targetPort, targetHost);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  let server: Server | null = makeServer();
  const port = await listen(server, 0);
  const stop = async () => {
    const current = server;
    server = null;
    for (const socket of sockets) socket.resetAndDestroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  return {
    port,
    cut: stop,
    stall() {
      stalled = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    freeze() {
      stalled = true;
      for (const socket of sockets) socket.pause();
    },
    async restore() {
      if (stalled) {
        stalled = false;
        for (const socket of sockets) socket.resetAndDestroy();
      }
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
    close: stop,
  };
}
