//! One file per command. Each reads the fields it needs from the frame (asking for them
//! first with `Frame::ensure`) and changes the frame in place.

pub mod anomalydetection;
pub mod append;
pub mod bin;
pub mod convert;
pub mod datamodel;
pub mod dedup;
pub mod eval;
pub mod fields;
pub mod fillnull;
pub mod head;
pub mod iplocation;
pub mod join;
pub mod lookup;
pub mod makemv;
pub mod makeresults;
pub mod mltk;
pub mod mvexpand;
pub mod outputlookup;
pub mod rename;
pub mod rex;
pub mod search;
pub mod sort;
pub mod spath;
pub mod stats;
pub mod timechart;
pub mod top;
pub mod tstats;
pub mod where_;

use regex::Regex;

use super::{EngineError, Limits, Lookups, TimeRange};
use crate::eval::{pcre, Context, EvalError};
use crate::frame::{Dataset, Frame};
use crate::syntax::{CmdOption, Command, CommandKind, Pipeline, Span};

/// What every command may need besides the frame: the data (subsearches search it too),
/// the lookup tables, the limits.
pub struct Cx<'d> {
    pub ctx: Context,
    pub limits: Limits,
    pub ds: &'d Dataset,
    pub lookups: &'d Lookups,
    /// The datamodels `tstats`, `from` and `datamodel` can name.
    pub datamodels: &'d crate::datamodel::DataModels,
    /// `Options::evaluations`, or this search's own.
    pub evaluations: &'d crate::datamodel::Evaluations,
    pub geoip: Option<&'d iplocation::GeoIp>,
    /// The time range of the whole search (a subsearch inherits it).
    pub range: TimeRange,
    /// Things the user should know that do not stop the search (each said once).
    pub warnings: std::cell::RefCell<Vec<String>>,
    /// `Options::cancel`.
    pub cancel: Option<&'d std::sync::atomic::AtomicBool>,
}

impl Cx<'_> {
    pub fn warn(&self, message: String) {
        let mut w = self.warnings.borrow_mut();
        if !w.contains(&message) {
            w.push(message);
        }
    }

    /// An error when the search was cancelled (`Options::cancel`); `span` is what was running.
    pub fn check_cancel(&self, span: Span) -> Result<(), EngineError> {
        match self.cancel {
            Some(c) if c.load(std::sync::atomic::Ordering::Relaxed) => {
                Err(EngineError::new("spelunk::cancelled", "the search was cancelled", span, "running here"))
            }
            _ => Ok(()),
        }
    }
}

/// Runs a pipeline: its first command makes the results (the implicit search selects
/// events; `inputlookup` and `makeresults` generate rows), the others change them.
pub fn pipeline<'d>(p: &Pipeline, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    let (first, rest) = p.commands.split_first().expect("a pipeline has a command");
    let mut frame = match &first.kind {
        CommandKind::Search(expr) => {
            let expr = match expr {
                Some(e) => Some(search::resolve_subsearches(e, cx)?),
                None => None,
            };
            search::initial(cx.ds, expr.as_ref(), cx.range, cx)?
        }
        CommandKind::Inputlookup(i) => lookup::inputlookup(i, cx)?,
        CommandKind::Makeresults { options } => makeresults::run(options, cx)?,
        CommandKind::Tstats(t) => tstats::run(t, cx)?,
        CommandKind::Generic(g) if g.name.eq_ignore_ascii_case("from") => datamodel::from(g, first.span, cx)?,
        CommandKind::Generic(g) if g.name.eq_ignore_ascii_case("datamodel") => datamodel::datamodel(g, first.span, cx)?,
        CommandKind::Generic(g) if g.name.eq_ignore_ascii_case("summary") => mltk::summary(g, first.span, cx)?,
        _ => {
            return Err(EngineError::new(
                "spelunk::unsupported",
                format!("`{}` cannot start a search here", first.kind.name()),
                first.name_span,
                "a generating command",
            )
            .with_help("start with a search of the events, e.g. `sourcetype=aws:cloudtrail | ...`"))
        }
    };
    for (k, cmd) in rest.iter().enumerate() {
        cx.check_cancel(cmd.span)?;
        match (&cmd.kind, rest.get(k + 1).map(|c| &c.kind)) {
            // What the `where` does not read is made only for the groups it keeps.
            (CommandKind::Stats(s), Some(CommandKind::Where(e))) => {
                stats::stats_then_where(&mut frame, s, Some(e), cx)?
            }
            _ => run(cmd, &mut frame, cx)?,
        }
    }
    Ok(frame)
}

pub fn run<'d>(cmd: &Command, f: &mut Frame<'d>, cx: &Cx<'d>) -> Result<(), EngineError> {
    match &cmd.kind {
        CommandKind::Search(Some(e)) => search::filter(f, &search::resolve_subsearches(e, cx)?),
        CommandKind::Search(None) => Ok(()),
        CommandKind::Where(e) => where_::run(f, e, cx),
        CommandKind::Eval(a) => eval::run(f, a, cx),
        CommandKind::Table(list) => fields::table(f, list),
        CommandKind::Fields { remove, fields: list } => fields::fields(f, *remove, list),
        CommandKind::Rename(pairs) => rename::run(f, pairs),
        CommandKind::Head(h) => head::head(f, h, cx),
        CommandKind::Tail { count } => head::tail(f, *count),
        CommandKind::Sort(s) => sort::run(f, s),
        CommandKind::Dedup(d) => dedup::run(f, d),
        CommandKind::Fillnull { options, fields: list } => fillnull::run(f, options, list),
        CommandKind::Stats(s) => stats::stats(f, s, cx),
        CommandKind::Eventstats(s) => stats::eventstats(f, s, cx),
        CommandKind::Streamstats(s) => stats::streamstats(f, s, cx),
        CommandKind::Lookup(l) => lookup::lookup(f, l, cx),
        CommandKind::Inputlookup(i) => lookup::inputlookup_append(f, i, cx),
        CommandKind::Join(j) => join::run(f, j, cx),
        CommandKind::Append { options, subsearch } => append::run(f, options, subsearch, cx),
        CommandKind::Anomalydetection { options, fields: list } => anomalydetection::run(f, options, list),
        CommandKind::Iplocation { options, field } => iplocation::run(f, options, field, cx),
        CommandKind::Outputlookup { table, .. } => outputlookup::run(f, table, cx),
        CommandKind::Timechart(s) => timechart::run(f, s, cx),
        CommandKind::Top(t) => top::run(f, t, false),
        CommandKind::Rare(t) => top::run(f, t, true),
        CommandKind::Rex(r) => rex::run(f, r),
        CommandKind::Spath(s) => spath::run(f, s),
        CommandKind::Mvexpand { options, field } => mvexpand::run(f, options, field, cx),
        CommandKind::Makemv { options, field } => makemv::makemv(f, options, field),
        CommandKind::Nomv { field } => makemv::nomv(f, field),
        CommandKind::Convert(c) => convert::run(f, c),
        CommandKind::Bin(b) => bin::run(f, b),
        CommandKind::Generic(g) if g.name.eq_ignore_ascii_case("apply") => mltk::apply(g, cmd.span, cx),
        other => Err(unsupported(cmd, other.name())),
    }
}

fn unsupported(cmd: &Command, name: &str) -> EngineError {
    let span = if cmd.name_span.is_empty() { cmd.span } else { cmd.name_span };
    EngineError::new(
        "spelunk::unsupported",
        format!("the command `{name}` is not supported yet"),
        span,
        "not supported",
    )
}

/// An evaluation error as an engine error.
pub fn eval_error(e: EvalError) -> EngineError {
    EngineError::new("spelunk::eval", e.message, e.span, "here")
}

impl From<EvalError> for EngineError {
    fn from(e: EvalError) -> EngineError {
        eval_error(e)
    }
}

/// A regular expression written in the search (PCRE, see `eval::pcre`), or an error
/// pointing at it with the regex engine's reason.
pub fn regex(pattern: &str, span: Span) -> Result<Regex, EngineError> {
    pcre::compile(pattern).map_err(|e| {
        EngineError::new("spelunk::regex", "this regular expression does not compile", span, "bad regular expression")
            .with_help(e)
    })
}

/// An option's value, if given.
pub fn option<'a>(options: &'a [CmdOption], name: &str) -> Option<&'a CmdOption> {
    options.iter().rev().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// A boolean option (`true`/`false`, `t`/`f`, `1`/`0`).
pub fn bool_option(options: &[CmdOption], name: &str, default: bool) -> Result<bool, EngineError> {
    let Some(o) = option(options, name) else { return Ok(default) };
    match o.value.text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" => Ok(true),
        "false" | "f" | "0" | "no" => Ok(false),
        _ => Err(EngineError::new("spelunk::option", format!("`{name}` must be true or false"), o.value.span, "here")),
    }
}

/// An option that must be a whole number.
pub fn count_option(options: &[CmdOption], name: &str) -> Result<Option<u64>, EngineError> {
    let Some(o) = option(options, name) else { return Ok(None) };
    o.value.text.parse::<u64>().map(Some).map_err(|_| {
        EngineError::new("spelunk::option", format!("`{name}` must be a whole number"), o.value.span, "here")
    })
}

/// Refuses options the command does not implement, naming them.
pub fn known_options(options: &[CmdOption], known: &[&str], command: &str) -> Result<(), EngineError> {
    for o in options {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(&o.name)) {
            return Err(EngineError::new(
                "spelunk::unsupported",
                format!("`{command}` option `{}` is not supported", o.name),
                o.span,
                "not supported",
            ));
        }
    }
    Ok(())
}
