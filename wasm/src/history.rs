//! `history(inputs, options?)`: a season of reports followed through time
//! (the core's history), for Node and the page. The names and times are
//! read here (`times` per name, `timeFromName` a pattern for the dates in
//! the names, read by the core's [`TimePattern`]); the core reads each
//! report once, in time order.

use crate::io::{input_bytes, named_inputs};
use crate::{read_options, to_js_error, to_plain_object};
use keyrot::plan::history::{GivenTime, HistoryOptions, HistoryRun, TimePattern, TimeSource};
use keyrot::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The options object of `history` ([`HistoryOptionsArg`]).
    #[wasm_bindgen(typescript_type = "HistoryOptions")]
    pub type HistoryOptionsJs;
}

/// Options of `history`: the judging options of `analyze` but `asOf` (each
/// report is judged at its own time), the history's, and the reports'
/// times. `null` or `undefined` means "the default".
#[derive(Debug, Default, Deserialize, Serialize, TS)]
#[serde(rename_all(deserialize = "camelCase", serialize = "snake_case"), deny_unknown_fields)]
#[ts(rename = "HistoryOptions", rename_all = "camelCase", optional_fields = nullable)]
pub struct HistoryOptionsArg {
    /// A key older than this many days fails; 1 to 3650; default 90.
    pub max_age_days: Option<u32>,
    /// An active key within this many days of the limit is `due_soon`;
    /// default 14.
    pub warn_days: Option<u32>,
    /// When true, an inactive key over the limit fails too.
    pub include_inactive: Option<bool>,
    /// `exact` (the default) or `whole_days`.
    pub granularity: Option<keyrot::Granularity>,
    /// Days a replaced key must be unused before the plan says to delete
    /// it; default 7.
    pub grace_days: Option<u32>,
    /// Keep rows with bad cells instead of throwing.
    pub lenient: Option<bool>,
    /// The reports' form; default `auto`.
    pub format: Option<keyrot::InputFormat>,
    /// The CIS checks to judge (rule ids or `all`); the counts then hold
    /// each rule's.
    #[ts(type = "Rule | \"all\" | (Rule | \"all\")[] | null", optional)]
    pub rules: Option<serde_json::Value>,
    /// The CIS version whose numbers label the findings.
    pub cis_version: Option<String>,
    /// A rotation at one step for longer than this many days, or whose old
    /// key is still used this long after the new one was made, has
    /// stalled; 0 to 3650; default 14.
    pub stall_days: Option<u32>,
    /// Keep each key's last use per report (default true).
    pub last_used_per_report: Option<bool>,
    /// The time of each report that carries no `GeneratedTime`, by its name
    /// (RFC 3339, or a date: its midnight UTC).
    #[serde(skip_serializing)]
    #[ts(type = "Record<string, string> | null", optional)]
    pub times: Option<BTreeMap<String, String>>,
    /// A strftime pattern (`%Y-%m-%d`) that reads the time of each report
    /// with neither from its name (the part after the last `/`).
    #[serde(skip_serializing)]
    pub time_from_name: Option<String>,
}

impl HistoryOptionsArg {
    /// The reports named as the core takes them, each with the time given
    /// for it, and the core's options.
    ///
    /// ```
    /// let options: keyrot_wasm::history::HistoryOptionsArg = serde_json::from_str(
    ///     r#"{"timeFromName": "%Y-%m-%d", "times": {"b.csv": "2026-02-01"}, "stallDays": 7}"#,
    /// ).unwrap();
    /// let (named, _, history) = options.read(vec!["a-2026-01-05.csv".into(), "b.csv".into()]).unwrap();
    /// assert_eq!(history.stall_days, 7);
    /// assert_eq!(keyrot::format_timestamp(&named[0].1.unwrap().time), "2026-01-05T00:00:00Z");
    /// assert_eq!(keyrot::format_timestamp(&named[1].1.unwrap().time), "2026-02-01T00:00:00Z");
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn read(
        self,
        names: Vec<String>,
    ) -> Result<(Vec<(String, Option<GivenTime>)>, keyrot::Options, HistoryOptions), Error> {
        let mut value = serde_json::to_value(&self)
            .map_err(|e| Error::new(ErrorCode::InvalidPolicy, format!("cannot read the options: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        let (options, history) = HistoryOptions::read(value)?;
        let pattern = self.time_from_name.as_deref().map(TimePattern::new).transpose()?;
        let times = self.times.unwrap_or_default();
        for name in times.keys() {
            if !names.contains(name) {
                return Err(Error::new(
                    ErrorCode::InvalidPolicy,
                    format!("`times` names `{name}`, which is not one of the reports"),
                )
                .at_column("times")
                .with_value(name));
            }
        }
        let mut named = Vec::with_capacity(names.len());
        for name in names {
            let given = match times.get(&name) {
                Some(text) => {
                    Some(GivenTime { time: keyrot::options::parse_instant("times", text)?, source: TimeSource::Given })
                }
                None => pattern
                    .as_ref()
                    .and_then(|p| p.find(name.rsplit('/').next().unwrap_or(&name)))
                    .map(|time| GivenTime { time, source: TimeSource::FileName }),
            };
            named.push((name, given));
        }
        Ok((named, options, history))
    }
}

/// Follows the rotation workflow across a season of reports of the same
/// accounts: each key's life (first and last report, when it was overdue,
/// how it ended and between which reports), each user's rotations through
/// the plan's steps and their stalls, each account's trend and the totals.
///
/// `inputs` is an array of `{ name, input }` objects, `input` as for
/// `analyze`. Each report's time is its `GeneratedTime`, else
/// `options.times[name]`, else the date `options.timeFromName` reads in
/// its name; a report with none throws `no_report_time`, two reports of
/// one account at the same time `same_report_time` (`value` names the
/// report).
#[wasm_bindgen(unchecked_return_type = "History")]
pub fn history(
    #[wasm_bindgen(unchecked_param_type = "Array<{ name: string; input: string | Uint8Array | ArrayBuffer }>")]
    inputs: JsValue,
    options: Option<HistoryOptionsJs>,
) -> Result<JsValue, JsValue> {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
    let arg: HistoryOptionsArg = read_options(options.map_or(JsValue::UNDEFINED, Into::into), "history")?;
    let reports = named_inputs(&inputs, input_bytes)?;
    let (named, options, history) =
        arg.read(reports.iter().map(|(name, _)| name.clone()).collect()).map_err(to_js_error)?;
    let run = HistoryRun::new(&options, &history).threads(1);
    let result = run.collect(&named, |i| Ok(reports[i].1.as_slice())).map_err(to_js_error)?;
    to_plain_object(&result)
}
