//! The CIS AWS Foundations Benchmark recommendations the credential report
//! answers, numbered as each version of the benchmark numbers them, with the
//! AWS Security Hub control that checks the same thing.
//!
//! keyrot judges [`Rule::AccessKeyRotated`]; the table names every rule the
//! report can answer, so that outputs cite the benchmark by the numbers of
//! the version a reader has in hand. The numbers and titles are those of the
//! benchmark texts (as Prowler's `prowler/compliance/aws/cis_*_aws.json` and
//! Steampipe's `steampipe-mod-aws-compliance/cis_v*/section_*.pp` carry
//! them); the Security Hub controls are those of the Security Hub user
//! guide's "IAM controls" page, whose "related requirements" name the same
//! numbers.
//!
//! ```
//! use keyrot::cis::{CisVersion, Rule};
//! let rotated = Rule::AccessKeyRotated;
//! assert_eq!(rotated.recommendation(CisVersion::V1_4).unwrap().number, "1.14");
//! assert_eq!(rotated.recommendation(CisVersion::V5_0).unwrap().number, "1.13");
//! assert_eq!(rotated.recommendation(CisVersion::NEWEST).unwrap().number, "2.12");
//! assert_eq!(rotated.security_hub(CisVersion::NEWEST), Some("IAM.3"));
//! // Dropped from v7.0.0.
//! assert!(Rule::OneActiveKey.recommendation(CisVersion::V7_0).is_none());
//! ```

use serde::{Deserialize, Serialize};

/// A version of the CIS AWS Foundations Benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CisVersion {
    /// v1.2.0 (2018).
    #[serde(rename = "v1.2.0")]
    V1_2,
    /// v1.4.0 (2021).
    #[serde(rename = "v1.4.0")]
    V1_4,
    /// v1.5.0 (2022).
    #[serde(rename = "v1.5.0")]
    V1_5,
    /// v2.0.0 (2023).
    #[serde(rename = "v2.0.0")]
    V2_0,
    /// v3.0.0 (2024).
    #[serde(rename = "v3.0.0")]
    V3_0,
    /// v4.0.1 (2024).
    #[serde(rename = "v4.0.1")]
    V4_0,
    /// v5.0.0 (2025).
    #[serde(rename = "v5.0.0")]
    V5_0,
    /// v6.0.0 (2025): the IAM section became section 2.
    #[serde(rename = "v6.0.0")]
    V6_0,
    /// v7.0.0 (2026).
    #[serde(rename = "v7.0.0")]
    V7_0,
}

impl CisVersion {
    /// Every version, oldest first.
    pub const ALL: [CisVersion; 9] = [
        CisVersion::V1_2,
        CisVersion::V1_4,
        CisVersion::V1_5,
        CisVersion::V2_0,
        CisVersion::V3_0,
        CisVersion::V4_0,
        CisVersion::V5_0,
        CisVersion::V6_0,
        CisVersion::V7_0,
    ];

    /// The newest version.
    pub const NEWEST: CisVersion = CisVersion::V7_0;

    /// The version as the benchmark writes it: `v1.4.0`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CisVersion::V1_2 => "v1.2.0",
            CisVersion::V1_4 => "v1.4.0",
            CisVersion::V1_5 => "v1.5.0",
            CisVersion::V2_0 => "v2.0.0",
            CisVersion::V3_0 => "v3.0.0",
            CisVersion::V4_0 => "v4.0.1",
            CisVersion::V5_0 => "v5.0.0",
            CisVersion::V6_0 => "v6.0.0",
            CisVersion::V7_0 => "v7.0.0",
        }
    }

    /// Reads a version: `v1.4.0`, `1.4.0`, `1.4` (and `4.0` for v4.0.1).
    ///
    /// ```
    /// use keyrot::cis::CisVersion;
    /// assert_eq!(CisVersion::parse("1.4"), Some(CisVersion::V1_4));
    /// assert_eq!(CisVersion::parse("v4.0.1"), Some(CisVersion::V4_0));
    /// assert_eq!(CisVersion::parse("1.3"), None);
    /// ```
    pub fn parse(text: &str) -> Option<CisVersion> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        CisVersion::ALL.into_iter().find(|v| {
            let full = &v.as_str()[1..];
            text == full || text == &full[..full.len() - 2]
        })
    }

    /// Reads the version an option names (`--cis-version`, `cis_version=`):
    /// an unknown one is an `invalid_policy` error naming `option` and the
    /// text, listing the versions.
    ///
    /// ```
    /// use keyrot::cis::CisVersion;
    /// assert_eq!(CisVersion::read("cis_version", "v5.0.0").unwrap(), CisVersion::V5_0);
    /// let err = CisVersion::read("cis_version", "8.0").unwrap_err();
    /// assert_eq!((err.column(), err.value()), (Some("cis_version"), Some("8.0")));
    /// ```
    pub fn read(option: &str, text: &str) -> Result<CisVersion, crate::error::Error> {
        CisVersion::parse(text).ok_or_else(|| {
            let known: Vec<&str> = CisVersion::ALL.iter().map(|v| v.as_str()).collect();
            let message =
                format!("unknown CIS version `{}`; the versions are {}", crate::error::shorten(text), known.join(", "));
            crate::error::Error::new(crate::error::ErrorCode::InvalidPolicy, message).at_column(option).with_value(text)
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for CisVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check the credential report answers, by its stable `snake_case` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Active access keys are rotated within 90 days (the rule keyrot judges).
    AccessKeyRotated,
    /// An active access key is used (credentials unused for 45 days, 90 in v1.2.0).
    AccessKeyUnused,
    /// A console password is used (the same recommendation).
    ConsolePasswordUnused,
    /// The root user has no access key.
    RootAccessKey,
    /// The root user has MFA.
    RootMfa,
    /// The root user is not used for daily tasks.
    RootRecentUse,
    /// Every user with a console password has MFA.
    ConsoleUserMfa,
    /// A user has at most one active access key.
    OneActiveKey,
    /// No access key is made when a console user is set up.
    NoKeyAtSetup,
}

/// How much a finding matters, for ordering work: the same scale as the
/// peers' (Prowler, Security Hub) and OCSF's `severity_id`. A finding's
/// severity follows from its rule, its status and whether it is the root
/// user's ([`Severity::of`]); the README's "Severity" table lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The root user exposed: an access key, no MFA, an overdue or unused
    /// root key.
    Critical,
    /// A failing or unjudgeable key or console user: overdue keys, a console
    /// password without MFA, the root user in recent use.
    High,
    /// Unused credentials to disable.
    Medium,
    /// Hygiene, and anything due soon: two active keys, a key made at user
    /// setup, a key or password about to fail.
    Low,
    /// Nothing to do: passing and inactive findings.
    Info,
}

crate::error::codes!(Severity, "severity", "severities" {
    Critical => "critical",
    High => "high",
    Medium => "medium",
    Low => "low",
    Info => "info",
});

impl Severity {
    /// Every severity, the most severe first.
    pub const ALL: [Severity; 5] =
        [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info];

    /// The level of a SARIF result of this severity (`error`, `warning`,
    /// `note`, `none`).
    pub const fn sarif_level(self) -> &'static str {
        match self {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "note",
            Severity::Info => "none",
        }
    }

    /// The OCSF `severity_id` (5 critical ... 1 informational) and its name.
    pub const fn ocsf(self) -> (u8, &'static str) {
        match self {
            Severity::Critical => (5, "Critical"),
            Severity::High => (4, "High"),
            Severity::Medium => (3, "Medium"),
            Severity::Low => (2, "Low"),
            Severity::Info => (1, "Informational"),
        }
    }
}

/// One recommendation of one version of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// Its number in that version: `1.14`.
    pub number: &'static str,
    /// Its title in that version.
    pub title: &'static str,
}

/// Titles that changed over the versions.
const ROTATED: &str = "Ensure access keys are rotated every 90 days or less";
const UNUSED_90: &str = "Ensure credentials unused for 90 days or greater are disabled";
const UNUSED_45: &str = "Ensure credentials unused for 45 days or greater are disabled";
const UNUSED_45_MORE: &str = "Ensure credentials unused for 45 days or more are disabled";
const ROOT_KEY_1_2: &str = "Ensure no root account access key exists";
const ROOT_KEY: &str = "Ensure no 'root' user account access key exists";
const ROOT_MFA_1_2: &str = "Ensure MFA is enabled for the \"root\" account";
const ROOT_MFA: &str = "Ensure MFA is enabled for the 'root' user account";
const ROOT_USE_1_2: &str = "Avoid the use of the \"root\" account";
const ROOT_USE: &str = "Eliminate use of the 'root' user for administrative and daily tasks";
const CONSOLE_MFA: &str =
    "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password";
const ONE_KEY_AVAILABLE: &str = "Ensure there is only one active access key available for any single IAM user";
const ONE_KEY: &str = "Ensure there is only one active access key for any single IAM user";
const SETUP: &str = "Do not setup access keys during initial user setup for all IAM users that have a console password";
const SETUP_4: &str = "Do not create access keys during initial setup for IAM users with a console password";

/// The numbers per version, in the order of [`CisVersion::ALL`]; `""` where
/// the version has no such recommendation.
type Numbers = [&'static str; 9];

impl Rule {
    /// Every rule, in the order of the benchmark's v1.4.0 numbers.
    pub const ALL: [Rule; 9] = [
        Rule::AccessKeyRotated,
        Rule::AccessKeyUnused,
        Rule::ConsolePasswordUnused,
        Rule::RootAccessKey,
        Rule::RootMfa,
        Rule::RootRecentUse,
        Rule::ConsoleUserMfa,
        Rule::OneActiveKey,
        Rule::NoKeyAtSetup,
    ];

    /// Reads a rule from its id (`-` is taken as `_`).
    pub fn parse(text: &str) -> Option<Rule> {
        text.parse().ok()
    }

    /// The columns of the credential report the rule reads.
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Rule::AccessKeyRotated => {
                &["access_key_N_active", "access_key_N_last_rotated", "access_key_N_last_used_date"]
            }
            Rule::AccessKeyUnused => {
                &["access_key_N_active", "access_key_N_last_used_date", "access_key_N_last_rotated"]
            }
            Rule::ConsolePasswordUnused => {
                &["password_enabled", "password_last_used", "password_last_changed", "user_creation_time"]
            }
            Rule::RootAccessKey => &["user", "arn", "access_key_N_active"],
            Rule::RootMfa => &["user", "arn", "mfa_active", "password_enabled"],
            Rule::RootRecentUse => &["user", "arn", "password_last_used", "access_key_N_last_used_date"],
            Rule::ConsoleUserMfa => &["password_enabled", "mfa_active"],
            Rule::OneActiveKey => &["access_key_1_active", "access_key_2_active", "access_key_N_last_rotated"],
            Rule::NoKeyAtSetup => &[
                "password_enabled",
                "user_creation_time",
                "access_key_N_active",
                "access_key_N_last_rotated",
                "access_key_N_last_used_date",
            ],
        }
    }

    fn numbers(self) -> Numbers {
        match self {
            Rule::AccessKeyRotated => ["1.4", "1.14", "1.14", "1.14", "1.14", "1.14", "1.13", "2.13", "2.12"],
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused => {
                ["1.3", "1.12", "1.12", "1.12", "1.12", "1.12", "1.11", "2.11", "2.11"]
            }
            Rule::RootAccessKey => ["1.12", "1.4", "1.4", "1.4", "1.4", "1.4", "1.3", "2.3", "2.4"],
            Rule::RootMfa => ["1.13", "1.5", "1.5", "1.5", "1.5", "1.5", "1.4", "2.4", "2.5"],
            Rule::RootRecentUse => ["1.1", "1.7", "1.7", "1.7", "1.7", "1.7", "1.6", "2.6", "2.7"],
            Rule::ConsoleUserMfa => ["1.2", "1.10", "1.10", "1.10", "1.10", "1.10", "1.9", "2.9", "2.10"],
            // Added in v1.3.0; not in v7.0.0.
            Rule::OneActiveKey => ["", "1.13", "1.13", "1.13", "1.13", "1.13", "1.12", "2.12", ""],
            // Not scored in v1.2.0; not in v7.0.0.
            Rule::NoKeyAtSetup => ["1.21", "1.11", "1.11", "1.11", "1.11", "1.11", "1.10", "2.10", ""],
        }
    }

    fn title(self, version: CisVersion) -> &'static str {
        let v4 = version >= CisVersion::V4_0;
        let v1_2 = version == CisVersion::V1_2;
        match self {
            Rule::AccessKeyRotated => ROTATED,
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused if v1_2 => UNUSED_90,
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused if v4 => UNUSED_45_MORE,
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused => UNUSED_45,
            Rule::RootAccessKey if v1_2 => ROOT_KEY_1_2,
            Rule::RootAccessKey => ROOT_KEY,
            Rule::RootMfa if v1_2 => ROOT_MFA_1_2,
            Rule::RootMfa => ROOT_MFA,
            Rule::RootRecentUse if v1_2 => ROOT_USE_1_2,
            Rule::RootRecentUse => ROOT_USE,
            Rule::ConsoleUserMfa => CONSOLE_MFA,
            Rule::OneActiveKey if v4 => ONE_KEY,
            Rule::OneActiveKey => ONE_KEY_AVAILABLE,
            Rule::NoKeyAtSetup if v4 => SETUP_4,
            Rule::NoKeyAtSetup => SETUP,
        }
    }

    /// What the rule asks, in a line (keyrot's wording).
    pub const fn summary(self) -> &'static str {
        match self {
            Rule::AccessKeyRotated => "Active access keys are rotated within the policy's maximum age",
            Rule::AccessKeyUnused => "Active access keys are used within unused_days",
            Rule::ConsolePasswordUnused => "Console passwords are used within unused_days",
            Rule::RootAccessKey => "The root user has no active access key",
            Rule::RootMfa => "The root user has MFA",
            Rule::RootRecentUse => "The root user is not used for daily tasks",
            Rule::ConsoleUserMfa => "Users with a console password have MFA",
            Rule::OneActiveKey => "A user has at most one active access key",
            Rule::NoKeyAtSetup => "No access key is made at the setup of a console user",
        }
    }

    /// What the rule judges and how, in a few sentences.
    pub const fn description(self) -> &'static str {
        match self {
            Rule::AccessKeyRotated => "Every active access key must be rotated within max_age_days (90 by default, CIS AWS Foundations Benchmark). A key whose age cannot be judged from the report is invalid, which fails too.",
            Rule::AccessKeyUnused => "An active access key not used for unused_days (45 by default) or more fails; a key never used, or whose use is unknown, counts from its last_rotated.",
            Rule::ConsolePasswordUnused => "A console password not used for unused_days (45 by default) or more fails; a password never used counts from password_last_changed, else user_creation_time.",
            Rule::RootAccessKey => "The root user's row must have no active access key.",
            Rule::RootMfa => "The root user's row must have mfa_active true.",
            Rule::RootRecentUse => "A use of the root user's password or of a root access key within root_use_days (1 by default) fails.",
            Rule::ConsoleUserMfa => "A user with password_enabled true must have mfa_active true.",
            Rule::OneActiveKey => "A user with two active access keys fails, unless one is the new key of a rotation in progress (due_soon).",
            Rule::NoKeyAtSetup => "An active access key made within setup_seconds (600 by default) of its user, never used, on a user with a console password fails.",
        }
    }

    /// The rule's recommendation in `version`; `None` where that version has
    /// none (`one_active_key` before v1.3.0 and, with `no_key_at_setup`,
    /// from v7.0.0).
    pub fn recommendation(self, version: CisVersion) -> Option<Recommendation> {
        let number = self.numbers()[version.index()];
        (!number.is_empty()).then(|| Recommendation { number, title: self.title(version) })
    }

    /// The AWS Security Hub control that checks the rule for `version`
    /// (Security Hub's unused-credentials control is `IAM.8` at 90 days for
    /// v1.2.0 and `IAM.22` at 45 days after); `None` where it has none.
    pub fn security_hub(self, version: CisVersion) -> Option<&'static str> {
        match self {
            Rule::AccessKeyRotated => Some("IAM.3"),
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused if version == CisVersion::V1_2 => Some("IAM.8"),
            Rule::AccessKeyUnused | Rule::ConsolePasswordUnused => Some("IAM.22"),
            Rule::RootAccessKey => Some("IAM.4"),
            Rule::RootMfa => Some("IAM.9"),
            Rule::ConsoleUserMfa => Some("IAM.5"),
            Rule::RootRecentUse | Rule::OneActiveKey | Rule::NoKeyAtSetup => None,
        }
    }

    /// `CIS AWS Foundations Benchmark <version> <number>` for every version
    /// that has the rule, oldest first.
    pub fn requirements(self) -> Vec<String> {
        CisVersion::ALL
            .into_iter()
            .filter_map(|v| self.recommendation(v).map(|r| format!("CIS AWS Foundations Benchmark {v} {}", r.number)))
            .collect()
    }
}

crate::error::codes!(Rule, "rule", "rules" {
    AccessKeyRotated => "access_key_rotated",
    AccessKeyUnused => "access_key_unused",
    ConsolePasswordUnused => "console_password_unused",
    RootAccessKey => "root_access_key",
    RootMfa => "root_mfa",
    RootRecentUse => "root_recent_use",
    ConsoleUserMfa => "console_user_mfa",
    OneActiveKey => "one_active_key",
    NoKeyAtSetup => "no_key_at_setup",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_versions_read_back() {
        for rule in Rule::ALL {
            assert_eq!(Rule::parse(rule.as_str()), Some(rule));
            assert_eq!(serde_json::to_value(rule).unwrap(), rule.as_str());
        }
        for version in CisVersion::ALL {
            assert_eq!(CisVersion::parse(version.as_str()), Some(version));
            assert_eq!(serde_json::to_value(version).unwrap(), version.as_str());
        }
        assert_eq!(Rule::parse("one-active-key"), Some(Rule::OneActiveKey));
        assert_eq!(Rule::parse("rotation"), None);
    }

    #[test]
    fn numbering_moves_as_the_benchmark_moved() {
        let n = |rule: Rule, v| rule.recommendation(v).map(|r| r.number);
        // v1.2.0 to v1.4.0 reordered the IAM section.
        assert_eq!(n(Rule::AccessKeyRotated, CisVersion::V1_2), Some("1.4"));
        assert_eq!(n(Rule::RootAccessKey, CisVersion::V1_4), Some("1.4"));
        // v1.4.0 to v4.0.1 kept the numbers.
        for v in [CisVersion::V1_5, CisVersion::V2_0, CisVersion::V3_0, CisVersion::V4_0] {
            for rule in Rule::ALL {
                assert_eq!(n(rule, v), n(rule, CisVersion::V1_4), "{rule} in {v}");
            }
        }
        // v5.0.0 removed a recommendation before them: each moved down by one;
        // v6.0.0 made the section 2.
        for rule in Rule::ALL {
            let (five, six) = (n(rule, CisVersion::V5_0).unwrap(), n(rule, CisVersion::V6_0).unwrap());
            assert_eq!(six.strip_prefix("2."), five.strip_prefix("1."), "{rule}");
            let four: u32 = n(rule, CisVersion::V4_0).unwrap()[2..].parse().unwrap();
            assert_eq!(five[2..].parse::<u32>().unwrap(), four - 1, "{rule}");
        }
        assert_eq!(n(Rule::OneActiveKey, CisVersion::V1_2), None);
        assert_eq!(n(Rule::NoKeyAtSetup, CisVersion::V7_0), None);
        assert_eq!(Rule::AccessKeyUnused.recommendation(CisVersion::V1_2).unwrap().title, UNUSED_90);
    }

    #[test]
    fn security_hub_controls() {
        assert_eq!(Rule::AccessKeyUnused.security_hub(CisVersion::V1_2), Some("IAM.8"));
        assert_eq!(Rule::AccessKeyUnused.security_hub(CisVersion::V5_0), Some("IAM.22"));
        assert_eq!(Rule::OneActiveKey.security_hub(CisVersion::V5_0), None);
        assert_eq!(
            Rule::AccessKeyRotated.requirements().first().map(String::as_str),
            Some("CIS AWS Foundations Benchmark v1.2.0 1.4")
        );
        assert_eq!(Rule::AccessKeyRotated.requirements().len(), 9);
    }
}
