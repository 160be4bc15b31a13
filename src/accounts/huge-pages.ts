// Whether the kernel lets a password check's memory sit in transparent huge pages. The argon2 library asks
// for them (madvise) for the 19 MiB each check works through; where a host has turned them off, that memory
// comes in 4 KiB pages, with thousands of page faults and TLB misses per check instead of a few dozen. On the
// virtual machines Latchkey is benchmarked on, a check then took about 6 times the CPU and sign-ins per
// second fell to a fifth. Nothing fails, it is only slow, so the server says so when it starts.
import { readFileSync } from "node:fs";

/** The host's setting: `always [madvise] never`, the chosen one in brackets. */
const HUGE_PAGE_SETTING_FILE = "/sys/kernel/mm/transparent_hugepage/enabled";

/** The bracketed choice in the setting file's text (`always`, `madvise` or `never`); null when there is none. */
export function parseHugePageSetting(text: string): string | null {
  return /\[(\w+)\]/.exec(text)?.[1] ?? null;
}

/** The host's choice (`always`, `madvise` or `never`); null when the host does not say (not Linux, or unreadable). */
export function readHugePageSetting(settingFile = HUGE_PAGE_SETTING_FILE): string | null {
  try {
    return parseHugePageSetting(readFileSync(settingFile, "utf8"));
  } catch {
    return null;
  }
}

/**
 * The warning to print at start-up when the host has huge pages off, naming the cost and the fix; null when
 * they are on (`always`, or `madvise`, which is what the argon2 library asks for), or when the host does not
 * say. `settingFile` is for tests.
 */
export function describeHugePagesOff(memoryCostKiB: number, settingFile = HUGE_PAGE_SETTING_FILE): string | null {
  if (readHugePageSetting(settingFile) !== "never") return null;
  const mebibytes = Math.round(memoryCostKiB / 1024);
  return (
    `Warning: transparent huge pages are off on this host (${settingFile} is set to never). Each password check works through ${mebibytes} MiB of memory, ` +
    "which in small pages cost about 6 times the CPU per check where this was measured, so sign-ins are slower and " +
    `fewer fit in a second. Set ${HUGE_PAGE_SETTING_FILE} to madvise (docs/deployment.md, "Transparent huge pages").`
  );
}
