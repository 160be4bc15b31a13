// The column types that differ between the dialects: times are Unix seconds (integer) in SQLite and
// timestamptz in PostgreSQL; booleans are 0/1 integers in SQLite and boolean in PostgreSQL.
export interface ColumnTypes {
  time: "integer" | "timestamptz";
  bool: "integer" | "boolean";
  /** The false value of `bool`, for defaults. */
  false: 0 | false;
}

export const SQLITE_COLUMNS: ColumnTypes = { time: "integer", bool: "integer", false: 0 };
export const POSTGRES_COLUMNS: ColumnTypes = { time: "timestamptz", bool: "boolean", false: false };
