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
mod lookups;
mod time;

pub use lookups::Lookups;
pub use time::{parse_time, time_unit, TimeRange, TimeUnit};

use indexmap::IndexMap;

use crate::eval::Context;
use crate::events::Value;
use crate::frame::{Dataset, Frame, ScanPlan};
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
    pub columns: Vec<Vec<Value>>,
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
        let columns = (0..fields.len()).map(|k| rows.iter().map(|r| r[k].clone()).collect()).collect();
        Results {
            fields: fields.iter().map(|f| f.to_string()).collect(),
            columns,
            rows: rows.len(),
            warnings: Vec::new(),
        }
    }

    /// A field's column, if the results have it.
    pub fn column(&self, name: &str) -> Option<&[Value]> {
        self.fields.iter().position(|f| f == name).map(|k| self.columns[k].as_slice())
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
    let columns: Vec<Vec<Value>> = fields.iter().map(|f| frame.values(f)).collect();
    Results { fields, columns, rows: frame.height(), warnings: Vec::new() }
}

/// Values keyed by field, for commands that make new results.
pub type ColumnMap = IndexMap<String, Vec<Value>>;

/// The context expressions see.
pub fn context(now: f64) -> Context {
    Context { now }
}
