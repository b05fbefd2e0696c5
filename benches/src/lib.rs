//! A deterministic generator of realistic AWS IAM credential reports, for
//! benchmarks and tests: the same rows, seed and `as_of` always give the same
//! bytes.
//!
//! Every state the rule judges appears: users without keys, with one or two
//! active keys, inactive keys, keys never used, `no_information`, the root
//! row, and keys on the 90-day boundary (to the second). Rows are about 233
//! bytes, like AWS's.

use std::io::{self, Write};

/// The 22-column header AWS writes.
pub const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// Rows per account: AWS allows at most 5,000 IAM users in an account.
pub const USERS_PER_ACCOUNT: u64 = 5_000;

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const REGIONS: [&str; 5] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1", "eu-central-1"];
const SERVICES: [&str; 6] = ["s3", "sts", "ec2", "iam", "ecr", "logs"];

/// Formats seconds since the epoch as an AWS timestamp (`Z` form, or the
/// `+00:00` form used before 2024).
fn timestamp(secs: i64, old_form: bool) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let zone = if old_form { "+00:00" } else { "Z" };
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{zone}")
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Rows after the header (the first is the root row).
    pub rows: u64,
    /// The seed.
    pub seed: u64,
    /// The evaluation time the report is built around, seconds since the epoch.
    pub as_of: i64,
    /// The first account id; every [`USERS_PER_ACCOUNT`] rows start the
    /// next account (with its root row), as in an organisation's reports
    /// put together.
    pub account: u64,
}

/// Writes one report to `out`.
///
/// ```
/// let mut buf = Vec::new();
/// let spec = keyrot_benches::Spec { rows: 100, seed: 1, as_of: 1_795_651_200, account: 111122223333 };
/// keyrot_benches::write_report(&spec, &mut buf).unwrap();
/// let mut again = Vec::new();
/// keyrot_benches::write_report(&spec, &mut again).unwrap();
/// assert_eq!(buf, again);
/// assert_eq!(buf.iter().filter(|&&b| b == b'\n').count(), 101);
/// ```
pub fn write_report(spec: &Spec, out: &mut dyn Write) -> io::Result<()> {
    let mut rng = Rng::new(spec.seed);
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(out, "{HEADER}")?;
    let old_form = spec.seed % 2 == 1;
    let ts = |secs: i64| timestamp(secs, old_form);
    const DAY: i64 = 86_400;
    for i in 0..spec.rows {
        let created = spec.as_of - (400 + rng.below(3000) as i64) * DAY - rng.below(DAY as u64) as i64;
        let acct = spec.account + i / USERS_PER_ACCOUNT;
        let (user, arn) = if i % USERS_PER_ACCOUNT == 0 {
            ("<root_account>".to_owned(), format!("arn:aws:iam::{acct}:root"))
        } else {
            let name =
                format!("svc-{}-{i:07}", ["deploy", "ci-runner", "backup", "analytics", "etl"][(i % 5) as usize]);
            let arn = format!("arn:aws:iam::{acct}:user/{name}");
            (name, arn)
        };
        let has_password = rng.below(3) == 0;
        let (pw_enabled, pw_used, pw_changed, pw_next) = if i % USERS_PER_ACCOUNT == 0 {
            (
                "not_supported".to_owned(),
                ts(spec.as_of - rng.below(90 * DAY as u64) as i64),
                "not_supported".to_owned(),
                "not_supported".to_owned(),
            )
        } else if has_password {
            let changed = created + rng.below(300) as i64 * DAY;
            (
                "true".to_owned(),
                if rng.below(4) == 0 {
                    "no_information".to_owned()
                } else {
                    ts(spec.as_of - rng.below(200 * DAY as u64) as i64)
                },
                ts(changed),
                "N/A".to_owned(),
            )
        } else {
            ("false".to_owned(), "N/A".to_owned(), "N/A".to_owned(), "N/A".to_owned())
        };
        let mfa = if rng.below(2) == 0 { "true" } else { "false" };
        let key_count = match rng.below(10) {
            0..=1 => 0,
            2..=7 => 1,
            _ => 2,
        };
        let mut keys = Vec::new();
        for k in 0..2 {
            if k >= key_count {
                keys.push("false,N/A,N/A,N/A,N/A".to_owned());
                continue;
            }
            let active = k == 0 || rng.below(3) != 0;
            // Ages: mostly spread over 0..400 days, some exactly on the boundary.
            let age = match rng.below(20) {
                0 => 90 * DAY,
                1 => 90 * DAY + 1,
                2 => 76 * DAY,
                _ => rng.below(400 * DAY as u64) as i64,
            };
            let rotated = spec.as_of - age;
            let used = match rng.below(6) {
                0 => "N/A,N/A,N/A".to_owned(),
                1 => format!("{},N/A,s3", ts((rotated + rng.below(age.max(60) as u64) as i64) / 60 * 60)),
                _ => format!(
                    "{},{},{}",
                    ts((rotated + rng.below(age.max(60) as u64) as i64) / 60 * 60),
                    REGIONS[rng.below(5) as usize],
                    SERVICES[rng.below(6) as usize]
                ),
            };
            keys.push(format!("{active},{},{used}", ts(rotated)));
        }
        writeln!(
            out,
            "{user},{arn},{},{pw_enabled},{pw_used},{pw_changed},{pw_next},{mfa},{},{},false,N/A,false,N/A",
            ts(created),
            keys[0],
            keys[1]
        )?;
    }
    out.flush()
}
