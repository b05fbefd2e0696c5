//! `history(inputs, options?)`: a season of reports followed through time
//! (the core's history), for Node and the page. The names and times are
//! read here (`times` per name, `timeFromName` a pattern for the dates in
//! the names, read by the core's [`TimePattern`]); the core reads each
//! report once, in time order.

use crate::io::{input_bytes, named_inputs};
use crate::{read_options, to_js_error, to_plain_object};
use keyrot::plan::history::{GivenTime, HistoryOptions, HistoryRun, TimePattern, TimeSource};
use keyrot::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The options object of `history` ([`HistoryOptionsArg`]).
    #[wasm_bindgen(typescript_type = "HistoryOptions")]
    pub type HistoryOptionsJs;
}

pub use crate::options::HistoryOptionsArg;

impl HistoryOptionsArg {
    /// The reports named as the core takes them, each with the time given
    /// for it, and the core's options.
    ///
    /// ```
    /// let options: keyrot_wasm::history::HistoryOptionsArg = serde_json::from_str(
    ///     r#"{"timeFromName": "%Y-%m-%d", "times": {"b.csv": "2026-02-01"}, "stallDays": 7, "unusedDays": 30}"#,
    /// ).unwrap();
    /// let (named, options, history) = options.read(vec!["a-2026-01-05.csv".into(), "b.csv".into()]).unwrap();
    /// assert_eq!((history.stall_days, options.unused_days), (7, 30));
    /// assert_eq!(keyrot::format_timestamp(&named[0].1.unwrap().time), "2026-01-05T00:00:00Z");
    /// assert_eq!(keyrot::format_timestamp(&named[1].1.unwrap().time), "2026-02-01T00:00:00Z");
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn read(
        self,
        names: Vec<String>,
    ) -> Result<(Vec<(String, Option<GivenTime>)>, keyrot::Options, HistoryOptions), Error> {
        let (options, history) = HistoryOptions::read(self.contract_value()?)?;
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

/// The trend chart of `points` (a history's `trend.overall`, or one
/// account's `points`) as a self-contained SVG text, `width` pixels wide
/// (default 720): the core's chart, the one the command's HTML report
/// draws, a bar per point stacked by status.
#[wasm_bindgen(js_name = trendSvg)]
pub fn trend_svg(
    #[wasm_bindgen(unchecked_param_type = "TrendPoint[]")] points: JsValue,
    width: Option<u32>,
) -> Result<String, JsValue> {
    let bars: Vec<keyrot::view::TrendBar> = serde_wasm_bindgen::from_value(points)
        .map_err(|e| crate::type_error(&format!("trendSvg: the points are not a history's trend points: {e}")))?;
    Ok(keyrot::view::trend_bars_svg(&bars, width.unwrap_or(720)))
}
