//! The search language: the implicit first search, `search`, and the `where` clauses of
//! `tstats` and `inputlookup` (docs/spl-semantics.md section 2).
//!
//! ```text
//! and  := or ( [AND] or )*          adjacent terms are ANDed
//! or   := not ( OR not )*           OR binds tighter than AND in search
//! not  := NOT not | atom
//! atom := "(" and ")" | "[" pipeline "]" | field op value | field IN "(" values ")"
//!       | "quoted phrase" | bare-word
//! ```
//! `AND`, `OR` and `NOT` are operators only in upper case.

use nom::character::complete::char;
use nom::{Input, Parser};

use super::lex::*;
use super::pipeline;
use crate::syntax::ast::{CmpOp, Ident, SearchExpr, SearchKind, TIME_MODIFIERS};
use crate::syntax::span::Span;

/// Where a search expression stops besides `|`, `]` and the end.
#[derive(Clone, Copy, Default)]
pub struct Stops {
    /// `tstats ... where <search> by ...`: a bare `by` ends the expression.
    pub by: bool,
}

/// A whole search expression; `None` when there is none (`search` alone).
pub fn search_expr(i: In<'_>, stops: Stops) -> PResult<'_, Option<SearchExpr>> {
    let start = pos(i);
    let (i, items) = and_items(i, stops, false)?;
    Ok((i, combine_and(items, start)))
}

fn combine_and(mut items: Vec<SearchExpr>, start: usize) -> Option<SearchExpr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => {
            let span = Span::new(start, items.last().map_or(start, |e| e.span.end));
            Some(SearchExpr { kind: SearchKind::And(items), span })
        }
    }
}

fn at_stop(i: In<'_>, stops: Stops, in_group: bool) -> bool {
    at_command_end(i) || (in_group && i.fragment().starts_with(')')) || (stops.by && keyword("by").parse(i).is_ok())
}

fn and_items(mut i: In<'_>, stops: Stops, in_group: bool) -> PResult<'_, Vec<SearchExpr>> {
    let mut items = Vec::new();
    loop {
        i = ws(i)?.0;
        if at_stop(i, stops, in_group) {
            return Ok((i, items));
        }
        if let Ok((j, _)) = keyword_exact("AND").parse(i) {
            if items.is_empty() {
                return fail(at(i), "`AND` needs a search term before it", "nothing before `AND`");
            }
            let j = ws(j)?.0;
            if at_stop(j, stops, in_group) {
                return expected(j, "a search term after `AND`");
            }
            i = j;
        }
        let (j, e) = or_expr(i, stops, in_group)?;
        items.push(e);
        i = j;
    }
}

fn or_expr(i: In<'_>, stops: Stops, in_group: bool) -> PResult<'_, SearchExpr> {
    let start = pos(i);
    let (mut i, first) = not_expr(i, stops, in_group)?;
    let mut items = vec![first];
    loop {
        let (j, _) = ws(i)?;
        let Ok((j, _)) = keyword_exact("OR").parse(j) else { break };
        let (j, _) = ws(j)?;
        if at_stop(j, stops, in_group) {
            return expected(j, "a search term after `OR`");
        }
        let (j, e) = not_expr(j, stops, in_group)?;
        items.push(e);
        i = j;
    }
    if items.len() == 1 {
        return Ok((i, items.pop().expect("one item")));
    }
    Ok((i, SearchExpr { kind: SearchKind::Or(items), span: span_from(start, i) }))
}

fn not_expr(i: In<'_>, stops: Stops, in_group: bool) -> PResult<'_, SearchExpr> {
    let start = pos(i);
    if let Ok((j, _)) = keyword_exact("NOT").parse(i) {
        let (j, _) = ws(j)?;
        if at_stop(j, stops, in_group) {
            return expected(j, "a search term after `NOT`");
        }
        let (j, inner) = not_expr(j, stops, in_group)?;
        return Ok((j, SearchExpr { kind: SearchKind::Not(Box::new(inner)), span: span_from(start, j) }));
    }
    atom(i, stops)
}

fn atom(i: In<'_>, stops: Stops) -> PResult<'_, SearchExpr> {
    let start = pos(i);
    let s = *i.fragment();
    match s.chars().next() {
        Some('(') => {
            let (j, _) = char('(').parse(i)?;
            let (j, items) = and_items(j, stops, true)?;
            if !j.fragment().starts_with(')') {
                return fail(Span::new(start, start + 1), "unclosed `(` in search", "this `(` is never closed");
            }
            let j = j.take_from(1);
            if items.is_empty() {
                return fail(span_from(start, j), "empty parentheses in search", "nothing inside `( )`");
            }
            let mut e = combine_and(items, start + 1).expect("non-empty");
            e.span = span_from(start, j);
            Ok((j, e))
        }
        Some('[') => {
            let (j, p) = pipeline::subsearch(i)?;
            Ok((j, SearchExpr { kind: SearchKind::Subsearch(Box::new(p)), span: span_from(start, j) }))
        }
        Some(')') => fail(at(i), "unexpected `)`: there is no `(` to close", "unmatched `)`"),
        Some('"') => {
            let (j, text) = quoted(i)?;
            let field = Ident { name: text.clone(), span: span_from(start, j) };
            match comparison(j, field, start)? {
                (j, Some(e)) => Ok((j, e)),
                (_, None) => {
                    Ok((j, SearchExpr { kind: SearchKind::Term { text, phrase: true }, span: span_from(start, j) }))
                }
            }
        }
        _ => {
            if keyword_exact("AND").parse(i).is_ok() || keyword_exact("OR").parse(i).is_ok() {
                return expected(i, "a search term");
            }
            let (j, token) = bare_token(i)?;
            let field = Ident { name: token.clone(), span: span_from(start, j) };
            match comparison(j, field, start)? {
                (j, Some(e)) => Ok((j, e)),
                (_, None) => Ok((
                    j,
                    // A bare term keeps its text as written; `term_text` resolves escapes.
                    SearchExpr {
                        kind: SearchKind::Term { text: i.fragment()[..pos(j) - start].to_string(), phrase: false },
                        span: span_from(start, j),
                    },
                )),
            }
        }
    }
}

/// After a field name: `op value` or `IN (...)`, if either follows.
fn comparison<'a>(i: In<'a>, field: Ident, start: usize) -> PResult<'a, Option<SearchExpr>> {
    let (j, _) = ws(i)?;
    if let Some((k, op)) = cmp_op(j) {
        let (k, _) = ws(k)?;
        let (k, value) = value(k, false, op)?;
        let is_time = op == CmpOp::Eq && TIME_MODIFIERS.iter().any(|t| t.eq_ignore_ascii_case(&field.name));
        let kind = if is_time {
            SearchKind::TimeModifier { name: field.name, value }
        } else {
            SearchKind::Compare { field, op, value }
        };
        return Ok((k, Some(SearchExpr { kind, span: span_from(start, k) })));
    }
    if let Ok((k, _)) = keyword("IN").parse(j) {
        let (k2, _) = ws(k)?;
        if k2.fragment().starts_with('(') {
            let (k, values) = in_list(k2)?;
            return Ok((k, Some(SearchExpr { kind: SearchKind::In { field, values }, span: span_from(start, k) })));
        }
    }
    Ok((i, None))
}

fn cmp_op(i: In<'_>) -> Option<(In<'_>, CmpOp)> {
    let s = *i.fragment();
    let (len, op) = if s.starts_with("!=") {
        (2, CmpOp::Ne)
    } else if s.starts_with("<=") {
        (2, CmpOp::Le)
    } else if s.starts_with(">=") {
        (2, CmpOp::Ge)
    } else if s.starts_with("==") {
        (2, CmpOp::Eq)
    } else if s.starts_with('=') {
        (1, CmpOp::Eq)
    } else if s.starts_with('<') {
        (1, CmpOp::Lt)
    } else if s.starts_with('>') {
        (1, CmpOp::Gt)
    } else {
        return None;
    };
    Some((i.take_from(len), op))
}

/// `( v1, v2 ... )`. Splunk accepts sloppy lists and detections use them: values
/// separated by white space alone, and empty elements (`(a,,b)`, `(a, b,)`), which are
/// skipped.
fn in_list(i: In<'_>) -> PResult<'_, Vec<String>> {
    let open = pos(i);
    let (mut i, _) = char('(').parse(i)?;
    let mut values = Vec::new();
    loop {
        i = ws(i)?.0;
        let s = *i.fragment();
        if s.starts_with(')') {
            if values.is_empty() {
                return expected(i, "a value inside `IN ( )`");
            }
            return Ok((i.take_from(1), values));
        }
        if s.is_empty() || s.starts_with('|') || s.starts_with(']') {
            return fail(Span::new(open, open + 1), "unclosed `(` after `IN`", "this `(` is never closed");
        }
        if s.starts_with(',') {
            i = i.take_from(1);
            continue;
        }
        let (j, v) = value(i, true, CmpOp::Eq)?;
        values.push(v);
        i = j;
    }
}

/// Characters that end a bare search word.
const WORD_STOP: &str = "()[]|\"";

/// A bare word in search: a term, or a field name when an operator follows.
fn bare_token(i: In<'_>) -> PResult<'_, String> {
    let (j, text) =
        word(i, |s: &str, c: char| c == '=' || c == '<' || c == '>' || (c == '!' && s[1..].starts_with('=')), false)?;
    if text.is_empty() && pos(j) == pos(i) {
        return expected(i, "a search term");
    }
    Ok((j, text))
}

/// The text a term matches: a phrase's text, or a bare term's with `\\` and `\"`
/// resolved (as the parser reads any bare word).
pub fn term_text(text: &str, phrase: bool) -> String {
    // A word with nothing the parser reads specially is itself (asked once per event).
    let plain = |c: char| !c.is_whitespace() && !WORD_STOP.contains(c) && !"\\=<>!(".contains(c);
    if phrase || (!text.is_empty() && text.chars().all(plain) && !text.contains("```")) {
        return text.to_string();
    }
    match bare_token(In::new(text)) {
        Ok((_, t)) => t,
        Err(_) => text.to_string(),
    }
}

/// A comparison value: quoted, bare, or both written together (`""*bin*""` is `*bin*`),
/// with `*` wildcards kept.
fn value(i: In<'_>, in_list: bool, op: CmpOp) -> PResult<'_, String> {
    let (j, text) = word(i, |_: &str, c: char| in_list && c == ',', true)?;
    if pos(j) == pos(i) {
        return expected(i, &format!("a value after `{}`", op.as_str()));
    }
    Ok((j, text))
}

/// The pieces of one search word, up to white space, `( ) [ ] |`, a comment, or a
/// character `stop` rejects: quoted strings (when `quotes`), bare characters (a backslash
/// escapes the next one), and parenthesised groups that follow some characters
/// (`relative_time(now(),"-1d")`, `*GetCurrent()*`).
fn word(i: In<'_>, stop: impl Fn(&str, char) -> bool, quotes: bool) -> PResult<'_, String> {
    let mut out = String::new();
    let mut j = i;
    loop {
        let s = *j.fragment();
        let Some(c) = s.chars().next() else { break };
        if c == '"' && quotes {
            let (k, v) = quoted(j)?;
            out.push_str(&v);
            j = k;
        } else if c == '(' && pos(j) > pos(i) {
            let (k, _) = balanced_parens(j)?;
            out.push_str(&s[..pos(k) - pos(j)]);
            j = k;
        } else if c.is_whitespace() || WORD_STOP.contains(c) || stop(s, c) || s.starts_with("```") {
            break;
        } else if c == '\\' {
            let n = s[1..].chars().next();
            match n {
                Some(n @ ('\\' | '"')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
            j = j.take_from(1 + n.map_or(0, char::len_utf8));
        } else {
            out.push(c);
            j = j.take_from(c.len_utf8());
        }
    }
    Ok((j, out))
}

/// Prints a search value or term so that the parser reads back the same text.
pub fn print_value(v: &str, in_list: bool) -> String {
    let needs_quotes = v.is_empty()
        || v.chars().any(|c| c.is_whitespace() || "()[]|\"=!<>\\'".contains(c) || (in_list && c == ','))
        || v.contains("```")
        || ["AND", "OR", "NOT"].contains(&v);
    if needs_quotes {
        quote(v)
    } else {
        v.to_string()
    }
}

/// Prints a field name on the left of a search comparison.
pub fn print_search_field(name: &str) -> String {
    let bare = !name.is_empty()
        && name.chars().all(|c| !c.is_whitespace() && !"()[]|\"=!<>\\".contains(c))
        && !name.contains("```")
        && !["AND", "OR", "NOT"].contains(&name);
    if bare {
        name.to_string()
    } else {
        quote(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_terms_are_their_own_text() {
        for t in
            ["delete", "*remove*", "aws-cli/2.0", "a.b:c", "é", "x`y", "a\\b", "a\\\"b", "f(x)", "a=b", "a!b", "```x"]
        {
            let parsed = match bare_token(In::new(t)) {
                Ok((_, w)) => w,
                Err(_) => t.to_string(),
            };
            assert_eq!(term_text(t, false), parsed, "{t}");
        }
    }
}
