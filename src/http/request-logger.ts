// The logger of each request (request.log, reply.log), made when the request first logs something at a level
// that is on. Fastify makes a pino child (with the request id) for every request; with the level at `warn`
// (production) most requests log nothing, and the child, its bindings and its copy of the redaction cost a
// session check a tenth of its time.
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

type ChildLoggerFactory = NonNullable<FastifyServerOptions["childLoggerFactory"]>;
type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";
type LogMethod = (...args: unknown[]) => void;

interface PinoLike extends FastifyBaseLogger {
  levels?: { values: Record<string, number> };
  isLevelEnabled?(level: string): boolean;
}

class LazyRequestLogger {
  readonly #parent: PinoLike;
  readonly #bindings: Record<string, unknown>;
  readonly #options: Record<string, unknown>;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: PinoLike, bindings: Record<string, unknown>, options: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  #enabled(level: Level): boolean {
    if (this.#child) return (this.#child as PinoLike).isLevelEnabled?.(level) ?? true;
    const own = this.#options.level;
    const values = this.#parent.levels?.values;
    if (typeof own === "string" && values) return (values[level] ?? 0) >= (values[own] ?? 0);
    return this.#parent.isLevelEnabled?.(level) ?? true;
  }

  #log(level: Level, args: unknown[]): void {
    if (this.#enabled(level)) (this.#real()[level] as LogMethod)(...args);
  }

  get level(): string {
    return this.#child?.level ?? (typeof this.#options.level === "string" ? this.#options.level : this.#parent.level);
  }

  set level(level: string) {
    this.#real().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#log("fatal", args);
  }
  error(...args: unknown[]): void {
    this.#log("error", args);
  }
  warn(...args: unknown[]): void {
    this.#log("warn", args);
  }
  info(...args: unknown[]): void {
    this.#log("info", args);
  }
  debug(...args: unknown[]): void {
    this.#log("debug", args);
  }
  trace(...args: unknown[]): void {
    this.#log("trace", args);
  }
  silent(): void {}
  isLevelEnabled(level: Level): boolean {
    return this.#enabled(level);
  }
  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a request logger that becomes a pino child only when it writes. */
export const lazyRequestLogger: ChildLoggerFactory = (logger, bindings, options) =>
  new LazyRequestLogger(logger as PinoLike, bindings as Record<string, unknown>, options as Record<string, unknown>) as unknown as FastifyBaseLogger;
