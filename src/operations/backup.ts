// Online backup of the SQLite database: a consistent copy taken while the server keeps running.
import { chmodSync, closeSync, existsSync, openSync, rmSync } from "node:fs";
import { newSqliteConnection } from "../stores/sql/sqlite-database.ts";

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** Creates `out` empty, readable and writable by its owner only; throws when it exists already. */
function createPrivateFile(out: string): void {
  try {
    closeSync(openSync(out, "wx", 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`${out} already exists; choose another file name`);
    throw error;
  }
  // The umask may have taken bits away (0400 with umask 0277, which SQLite could not write); set exactly 0600.
  chmodSync(out, 0o600);
}

/**
 * Copies `file` to `out` with SQLite's backup API. Refuses to overwrite an existing file. The copy is
 * created with mode 0600; a copy that fails part-way is removed.
 */
export async function backupSqliteDatabase(file: string, out: string, onProgress?: (p: BackupProgress) => void): Promise<{ pages: number }> {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  const db = newSqliteConnection(file, { readonly: true, fileMustExist: true });
  let created = false;
  try {
    // The copy holds password and session hashes, like latchkey.db itself: owner only, whatever the umask.
    // SQLite would create it with the umask's mode (0644, readable by every user); it writes into an empty
    // file it finds, and gives its journal the file's mode.
    createPrivateFile(out);
    created = true;
    db.pragma("busy_timeout = 5000");
    let pages = 0;
    await db.backup(out, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        onProgress?.({ totalPages, remainingPages });
        // Copy in slices so a busy server is not held up.
        return 200;
      },
    });
    return { pages };
  } catch (error) {
    if (created) for (const path of [out, `${out}-journal`]) rmSync(path, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
