//! Pipelines, subsearches and the dispatch from a command name to its grammar.

use nom::Input;

use super::commands;
use super::lex::*;
use super::search::{search_expr, Stops};
use crate::syntax::ast::{Command, CommandKind, Pipeline};
use crate::syntax::span::Span;

/// A whole search: a pipeline that must use up all of the text.
pub fn top_level(i: In<'_>) -> PResult<'_, Pipeline> {
    pipeline(i, false, false)
}

/// `[ pipeline ]`.
pub fn subsearch(i: In<'_>) -> PResult<'_, Pipeline> {
    bracketed(i, false)
}

/// `[ command | command ]` whose first word is a command name, not a search: the
/// subpipeline of `appendpipe` and the template of `foreach`.
pub fn subpipeline(i: In<'_>) -> PResult<'_, Pipeline> {
    bracketed(i, true)
}

fn bracketed(i: In<'_>, starts_with_command: bool) -> PResult<'_, Pipeline> {
    let open = pos(i);
    debug_assert!(i.fragment().starts_with('['));
    let (j, p) = pipeline(i.take_from(1), true, starts_with_command)?;
    if !j.fragment().starts_with(']') {
        return fail(
            Span::new(open, open + 1),
            "unclosed `[`: the subsearch has no closing `]`",
            "this `[` is never closed",
        );
    }
    Ok((j.take_from(1), p))
}

/// Generating commands that a subsearch may start with without `|` (`[inputlookup t]`,
/// `[summary model]`): there the first word is the command, not a search term. Elsewhere
/// a subsearch starts with a search, as the top-level search does.
const SUBSEARCH_GENERATING: &[&str] = &[
    "datamodel",
    "from",
    "inputcsv",
    "inputlookup",
    "loadjob",
    "makeresults",
    "metadata",
    "mstats",
    "rest",
    "savedsearch",
    "summary",
    "tstats",
];

/// Whether the input starts with one of [`SUBSEARCH_GENERATING`] as a whole word (not
/// `from=...`).
fn generating_command_first(i: In<'_>) -> bool {
    let s = *i.fragment();
    let word: &str = s.split(|c: char| c.is_whitespace() || c == ']' || c == '|').next().unwrap_or_default();
    SUBSEARCH_GENERATING.iter().any(|g| g.eq_ignore_ascii_case(word))
}

/// A pipeline up to the end of input (`nested == false`) or a `]` (`nested == true`).
/// With `starts_with_command`, the first word is a command name even without `|`.
pub fn pipeline(i: In<'_>, nested: bool, starts_with_command: bool) -> PResult<'_, Pipeline> {
    let start = pos(i);
    let (mut i, _) = ws(i)?;
    let mut commands = Vec::new();
    let s = *i.fragment();
    if s.starts_with('|') {
        let (j, cmd) = command_after_pipe(i)?;
        commands.push(cmd);
        i = j;
    } else if s.is_empty() || s.starts_with(']') {
        let what = if nested { "empty subsearch: expected a search inside `[ ]`" } else { "empty search" };
        return fail(at(i), what, "expected a search here");
    } else if starts_with_command || keyword("search").parse_complete_ok(i) || (nested && generating_command_first(i)) {
        let (j, cmd) = command(i)?;
        commands.push(cmd);
        i = j;
    } else {
        let cmd_start = pos(i);
        let (j, expr) = search_expr(i, Stops::default())?;
        commands.push(Command {
            kind: CommandKind::Search(expr),
            name_span: Span::new(cmd_start, cmd_start),
            span: span_from(cmd_start, j),
        });
        i = j;
    }
    loop {
        i = ws(i)?.0;
        let s = *i.fragment();
        if s.is_empty() {
            break;
        }
        if s.starts_with(']') {
            if nested {
                break;
            }
            return fail(at(i), "unexpected `]`: there is no `[` to close", "unmatched `]`");
        }
        if s.starts_with('|') {
            let (j, cmd) = command_after_pipe(i)?;
            commands.push(cmd);
            i = j;
            continue;
        }
        let name = commands.last().map_or("search", |c| c.kind.name()).to_string();
        return fail(
            at(i),
            format!("unexpected {} in `{name}`: expected `|` or the end of the search", describe(i)),
            format!("`{name}` does not take this"),
        );
    }
    let span = match (commands.first(), commands.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => Span::new(start, pos(i)),
    };
    Ok((i, Pipeline { commands, span }))
}

/// `| command`, reporting a pipe with no command after it.
fn command_after_pipe(i: In<'_>) -> PResult<'_, Command> {
    let pipe = pos(i);
    let (j, _) = ws(i.take_from(1))?;
    let s = *j.fragment();
    if s.is_empty() || s.starts_with('|') || s.starts_with(']') {
        return fail(Span::new(pipe, pipe + 1), "expected a command after `|`", "nothing follows this `|`");
    }
    command(j)
}

/// One command: its name, then the arguments its grammar reads.
fn command(i: In<'_>) -> PResult<'_, Command> {
    let start = pos(i);
    let (j, name) = match identifier(i) {
        Ok(r) => r,
        Err(_) => return expected(i, "a command name"),
    };
    let name_span = span_from(start, j);
    let name_text = name.fragment().to_string();
    let (j, kind) = commands::arguments(j, &name_text, name_span)?;
    Ok((j, Command { kind, name_span, span: span_from(start, j) }))
}

trait ParseOk<'a> {
    fn parse_complete_ok(self, i: In<'a>) -> bool;
}

impl<'a, P: nom::Parser<In<'a>, Error = SyntaxError>> ParseOk<'a> for P {
    fn parse_complete_ok(mut self, i: In<'a>) -> bool {
        self.parse(i).is_ok()
    }
}
