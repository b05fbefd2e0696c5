//! Accountable exemptions: a known exception to the rule, accepted by a
//! named owner, for a reason, until a date. An exemption never hides a
//! finding: the finding keeps its status and only stops counting against
//! compliance while the exemption is in force.

use crate::error::{shorten, Error, ErrorCode};
use crate::input::anomaly::{Anomalies, Anomaly, AnomalyCode};
use crate::input::value::Timestamp;
use crate::judge::cis::Rule;
use crate::judge::rule::{Exemption, Finding};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One entry of an exemptions file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemptionRule {
    /// The account id, or `*` for every account.
    pub account: String,
    /// The user name, exact or a glob (`*` any run of characters, `?` one).
    pub user: String,
    /// The slot, when only one key is exempted.
    pub slot: Option<u8>,
    /// The rules exempted; `None` for the rotation rule alone (an entry
    /// written before the other checks existed exempts no more than it did).
    pub rules: Option<Vec<Rule>>,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day (UTC) the exemption is in force.
    pub expires: NaiveDate,
    /// The 1-based position of the entry in the file.
    pub index: usize,
}

impl ExemptionRule {
    /// Whether the rule names this finding's account, user, slot and rule.
    pub fn matches(&self, finding: &Finding) -> bool {
        self.matches_key(&finding.account_id, &finding.user, finding.slot.unwrap_or(0), finding.rule())
    }

    /// Whether the entry covers `rule`.
    pub fn covers(&self, rule: Rule) -> bool {
        self.rules.as_ref().map_or(rule == Rule::AccessKeyRotated, |rules| rules.contains(&rule))
    }

    fn matches_key(&self, account: &str, user: &str, slot: u8, rule: Rule) -> bool {
        (self.account == "*" || self.account == account)
            && glob_match(&self.user, user)
            && self.slot.is_none_or(|s| s == slot)
            && self.covers(rule)
    }

    /// Whether the rule is in force at `as_of`: through the whole of its
    /// `expires` day, in UTC.
    pub fn in_force(&self, as_of: Timestamp) -> bool {
        as_of.date_naive() <= self.expires
    }

    fn describe(&self) -> String {
        let slot = self.slot.map(|s| format!(", slot {s}")).unwrap_or_default();
        format!(
            "exemption #{} (account `{}`, user `{}`{slot}, owner `{}`, expires {})",
            self.index,
            shorten(&self.account),
            shorten(&self.user),
            shorten(&self.owner),
            self.expires
        )
    }

    pub(crate) fn as_exemption(&self) -> Exemption {
        Exemption {
            account: self.account.clone(),
            user: self.user.clone(),
            slot: self.slot,
            rules: self.rules.clone(),
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            expires: self.expires.to_string(),
        }
    }
}

/// Matches `text` against a glob with `*` (any run, possibly empty) and `?`
/// (one character); every other character stands for itself.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A value of an entry, from TOML or from JSON-like data.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    /// A string.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A TOML date (local date), `YYYY-MM-DD`.
    Date(String),
    /// A list of values.
    List(Vec<EntryValue>),
    /// Anything else, by its type name.
    Other(&'static str),
}

const FIELDS: [&str; 7] = ["account", "user", "slot", "rules", "reason", "owner", "expires"];
const REQUIRED: [&str; 5] = ["account", "user", "reason", "owner", "expires"];

/// The checked exemptions, and the problems of the entries that could not
/// be used (reported as `exemption_invalid` anomalies; such an entry
/// exempts nothing).
///
/// ```
/// let ex = keyrot::Exemptions::from_toml(r#"
/// [[exemption]]
/// account = "111122223333"
/// user = "legacy-*"
/// reason = "vendor appliance cannot rotate; replacement ordered"
/// owner = "secops@example.com"
/// expires = 2027-03-31
///
/// [[exemption]]
/// account = "*"
/// user = "ci"
/// reason = "missing owner"
/// expires = "2027-01-01"
/// "#).unwrap();
/// assert_eq!(ex.rules().len(), 1);
/// assert_eq!(ex.problems()[0].code, keyrot::AnomalyCode::ExemptionInvalid);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exemptions {
    rules: Vec<ExemptionRule>,
    problems: Vec<Anomaly>,
}

impl Exemptions {
    /// Reads an exemptions file: `[[exemption]]` tables with `account`,
    /// `user`, optional `slot`, and required `reason`, `owner` and `expires`
    /// (a TOML date, or a `"YYYY-MM-DD"` string). A file that is not TOML,
    /// or has other top-level keys, is an `invalid_exemptions` error.
    pub fn from_toml(text: &str) -> Result<Exemptions, Error> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            let err = Error::new(
                ErrorCode::InvalidExemptions,
                format!("the exemptions file is not valid TOML: {}", e.message()),
            );
            match line {
                Some(l) => err.at_line(l),
                None => err,
            }
        })?;
        if let Some(other) = table.keys().find(|k| k.as_str() != "exemption") {
            return Err(Error::new(
                ErrorCode::InvalidExemptions,
                format!("the exemptions file has a key `{}`; only `[[exemption]]` tables belong there", shorten(other)),
            )
            .with_value(other));
        }
        let entries = match table.get("exemption") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items.iter().map(toml_entry).collect(),
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::InvalidExemptions,
                    "`exemption` must be a list of tables: write each entry as `[[exemption]]`",
                ))
            }
        };
        Ok(Exemptions::from_entries(entries))
    }

    /// Checks entries given as maps (from Python or JS data, or TOML). An
    /// entry that is not a map is passed as `None`.
    pub fn from_entries(entries: Vec<Option<BTreeMap<String, EntryValue>>>) -> Exemptions {
        let mut ex = Exemptions::default();
        for (i, entry) in entries.into_iter().enumerate() {
            let index = i + 1;
            match entry.ok_or_else(|| "the entry is not a table".to_owned()).and_then(|e| check_entry(&e, index)) {
                Ok(rule) => ex.rules.push(rule),
                Err(why) => ex.problems.push(
                    Anomaly::new(AnomalyCode::ExemptionInvalid, format!("exemption #{index} is not used: {why}"))
                        .at_column("exemption")
                        .with_value(&index.to_string()),
                ),
            }
        }
        ex
    }

    /// Reads entries from JSON-like data: a list of objects.
    pub fn from_json(value: &serde_json::Value) -> Result<Exemptions, Error> {
        let items = value
            .as_array()
            .ok_or_else(|| Error::new(ErrorCode::InvalidExemptions, "exemptions must be a list of entries"))?;
        Ok(Exemptions::from_entries(items.iter().map(json_entry).collect()))
    }

    /// The entries that can be used.
    pub fn rules(&self) -> &[ExemptionRule] {
        &self.rules
    }

    /// The entries that cannot, as `exemption_invalid` anomalies.
    pub fn problems(&self) -> &[Anomaly] {
        &self.problems
    }
}

fn finding_subject(finding: &Finding) -> (u8, Rule) {
    (finding.slot.unwrap_or(0), finding.rule())
}

fn toml_value(value: &toml::Value) -> EntryValue {
    match value {
        toml::Value::String(s) => EntryValue::Text(s.clone()),
        toml::Value::Integer(i) => EntryValue::Integer(*i),
        _ => EntryValue::Other("value"),
    }
}

fn json_value(value: &serde_json::Value) -> EntryValue {
    match value {
        serde_json::Value::String(s) => EntryValue::Text(s.clone()),
        _ => EntryValue::Other("value"),
    }
}

fn toml_entry(value: &toml::Value) -> Option<BTreeMap<String, EntryValue>> {
    let table = value.as_table()?;
    Some(
        table
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    toml::Value::String(s) => EntryValue::Text(s.clone()),
                    toml::Value::Integer(i) => EntryValue::Integer(*i),
                    toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                        EntryValue::Date(d.to_string())
                    }
                    toml::Value::Datetime(_) => EntryValue::Other("date-time"),
                    toml::Value::Float(_) => EntryValue::Other("float"),
                    toml::Value::Boolean(_) => EntryValue::Other("boolean"),
                    toml::Value::Array(items) => EntryValue::List(items.iter().map(toml_value).collect()),
                    toml::Value::Table(_) => EntryValue::Other("table"),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

fn json_entry(value: &serde_json::Value) -> Option<BTreeMap<String, EntryValue>> {
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => EntryValue::Text(s.clone()),
                    serde_json::Value::Number(n) => n.as_i64().map_or(EntryValue::Other("number"), EntryValue::Integer),
                    serde_json::Value::Null => EntryValue::Other("null"),
                    serde_json::Value::Bool(_) => EntryValue::Other("boolean"),
                    serde_json::Value::Array(items) => EntryValue::List(items.iter().map(json_value).collect()),
                    serde_json::Value::Object(_) => EntryValue::Other("object"),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

fn check_entry(entry: &BTreeMap<String, EntryValue>, index: usize) -> Result<ExemptionRule, String> {
    if let Some(unknown) = entry.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!("unknown field `{}` (fields: {})", shorten(unknown), FIELDS.join(", ")));
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|f| !entry.contains_key(*f)).collect();
    if !missing.is_empty() {
        return Err(format!("missing required field(s) {}", missing.join(", ")));
    }
    let text = |name: &str| match entry.get(name) {
        Some(EntryValue::Text(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(EntryValue::Text(_)) => Err(format!("`{name}` is empty")),
        _ => Err(format!("`{name}` must be a string")),
    };
    let slot = match entry.get("slot") {
        None => None,
        Some(EntryValue::Integer(n @ (1 | 2))) => Some(*n as u8),
        Some(_) => return Err("`slot` must be 1 or 2".to_owned()),
    };
    let rules = match entry.get("rules") {
        None => None,
        Some(EntryValue::List(items)) if !items.is_empty() => Some(
            items
                .iter()
                .map(|item| match item {
                    EntryValue::Text(t) if t == "*" || t == "all" => Ok(Rule::ALL.to_vec()),
                    EntryValue::Text(t) => Rule::parse(t).map(|r| vec![r]).ok_or_else(|| {
                        let known: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
                        format!("unknown rule `{}` in `rules` (the rules are {}, or *)", shorten(t), known.join(", "))
                    }),
                    _ => Err("`rules` must be a list of rule ids".to_owned()),
                })
                .collect::<Result<Vec<Vec<Rule>>, String>>()?
                .concat(),
        ),
        Some(_) => return Err("`rules` must be a non-empty list of rule ids".to_owned()),
    };
    let expires = match entry.get("expires") {
        Some(EntryValue::Date(d) | EntryValue::Text(d)) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| format!("`expires` must be a date like 2027-03-31, not `{}`", shorten(d)))?,
        _ => return Err("`expires` must be a date like 2027-03-31".to_owned()),
    };
    Ok(ExemptionRule {
        account: text("account")?,
        user: text("user")?,
        slot,
        rules,
        reason: text("reason")?,
        owner: text("owner")?,
        expires,
        index,
    })
}

impl Exemptions {
    /// The rule in force that exempts the key of `account`, `user` and
    /// `slot` at `as_of` (the first that matches), or else the first expired
    /// one that matches; every rule that matched up to the one in force is
    /// marked in `used`.
    pub(crate) fn lookup(
        &self,
        account: &str,
        user: &str,
        (slot, check): (u8, Rule),
        as_of: Timestamp,
        used: &mut [bool],
    ) -> (Option<u32>, Option<u32>) {
        let mut expired = None;
        for (i, rule) in self.rules.iter().enumerate() {
            if !rule.matches_key(account, user, slot, check) {
                continue;
            }
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            if rule.in_force(as_of) {
                return (Some(i as u32), None);
            }
            expired.get_or_insert(i as u32);
        }
        (None, expired)
    }
}

/// Applies exemptions to findings, remembering which entries were used.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExemptionState {
    exemptions: Arc<Exemptions>,
    used: Vec<bool>,
}

impl ExemptionState {
    pub(crate) fn new(exemptions: Arc<Exemptions>) -> ExemptionState {
        let used = vec![false; exemptions.rules.len()];
        ExemptionState { exemptions, used }
    }

    /// Marks `finding` exempted by the first matching rule in force; an
    /// expired rule that alone matches yields an `exemption_expired`
    /// anomaly.
    pub(crate) fn apply(&mut self, finding: &mut Finding, as_of: Timestamp, anomalies: &mut Anomalies) {
        let (found, expired) =
            self.exemptions.lookup(&finding.account_id, &finding.user, finding_subject(finding), as_of, &mut self.used);
        if let Some(rule) = expired {
            anomalies.push_with(AnomalyCode::ExemptionExpired, || {
                self.expired(rule, &finding.user, finding_subject(finding), finding.line)
            });
        }
        finding.exempted = found.map(|i| self.exemptions.rules[i as usize].as_exemption());
    }

    /// Notes the rules a batch's keys matched.
    pub(crate) fn mark_used(&mut self, used: &[bool]) {
        for (mine, theirs) in self.used.iter_mut().zip(used) {
            *mine |= *theirs;
        }
    }

    /// The `exemption_expired` anomaly of the rule at `index`, which alone
    /// matched the key of `user` and `slot` on `line`.
    pub(crate) fn expired(&self, index: u32, user: &str, (slot, check): (u8, Rule), line: u64) -> Anomaly {
        let rule = &self.exemptions.rules[index as usize];
        let slot = match (slot, check) {
            (0, check) => format!("({check})"),
            (slot, Rule::AccessKeyRotated) => format!("slot {slot}"),
            (slot, check) => format!("slot {slot} ({check})"),
        };
        Anomaly::new(
            AnomalyCode::ExemptionExpired,
            format!(
                "{} matches user `{}` {} but expired before as_of: the finding counts as usual",
                rule.describe(),
                shorten(user),
                slot
            ),
        )
        .at_line(line)
        .at_column("exemption")
        .with_value(&rule.index.to_string())
    }

    /// The problems of the file, then one `exemption_unused` anomaly per
    /// entry that matched nothing.
    pub(crate) fn finish(&self, anomalies: &mut Anomalies) {
        self.exemptions.problems.iter().cloned().for_each(|a| anomalies.push(a));
        for (rule, used) in self.exemptions.rules.iter().zip(&self.used) {
            if !used {
                anomalies.push(
                    Anomaly::new(
                        AnomalyCode::ExemptionUnused,
                        format!("{} matches no key: remove it, or check the account and user", rule.describe()),
                    )
                    .at_column("exemption")
                    .with_value(&rule.index.to_string()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_match_examples() {
        assert!(super::glob_match("svc-*", "svc-deploy"));
        assert!(super::glob_match("ci-?", "ci-1"));
        assert!(!super::glob_match("ci-?", "ci-10"));
        assert!(super::glob_match("alice", "alice"));
    }

    #[test]
    fn glob_handles_stars_anywhere() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*-bot-*", "ci-bot-7"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("**", "anything"));
        assert!(!glob_match("svc", "svc2"));
    }

    #[test]
    fn entries_are_checked_one_by_one() {
        let ex = Exemptions::from_toml(
            r#"
[[exemption]]
account = "1"
user = "a"
reason = "r"
owner = "o"
expires = 2027-01-01
colour = "red"

[[exemption]]
account = "1"
user = "b"
slot = 3
reason = "r"
owner = "o"
expires = "2027-01-01"

[[exemption]]
account = "1"
user = "c"
reason = "r"
owner = "o"
expires = "next week"

[[exemption]]
account = "1"
user = "d"
slot = 2
reason = "r"
owner = "o"
expires = "2027-01-01"
"#,
        )
        .unwrap();
        assert_eq!(ex.rules().len(), 1);
        assert_eq!(ex.rules()[0].index, 4);
        let why: Vec<&str> = ex.problems().iter().map(|p| p.message.as_str()).collect();
        assert!(why[0].contains("unknown field `colour`"), "{why:?}");
        assert!(why[1].contains("`slot` must be 1 or 2"), "{why:?}");
        assert!(why[2].contains("`expires` must be a date"), "{why:?}");
    }

    #[test]
    fn not_toml_is_an_error_with_a_line() {
        let err = Exemptions::from_toml("[[exemption]]\naccount = \n").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidExemptions);
        assert_eq!(err.line(), Some(2));
        let err = Exemptions::from_toml("exemptions = []\n").unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidExemptions);
    }
}
