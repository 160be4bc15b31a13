// Authenticator-app codes from Debian's oathtool, an implementation of TOTP independent of Latchkey's.
import { execFileSync } from "node:child_process";

/** The 6-digit code an authenticator app shows for the base32 `secret`, `offsetSeconds` from now. */
export function oathtoolCode(secret: string, offsetSeconds = 0): string {
  const at = new Date(Date.now() + offsetSeconds * 1000);
  return execFileSync("oathtool", ["--totp", "-b", secret, "--now", `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`], { encoding: "utf8" }).trim();
}
