// Loads a CommonJS package the first time it is needed, so start-up and memory pay only for what the
// running configuration uses (PostgreSQL and Redis clients, SMTP, the picture renderer, phone metadata).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Returns a function that loads `specifier` on its first call and the same module on every later call. */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
