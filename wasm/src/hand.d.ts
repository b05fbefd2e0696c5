// The declarations below have no Rust type to be generated from: they
// describe JS values (a `Date`, a read function, an `Error`), the cells whose
// JSON the core writes by hand, and the shape `checkCsv` makes by removing
// `findings` from an `Analysis`.

/** An instant, as RFC 3339 in UTC ending in `Z` (fractional seconds only when not zero). */
export type Timestamp = string;

/** A cell of a timestamp column: the timestamp, or the literal as written (`N/A`, `no_information`, …); `null` when the report lacks the column. */
export type TimestampCell = string | null;

/** A cell of a boolean column: the boolean, or the literal as written; `null` when the report lacks the column. */
export type BooleanCell = boolean | string | null;

/** One exemption, as data (`exemptions`). An entry that cannot be used becomes an `exemption_invalid` anomaly. */
export interface ExemptionEntry {
  /** The account id, or `*`. */
  account: string;
  /** The user name, exact or a glob (`legacy-*`). */
  user: string;
  /** The slot, when only one key is exempted. */
  slot?: number;
  /** Why the exception is accepted. */
  reason: string;
  /** Who accepted it. */
  owner: string;
  /** The last day (UTC) it is in force, `YYYY-MM-DD`. */
  expires: string;
}

/**
 * A read function for `checkCsv`: fills `buf` with the next bytes of the report and returns how many
 * it put there, 0 at the end (`buf => fs.readSync(fd, buf)`).
 */
export type ReadInto = (buf: Uint8Array) => number;

/**
 * The result of `checkCsv`: the analysis without its findings (`summary` counts every key), and the
 * findings as the CSV `keyrot check --format csv` writes.
 */
export interface CsvCheck extends Omit<Analysis, "findings"> {
  /** UTF-8: the header line, then one line per finding written, each ending in `\n`; empty when `write` took them. */
  csv: Uint8Array;
  /** The number of findings written (lines after the header). */
  csv_rows: number;
}

/** What every function throws. The message is the core's sentence naming the line, the column and the value. */
export interface KeyrotError extends Error {
  code: ErrorCode;
  line: number | null;
  column: string | null;
  value: string | null;
}
