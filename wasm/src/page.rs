//! The page's engine: a [`Checker`] judges one or several reports once,
//! holds their findings as the core's compact batches
//! ([`keyrot::view::FindingTable`]), and hands the page what it shows: the
//! analysis without findings, one page of rows of the selection a query
//! makes, the age chart's counts, and the exports, in the command's bytes.

use crate::io::{input_reader, named_inputs, write_to_js, JsPieces};
use crate::{options, read_options, start, to_js_error, to_plain_object, type_error, AnalyzeOptions};
use js_sys::Reflect;
use keyrot::view::{Export, FindingTable, PlanFormat, PlanQuery, PlanTable, Query, Selection};
use keyrot::{ReportOutcome, SourcedFinding};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Reports judged once and held for browsing.
#[wasm_bindgen]
pub struct Checker {
    table: FindingTable,
    selection: Selection,
    plan: Option<PlanTable>,
    planned: Vec<u32>,
}

#[wasm_bindgen]
impl Checker {
    /// Judges `inputs`, an array of `{ name, input }`: `input` is a string,
    /// a `Uint8Array`, an `ArrayBuffer` or a read function (as for
    /// `checkCsv`), read in pieces. `options` are those of `analyze`. One
    /// report that cannot be read throws its error, as `analyze` does; of
    /// several, a failed one is reported in `meta().reports` and holds no
    /// finding.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(
            unchecked_param_type = "Array<{ name: string; input: string | Uint8Array | ArrayBuffer | ReadInto }>"
        )]
        inputs: JsValue,
        options: Option<AnalyzeOptions>,
    ) -> Result<Checker, JsValue> {
        let judging = start(options, "Checker", options::AnalyzeOptions::judging)?;
        let thrown = Rc::new(Cell::new(None));
        let readers = named_inputs(&inputs, |input, what| Ok(input_reader(input, what, &thrown)?.0))?;
        let readers = readers.into_iter().map(|(name, reader)| (name, Ok(reader)));
        let table = FindingTable::check(&judging.run(), readers);
        if let Some(err) = thrown.take() {
            return Err(err);
        }
        if let [ReportOutcome { error: Some(err), .. }] = table.many().reports.as_slice() {
            return Err(to_js_error(err.clone()));
        }
        let selection = table.select(&Query::default());
        Ok(Checker { table, selection, plan: None, planned: Vec::new() })
    }

    /// What was judged, without findings: an `Analysis` for one report, a
    /// `ManyAnalysis` for several.
    #[wasm_bindgen(unchecked_return_type = "Omit<Analysis, \"findings\"> | Omit<ManyAnalysis, \"findings\">")]
    pub fn meta(&self) -> Result<JsValue, JsValue> {
        let meta =
            self.table.analysis().map_or_else(|| to_plain_object(self.table.many()), |one| to_plain_object(&one))?;
        Reflect::delete_property(meta.unchecked_ref::<js_sys::Object>(), &JsValue::from_str("findings"))?;
        Ok(meta)
    }

    /// How many findings there are in all.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.table.len() as u32
    }

    /// Selects and orders the rows by `query` (an object with `sort`,
    /// `descending`, `status`, `account`, `user`, `source`, `exempted`;
    /// each may be left out); returns how many rows it selects.
    pub fn select(&mut self, #[wasm_bindgen(unchecked_param_type = "Query")] query: JsValue) -> Result<u32, JsValue> {
        let query: Query = read_options(query, "select")?;
        self.selection = self.table.select(&query);
        Ok(self.selection.len() as u32)
    }

    /// The rows `start` to `start + count` of the selection, as findings
    /// that name their `source`.
    #[wasm_bindgen(unchecked_return_type = "SourcedFinding[]")]
    pub fn rows(&self, start: u32, count: u32) -> Result<JsValue, JsValue> {
        let rows: Vec<SourcedFinding> = (self.selection.iter().skip(start as usize).take(count as usize))
            .filter_map(|&row| self.table.get(row))
            .map(|f| SourcedFinding { source: f.source().to_owned(), finding: f.to_finding() })
            .collect();
        to_plain_object(&rows)
    }

    /// The age chart of every key (buckets that follow the ages present).
    #[wasm_bindgen(unchecked_return_type = "Histogram")]
    pub fn histogram(&self) -> Result<JsValue, JsValue> {
        to_plain_object(&self.table.histogram())
    }

    /// The selection written as `format`: `csv` and `json` hold its rows in
    /// its order, `sarif`, `junit` and `ocsf` every report's findings of the
    /// statuses it holds; each in the bytes `keyrot check --format` writes,
    /// handed to `write` in pieces (of about a mebibyte for CSV, SARIF and
    /// OCSF, which are never held whole), in order, each a copy it may keep.
    /// Throws what `write` throws.
    pub fn export(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Export")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(piece: Uint8Array) => void")] write: js_sys::Function,
    ) -> Result<(), JsValue> {
        let format: Export = serde_wasm_bindgen::from_value(format).map_err(JsValue::from)?;
        let thrown = Cell::new(None);
        let pieces = JsPieces { write: &write, thrown: &thrown };
        self.table
            .export(format, &self.selection, pieces)
            .map_err(|e| thrown.take().unwrap_or_else(|| type_error(&e.to_string())))
    }

    /// Makes the rotation plan of the findings (each report planned at the
    /// time it was judged), with key ids from `accessKeys` (the JSON of
    /// `aws iam list-access-keys`: text, bytes or the parsed data) when given;
    /// returns how many steps it has in all, how many of them are needed to
    /// pass (the others are clean-up), of each code (in the workflow's
    /// order) and per report. Throws what reading the list throws.
    #[wasm_bindgen(
        js_name = makePlan,
        unchecked_return_type = "{ all: number; needed: number; counts: Array<[StepCode, number]>; per_report: number[] }"
    )]
    pub fn make_plan(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | object | null")]
        access_keys: JsValue,
    ) -> Result<JsValue, JsValue> {
        // Read as `plan`'s `accessKeys` option: the same forms and errors.
        let given = js_sys::Object::new();
        Reflect::set(&given, &JsValue::from_str("accessKeys"), &access_keys)?;
        let known = start(Some(given), "makePlan", options::PlanOptions::judging)?.access_keys;
        let plan = self.table.plan(known);
        let all = plan.len();
        let made = serde_json::json!({
            "all": all,
            "needed": plan.needed(),
            "counts": plan.counts(),
            "per_report": plan.per_report(&self.table),
        });
        self.planned = (0..all as u32).collect();
        self.plan = Some(plan);
        to_plain_object(&made)
    }

    /// Selects the plan's steps by `query` (`step`, `source`, `account`,
    /// `user`, `needed`; each may be left out); returns how many it selects.
    #[wasm_bindgen(js_name = selectPlan)]
    pub fn select_plan(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "PlanQuery")] query: JsValue,
    ) -> Result<u32, JsValue> {
        let query: PlanQuery = read_options(query, "selectPlan")?;
        let Some(plan) = &self.plan else { return Err(type_error("makePlan comes first")) };
        self.planned = plan.select(&self.table, &query);
        Ok(self.planned.len() as u32)
    }

    /// The selected steps `start` to `start + count`, written out, each
    /// naming its `source`.
    #[wasm_bindgen(js_name = planSteps, unchecked_return_type = "Array<Step & { source: string }>")]
    pub fn plan_steps(&self, start: u32, count: u32) -> Result<JsValue, JsValue> {
        let Some(plan) = &self.plan else { return Err(type_error("makePlan comes first")) };
        let end = (start as usize).saturating_add(count as usize).min(self.planned.len());
        let chosen = self.planned.get(start as usize..end).unwrap_or_default();
        to_plain_object(&plan.steps(&self.table, chosen))
    }

    /// Writes the whole plan (every step, not the selection) as `format`
    /// (`table`, `json`, `markdown`, `sh` or `csv`): the bytes `keyrot plan
    /// --format` writes for the same reports and key list, handed to
    /// `write` in pieces of about a mebibyte, in order. Throws what `write`
    /// throws; `makePlan` comes first.
    #[wasm_bindgen(js_name = exportPlan)]
    pub fn export_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PlanFormat")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(piece: Uint8Array) => void")] write: js_sys::Function,
    ) -> Result<(), JsValue> {
        let format: PlanFormat = serde_wasm_bindgen::from_value(format).map_err(JsValue::from)?;
        let Some(plan) = &self.plan else { return Err(type_error("makePlan comes first")) };
        write_to_js(&write, |out| plan.export(&self.table, format, out))
    }

    /// Writes the HTML report of the findings and the plan (the one
    /// `makePlan` made, else one without a key list): one self-contained
    /// file, no script, no request, the bytes `keyrot check --format html`
    /// writes for the same reports. Handed to `write` in pieces of about a
    /// mebibyte, in order; throws what `write` throws.
    pub fn report(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(piece: Uint8Array) => void")] write: js_sys::Function,
    ) -> Result<(), JsValue> {
        let made;
        let plan = match &self.plan {
            Some(plan) => plan,
            None => {
                made = self.table.plan(None);
                &made
            }
        };
        write_to_js(&write, |out| plan.html(&self.table, out))
    }
}
