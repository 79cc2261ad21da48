//! The executor: a parsed search run over a [`Dataset`], command by command, on an event
//! [`Frame`].
//!
//! The first command makes the frame (the implicit `search` selects events, newest
//! first); each later command is one file under `commands/`. A command first asks the frame
//! for the fields it reads ([`Frame::ensure`]), so extraction happens late and only for the
//! rows still there. Expressions run row by row through `eval` (the per-row path); columnar
//! fast paths come with the performance work.

pub mod aggregate;
pub mod commands;
pub mod groups;
mod lookups;
mod time;

pub use lookups::Lookups;
pub use time::{parse_time, time_unit, TimeRange, TimeUnit};

use indexmap::IndexMap;

use crate::eval::Context;
use crate::events::Value;
use crate::frame::{CachedColumn, Dataset, Frame, ScanPlan};
use crate::query::{locate, Query};
use crate::syntax::Span;
use crate::Diagnostic;

/// What bounds a run (hostile queries fail cleanly instead of exhausting the machine).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most rows any command may produce.
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rows: 10_000_000 }
    }
}

/// How to run a search.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// `--earliest`/`--latest`: applied to events before the first search runs.
    pub range: TimeRange,
    pub limits: Limits,
    /// The tables `lookup` and `inputlookup` can name.
    pub lookups: Option<&'a Lookups>,
    /// The datamodels `tstats` reads (default: the built-in CIM definitions).
    pub datamodels: Option<&'a crate::datamodel::DataModels>,
    /// Datamodel datasets already evaluated, shared by the searches of a run over one
    /// dataset with the same `datamodels` (default: each search evaluates its own).
    pub evaluations: Option<&'a crate::datamodel::Evaluations>,
    /// The database `iplocation` reads.
    pub geoip: Option<&'a commands::iplocation::GeoIp>,
    /// Set (by another thread, e.g. on Ctrl-C) to stop the search: checked before each
    /// command and every few thousand rows of `eval`; the search ends with
    /// `spelunk::cancelled`.
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

/// What a search reads over all the events before anything reduces them, for a run of
/// many searches to make in shared passes ([`crate::frame::prefetch_for`]): as its syntax
/// shows ([`ScanPlan::of`]), or, for a `tstats` over a datamodel, its dataset's selection
/// and the event fields its datamodel fields are made from.
pub fn scan_plan(p: &crate::syntax::Pipeline, opts: &Options) -> ScanPlan {
    if let Some(crate::syntax::CommandKind::Tstats(t)) = p.commands.first().map(|c| &c.kind) {
        let models = opts.datamodels.unwrap_or(crate::datamodel::DataModels::builtin());
        if let Some(plan) = commands::tstats::scan_plan(t, models) {
            return plan;
        }
    }
    ScanPlan::of(p)
}

/// A search's results: fields in display order, one column of values each.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    pub fields: Vec<String>,
    pub columns: Vec<ResultColumn>,
    pub rows: usize,
    /// What the user should know about how the results were made (a command that had no
    /// data to work with, ...).
    pub warnings: Vec<String>,
}

impl Results {
    /// One row as (field, value) pairs, absent fields left out.
    pub fn row(&self, i: usize) -> Vec<(&str, &Value)> {
        self.fields
            .iter()
            .zip(&self.columns)
            .filter(|(_, c)| !c[i].is_null())
            .map(|(f, c)| (f.as_str(), &c[i]))
            .collect()
    }

    /// Results made row by row (summaries the command line prints).
    pub fn from_rows(fields: &[&str], rows: Vec<Vec<Value>>) -> Results {
        let columns = (0..fields.len())
            .map(|k| ResultColumn::from(rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>()))
            .collect();
        Results {
            fields: fields.iter().map(|f| f.to_string()).collect(),
            columns,
            rows: rows.len(),
            warnings: Vec::new(),
        }
    }

    /// A field's column, if the results have it.
    pub fn column(&self, name: &str) -> Option<&ResultColumn> {
        self.fields.iter().position(|f| f == name).map(|k| &self.columns[k])
    }
}

/// One field's values in results. Results are held until printed, and most of their cells
/// repeat (users, addresses, agents, accounts): a column of many rows with few distinct
/// values keeps each value once and a code per row.
#[derive(Debug, Clone)]
pub enum ResultColumn {
    Plain(Vec<Value>),
    /// `dict[codes[i]]` is row `i`'s value.
    Coded {
        dict: Vec<Value>,
        codes: Vec<u32>,
    },
    /// A dataset's shared column, read by each row's event (`col.get(events[i])`): results
    /// whose fields come straight from the events copy no value, whatever their number of
    /// distinct values, and the columns of one result share their events (at 10 GB, the
    /// 2.6 million results of one detection held 400 MB, many columns kept plain).
    Shared {
        col: std::sync::Arc<CachedColumn>,
        events: std::sync::Arc<Vec<usize>>,
    },
}

impl ResultColumn {
    /// Columns shorter than this are kept plain (coding them saves nothing worth the time).
    const CODE_FROM_ROWS: usize = 256;

    pub fn len(&self) -> usize {
        match self {
            ResultColumn::Plain(v) => v.len(),
            ResultColumn::Coded { codes, .. } => codes.len(),
            ResultColumn::Shared { events, .. } => events.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s value (panics past the end, as a slice does).
    pub fn get(&self, i: usize) -> &Value {
        match self {
            ResultColumn::Plain(v) => &v[i],
            ResultColumn::Coded { dict, codes } => &dict[codes[i] as usize],
            ResultColumn::Shared { col, events } => col.get(events[i]),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Value> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    pub fn to_vec(&self) -> Vec<Value> {
        self.iter().cloned().collect()
    }
}

/// How a column of `len` rows is coded, the one rule for every way a column is made: each
/// distinct key with its first row (in the order first seen) and each row's code; `None`
/// when the column stays plain (short, or more than half its values distinct).
type Coding<K> = (Vec<(usize, K)>, Vec<u32>);

fn coding<K: std::hash::Hash + Eq + Copy>(keys: impl Iterator<Item = K>, len: usize) -> Option<Coding<K>> {
    if len < ResultColumn::CODE_FROM_ROWS || len > u32::MAX as usize {
        return None;
    }
    let most = len / 2;
    let mut seen: std::collections::HashMap<K, u32, crate::events::hash::FxBuild> = Default::default();
    let mut first: Vec<(usize, K)> = Vec::new();
    let mut codes: Vec<u32> = Vec::with_capacity(len);
    for (i, k) in keys.enumerate() {
        let next = first.len() as u32;
        let code = *seen.entry(k).or_insert(next);
        if code == next {
            if first.len() == most {
                return None;
            }
            first.push((i, k));
        }
        codes.push(code);
    }
    Some((first, codes))
}

impl From<Vec<Value>> for ResultColumn {
    /// Coded when the column is long and at most half its values are distinct; else plain.
    fn from(mut values: Vec<Value>) -> ResultColumn {
        let Some((first, codes)) = coding(values.iter(), values.len()) else {
            return ResultColumn::Plain(values);
        };
        let first: Vec<usize> = first.into_iter().map(|(i, _)| i).collect();
        let dict = first.into_iter().map(|i| std::mem::replace(&mut values[i], Value::Null)).collect();
        ResultColumn::Coded { dict, codes }
    }
}

impl ResultColumn {
    /// [`ResultColumn::from`] the values of a column of single strings (`None` absent),
    /// coded from the text itself: a value is made once per distinct text, not once per
    /// row. `cells` gives the column's `len` cells each time it is called.
    pub fn from_text<'a, I: Iterator<Item = Option<&'a str>>>(cells: impl Fn() -> I, len: usize) -> ResultColumn {
        let value = |c: Option<&str>| c.map_or(Value::Null, |s| Value::Str(s.to_string()));
        match coding(cells(), len) {
            None => ResultColumn::Plain(cells().map(value).collect()),
            Some((first, codes)) => {
                ResultColumn::Coded { dict: first.into_iter().map(|(_, c)| value(c)).collect(), codes }
            }
        }
    }
}

impl FromIterator<Value> for ResultColumn {
    fn from_iter<I: IntoIterator<Item = Value>>(values: I) -> ResultColumn {
        ResultColumn::from(values.into_iter().collect::<Vec<_>>())
    }
}

impl std::ops::Index<usize> for ResultColumn {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.get(i)
    }
}

impl PartialEq for ResultColumn {
    /// The same values row by row, however each is kept.
    fn eq(&self, other: &ResultColumn) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Why a command could not run: a span in the expanded search and what went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineError {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

impl EngineError {
    pub fn new(code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        EngineError { code, message: message.into(), span, label: label.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Runs `q` over `ds`. Errors point into the text the user wrote.
#[allow(clippy::result_large_err)] // the error path is cold
pub fn run(q: &Query, ds: &Dataset, opts: &Options) -> Result<Results, Diagnostic> {
    execute(q, ds, opts).map_err(|e| {
        let mut d = locate(&q.expansion, e.code, e.message, e.span, e.label);
        d.help = e.help;
        d
    })
}

fn execute(q: &Query, ds: &Dataset, opts: &Options) -> Result<Results, EngineError> {
    let empty = Lookups::new();
    let own = crate::datamodel::Evaluations::default();
    let cx = commands::Cx {
        evaluations: opts.evaluations.unwrap_or(&own),
        ctx: ds.ctx,
        limits: opts.limits,
        ds,
        lookups: opts.lookups.unwrap_or(&empty),
        datamodels: opts.datamodels.unwrap_or(crate::datamodel::DataModels::builtin()),
        geoip: opts.geoip,
        range: opts.range,
        warnings: Default::default(),
        cancel: opts.cancel,
    };
    let mut frame = commands::pipeline(&q.pipeline, &cx)?;
    let mut r = results(&mut frame);
    r.warnings = cx.warnings.into_inner();
    Ok(r)
}

/// The frame as results. Events that no command reshaped show every field in the order of
/// Splunk's exports: `_raw`, `_time`, then the other fields in byte order; other internal
/// (`_`) fields are not shown (docs/spl-semantics.md 11).
pub(crate) fn results(frame: &mut Frame) -> Results {
    let events = frame.is_events();
    if events {
        frame.ensure_all();
    }
    let mut fields = frame.names();
    if events {
        fields.retain(|f| !f.starts_with('_') || f == "_time" || f == "_raw");
        fields.sort_by(|a, b| (a != "_raw", a != "_time", a.as_str()).cmp(&(b != "_raw", b != "_time", b.as_str())));
    }
    let columns: Vec<ResultColumn> = fields
        .iter()
        .map(|f| match (frame.shared(f), frame.text_cells(f)) {
            (Some((col, events)), _) => ResultColumn::Shared { col: std::sync::Arc::clone(col), events },
            (None, Some(_)) => ResultColumn::from_text(|| frame.text_cells(f).into_iter().flatten(), frame.height()),
            (None, None) => ResultColumn::from(frame.values(f)),
        })
        .collect();
    Results { fields, columns, rows: frame.height(), warnings: Vec::new() }
}

/// Values keyed by field, for commands that make new results.
pub type ColumnMap = IndexMap<String, Vec<Value>>;

/// The context expressions see.
pub fn context(now: f64) -> Context {
    Context { now }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(rows: usize, distinct: usize) -> Vec<Value> {
        (0..rows)
            .map(|i| match i % distinct {
                0 => Value::Null,
                1 => Value::Multi(vec!["a".into(), "b".into()]),
                k => Value::Str(format!("v{k}")),
            })
            .collect()
    }

    #[test]
    fn long_repetitive_columns_are_coded_and_read_back_row_by_row() {
        let values = column(1000, 7);
        let c = ResultColumn::from(values.clone());
        match &c {
            ResultColumn::Coded { dict, codes } => {
                assert_eq!(dict.len(), 7, "each distinct value once: {dict:?}");
                assert_eq!(codes.len(), 1000);
            }
            other => panic!("not coded: {other:?}"),
        }
        assert_eq!(c.len(), 1000);
        assert_eq!(c.to_vec(), values);
        assert!((0..1000).all(|i| c[i] == values[i]));
        assert_eq!(c, ResultColumn::Plain(values), "equal whatever the form");
    }

    /// A column read from a shared column by some events (in any order, some twice) holds
    /// those events' values, and equals them kept plain.
    #[test]
    fn columns_read_from_shared_columns_hold_their_events_values() {
        let values = column(1000, 7);
        let shared = std::sync::Arc::new(CachedColumn::from_values(&values));
        let events: Vec<usize> = (0..1000).rev().step_by(2).chain([3, 3, 0]).collect();
        let picked: Vec<Value> = events.iter().map(|&e| values[e].clone()).collect();
        let c = ResultColumn::Shared { col: shared, events: std::sync::Arc::new(events) };
        assert_eq!(c.len(), picked.len());
        assert_eq!(c.to_vec(), picked);
        assert_eq!(c, ResultColumn::Plain(picked), "equal whatever the form");
    }

    /// Coding a column of strings from its text gives what coding its values gives: the
    /// same form (coded or plain, by the same rule), the same dictionary in the same order,
    /// the same codes.
    #[test]
    fn text_columns_code_as_their_values_do() {
        fn same_form(a: &ResultColumn, b: &ResultColumn) -> bool {
            match (a, b) {
                (ResultColumn::Plain(x), ResultColumn::Plain(y)) => x == y,
                (ResultColumn::Coded { dict: d1, codes: c1 }, ResultColumn::Coded { dict: d2, codes: c2 }) => {
                    d1 == d2 && c1 == c2
                }
                _ => false,
            }
        }
        for (rows, distinct) in
            [(10, 3), (255, 2), (256, 2), (1000, 7), (1000, 500), (1000, 501), (1001, 501), (600, 600)]
        {
            let cells: Vec<Option<String>> =
                (0..rows).map(|i| (i % distinct != 0).then(|| format!("v{}", i % distinct))).collect();
            let values: Vec<Value> = cells.iter().map(|c| c.clone().map_or(Value::Null, Value::Str)).collect();
            let from_text = ResultColumn::from_text(|| cells.iter().map(|c| c.as_deref()), rows);
            let from_values = ResultColumn::from(values.clone());
            assert!(same_form(&from_text, &from_values), "{rows} rows, {distinct} distinct: {from_text:?}");
            assert_eq!(from_text.to_vec(), values);
        }
        // An empty string is a value, not an absence.
        let cells = [Some(""), None].repeat(200);
        let c = ResultColumn::from_text(|| cells.iter().copied(), cells.len());
        assert_eq!(c.get(0), &Value::Str(String::new()));
        assert_eq!(c.get(1), &Value::Null);
    }

    #[test]
    fn short_or_mostly_distinct_columns_stay_plain() {
        assert!(matches!(ResultColumn::from(column(255, 2)), ResultColumn::Plain(_)), "short");
        // Exactly half distinct is coded; one more is not (given up on, values kept).
        assert!(matches!(ResultColumn::from(column(1000, 500)), ResultColumn::Coded { .. }));
        let many = column(1000, 501);
        let c = ResultColumn::from(many.clone());
        assert!(matches!(c, ResultColumn::Plain(_)));
        assert_eq!(c.to_vec(), many);
        assert_ne!(ResultColumn::from(column(300, 3)), ResultColumn::from(column(300, 4)));
        assert_ne!(ResultColumn::from(column(300, 3)), ResultColumn::from(column(301, 3)));
    }
}
