//! The eval / where expression language (docs/spl-semantics.md section 3).
//!
//! Precedence climbing over the levels of [`crate::syntax::ast::prec`], loosest first:
//! `XOR`, `OR`, `AND`, `NOT`/`!`, `= == != LIKE IN`, `< <= > >=`, `+ - .`, `* / %`,
//! unary `-`, then literals, field names, calls and parentheses. Keywords are
//! case-insensitive here (`where a>1 and b<2`).
//!
//! A dotted name such as `userIdentity.userName` written without quotes is the
//! concatenation of two fields, as the docs say (section 3.1, UNVERIFIED at run time);
//! see [`DOTTED_NAMES_ARE_CONCATENATION`].

use nom::character::complete::char;
use nom::{Input, Parser};

use super::lex::*;
use crate::syntax::ast::{BinOp, Expr, ExprKind, UnaryOp};
use crate::syntax::span::Span;

/// UNVERIFIED choice (docs/spl-semantics.md 3.1): an unquoted `a.b` in eval is `a . b`.
/// This is the one place that decides it; the parser has no other rule for dots.
pub const DOTTED_NAMES_ARE_CONCATENATION: bool = true;

/// Parses one expression.
pub fn expr(i: In<'_>) -> PResult<'_, Expr> {
    binary_level(i, 0)
}

/// Binary operator levels, loosest first; `NOT` sits between AND and equality.
const LEVELS: &[&[BinOp]] = &[
    &[BinOp::Xor],
    &[BinOp::Or],
    &[BinOp::And],
    &[BinOp::Eq, BinOp::Ne, BinOp::Like],
    &[BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge],
    &[BinOp::Add, BinOp::Sub, BinOp::Concat],
    &[BinOp::Mul, BinOp::Div, BinOp::Mod],
];
const EQUALITY_LEVEL: usize = 3;

/// The operand of the operators at `level`: whatever binds tighter.
fn operand(i: In<'_>, level: usize) -> PResult<'_, Expr> {
    if level + 1 == EQUALITY_LEVEL {
        not_expr(i)
    } else if level + 1 < LEVELS.len() {
        binary_level(i, level + 1)
    } else {
        unary(i)
    }
}

fn binary_level(i: In<'_>, level: usize) -> PResult<'_, Expr> {
    if level == EQUALITY_LEVEL {
        return equality(i);
    }
    let (mut i, mut lhs) = operand(i, level)?;
    loop {
        let (j, _) = ws(i)?;
        let Some((j, op)) = bin_op(j, LEVELS[level]) else { break };
        let (j, _) = ws(j)?;
        let (j, rhs) = operand(j, level).map_err(|e| after_operator(e, j, op))?;
        let span = lhs.span.to(rhs.span);
        lhs = Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        i = j;
    }
    Ok((i, lhs))
}

/// `=`, `==`, `!=`, `LIKE` and `IN (...)`, whose operands are relational expressions.
fn equality(i: In<'_>) -> PResult<'_, Expr> {
    let (mut i, mut lhs) = binary_level(i, EQUALITY_LEVEL + 1)?;
    loop {
        let (j, _) = ws(i)?;
        if let Ok((k, _)) = keyword("in").parse(j) {
            let (k, _) = ws(k)?;
            if k.fragment().starts_with('(') {
                let (k, (list, end)) = arg_list(k, "IN")?;
                let span = Span::new(lhs.span.start, end);
                lhs = Expr { kind: ExprKind::In { expr: Box::new(lhs), list }, span };
                i = k;
                continue;
            }
        }
        let Some((j, op)) = bin_op(j, LEVELS[EQUALITY_LEVEL]) else { break };
        let (j, _) = ws(j)?;
        let (j, rhs) = binary_level(j, EQUALITY_LEVEL + 1).map_err(|e| after_operator(e, j, op))?;
        let span = lhs.span.to(rhs.span);
        lhs = Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        i = j;
    }
    Ok((i, lhs))
}

/// A missing right operand is reported as such, not as whatever the operand parser saw.
fn after_operator(e: nom::Err<SyntaxError>, at_rhs: In<'_>, op: BinOp) -> nom::Err<SyntaxError> {
    match e {
        nom::Err::Error(_) => nom::Err::Failure(SyntaxError::new(
            at(at_rhs),
            format!("expected an expression after `{}`, found {}", op.as_str(), describe(at_rhs)),
            "expected an expression",
        )),
        other => other,
    }
}

fn not_expr(i: In<'_>) -> PResult<'_, Expr> {
    let start = pos(i);
    let after_not = keyword("not").parse(i).map(|(j, _)| j).ok().or_else(|| {
        let s = *i.fragment();
        (s.starts_with('!') && !s.starts_with("!=")).then(|| i.take_from(1))
    });
    if let Some(j) = after_not {
        let (j, _) = ws(j)?;
        let (j, inner) = not_expr(j).map_err(|e| match e {
            nom::Err::Error(_) => nom::Err::Failure(SyntaxError::new(
                at(j),
                format!("expected an expression after `NOT`, found {}", describe(j)),
                "expected an expression",
            )),
            other => other,
        })?;
        return Ok((
            j,
            Expr { kind: ExprKind::Unary { op: UnaryOp::Not, expr: Box::new(inner) }, span: span_from(start, j) },
        ));
    }
    binary_level(i, EQUALITY_LEVEL)
}

fn unary(i: In<'_>) -> PResult<'_, Expr> {
    let start = pos(i);
    if i.fragment().starts_with('-') {
        let (j, _) = ws(i.take_from(1))?;
        let (j, inner) = unary(j)?;
        return Ok((
            j,
            Expr { kind: ExprKind::Unary { op: UnaryOp::Neg, expr: Box::new(inner) }, span: span_from(start, j) },
        ));
    }
    primary(i)
}

fn bin_op<'a>(i: In<'a>, allowed: &[BinOp]) -> Option<(In<'a>, BinOp)> {
    let s = *i.fragment();
    let symbol = |text: &str, op: BinOp| s.starts_with(text).then_some((text.len(), op));
    let word = |kw: &'static str, op: BinOp| keyword(kw).parse(i).ok().map(|(j, _)| (pos(j) - pos(i), op));
    let found = symbol("==", BinOp::Eq)
        .or_else(|| symbol("!=", BinOp::Ne))
        .or_else(|| symbol("<=", BinOp::Le))
        .or_else(|| symbol(">=", BinOp::Ge))
        .or_else(|| symbol("=", BinOp::Eq))
        .or_else(|| symbol("<", BinOp::Lt))
        .or_else(|| symbol(">", BinOp::Gt))
        .or_else(|| symbol("+", BinOp::Add))
        .or_else(|| symbol("-", BinOp::Sub))
        .or_else(|| symbol(".", BinOp::Concat))
        .or_else(|| symbol("*", BinOp::Mul))
        .or_else(|| symbol("/", BinOp::Div))
        .or_else(|| symbol("%", BinOp::Mod))
        .or_else(|| word("and", BinOp::And))
        .or_else(|| word("xor", BinOp::Xor))
        .or_else(|| word("or", BinOp::Or))
        .or_else(|| word("like", BinOp::Like));
    let (len, op) = found?;
    allowed.contains(&op).then(|| (i.take_from(len), op))
}

/// Words that cannot be bare field names in an expression.
pub const EXPR_KEYWORDS: &[&str] = &["and", "or", "xor", "not", "like", "in"];

fn primary(i: In<'_>) -> PResult<'_, Expr> {
    let start = pos(i);
    let s = *i.fragment();
    match s.chars().next() {
        Some('"') => {
            let (j, v) = quoted(i)?;
            Ok((j, Expr { kind: ExprKind::Str(v), span: span_from(start, j) }))
        }
        Some('\'') => {
            let body = i.take_from(1);
            match body.fragment().find('\'') {
                Some(end) => {
                    let name = body.fragment()[..end].to_string();
                    let j = body.take_from(end + 1);
                    Ok((j, Expr { kind: ExprKind::Field(name), span: span_from(start, j) }))
                }
                None => fail(
                    Span::new(start, start + 1),
                    "unterminated field name: this `'` is never closed",
                    "field name starts here",
                ),
            }
        }
        Some('(') => {
            let (j, _) = ws(i.take_from(1))?;
            let (j, mut inner) = expr(j).map_err(|e| must(e, j, "an expression inside `( )`"))?;
            let (j, _) = ws(j)?;
            if !j.fragment().starts_with(')') {
                if at_command_end(j) {
                    return fail(Span::new(start, start + 1), "unclosed `(` in expression", "this `(` is never closed");
                }
                return expected(j, "`)` or an operator");
            }
            let j = j.take_from(1);
            inner.span = span_from(start, j);
            // Parentheses are not kept: the printer puts them back where precedence needs.
            Ok((j, inner))
        }
        Some(c) if c.is_ascii_digit() || (c == '.' && s[1..].starts_with(|d: char| d.is_ascii_digit())) => number(i),
        Some(c) if c.is_alphabetic() || c == '_' => {
            let (j, name) = identifier(i)?;
            let name_text = name.fragment().to_string();
            let (k, _) = ws(j)?;
            if k.fragment().starts_with('(') {
                let (k, (args, _)) = arg_list(k, &name_text)?;
                return Ok((k, Expr { kind: ExprKind::Call { name: name_text, args }, span: span_from(start, k) }));
            }
            if EXPR_KEYWORDS.iter().any(|kw| kw.eq_ignore_ascii_case(&name_text)) {
                return Err(nom::Err::Error(SyntaxError::new(
                    Span::new(start, pos(j)),
                    format!("expected an expression, found keyword `{name_text}`"),
                    "expected an expression",
                )));
            }
            Ok((j, Expr { kind: ExprKind::Field(name_text), span: span_from(start, j) }))
        }
        _ => Err(nom::Err::Error(SyntaxError::new(
            at(i),
            format!("expected an expression, found {}", describe(i)),
            "expected an expression",
        ))),
    }
}

fn number(i: In<'_>) -> PResult<'_, Expr> {
    let start = pos(i);
    let s = *i.fragment();
    let b = s.as_bytes();
    let mut k = 0;
    while k < b.len() && b[k].is_ascii_digit() {
        k += 1;
    }
    if k < b.len() && b[k] == b'.' && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
        k += 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
    }
    if k < b.len() && (b[k] == b'e' || b[k] == b'E') {
        let mut e = k + 1;
        if e < b.len() && (b[e] == b'+' || b[e] == b'-') {
            e += 1;
        }
        if e < b.len() && b[e].is_ascii_digit() {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            k = e;
        }
    }
    let j = i.take_from(k);
    if j.fragment().starts_with(|c: char| c.is_alphabetic() || c == '_') {
        let word_end = s.find(|c: char| !is_word_char(c)).unwrap_or(s.len());
        return fail(
            Span::new(start, start + word_end),
            format!(
                "`{}` is not a number; a field name that starts with a digit must be quoted: '{}'",
                &s[..word_end],
                &s[..word_end]
            ),
            "quote this field name",
        );
    }
    Ok((j, Expr { kind: ExprKind::Num(s[..k].to_string()), span: span_from(start, j) }))
}

/// `( expr, expr, ... )`, possibly empty; returns the arguments and the offset after `)`.
fn arg_list<'a>(i: In<'a>, owner: &str) -> PResult<'a, (Vec<Expr>, usize)> {
    let open = pos(i);
    let (mut i, _) = char('(').parse(i)?;
    let mut args = Vec::new();
    i = ws(i)?.0;
    if i.fragment().starts_with(')') {
        let j = i.take_from(1);
        return Ok((j, (args, pos(j))));
    }
    loop {
        let (j, e) = expr(i).map_err(|e| must(e, i, &format!("an argument of `{owner}`")))?;
        args.push(e);
        let (j, _) = ws(j)?;
        let s = *j.fragment();
        if s.starts_with(')') {
            let j = j.take_from(1);
            return Ok((j, (args, pos(j))));
        }
        if s.starts_with(',') {
            i = ws(j.take_from(1))?.0;
            continue;
        }
        if at_command_end(j) {
            return fail(
                Span::new(open, open + 1),
                format!("unclosed `(` in `{owner}(...)`"),
                "this `(` is never closed",
            );
        }
        return expected(j, &format!("`,` or `)` in the arguments of `{owner}`"));
    }
}

/// Whether a field name can be written bare in an expression.
pub fn is_bare_expr_field(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(is_word_char)
        && !EXPR_KEYWORDS.iter().any(|kw| kw.eq_ignore_ascii_case(name))
}
