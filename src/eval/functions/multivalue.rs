//! Multivalue functions.

use super::{regex, Function, Imp, MANY};
use crate::eval::expr::{eval, Context, EvalError, Row};
use crate::eval::value::{format_number, EvalValue};
use crate::events::{Fields, Value};
use crate::syntax::{Expr, ExprKind};

/// A list of values as a result: none is null, one is a single value.
fn result(values: Vec<String>) -> EvalValue {
    match values.len() {
        0 => EvalValue::Null,
        1 => EvalValue::Str(values.into_iter().next().expect("one")),
        _ => EvalValue::Multi(values),
    }
}

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "mvcount",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| {
            Ok(if a[0].is_null() { EvalValue::Null } else { EvalValue::Num(a[0].texts().len() as f64) })
        }),
        examples: &[("mvcount(names)", "4"), ("mvcount(n)", "1"), ("mvcount(missing)", "<null>")],
    },
    Function {
        name: "mvindex",
        min_args: 2,
        max_args: 3,
        imp: Imp::Values(mvindex),
        examples: &[
            ("mvindex(names,2)", "claudia"),
            ("mvindex(names,-1)", "david"),
            ("mvindex(names,0,1)", "[alex,celestino]"),
            ("mvindex(names,9)", "<null>"),
        ],
    },
    Function {
        name: "mvjoin",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(|a, _| {
            Ok(match (a[0].is_null(), a[1].as_text()) {
                (false, Some(d)) => EvalValue::Str(a[0].texts().join(&d)),
                _ => EvalValue::Null,
            })
        }),
        examples: &[(r#"mvjoin(split("1,2,3",","),";")"#, "1;2;3")],
    },
    Function {
        name: "mvappend",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(|a, _| Ok(result(a.iter().flat_map(EvalValue::texts).collect()))),
        examples: &[(r#"mvappend("a", null(), split("b,c",","))"#, "[a,b,c]"), ("mvappend(null())", "<null>")],
    },
    Function {
        name: "mvdedup",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| {
            let mut seen = Vec::new();
            for v in a[0].texts() {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            Ok(result(seen))
        }),
        examples: &[(r#"mvdedup(split("b,a,b",","))"#, "[b,a]")],
    },
    Function {
        name: "mvfind",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(|a, _| {
            let Some(p) = a[1].as_text() else { return Ok(EvalValue::Null) };
            let re = regex(&p)?;
            Ok(a[0].texts().iter().position(|v| re.is_match(v)).map_or(EvalValue::Null, |k| EvalValue::Num(k as f64)))
        }),
        examples: &[(r#"mvfind(names,"^cl")"#, "2"), (r#"mvfind(names,"z")"#, "<null>")],
    },
    Function {
        name: "mvzip",
        min_args: 2,
        max_args: 3,
        imp: Imp::Values(|a, _| {
            if a[0].is_null() || a[1].is_null() {
                return Ok(EvalValue::Null);
            }
            let d = a.get(2).and_then(EvalValue::as_text).unwrap_or_else(|| ",".into());
            Ok(result(a[0].texts().iter().zip(a[1].texts()).map(|(x, y)| format!("{x}{d}{y}")).collect()))
        }),
        examples: &[(r#"mvzip(split("a,b",","),split("1,2,3",","))"#, "[a,1,b,2]")],
    },
    Function {
        name: "mvsort",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| {
            let mut v = a[0].texts();
            v.sort();
            Ok(result(v))
        }),
        examples: &[(r#"mvsort(split("b,10,A,9",","))"#, "[10,9,A,b]")],
    },
    Function {
        name: "mvreverse",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| {
            let mut v = a[0].texts();
            v.reverse();
            Ok(result(v))
        }),
        examples: &[("mvreverse(names)", "[david,claudia,celestino,alex]")],
    },
    Function {
        name: "mvrange",
        min_args: 2,
        max_args: 3,
        imp: Imp::Values(mvrange),
        examples: &[("mvrange(1,11,2)", "[1,3,5,7,9]"), ("mvrange(3,1)", "<null>")],
    },
    Function {
        name: "mvfilter",
        min_args: 1,
        max_args: 1,
        imp: Imp::Exprs(mvfilter),
        examples: &[(r#"mvfilter(match(email,"\.org$"))"#, "b@y.org"), (r#"mvfilter(match(email,"z"))"#, "<null>")],
    },
    Function {
        name: "mvmap",
        min_args: 2,
        max_args: 2,
        imp: Imp::Exprs(mvmap),
        examples: &[
            (r#"mvmap(names, upper(names) . n)"#, "[ALEX12,CELESTINO12,CLAUDIA12,DAVID12]"),
            (r#"mvmap(names, if(len(names) > 5, names, null()))"#, "[celestino,claudia]"),
            (r#"mvmap(missing, 1)"#, "<null>"),
        ],
    },
];

/// 0-based, negative from the end, `end` inclusive; out of range is null.
fn mvindex(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    if a[0].is_null() {
        return Ok(EvalValue::Null);
    }
    let values = a[0].texts();
    let n = values.len() as i64;
    let at = |v: &EvalValue| v.as_number().map(|x| if x < 0.0 { n + x as i64 } else { x as i64 });
    let Some(start) = at(&a[1]) else { return Ok(EvalValue::Null) };
    let end = match a.get(2) {
        Some(e) => match at(e) {
            Some(e) => e.min(n - 1),
            None => return Ok(EvalValue::Null),
        },
        None => start,
    };
    if start < 0 || start >= n || end < start {
        return Ok(EvalValue::Null);
    }
    Ok(result(values[start as usize..=end as usize].to_vec()))
}

/// `start` up to `end` (exclusive) by `step`.
fn mvrange(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(start), Some(end)) = (a[0].as_number(), a[1].as_number()) else { return Ok(EvalValue::Null) };
    let step = a.get(2).and_then(EvalValue::as_number).unwrap_or(1.0);
    if step <= 0.0 {
        return Err("the step must be positive".into());
    }
    let mut out = Vec::new();
    let mut x = start;
    while x < end && out.len() < 1_000_000 {
        out.push(format_number(x));
        x += step;
    }
    Ok(result(out))
}

/// Keeps the values of the one field the predicate names for which it is true.
fn mvfilter(args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    let mut names = Vec::new();
    fields_in(&args[0], &mut names);
    names.dedup();
    let [field] = names.as_slice() else {
        return Err(EvalError::new("`mvfilter` needs a condition on exactly one field", args[0].span));
    };
    let values = EvalValue::from_field(row.field(field)).texts();
    let mut kept = Vec::new();
    for v in values {
        let mut one = Fields::default();
        one.insert(field.clone(), Value::Str(v.clone()));
        if eval(&args[0], &one, ctx)?.truth() == Some(true) {
            kept.push(v);
        }
    }
    Ok(result(kept))
}

/// `mvmap(X, expr)`: `expr` for each value of the field X, with X standing for that value
/// (other fields read as they are); null results are dropped.
fn mvmap(args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    let ExprKind::Field(field) = &args[0].kind else {
        return Err(EvalError::new("`mvmap` needs a field name first", args[0].span));
    };
    let values = EvalValue::from_field(row.field(field)).texts();
    if values.is_empty() {
        return Ok(EvalValue::Null);
    }
    let mut out = Vec::new();
    for v in values {
        let one = Value::Str(v);
        let bound = Bound { row, name: field, value: &one };
        out.extend(eval(&args[1], &bound, ctx)?.texts());
    }
    Ok(result(out))
}

/// A row with one field's value replaced.
struct Bound<'a> {
    row: &'a dyn Row,
    name: &'a str,
    value: &'a Value,
}

impl Row for Bound<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        if name == self.name {
            Some(self.value)
        } else {
            self.row.field(name)
        }
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        self.row.each_field(&mut |k, v| f(k, if k == self.name { self.value } else { v }));
    }
}

fn fields_in(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Field(n) => {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| fields_in(a, out)),
        ExprKind::Unary { expr, .. } => fields_in(expr, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            fields_in(lhs, out);
            fields_in(rhs, out);
        }
        ExprKind::In { expr, list } => {
            fields_in(expr, out);
            list.iter().for_each(|a| fields_in(a, out));
        }
        ExprKind::Str(_) | ExprKind::Num(_) => {}
    }
}
