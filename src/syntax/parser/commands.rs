//! The arguments of each command with a typed node, and the generic grammar for the rest.
//!
//! Each parser starts after the command name and stops at `|`, `]` or the end; the
//! pipeline reports anything it leaves behind.

use nom::{Input, Parser};

use super::expr::expr;
use super::lex::*;
use super::pipeline::{subpipeline, subsearch};
use super::search::{search_expr, Stops};
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// Reads the arguments of command `name` (any case) and builds its node.
pub fn arguments<'a>(i: In<'a>, name: &str, name_span: Span) -> PResult<'a, CommandKind> {
    let lower = name.to_ascii_lowercase();
    let (i, _) = ws(i)?;
    match lower.as_str() {
        "search" => {
            let (j, e) = search_expr(i, Stops::default())?;
            Ok((j, CommandKind::Search(e)))
        }
        "where" => {
            let (j, e) = expr(i).map_err(|e| must(e, i, "an expression after `where`"))?;
            Ok((j, CommandKind::Where(e)))
        }
        "eval" => eval(i),
        "stats" => map(stats_body(i, "stats"), CommandKind::Stats),
        "eventstats" => map(stats_body(i, "eventstats"), CommandKind::Eventstats),
        "streamstats" => map(stats_body(i, "streamstats"), CommandKind::Streamstats),
        "timechart" => map(stats_body(i, "timechart"), CommandKind::Timechart),
        "tstats" => tstats(i),
        "rename" => rename(i),
        "table" => {
            let (j, fields) = field_list(i, true, &[])?;
            if fields.is_empty() {
                return expected(j, "a field name after `table`");
            }
            Ok((j, CommandKind::Table(fields)))
        }
        "fields" => fields(i),
        "fillnull" => {
            let (j, (options, fields)) = options_and_fields(i, false)?;
            Ok((j, CommandKind::Fillnull { options, fields }))
        }
        "dedup" => dedup(i),
        "sort" => sort(i),
        "head" => head(i),
        "tail" => {
            let (j, count) = match integer(i) {
                Ok((j, n)) => (j, Some(n)),
                Err(nom::Err::Error(_)) => (i, None),
                Err(e) => return Err(e),
            };
            Ok((j, CommandKind::Tail { count }))
        }
        "rex" => rex(i, name_span),
        "spath" => spath(i),
        "convert" => convert(i),
        "bin" | "bucket" => {
            let (j, (options, mut fields)) = options_and_fields(i, false)?;
            let (j, alias) = alias(j)?;
            let (j, more) = options_only(j)?;
            let options = [options, more].concat();
            match fields.len() {
                1 => Ok((j, CommandKind::Bin(Bin { options, field: fields.remove(0), alias }))),
                0 => expected(j, &format!("the field to `{lower}`")),
                _ => fail(fields[1].span, format!("`{lower}` takes one field"), "a second field"),
            }
        }
        "mvexpand" | "makemv" | "nomv" | "iplocation" => {
            let (j, (options, mut fields)) = options_and_fields(i, false)?;
            if fields.len() != 1 {
                return match fields.get(1) {
                    Some(extra) => fail(extra.span, format!("`{lower}` takes one field"), "a second field"),
                    None => expected(j, &format!("the field to `{lower}`")),
                };
            }
            let field = fields.remove(0);
            let kind = match lower.as_str() {
                "mvexpand" => CommandKind::Mvexpand { options, field },
                "makemv" => CommandKind::Makemv { options, field },
                "iplocation" => CommandKind::Iplocation { options, field },
                _ if options.is_empty() => CommandKind::Nomv { field },
                _ => return fail(options[0].span, "`nomv` takes no options", "not an option of `nomv`"),
            };
            Ok((j, kind))
        }
        "lookup" => lookup(i),
        "inputlookup" => inputlookup(i),
        "outputlookup" => {
            let (j, (options, table)) = options_and_table(i, "outputlookup")?;
            Ok((j, CommandKind::Outputlookup { options, table }))
        }
        "join" => join(i),
        "append" => {
            let (j, options) = options_only(i)?;
            let (j, _) = ws(j)?;
            if !j.fragment().starts_with('[') {
                return expected(j, "a subsearch `[ ... ]` for `append`");
            }
            let (j, p) = subsearch(j)?;
            Ok((j, CommandKind::Append { options, subsearch: Box::new(p) }))
        }
        "top" => map(top(i), CommandKind::Top),
        "rare" => map(top(i), CommandKind::Rare),
        "makeresults" => {
            let (j, options) = options_only(i)?;
            Ok((j, CommandKind::Makeresults { options }))
        }
        "transaction" => {
            let (j, (options, fields)) = options_and_fields(i, false)?;
            Ok((j, CommandKind::Transaction { fields, options }))
        }
        "anomalydetection" => {
            let (j, (options, fields)) = options_and_fields(i, false)?;
            Ok((j, CommandKind::Anomalydetection { options, fields }))
        }
        _ => generic(i, name),
    }
}

fn map<'a, T>(r: PResult<'a, T>, f: impl FnOnce(T) -> CommandKind) -> PResult<'a, CommandKind> {
    r.map(|(j, t)| (j, f(t)))
}

/// `name=value` options for as long as they come.
fn options_only(mut i: In<'_>) -> PResult<'_, Vec<CmdOption>> {
    let mut options = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if !at_option(j) {
            return Ok((i, options));
        }
        let (j, o) = option(j)?;
        options.push(o);
        i = j;
    }
}

/// Field names separated by white space or commas, until the end of the command, an
/// option, or one of the `stop` keywords.
fn field_list<'a>(mut i: In<'a>, parens: bool, stop: &[&'static str]) -> PResult<'a, Vec<Ident>> {
    let mut fields = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j)
            || at_option(j)
            || j.fragment().starts_with('[')
            || stop.iter().any(|kw| keyword(kw).parse(j).is_ok())
        {
            return Ok((i, fields));
        }
        if j.fragment().starts_with(',') {
            i = j.take_from(1);
            continue;
        }
        match field_name(j, parens) {
            Ok((k, f)) => {
                fields.push(f);
                i = k;
            }
            // Not a field: the caller says what it expected there.
            Err(nom::Err::Error(_)) => return Ok((i, fields)),
            Err(e) => return Err(e),
        }
    }
}

/// Options and field names in any order (`bucket _time span=1h`, `fillnull value=0 a b`).
fn options_and_fields(mut i: In<'_>, parens: bool) -> PResult<'_, (Vec<CmdOption>, Vec<Ident>)> {
    let mut options = Vec::new();
    let mut fields = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) || keyword("as").parse(j).is_ok() {
            return Ok((i, (options, fields)));
        }
        if j.fragment().starts_with(',') {
            i = j.take_from(1);
        } else if at_option(j) {
            let (k, o) = option(j)?;
            options.push(o);
            i = k;
        } else {
            let (k, f) = field_name(j, parens).map_err(|e| must(e, j, "a field name or `option=value`"))?;
            fields.push(f);
            i = k;
        }
    }
}

/// `[AS name]`.
fn alias(i: In<'_>) -> PResult<'_, Option<Ident>> {
    let (j, _) = ws(i)?;
    let Ok((j, _)) = keyword("as").parse(j) else { return Ok((i, None)) };
    let (j, _) = ws(j)?;
    // Parentheses may be part of the new name (`values(f) as aceFlags(inheritance)`).
    let (j, name) = field_name(j, true).map_err(|e| must(e, j, "a new field name after `as`"))?;
    Ok((j, Some(name)))
}

/// Options and one positional table name (`outputlookup append=t my_table.csv`).
fn options_and_table<'a>(mut i: In<'a>, cmd: &str) -> PResult<'a, (Vec<CmdOption>, Literal)> {
    let mut options = Vec::new();
    let mut table = None;
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) || (table.is_some() && keyword("where").parse(j).is_ok()) {
            break;
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            options.push(o);
            i = k;
        } else if table.is_none() {
            let (k, t) = raw_word(j, ",|[]").map_err(|e| must(e, j, "a lookup table name"))?;
            table = Some(t);
            i = k;
        } else {
            return fail(at(j), format!("`{cmd}` takes one table name"), "a second table name");
        }
    }
    match table {
        Some(t) => Ok((i, (options, t))),
        None => expected(ws(i)?.0, &format!("a lookup table name for `{cmd}`")),
    }
}

// -------------------------------------------------------------------------------------

fn eval(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut assignments = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            if assignments.is_empty() {
                return expected(j, "an assignment `field=expression` after `eval`");
            }
            return Ok((i, CommandKind::Eval(assignments)));
        }
        if !assignments.is_empty() && j.fragment().starts_with(',') {
            i = j.take_from(1);
            continue;
        }
        let start = pos(j);
        let (k, field) = assign_target(j)?;
        let (k, _) = ws(k)?;
        let s = *k.fragment();
        if !s.starts_with('=') || s.starts_with("==") {
            return expected(k, &format!("`=` after `{}` in eval", field.name));
        }
        let (k, _) = ws(k.take_from(1))?;
        let (k, value) = expr(k).map_err(|e| must(e, k, &format!("an expression after `{}=`", field.name)))?;
        assignments.push(Assignment { field, value, span: span_from(start, k) });
        i = k;
    }
}

/// The field an eval assigns: bare, `'quoted'` or `"quoted"`.
fn assign_target(i: In<'_>) -> PResult<'_, Ident> {
    let start = pos(i);
    let s = *i.fragment();
    if let Some(body) = s.strip_prefix('\'') {
        if let Some(end) = body.find('\'') {
            let j = i.take_from(end + 2);
            return Ok((j, Ident { name: body[..end].to_string(), span: span_from(start, j) }));
        }
        return fail(
            Span::new(start, start + 1),
            "unterminated field name: this `'` is never closed",
            "field name starts here",
        );
    }
    if s.starts_with('"') {
        let (j, name) = quoted(i)?;
        return Ok((j, Ident { name, span: span_from(start, j) }));
    }
    let end = s.find(|c: char| c.is_whitespace() || "=,|()\"'[]".contains(c) || c == '!').unwrap_or(s.len());
    if end == 0 {
        return expected(i, "a field name to assign");
    }
    let j = i.take_from(end);
    Ok((j, Ident { name: s[..end].to_string(), span: span_from(start, j) }))
}

/// Prints an eval target so that [`assign_target`] reads it back.
pub fn print_assign_target(name: &str) -> String {
    let bare = !name.is_empty()
        && !name.chars().any(|c| c.is_whitespace() || "=,|()\"'[]!".contains(c))
        && !name.contains("```");
    if bare {
        name.to_string()
    } else if !name.contains('\'') {
        format!("'{name}'")
    } else {
        quote(name)
    }
}

// -------------------------------------------------------------------------------------

fn stats_body<'a>(i: In<'a>, cmd: &str) -> PResult<'a, Stats> {
    let (i, mut options) = options_only(i)?;
    let (i, aggs) = aggregations(i, &mut options, &["by"])?;
    if aggs.is_empty() {
        return expected(ws(i)?.0, &format!("an aggregation such as `count` or `values(field)` in `{cmd}`"));
    }
    let (i, (by, by_options)) = by_clause(i, &[])?;
    Ok((i, Stats { options, aggs, by, by_options }))
}

/// `BY field, ... [options]`, if present. Options may stand among the fields
/// (`by _time span=1h dest`); they are kept apart from the fields.
fn by_clause<'a>(i: In<'a>, stop: &[&'static str]) -> PResult<'a, (Vec<Ident>, Vec<CmdOption>)> {
    let (j, _) = ws(i)?;
    let Ok((mut j, _)) = keyword("by").parse(j) else { return Ok((i, (Vec::new(), Vec::new()))) };
    let mut by = Vec::new();
    let mut by_options = Vec::new();
    loop {
        let (k, fields) = field_list(j, false, stop)?;
        by.extend(fields);
        let (k, options) = options_only(k)?;
        if options.is_empty() {
            j = k;
            break;
        }
        by_options.extend(options);
        j = k;
    }
    if by.is_empty() {
        return expected(ws(j)?.0, "a field name after `by`");
    }
    Ok((j, (by, by_options)))
}

/// Aggregations up to one of the `stop` keywords; options met on the way join `options`.
fn aggregations<'a>(
    mut i: In<'a>,
    options: &mut Vec<CmdOption>,
    stop: &[&'static str],
) -> PResult<'a, Vec<Aggregation>> {
    let mut aggs = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) || stop.iter().any(|kw| keyword(kw).parse(j).is_ok()) {
            return Ok((i, aggs));
        }
        if j.fragment().starts_with(',') && !aggs.is_empty() {
            i = j.take_from(1);
            continue;
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            options.push(o);
            i = k;
            continue;
        }
        let (k, a) = aggregation(j)?;
        aggs.push(a);
        i = k;
    }
}

/// `func`, `func(field)`, `func(eval(expr))`, each with an optional `AS name`.
fn aggregation(i: In<'_>) -> PResult<'_, Aggregation> {
    let start = pos(i);
    let (j, name) = identifier(i).map_err(|e| must(e, i, "an aggregation such as `count` or `values(field)`"))?;
    let func = name.fragment().to_string();
    let mut arg = None;
    let mut j = j;
    if j.fragment().starts_with('(') {
        let open = pos(j);
        let (k, _) = ws(j.take_from(1))?;
        let k = if k.fragment().starts_with(')') {
            k
        } else if let Some(after_eval) = eval_call_start(k) {
            let (m, e) = expr(after_eval).map_err(|e| must(e, after_eval, "an expression inside `eval( )`"))?;
            let (m, _) = ws(m)?;
            if !m.fragment().starts_with(')') {
                return expected(m, "`)` to close `eval(`");
            }
            arg = Some(AggArg::Eval(e));
            ws(m.take_from(1))?.0
        } else {
            let (m, f) = field_name(k, false).map_err(|e| must(e, k, &format!("a field name inside `{func}( )`")))?;
            arg = Some(AggArg::Field(f));
            ws(m)?.0
        };
        if !k.fragment().starts_with(')') {
            if at_command_end(k) {
                return fail(
                    Span::new(open, open + 1),
                    format!("unclosed `(` in `{func}(`"),
                    "this `(` is never closed",
                );
            }
            return expected(k, &format!("`)` to close `{func}(`"));
        }
        j = k.take_from(1);
    }
    let (j, alias) = alias(j)?;
    Ok((j, Aggregation { func, arg, alias, span: span_from(start, j) }))
}

/// If `eval(` comes next, the input after the parenthesis.
fn eval_call_start(i: In<'_>) -> Option<In<'_>> {
    let (j, _) = keyword("eval").parse(i).ok()?;
    let (j, _) = ws(j).ok()?;
    j.fragment().starts_with('(').then(|| j.take_from(1))
}

fn tstats(i: In<'_>) -> PResult<'_, CommandKind> {
    let (i, mut options) = options_only(i)?;
    let (mut i, aggs) = aggregations(i, &mut options, &["from", "where", "by"])?;
    if aggs.is_empty() {
        return expected(ws(i)?.0, "an aggregation such as `count` or `values(field)` in `tstats`");
    }
    let mut t = Tstats { options, aggs, from: None, filter: None, by: Vec::new(), by_options: Vec::new() };
    loop {
        let (j, _) = ws(i)?;
        for (kw, seen) in [("from", t.from.is_some()), ("where", t.filter.is_some()), ("by", !t.by.is_empty())] {
            if seen {
                if let Ok((k, _)) = keyword(kw).parse(j) {
                    return fail(span_from(pos(j), k), format!("`tstats` takes one `{kw}` clause"), "a second one");
                }
            }
        }
        if let Ok((k, _)) = keyword("from").parse(j) {
            let (k, _) = ws(k)?;
            let (k, from) =
                raw_word(k, ",|[]").map_err(|e| must(e, k, "a data source after `from` (`datamodel=Name`)"))?;
            t.from = Some(from);
            i = k;
        } else if let Ok((k, _)) = keyword("where").parse(j) {
            let (k, e) = search_expr(k, Stops { by: true })?;
            match e {
                Some(e) => t.filter = Some(e),
                None => return expected(ws(k)?.0, "a search expression after `where`"),
            }
            i = k;
        } else if keyword("by").parse(j).is_ok() {
            let (k, (by, by_options)) = by_clause(j, &["where", "from"])?;
            t.by = by;
            t.by_options = by_options;
            i = k;
        } else if at_option(j) {
            // Options between clauses belong with the leading ones (printed first, so a
            // `where` clause cannot absorb them). Found by the roundtrip fuzz target.
            let (k, o) = option(j)?;
            t.options.push(o);
            i = k;
        } else {
            return Ok((i, CommandKind::Tstats(t)));
        }
    }
}

// -------------------------------------------------------------------------------------

fn rename(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut pairs = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            if pairs.is_empty() {
                return expected(j, "`field AS new_name` after `rename`");
            }
            return Ok((i, CommandKind::Rename(pairs)));
        }
        if j.fragment().starts_with(',') && !pairs.is_empty() {
            i = j.take_from(1);
            continue;
        }
        let (k, from) = field_name(j, true).map_err(|e| must(e, j, "a field name to rename"))?;
        let (k, _) = ws(k)?;
        let Ok((k, _)) = keyword("as").parse(k) else {
            return expected(k, &format!("`as` after `{}` in rename", from.name));
        };
        let (k, _) = ws(k)?;
        let (k, to) = field_name(k, true).map_err(|e| must(e, k, "the new field name after `as`"))?;
        pairs.push(RenamePair { from, to });
        i = k;
    }
}

fn fields(i: In<'_>) -> PResult<'_, CommandKind> {
    let s = *i.fragment();
    let (i, remove) = if s.starts_with('-') {
        (i.take_from(1), true)
    } else if s.starts_with('+') {
        (i.take_from(1), false)
    } else {
        (i, false)
    };
    let (j, fields) = field_list(i, true, &[])?;
    if fields.is_empty() {
        return expected(ws(j)?.0, "a field name after `fields`");
    }
    Ok((j, CommandKind::Fields { remove, fields }))
}

fn dedup(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut d = Dedup { count: None, fields: Vec::new(), options: Vec::new(), sortby: Vec::new() };
    let mut first = true;
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            break;
        }
        if first {
            if let Ok((k, n)) = integer(j) {
                d.count = Some(n);
                i = k;
                first = false;
                continue;
            }
        }
        first = false;
        if j.fragment().starts_with(',') {
            i = j.take_from(1);
        } else if at_option(j) {
            let (k, o) = option(j)?;
            d.options.push(o);
            i = k;
        } else if let Ok((k, _)) = keyword("sortby").parse(j) {
            let (k, (keys, _)) = sort_keys(k, false)?;
            if keys.is_empty() {
                return expected(ws(k)?.0, "a field after `sortby`");
            }
            d.sortby = keys;
            i = k;
        } else {
            let (k, f) = field_name(j, false).map_err(|e| must(e, j, "a field name"))?;
            d.fields.push(f);
            i = k;
        }
    }
    if d.fields.is_empty() {
        return expected(ws(i)?.0, "a field name after `dedup`");
    }
    Ok((i, CommandKind::Dedup(d)))
}

/// `[+|-]field` or `[+|-]num(field)`, separated by spaces or commas; with `allow_desc`, a
/// final `desc`/`d` reverses the order.
fn sort_keys(mut i: In<'_>, allow_desc: bool) -> PResult<'_, (Vec<SortKey>, bool)> {
    let mut keys = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) || at_option(j) {
            return Ok((i, (keys, false)));
        }
        if allow_desc && !keys.is_empty() {
            for kw in ["desc", "d"] {
                if let Ok((k, _)) = keyword(kw).parse(j) {
                    if at_command_end(ws(k)?.0) {
                        return Ok((k, (keys, true)));
                    }
                }
            }
        }
        let s = *j.fragment();
        if s.starts_with(',') {
            i = j.take_from(1);
            continue;
        }
        let (descending, k) = match s.chars().next() {
            Some('-') => (true, ws(j.take_from(1))?.0),
            Some('+') => (false, ws(j.take_from(1))?.0),
            _ => (false, j),
        };
        let mut func = None;
        let mut k = k;
        for f in ["auto", "str", "ip", "num"] {
            if let Ok((m, _)) = keyword(f).parse(k) {
                if m.fragment().starts_with('(') {
                    func = Some(f.to_string());
                    k = m.take_from(1);
                    break;
                }
            }
        }
        let (mut m, field) = field_name(k, false).map_err(|e| must(e, k, "a field to sort by"))?;
        if func.is_some() {
            if !m.fragment().starts_with(')') {
                return expected(m, "`)`");
            }
            m = m.take_from(1);
        }
        keys.push(SortKey { field, descending, func });
        i = m;
    }
}

fn sort(i: In<'_>) -> PResult<'_, CommandKind> {
    let (i, count) = match integer(i) {
        Ok((j, n)) => (j, Some(n)),
        Err(nom::Err::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    let (i, options) = options_only(i)?;
    let (i, (keys, reverse)) = sort_keys(i, true)?;
    if keys.is_empty() {
        return expected(ws(i)?.0, "a field to sort by");
    }
    Ok((i, CommandKind::Sort(Sort { count, options, keys, reverse })))
}

fn head(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut h = Head { count: None, expr: None, options: Vec::new() };
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            return Ok((i, CommandKind::Head(h)));
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            h.options.push(o);
            i = k;
            continue;
        }
        if h.count.is_none() && h.expr.is_none() {
            if let Ok((k, n)) = integer(j) {
                h.count = Some(n);
                i = k;
                continue;
            }
        }
        if h.expr.is_none() && h.count.is_none() {
            let (k, e) = expr(j).map_err(|e| must(e, j, "a count or an expression after `head`"))?;
            h.expr = Some(e);
            i = k;
            continue;
        }
        return Ok((i, CommandKind::Head(h)));
    }
}

fn rex(mut i: In<'_>, name_span: Span) -> PResult<'_, CommandKind> {
    let mut options = Vec::new();
    let mut regex: Option<Literal> = None;
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            break;
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            options.push(o);
            i = k;
        } else if j.fragment().starts_with('"') && regex.is_none() {
            let start = pos(j);
            let (k, text) = quoted(j)?;
            regex = Some(Literal { text, quoted: true, span: span_from(start, k) });
            i = k;
        } else if regex.is_some() {
            return fail(
                at(j),
                format!("unexpected {} after the regular expression of `rex`", describe(j)),
                "`rex` does not take this",
            );
        } else {
            return expected(j, "a regular expression in double quotes");
        }
    }
    match regex {
        Some(regex) => Ok((i, CommandKind::Rex(Rex { options, regex }))),
        None => fail(name_span, "`rex` needs a regular expression in double quotes", "no regular expression given"),
    }
}

fn spath(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut s = Spath { options: Vec::new(), path: None };
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            return Ok((i, CommandKind::Spath(s)));
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            s.options.push(o);
            i = k;
        } else if s.path.is_none() {
            let (k, p) = raw_word(j, ",|[]").map_err(|e| must(e, j, "a path or `option=value`"))?;
            s.path = Some(p);
            i = k;
        } else {
            return fail(at(j), "`spath` takes one path", "a second path");
        }
    }
}

fn convert(mut i: In<'_>) -> PResult<'_, CommandKind> {
    let mut c = Convert { options: Vec::new(), conversions: Vec::new() };
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) {
            break;
        }
        if j.fragment().starts_with(',') {
            i = j.take_from(1);
            continue;
        }
        if at_option(j) {
            let (k, o) = option(j)?;
            c.options.push(o);
            i = k;
            continue;
        }
        let start = pos(j);
        let (k, func) = identifier(j).map_err(|e| must(e, j, "a conversion such as `ctime(field)`"))?;
        if !k.fragment().starts_with('(') {
            return expected(k, &format!("`(` after `{}`", func.fragment()));
        }
        let (k, _) = ws(k.take_from(1))?;
        let (k, field) = field_name(k, false).map_err(|e| must(e, k, "a field name"))?;
        let (k, _) = ws(k)?;
        if !k.fragment().starts_with(')') {
            return expected(k, "`)`");
        }
        let (k, alias) = alias(k.take_from(1))?;
        c.conversions.push(Conversion { func: func.fragment().to_string(), field, alias, span: span_from(start, k) });
        i = k;
    }
    if c.conversions.is_empty() {
        return expected(ws(i)?.0, "a conversion such as `ctime(field)` after `convert`");
    }
    Ok((i, CommandKind::Convert(c)))
}

/// `field [AS alias]` lists, separated by spaces or commas, up to a stop keyword.
fn field_maps<'a>(mut i: In<'a>, stop: &[&'static str]) -> PResult<'a, Vec<FieldMap>> {
    let mut maps = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        if at_command_end(j) || stop.iter().any(|kw| keyword(kw).parse(j).is_ok()) {
            return Ok((i, maps));
        }
        if j.fragment().starts_with(',') {
            i = j.take_from(1);
            continue;
        }
        let (k, field) = field_name(j, false).map_err(|e| must(e, j, "a field name"))?;
        let (k, alias) = alias(k)?;
        maps.push(FieldMap { field, alias });
        i = k;
    }
}

fn lookup(i: In<'_>) -> PResult<'_, CommandKind> {
    let (i, options) = options_only(i)?;
    let (i, _) = ws(i)?;
    if at_command_end(i) {
        return expected(i, "a lookup table name after `lookup`");
    }
    let (i, table) = raw_word(i, ",|[]").map_err(|e| must(e, i, "a lookup table name"))?;
    let (i, inputs) = field_maps(i, &["output", "outputnew"])?;
    if inputs.is_empty() {
        return expected(ws(i)?.0, "a lookup field after the table name");
    }
    let (j, _) = ws(i)?;
    let new_only = keyword("outputnew").parse(j).is_ok();
    let after = if new_only { keyword("outputnew").parse(j) } else { keyword("output").parse(j) };
    let (i, output) = match after {
        Ok((k, _)) => {
            let (k, fields) = field_maps(k, &[])?;
            (k, Some(LookupOutput { new_only, fields }))
        }
        Err(_) => (i, None),
    };
    Ok((i, CommandKind::Lookup(Lookup { options, table, inputs, output })))
}

fn inputlookup(i: In<'_>) -> PResult<'_, CommandKind> {
    let (i, (options, table)) = options_and_table(i, "inputlookup")?;
    let (j, _) = ws(i)?;
    if let Ok((k, _)) = keyword("where").parse(j) {
        let (k, e) = search_expr(k, Stops::default())?;
        return match e {
            Some(e) => Ok((k, CommandKind::Inputlookup(Inputlookup { options, table, filter: Some(e) }))),
            None => expected(ws(k)?.0, "a search expression after `where`"),
        };
    }
    Ok((i, CommandKind::Inputlookup(Inputlookup { options, table, filter: None })))
}

fn join(i: In<'_>) -> PResult<'_, CommandKind> {
    let (i, options) = options_only(i)?;
    let (i, fields) = field_list(i, false, &[])?;
    let (i, more) = options_only(i)?;
    let (j, _) = ws(i)?;
    if !j.fragment().starts_with('[') {
        return expected(j, "a subsearch `[ ... ]` for `join`");
    }
    let (j, p) = subsearch(j)?;
    let options = [options, more].concat();
    Ok((j, CommandKind::Join(Join { options, fields, subsearch: Box::new(p) })))
}

fn top(i: In<'_>) -> PResult<'_, Top> {
    let (i, count) = match integer(i) {
        Ok((j, n)) => (j, Some(n)),
        Err(nom::Err::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    let (i, mut options) = options_only(i)?;
    let (i, fields) = field_list(i, false, &["by"])?;
    if fields.is_empty() {
        return expected(ws(i)?.0, "a field name");
    }
    let (i, (by, by_options)) = by_clause(i, &[])?;
    let (i, more) = options_only(i)?;
    options.extend(by_options);
    options.extend(more);
    Ok((i, Top { count, options, fields, by }))
}

// -------------------------------------------------------------------------------------

/// Any other command: options, words, quoted strings, commas and bracketed blocks.
fn generic<'a>(mut i: In<'a>, name: &str) -> PResult<'a, CommandKind> {
    let mut args = Vec::new();
    loop {
        let (j, _) = ws(i)?;
        let s = *j.fragment();
        if at_command_end(j) {
            return Ok((i, CommandKind::Generic(Generic { name: name.to_string(), args })));
        }
        if s.starts_with(',') {
            args.push(Arg::Comma);
            i = j.take_from(1);
        } else if s.starts_with('[') {
            let (k, arg) = bracket_arg(j, name)?;
            args.push(arg);
            i = k;
        } else if at_option(j) {
            let (k, o) = option(j)?;
            args.push(Arg::Option(o));
            i = k;
        } else {
            let (k, w) = raw_word(j, ",|[]").map_err(|e| must(e, j, "an argument"))?;
            args.push(Arg::Positional(w));
            i = k;
        }
    }
}

/// `[ ... ]` in a generic command: a subsearch (a subpipeline for `appendpipe` and
/// `foreach`, whose brackets start with a command) when its content parses as one,
/// otherwise a block kept as text (a `foreach` template such as `eval <<FIELD>>=...`).
fn bracket_arg<'a>(i: In<'a>, command: &str) -> PResult<'a, Arg> {
    let starts_with_command = ["appendpipe", "foreach"].iter().any(|c| c.eq_ignore_ascii_case(command));
    let parsed = if starts_with_command { subpipeline(i) } else { subsearch(i) };
    if let Ok((j, p)) = parsed {
        return Ok((j, Arg::Subsearch(p)));
    }
    let start = pos(i);
    let s = *i.fragment();
    let mut depth = 0usize;
    for (k, c) in crate::text::unquoted_chars(s) {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    let j = i.take_from(k + 1);
                    return Ok((j, Arg::Block { text: s[1..k].to_string(), span: span_from(start, j) }));
                }
            }
            _ => {}
        }
    }
    fail(Span::new(start, start + 1), "unclosed `[`: no closing `]`", "this `[` is never closed")
}
