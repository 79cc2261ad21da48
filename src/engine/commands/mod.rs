//! One file per command. Each reads the fields it needs from the frame (asking for them
//! first with `Frame::ensure`) and changes the frame in place.

pub mod dedup;
pub mod eval;
pub mod fields;
pub mod fillnull;
pub mod head;
pub mod rename;
pub mod search;
pub mod sort;
pub mod stats;
pub mod where_;

use super::{EngineError, Limits};
use crate::eval::{Context, EvalError};
use crate::frame::Frame;
use crate::syntax::{CmdOption, Command, CommandKind};

/// What every command may need besides the frame.
pub struct Cx {
    pub ctx: Context,
    pub limits: Limits,
}

pub fn run(cmd: &Command, f: &mut Frame, cx: &Cx) -> Result<(), EngineError> {
    match &cmd.kind {
        CommandKind::Search(Some(e)) => search::filter(f, e),
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
