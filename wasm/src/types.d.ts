
/** An instant in UTC, RFC 3339 ending in `Z` (fractional seconds only when not zero). */
export type Timestamp = string;

/** The status of one key (rotation-rule.md §1.3). */
export type Status = "fail" | "invalid" | "due_soon" | "pass" | "inactive";

/**
 * Where `as_of` came from: the caller, the report's `GeneratedTime`, the current time, or (the old
 * report of a `diff` only) its newest timestamp.
 */
export type AsOfSource = "explicit" | "report" | "clock" | "newest_timestamp";

/** How ages are compared with the limit. */
export type Granularity = "exact" | "whole_days";

/** The form of the input (`auto` detects it). */
export type InputFormat = "auto" | "csv" | "base64" | "cli_json";

/** The header's layout: the 22-column one, or the 16-column one used until 2015. */
export type Layout = "current" | "legacy";

/** Why a key is `invalid`. */
export type FindingCode = "no_rotation_date" | "future_timestamp" | "row_error" | "no_active_flag";

/** A stable identifier for an anomaly. */
export type AnomalyCode =
  | "duplicate_user"
  | "account_repeated"
  | "as_of_before_report"
  | "report_stale"
  | "unknown_column"
  | "legacy_layout"
  | "missing_column"
  | "row_error"
  | "exemption_expired"
  | "exemption_invalid"
  | "exemption_unused"
  | "account_in_several_files";

/** A stable identifier for an error. `invalid_input` is the binding's own: the input was not a string or bytes. */
export type ErrorCode =
  | "empty_input"
  | "missing_header"
  | "missing_columns"
  | "duplicate_column"
  | "field_count"
  | "invalid_timestamp"
  | "invalid_boolean"
  | "invalid_utf8"
  | "invalid_base64"
  | "invalid_json"
  | "csv_syntax"
  | "invalid_policy"
  | "invalid_as_of"
  | "limit_exceeded"
  | "invalid_exemptions"
  | "io"
  | "invalid_input";

/** When a key was last used: a timestamp, `never` (created since 2015-04-22 and unused), or `no_information`. */
export type LastUsed = Timestamp | "never" | "no_information";

/** Options of `analyze`. `null` or `undefined` means "the default". Unknown names are an error. */
export interface AnalyzeOptions {
  /** The evaluation instant; default: the report's GeneratedTime, else now. */
  asOf?: string | Date | null;
  /** A key older than this many days fails; 1 to 3650; default 90. */
  maxAgeDays?: number | null;
  /** An active key within this many days of the limit is `due_soon`; 0 disables; default 14. */
  warnDays?: number | null;
  /** When true, an inactive key over the limit fails too; default false. */
  includeInactive?: boolean | null;
  /** `exact` (to the second, the default) or `whole_days` (Prowler's rounding). */
  granularity?: Granularity | null;
  /** Rotation plan: days a replaced key must be unused before deleting it; 0 to 365; default 7. */
  graceDays?: number | null;
  /** Keep rows with bad cells (as `row_error` anomalies and `invalid` findings) instead of throwing. */
  lenient?: boolean | null;
  /** The input's form; default `auto`. */
  format?: InputFormat | null;
  /**
   * Accepted exceptions: the TOML text of an exemptions file (`[[exemption]]` tables), or a list of
   * entries. A matching finding keeps its status but does not count against compliance.
   */
  exemptions?: string | ExemptionEntry[] | null;
}

/** One exemption, as data. An entry that cannot be used becomes an `exemption_invalid` anomaly. */
export interface ExemptionEntry {
  /** The account id, or `*`. */
  account: string;
  /** The user name, exact or a glob (`legacy-*`). */
  user: string;
  /** The slot, when only one key is exempted. */
  slot?: number;
  reason: string;
  owner: string;
  /** The last day (UTC) it is in force, `YYYY-MM-DD`. */
  expires: string;
}

/** Options of `plan`: those of `analyze`, and the keys the account lists. */
export interface PlanOptions extends AnalyzeOptions {
  /** The JSON `aws iam list-access-keys` printed (text, bytes or the parsed data), so commands name real key ids. */
  accessKeys?: string | Uint8Array | ArrayBuffer | object | null;
}

/** Options of `diff`: the policy and how to read both reports, and when each is judged. */
export interface DiffOptions {
  /** The new report's evaluation time; default: its GeneratedTime, else now. */
  asOf?: string | Date | null;
  /** The old report's evaluation time; default: its GeneratedTime, else its newest timestamp. */
  oldAsOf?: string | Date | null;
  maxAgeDays?: number | null;
  warnDays?: number | null;
  includeInactive?: boolean | null;
  granularity?: Granularity | null;
  graceDays?: number | null;
  lenient?: boolean | null;
  format?: InputFormat | null;
}

/** A column of the findings CSV (`checkCsv`, and the command's `--columns`), in its default order. */
export type CsvColumn =
  | "source"
  | "account_id"
  | "user"
  | "arn"
  | "is_root"
  | "slot"
  | "status"
  | "active"
  | "last_rotated"
  | "age_days"
  | "due_at"
  | "days_until_due"
  | "last_used"
  | "last_used_region"
  | "last_used_service"
  | "used_since_rotation"
  | "code"
  | "reason"
  | "line"
  | "exempted";

/**
 * A report read piece by piece (`checkCsv`): fills `buf` with the next bytes of the report and returns how
 * many it put there, 0 at the end, as `buf => fs.readSync(fd, buf)` does.
 */
export type ReadInto = (buf: Uint8Array) => number;

/** Options of `checkCsv`: those of `analyze`, and what to write. */
export interface CheckCsvOptions extends AnalyzeOptions {
  /** Write only findings with these statuses (`--only`); default all. The summary counts every key. */
  only?: Status | Status[] | null;
  /** The columns to write, in this order (`--columns`); default all 20. */
  columns?: CsvColumn | CsvColumn[] | null;
  /** The text of the `source` column (the command writes the file's path); default empty. */
  source?: string | null;
  /**
   * Called with each piece of the CSV, in order (the header line first, then the rows of about a
   * megabyte of the report at a time), instead of collecting it in `csv`. Each piece is a new array the
   * function may keep. When `checkCsv` throws, what was written before is to be thrown away.
   */
  write?: ((bytes: Uint8Array) => void) | null;
}

/**
 * The result of `checkCsv`: the analysis without its findings (`summary` counts every key), and the
 * findings as the CSV `keyrot check --format csv` writes.
 */
export interface CsvCheck {
  as_of: Timestamp;
  as_of_source: AsOfSource;
  policy: Policy;
  input_format: InputFormat;
  /** The lowercase hex SHA-256 of the input's bytes, as given. */
  input_sha256: string;
  layout: Layout;
  generated_time: Timestamp | null;
  newest_timestamp: Timestamp | null;
  summary: Summary;
  anomalies: Anomaly[];
  /** UTF-8: the header line, then one line per finding written, each ending in `\n`; empty when `write` took them. */
  csv: Uint8Array;
  /** The number of findings written (lines after the header). */
  csv_rows: number;
}

/** Options of `parse`. */
export interface ParseOptions {
  /** Keep rows with bad cells instead of throwing. */
  lenient?: boolean | null;
  /** The input's form; default `auto`. */
  format?: InputFormat | null;
}

/** The policy as applied. */
export interface Policy {
  max_age_days: number;
  warn_days: number;
  include_inactive: boolean;
  granularity: Granularity;
  grace_days: number;
}

/** Counts for one account or for the whole report. */
export interface Counts {
  users: number;
  users_with_keys: number;
  keys: number;
  active_keys: number;
  pass: number;
  due_soon: number;
  fail: number;
  inactive: number;
  invalid: number;
  /** Findings an exemption in force matched. */
  exempted: number;
  oldest_active_key_age_days: number | null;
  /** No `fail` and no `invalid` finding (other than exempted ones). */
  compliant: boolean;
}

/** The counts of one account. */
export interface AccountSummary extends Counts {
  account_id: string;
}

/** The counts overall, and per account sorted by account id. */
export interface Summary extends Counts {
  accounts: AccountSummary[];
}

/** An accepted exception to the rule. */
export interface Exemption {
  account: string;
  user: string;
  slot: number | null;
  reason: string;
  owner: string;
  expires: string;
}

/** The verdict on one key (rotation-rule.md §1.4). */
export interface Finding {
  account_id: string;
  user: string;
  arn: string;
  is_root: boolean;
  /** 1 or 2: the report's slot (not stable, not chronological). */
  slot: number;
  status: Status;
  active: boolean;
  last_rotated: Timestamp | null;
  /** Whole days, floored; negative for a future date. */
  age_days: number | null;
  due_at: Timestamp | null;
  /** Negative exactly when overdue. */
  days_until_due: number | null;
  /** `null` in the legacy layout. */
  last_used: LastUsed | null;
  last_used_region: string | null;
  last_used_service: string | null;
  used_since_rotation: boolean | null;
  exempted: Exemption | null;
  /** A sentence for people. */
  reason: string;
  /** Why the key is `invalid`; `null` otherwise. */
  code: FindingCode | null;
  /** The 1-based line of the row. */
  line: number;
}

/** Something about a report that a person must see. */
export interface Anomaly {
  code: AnomalyCode;
  line: number | null;
  column: string | null;
  value: string | null;
  /** For `row_error`: the error strict mode would have thrown. */
  error?: ErrorCode;
  message: string;
}

/** The result of `analyze`. */
export interface Analysis {
  as_of: Timestamp;
  as_of_source: AsOfSource;
  policy: Policy;
  input_format: InputFormat;
  /** The lowercase hex SHA-256 of the input's bytes, as given. */
  input_sha256: string;
  layout: Layout;
  generated_time: Timestamp | null;
  /** The latest timestamp anywhere in the report. */
  newest_timestamp: Timestamp | null;
  summary: Summary;
  /** One per key, in input order, slot 1 before slot 2. */
  findings: Finding[];
  anomalies: Anomaly[];
}

/** A report judged with others in `analyzeMany`. */
export interface ReportOutcome {
  /** The name given with the input. */
  source: string;
  as_of: Timestamp | null;
  as_of_source: AsOfSource | null;
  input_format: InputFormat | null;
  /** The lowercase hex SHA-256 of the input's bytes (absent when it failed). */
  input_sha256?: string;
  layout: Layout | null;
  generated_time: Timestamp | null;
  newest_timestamp: Timestamp | null;
  summary: Counts | null;
  /** Why the report could not be judged (its findings are then left out). */
  error: RowProblem | null;
}

/** A finding with the report it came from. */
export interface SourcedFinding extends Finding {
  source: string;
}

/** An anomaly with the report it came from. */
export interface SourcedAnomaly extends Anomaly {
  source: string;
}

/** The result of `analyzeMany`. */
export interface ManyAnalysis {
  policy: Policy;
  /** Every input, in the order given, judged or failed. */
  reports: ReportOutcome[];
  summary: Summary;
  findings: SourcedFinding[];
  anomalies: SourcedAnomaly[];
}

/** The next step of a user in the rotation workflow (rotation-rule.md §2). */
export type StepCode =
  | "remove_root_key"
  | "rotate_both"
  | "deactivate_unused_key"
  | "update_applications"
  | "deactivate_old_key"
  | "free_slot"
  | "create_new_key"
  | "delete_inactive_key"
  | "wait_before_delete"
  | "schedule_rotation";

/** One key a step concerns. */
export interface PlanKey {
  slot: number;
  /** `target` (acted on), `old`, `new` (the replacement, left alone) or `inactive`. */
  role: "target" | "old" | "new" | "inactive";
  status: Status;
  active: boolean;
  last_rotated: Timestamp | null;
  last_used: LastUsed | null;
  /** Known when `accessKeys` listed a key created at `last_rotated`. */
  access_key_id: string | null;
  /** The shell variable that stands for the key id in the commands. */
  variable: string;
}

/** The one next step of one user. */
export interface Step {
  step: StepCode;
  account_id: string;
  user: string;
  arn: string;
  is_root: boolean;
  line: number;
  keys: PlanKey[];
  reason: string;
  /** Read-only commands to run first. */
  checks: string[];
  /** Commands that change something, for a person to run after the checks (keyrot runs nothing). */
  commands: string[];
  /** For `wait_before_delete`: the earliest time the key may be deleted. */
  delete_after: Timestamp | null;
  notes: string[];
}

/** The result of `plan`. */
export interface Plan {
  as_of: Timestamp;
  policy: Policy;
  /** One step per user with something to do, in input order. */
  steps: Step[];
}

/** What changed between two reports. */
export type ChangeCode =
  | "rotated"
  | "newly_overdue"
  | "still_overdue"
  | "fixed"
  | "key_deleted"
  | "key_created"
  | "user_added"
  | "user_removed";

/** One key of a change, as one report shows it. */
export interface ChangedKey {
  slot: number;
  /** The key's creation time: what matches it across reports. */
  last_rotated: Timestamp | null;
  status: Status;
  active: boolean;
}

/** One change between the reports. */
export interface Change {
  change: ChangeCode;
  account_id: string;
  user: string;
  old_key: ChangedKey | null;
  new_key: ChangedKey | null;
  /** For `still_overdue` and `newly_overdue`: whole days overdue at the new report's `as_of`. */
  overdue_days: number | null;
  message: string;
}

/** One side of a diff: when it was judged, and its keys. */
export interface DiffSide {
  as_of: Timestamp;
  as_of_source: AsOfSource;
  generated_time: Timestamp | null;
  keys: number;
  fail: number;
}

/** How many changes of each kind (kinds that did not occur may be absent). */
export interface ChangeCounts {
  rotated?: number;
  newly_overdue?: number;
  still_overdue?: number;
  fixed?: number;
  key_deleted?: number;
  key_created?: number;
  user_added?: number;
  user_removed?: number;
}

/** The result of `diff`. */
export interface Diff {
  policy: Policy;
  old: DiffSide;
  new: DiffSide;
  counts: ChangeCounts;
  /** Users in the new report's order, then users removed. */
  changes: Change[];
}

/** A cell of a timestamp column: the timestamp, or the literal as written (`N/A`, `no_information`, …); `null` when the report lacks the column. */
export type TimestampCell = string | null;

/** A cell of a boolean column: the boolean, or the literal as written; `null` when the report lacks the column. */
export type BooleanCell = boolean | string | null;

/** One access-key slot of a row. */
export interface AccessKey {
  active: BooleanCell;
  last_rotated: TimestampCell;
  last_used_date: TimestampCell;
  last_used_region: string | null;
  last_used_service: string | null;
}

/** One signing-certificate slot of a row. */
export interface Certificate {
  active: BooleanCell;
  last_rotated: TimestampCell;
}

/** A problem found in a row (lenient mode). */
export interface RowProblem {
  code: ErrorCode;
  message: string;
  line: number | null;
  column: string | null;
  value: string | null;
}

/** One row of the report. */
export interface Row {
  line: number;
  user: string;
  arn: string;
  account_id: string;
  is_root: boolean;
  user_creation_time: TimestampCell;
  password_enabled: BooleanCell;
  password_last_used: TimestampCell;
  password_last_changed: TimestampCell;
  password_next_rotation: TimestampCell;
  mfa_active: BooleanCell;
  access_keys: [AccessKey, AccessKey];
  certificates: [Certificate, Certificate];
  /** Lenient mode: the problems found in this row (absent when none). */
  problems?: RowProblem[];
  /** Lenient mode: the fields could not be assigned to columns (absent when false). */
  malformed?: true;
}

/** The result of `parse`. */
export interface Report {
  input_format: InputFormat;
  layout: Layout;
  /** The column names as read (trimmed, lowercased). */
  columns: string[];
  generated_time: Timestamp | null;
  rows: Row[];
  anomalies: Anomaly[];
}

/** What `analyze` and `parse` throw. The message is the core's sentence naming the line, the column and the value. */
export interface KeyrotError extends Error {
  code: ErrorCode;
  line: number | null;
  column: string | null;
  value: string | null;
}
