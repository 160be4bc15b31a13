// Online backup of the SQLite database: a consistent copy taken while the server keeps running.
import { existsSync } from "node:fs";
import { newSqliteConnection } from "../stores/sql/sqlite-database.ts";

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** Copies `file` to `out` with SQLite's backup API. Refuses to overwrite an existing file. */
export async function backupSqliteDatabase(file: string, out: string, onProgress?: (p: BackupProgress) => void): Promise<{ pages: number }> {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  if (existsSync(out)) throw new Error(`${out} already exists; choose another file name`);
  const db = newSqliteConnection(file, { readonly: true, fileMustExist: true });
  try {
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
  } finally {
    db.close();
  }
}
