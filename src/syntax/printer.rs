//! The syntax tree back to canonical SPL text.
//!
//! The contract, tested over the whole corpus: `parse(print(ast)) == ast`. Canonical means
//! one spelling per meaning: keywords in lower case (`as`, `by`), `OUTPUT` in upper case,
//! `bucket` as `bin`, single spaces, parentheses only where precedence needs them, quotes
//! only where a name or value needs them.

use std::fmt::Write;

use super::ast::*;
use super::parser::commands::print_assign_target;
use super::parser::expr::is_bare_expr_field;
use super::parser::lex::{print_field, print_literal, quote};
use super::parser::search::{print_search_field, print_value};

/// Prints a whole search.
pub fn print(p: &Pipeline) -> String {
    let mut out = String::new();
    pipeline(&mut out, p);
    out
}

/// Prints one eval expression.
pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e);
    out
}

/// Prints one search expression.
pub fn print_search(e: &SearchExpr) -> String {
    let mut out = String::new();
    search(&mut out, e);
    out
}

fn pipeline(out: &mut String, p: &Pipeline) {
    for (k, c) in p.commands.iter().enumerate() {
        if k == 0 {
            if let CommandKind::Search(Some(e)) = &c.kind {
                let text = print_search(e);
                // A leading word `search` would be read as the command name.
                let first_word = text.split_whitespace().next().unwrap_or("");
                if first_word.eq_ignore_ascii_case("search") {
                    out.push_str("search ");
                }
                out.push_str(&text);
                continue;
            }
            if !matches!(c.kind, CommandKind::Search(None)) {
                out.push_str("| ");
            }
        } else {
            out.push_str(" | ");
        }
        command(out, c);
    }
}

fn subsearch(out: &mut String, p: &Pipeline) {
    out.push('[');
    pipeline(out, p);
    out.push(']');
}

fn options(out: &mut String, opts: &[CmdOption]) {
    for o in opts {
        let _ = write!(out, " {}={}", o.name, print_literal(&o.value));
    }
}

fn fields(out: &mut String, fs: &[Ident], parens: bool) {
    for f in fs {
        out.push(' ');
        out.push_str(&print_field(&f.name, parens));
    }
}

/// Field names where a leading count may stand (`dedup`, `top`, `rare`): a name that reads
/// as a number is quoted so that it stays a name.
fn fields_after_count(out: &mut String, fs: &[Ident]) {
    for f in fs {
        out.push(' ');
        if f.name.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&quote(&f.name));
        } else {
            out.push_str(&print_field(&f.name, false));
        }
    }
}

fn alias(out: &mut String, a: &Option<Ident>) {
    if let Some(a) = a {
        out.push_str(" as ");
        out.push_str(&print_field(&a.name, true));
    }
}

fn command(out: &mut String, c: &Command) {
    out.push_str(c.kind.name());
    match &c.kind {
        CommandKind::Search(e) => {
            if let Some(e) = e {
                out.push(' ');
                search(out, e);
            }
        }
        CommandKind::Where(e) => {
            out.push(' ');
            expr(out, e);
        }
        CommandKind::Eval(assignments) => {
            for (k, a) in assignments.iter().enumerate() {
                out.push_str(if k == 0 { " " } else { ", " });
                out.push_str(&print_assign_target(&a.field.name));
                out.push('=');
                expr(out, &a.value);
            }
        }
        CommandKind::Stats(s)
        | CommandKind::Eventstats(s)
        | CommandKind::Streamstats(s)
        | CommandKind::Timechart(s) => {
            options(out, &s.options);
            aggregations(out, &s.aggs);
            by(out, &s.by, &s.by_options);
        }
        CommandKind::Tstats(t) => {
            options(out, &t.options);
            aggregations(out, &t.aggs);
            if let Some(from) = &t.from {
                out.push_str(" from ");
                out.push_str(&print_literal(from));
            }
            if let Some(w) = &t.filter {
                out.push_str(" where ");
                search(out, w);
            }
            by(out, &t.by, &t.by_options);
        }
        CommandKind::Rename(pairs) => {
            for (k, p) in pairs.iter().enumerate() {
                out.push_str(if k == 0 { " " } else { ", " });
                let _ = write!(out, "{} as {}", print_field(&p.from.name, true), print_field(&p.to.name, true));
            }
        }
        CommandKind::Table(fs) => fields(out, fs, true),
        CommandKind::Fields { remove, fields: fs } => {
            if *remove {
                out.push_str(" -");
            }
            fields(out, fs, true);
        }
        CommandKind::Fillnull { options: o, fields: fs } => {
            options(out, o);
            fields(out, fs, false);
        }
        CommandKind::Dedup(d) => {
            if let Some(n) = d.count {
                let _ = write!(out, " {n}");
            }
            fields_after_count(out, &d.fields);
            options(out, &d.options);
            if !d.sortby.is_empty() {
                out.push_str(" sortby");
                sort_keys(out, &d.sortby);
            }
        }
        CommandKind::Sort(s) => {
            if let Some(n) = s.count {
                let _ = write!(out, " {n}");
            }
            options(out, &s.options);
            sort_keys(out, &s.keys);
            if s.reverse {
                out.push_str(" desc");
            }
        }
        CommandKind::Head(h) => {
            if let Some(n) = h.count {
                let _ = write!(out, " {n}");
            }
            if let Some(e) = &h.expr {
                out.push(' ');
                expr(out, e);
            }
            options(out, &h.options);
        }
        CommandKind::Tail { count } => {
            if let Some(n) = count {
                let _ = write!(out, " {n}");
            }
        }
        CommandKind::Rex(r) => {
            options(out, &r.options);
            out.push(' ');
            out.push_str(&print_literal(&r.regex));
        }
        CommandKind::Spath(s) => {
            options(out, &s.options);
            if let Some(p) = &s.path {
                out.push(' ');
                out.push_str(&print_literal(p));
            }
        }
        CommandKind::Convert(c) => {
            options(out, &c.options);
            for conv in &c.conversions {
                let _ = write!(out, " {}({})", conv.func, print_field(&conv.field.name, false));
                alias(out, &conv.alias);
            }
        }
        CommandKind::Bin(b) => {
            options(out, &b.options);
            fields(out, std::slice::from_ref(&b.field), false);
            alias(out, &b.alias);
        }
        CommandKind::Mvexpand { options: o, field } => {
            fields(out, std::slice::from_ref(field), false);
            options(out, o);
        }
        CommandKind::Makemv { options: o, field } | CommandKind::Iplocation { options: o, field } => {
            options(out, o);
            fields(out, std::slice::from_ref(field), false);
        }
        CommandKind::Nomv { field } => fields(out, std::slice::from_ref(field), false),
        CommandKind::Lookup(l) => {
            options(out, &l.options);
            out.push(' ');
            out.push_str(&print_literal(&l.table));
            field_maps(out, &l.inputs);
            if let Some(o) = &l.output {
                out.push_str(if o.new_only { " OUTPUTNEW" } else { " OUTPUT" });
                field_maps(out, &o.fields);
            }
        }
        CommandKind::Inputlookup(l) => {
            options(out, &l.options);
            out.push(' ');
            out.push_str(&print_literal(&l.table));
            if let Some(w) = &l.filter {
                out.push_str(" where ");
                search(out, w);
            }
        }
        CommandKind::Outputlookup { options: o, table } => {
            options(out, o);
            out.push(' ');
            out.push_str(&print_literal(table));
        }
        CommandKind::Join(j) => {
            options(out, &j.options);
            fields(out, &j.fields, false);
            out.push(' ');
            subsearch(out, &j.subsearch);
        }
        CommandKind::Append { options: o, subsearch: s } => {
            options(out, o);
            out.push(' ');
            subsearch(out, s);
        }
        CommandKind::Top(t) | CommandKind::Rare(t) => {
            if let Some(n) = t.count {
                let _ = write!(out, " {n}");
            }
            options(out, &t.options);
            fields_after_count(out, &t.fields);
            by(out, &t.by, &[]);
        }
        CommandKind::Makeresults { options: o } => options(out, o),
        CommandKind::Transaction { fields: fs, options: o } => {
            fields(out, fs, false);
            options(out, o);
        }
        CommandKind::Anomalydetection { options: o, fields: fs } => {
            options(out, o);
            fields(out, fs, false);
        }
        CommandKind::Generic(g) => {
            let starts_with_command = ["appendpipe", "foreach"].iter().any(|c| c.eq_ignore_ascii_case(&g.name));
            for a in &g.args {
                match a {
                    Arg::Comma => out.push(','),
                    Arg::Option(o) => {
                        let _ = write!(out, " {}={}", o.name, print_literal(&o.value));
                    }
                    Arg::Positional(l) => {
                        out.push(' ');
                        out.push_str(&print_literal(l));
                    }
                    Arg::Subsearch(p) if starts_with_command => {
                        out.push_str(" [");
                        for (k, c) in p.commands.iter().enumerate() {
                            if k > 0 {
                                out.push_str(" | ");
                            }
                            command(out, c);
                        }
                        out.push(']');
                    }
                    Arg::Subsearch(p) => {
                        out.push(' ');
                        subsearch(out, p);
                    }
                    Arg::Block { text, .. } => {
                        let _ = write!(out, " [{text}]");
                    }
                }
            }
        }
    }
}

fn aggregations(out: &mut String, aggs: &[Aggregation]) {
    for (k, a) in aggs.iter().enumerate() {
        out.push_str(if k == 0 { " " } else { ", " });
        out.push_str(&a.func);
        match &a.arg {
            None => {}
            Some(AggArg::Field(f)) => {
                let _ = write!(out, "({})", print_field(&f.name, false));
            }
            Some(AggArg::Eval(e)) => {
                out.push_str("(eval(");
                expr(out, e);
                out.push_str("))");
            }
        }
        alias(out, &a.alias);
    }
}

fn by(out: &mut String, by: &[Ident], by_options: &[CmdOption]) {
    if !by.is_empty() {
        out.push_str(" by");
        fields(out, by, false);
    }
    options(out, by_options);
}

fn sort_keys(out: &mut String, keys: &[SortKey]) {
    for k in keys {
        out.push(' ');
        if k.descending {
            out.push('-');
        }
        let name = &k.field.name;
        // A name that starts like a sign or a count must be quoted to stay a name.
        let printed = if name.starts_with(['-', '+']) || name.starts_with(|c: char| c.is_ascii_digit()) {
            quote(name)
        } else {
            print_field(name, false)
        };
        match &k.func {
            Some(f) => {
                let _ = write!(out, "{f}({printed})");
            }
            None => out.push_str(&printed),
        }
    }
}

fn field_maps(out: &mut String, maps: &[FieldMap]) {
    for m in maps {
        out.push(' ');
        out.push_str(&print_field(&m.field.name, false));
        alias(out, &m.alias);
    }
}

// ---------------------------------------------------------------------------------------

fn search(out: &mut String, e: &SearchExpr) {
    match &e.kind {
        SearchKind::And(items) => {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                // OR binds tighter than AND, so only a nested AND needs parentheses.
                let parens = matches!(item.kind, SearchKind::And(_));
                search_child(out, item, parens);
            }
        }
        SearchKind::Or(items) => {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(" OR ");
                }
                let parens = matches!(item.kind, SearchKind::And(_) | SearchKind::Or(_));
                search_child(out, item, parens);
            }
        }
        SearchKind::Not(inner) => {
            out.push_str("NOT ");
            let parens = matches!(inner.kind, SearchKind::And(_) | SearchKind::Or(_));
            search_child(out, inner, parens);
        }
        SearchKind::Compare { field, op, value } => {
            let _ = write!(out, "{}{}{}", print_search_field(&field.name), op.as_str(), print_value(value, false));
        }
        SearchKind::In { field, values } => {
            let _ = write!(out, "{} IN (", print_search_field(&field.name));
            for (k, v) in values.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str(&print_value(v, true));
            }
            out.push(')');
        }
        SearchKind::Term { text, phrase } => {
            if *phrase {
                out.push_str(&quote(text));
            } else {
                // As written: the parser keeps a bare term's source text.
                out.push_str(text);
            }
        }
        SearchKind::TimeModifier { name, value } => {
            let _ = write!(out, "{name}={}", print_value(value, false));
        }
        SearchKind::Subsearch(p) => subsearch(out, p),
    }
}

fn search_child(out: &mut String, e: &SearchExpr, parens: bool) {
    if parens {
        out.push('(');
        search(out, e);
        out.push(')');
    } else {
        search(out, e);
    }
}

// ---------------------------------------------------------------------------------------

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Field(name) => {
            if is_bare_expr_field(name) {
                out.push_str(name);
            } else {
                let _ = write!(out, "'{name}'");
            }
        }
        ExprKind::Str(s) => out.push_str(&quote(s)),
        ExprKind::Num(n) => out.push_str(n),
        ExprKind::Call { name, args } => {
            out.push_str(name);
            out.push('(');
            for (k, a) in args.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                expr(out, a);
            }
            out.push(')');
        }
        ExprKind::Unary { op: UnaryOp::Neg, expr: inner } => {
            out.push('-');
            expr_child(out, inner, inner.precedence() < prec::NEG);
        }
        ExprKind::Unary { op: UnaryOp::Not, expr: inner } => {
            out.push_str("NOT ");
            expr_child(out, inner, inner.precedence() < prec::NOT);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = op.precedence();
            expr_child(out, lhs, lhs.precedence() < p);
            let _ = write!(out, " {} ", op.as_str());
            expr_child(out, rhs, rhs.precedence() <= p);
        }
        ExprKind::In { expr: inner, list } => {
            expr_child(out, inner, inner.precedence() < prec::EQUALITY);
            out.push_str(" IN (");
            for (k, a) in list.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                expr(out, a);
            }
            out.push(')');
        }
    }
}

fn expr_child(out: &mut String, e: &Expr, parens: bool) {
    if parens {
        out.push('(');
        expr(out, e);
        out.push(')');
    } else {
        expr(out, e);
    }
}
