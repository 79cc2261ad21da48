//! Evaluating an eval/where expression over one result (docs/spl-semantics.md 3.3-3.5).

use std::cmp::Ordering;

use super::functions;
use super::value::EvalValue;
use crate::events::Value;
use crate::syntax::{BinOp, Expr, ExprKind, Span, UnaryOp};

/// A result's fields, as the evaluator reads them.
pub trait Row {
    fn field(&self, name: &str) -> Option<&Value>;
    /// Every field, for wildcard field names.
    fn each_field(&self, f: &mut dyn FnMut(&str, &Value));
}

/// What is the same for every result of a search.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The search's start time (`now()`), epoch seconds.
    pub now: f64,
}

/// An expression that cannot be evaluated (a wrong argument count, a boolean where a
/// value is needed, ...), with the span it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

impl EvalError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        EvalError { message: message.into(), span }
    }
}

pub fn eval(e: &Expr, row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    match &e.kind {
        ExprKind::Field(name) => Ok(EvalValue::from_field(row.field(name))),
        ExprKind::Str(s) => Ok(EvalValue::Str(s.clone())),
        ExprKind::Num(n) => {
            n.parse::<f64>().map(EvalValue::Num).map_err(|_| EvalError::new(format!("`{n}` is not a number"), e.span))
        }
        ExprKind::Call { name, args } => functions::call(name, args, e.span, row, ctx),
        ExprKind::Unary { op: UnaryOp::Neg, expr } => {
            Ok(eval(expr, row, ctx)?.as_number().map_or(EvalValue::Null, |n| EvalValue::Num(-n)))
        }
        ExprKind::Unary { op: UnaryOp::Not, expr } => match eval(expr, row, ctx)? {
            EvalValue::Null => Ok(EvalValue::Null),
            EvalValue::Bool(b) => Ok(EvalValue::Bool(!b)),
            _ => Err(EvalError::new("`NOT` needs a true/false operand", expr.span)),
        },
        ExprKind::Binary { op, lhs, rhs } => binary(*op, lhs, rhs, row, ctx),
        ExprKind::In { expr, list } => {
            let v = eval(expr, row, ctx)?;
            let mut items = Vec::with_capacity(list.len());
            for x in list {
                items.push(eval(x, row, ctx)?);
            }
            Ok(in_list(&v, &items))
        }
    }
}

/// `x IN (a, b)` and `in(x, a, b)`: equal to one of the values, no wildcards.
pub fn in_list(v: &EvalValue, items: &[EvalValue]) -> EvalValue {
    if v.is_null() {
        return EvalValue::Null;
    }
    EvalValue::Bool(items.iter().any(|i| equals(v, i) == EvalValue::Bool(true)))
}

fn binary(op: BinOp, lhs: &Expr, rhs: &Expr, row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    let l = eval(lhs, row, ctx)?;
    let r = eval(rhs, row, ctx)?;
    let logic = |v: &EvalValue, e: &Expr| match v {
        EvalValue::Null => Ok(None),
        EvalValue::Bool(b) => Ok(Some(*b)),
        _ => Err(EvalError::new(format!("`{}` needs true/false operands", op.as_str()), e.span)),
    };
    Ok(match op {
        BinOp::And | BinOp::Or | BinOp::Xor => {
            let (a, b) = (logic(&l, lhs)?, logic(&r, rhs)?);
            three_valued(op, a, b)
        }
        BinOp::Eq => equals(&l, &r),
        BinOp::Ne => any_pair(&l, &r, |a, b| compare(a, b).map(|o| o != Ordering::Equal)),
        BinOp::Lt => any_pair(&l, &r, |a, b| compare(a, b).map(|o| o == Ordering::Less)),
        BinOp::Le => any_pair(&l, &r, |a, b| compare(a, b).map(|o| o != Ordering::Greater)),
        BinOp::Gt => any_pair(&l, &r, |a, b| compare(a, b).map(|o| o == Ordering::Greater)),
        BinOp::Ge => any_pair(&l, &r, |a, b| compare(a, b).map(|o| o != Ordering::Less)),
        BinOp::Like => any_pair(&l, &r, |a, b| Some(like(&a.as_text()?, &b.as_text()?))),
        BinOp::Add => match (l.as_number(), r.as_number()) {
            (Some(a), Some(b)) => EvalValue::Num(a + b),
            // Two strings concatenate; a number and a string give null (UNVERIFIED).
            _ if is_plain_string(&l) && is_plain_string(&r) => {
                EvalValue::Str(format!("{}{}", l.as_text().unwrap_or_default(), r.as_text().unwrap_or_default()))
            }
            _ => EvalValue::Null,
        },
        BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => match (l.as_number(), r.as_number()) {
            (Some(a), Some(b)) => arithmetic(op, a, b),
            _ => EvalValue::Null,
        },
        BinOp::Concat => match (l.as_text(), r.as_text()) {
            (Some(a), Some(b)) if !matches!(l, EvalValue::Bool(_)) && !matches!(r, EvalValue::Bool(_)) => {
                EvalValue::Str(a + &b)
            }
            _ => EvalValue::Null,
        },
    })
}

/// A string that is not a number (so `+` concatenates it).
fn is_plain_string(v: &EvalValue) -> bool {
    matches!(v, EvalValue::Str(_) | EvalValue::Field(_) | EvalValue::Multi(_)) && v.as_number().is_none()
}

fn arithmetic(op: BinOp, a: f64, b: f64) -> EvalValue {
    match op {
        BinOp::Sub => EvalValue::Num(a - b),
        BinOp::Mul => EvalValue::Num(a * b),
        BinOp::Div | BinOp::Mod if b == 0.0 => EvalValue::Null,
        BinOp::Div => EvalValue::Num(a / b),
        BinOp::Mod => EvalValue::Num(a % b),
        _ => unreachable!("arithmetic operators only"),
    }
}

/// AND/OR/XOR over true, false and null (UNVERIFIED three-valued logic, section 3.3).
fn three_valued(op: BinOp, a: Option<bool>, b: Option<bool>) -> EvalValue {
    let r = match op {
        BinOp::And => match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinOp::Or => match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        _ => match (a, b) {
            (Some(x), Some(y)) => Some(x != y),
            _ => None,
        },
    };
    r.map_or(EvalValue::Null, EvalValue::Bool)
}

/// `=`: numeric when both sides are numbers, else exact, case-sensitive text; a
/// multivalue side is true when any value is (section 3.5).
pub fn equals(l: &EvalValue, r: &EvalValue) -> EvalValue {
    any_pair(l, r, |a, b| compare(a, b).map(|o| o == Ordering::Equal))
}

/// Applies `f` to each pair of single values; true if any pair is; null when a side is
/// null or no pair could be compared.
fn any_pair(l: &EvalValue, r: &EvalValue, f: impl Fn(&EvalValue, &EvalValue) -> Option<bool>) -> EvalValue {
    if l.is_null() || r.is_null() {
        return EvalValue::Null;
    }
    let singles = |v: &EvalValue| match v {
        EvalValue::Multi(vs) => vs.iter().map(|s| EvalValue::Field(s.clone())).collect(),
        other => vec![other.clone()],
    };
    let (ls, rs) = (singles(l), singles(r));
    let mut seen = false;
    for a in &ls {
        for b in &rs {
            match f(a, b) {
                Some(true) => return EvalValue::Bool(true),
                Some(false) => seen = true,
                None => {}
            }
        }
    }
    if seen {
        EvalValue::Bool(false)
    } else {
        EvalValue::Null
    }
}

/// Order of two single values: numeric when both are numbers, else byte-wise text.
pub fn compare(a: &EvalValue, b: &EvalValue) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_number(), b.as_number()) {
        return x.partial_cmp(&y);
    }
    Some(a.as_text()?.as_bytes().cmp(b.as_text()?.as_bytes()))
}

/// SQL `LIKE`: `%` any run, `_` one character; case-sensitive (UNVERIFIED).
pub fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative wildcard match with backtracking on the last `%`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while i < t.len() {
        if j < p.len() && (p[j] == '_' || p[j] == t[i]) {
            i += 1;
            j += 1;
        } else if j < p.len() && p[j] == '%' {
            star = Some(j);
            mark = i;
            j += 1;
        } else if let Some(s) = star {
            j = s + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    p[j..].iter().all(|c| *c == '%')
}
