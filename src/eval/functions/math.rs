//! Mathematical functions, and the statistical `min`/`max` of eval. A non-numeric argument
//! gives null.

use super::{Function, Imp, MANY};
use crate::eval::expr::{compare, Context};
use crate::eval::value::EvalValue;

fn num1(a: &[EvalValue], f: impl Fn(f64) -> f64) -> Result<EvalValue, String> {
    Ok(a[0].as_number().map_or(EvalValue::Null, |n| EvalValue::Num(f(n))))
}

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "abs",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::abs)),
        examples: &[("abs(-3)", "3")],
    },
    Function {
        name: "ceil",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::ceil)),
        examples: &[("ceil(1.2)", "2")],
    },
    Function {
        name: "ceiling",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::ceil)),
        examples: &[("ceiling(1.2)", "2")],
    },
    Function {
        name: "floor",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::floor)),
        examples: &[("floor(1.9)", "1")],
    },
    Function {
        name: "round",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(round),
        examples: &[("round(3.5)", "4"), ("round(2.555,2)", "2.56"), ("round(-2.5)", "-3"), ("round(s)", "<null>")],
    },
    Function {
        name: "pow",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(|a, _| {
            Ok(match (a[0].as_number(), a[1].as_number()) {
                (Some(x), Some(y)) => EvalValue::Num(x.powf(y)),
                _ => EvalValue::Null,
            })
        }),
        examples: &[("pow(10,3)", "1000")],
    },
    Function {
        name: "sqrt",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::sqrt)),
        examples: &[("sqrt(16)", "4")],
    },
    Function {
        name: "exp",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::exp)),
        examples: &[("exp(0)", "1")],
    },
    Function {
        name: "ln",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| num1(a, f64::ln)),
        examples: &[("ln(1)", "0")],
    },
    Function {
        name: "log",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(|a, _| {
            let base = a.get(1).map_or(Some(10.0), EvalValue::as_number);
            Ok(match (a[0].as_number(), base) {
                (Some(x), Some(b)) => EvalValue::Num(x.log(b)),
                _ => EvalValue::Null,
            })
        }),
        examples: &[("log(100)", "2"), ("log(8,2)", "3")],
    },
    Function {
        name: "pi",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, _| Ok(EvalValue::Num(std::f64::consts::PI))),
        examples: &[("round(pi(),2)", "3.14")],
    },
    Function {
        name: "exact",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(a[0].clone())),
        examples: &[("exact(3)", "3")],
    },
    Function {
        name: "max",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(|a, c| extreme(a, c, true)),
        examples: &[(r#"max(1,3,6,7,"foo")"#, "foo"), ("max(1, n)", "12")],
    },
    Function {
        name: "min",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(|a, c| extreme(a, c, false)),
        examples: &[(r#"min(1,"foo")"#, "1"), ("min(names)", "alex")],
    },
];

/// Half away from zero, at `digits` decimals, on the decimal text (so 2.555 gives 2.56).
fn round(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let Some(n) = a[0].as_number() else { return Ok(EvalValue::Null) };
    let digits = a.get(1).and_then(EvalValue::as_number).unwrap_or(0.0).max(0.0) as usize;
    let text = format!("{:.*}", digits + 3, n);
    let scaled: f64 = text.parse::<f64>().unwrap_or(n) * 10f64.powi(digits as i32);
    let r = (scaled + 1e-9 * scaled.signum()).round() / 10f64.powi(digits as i32);
    Ok(EvalValue::Num(r))
}

/// Over all values of all arguments: any string ranks above any number.
fn extreme(a: &[EvalValue], _: &Context, want_max: bool) -> Result<EvalValue, String> {
    let mut best: Option<EvalValue> = None;
    for v in a.iter().flat_map(|v| match v {
        EvalValue::Multi(vs) => vs.iter().map(|s| EvalValue::Field(s.clone())).collect::<Vec<_>>(),
        EvalValue::Null => Vec::new(),
        other => vec![other.clone()],
    }) {
        let rank = |x: &EvalValue| x.as_number().is_none();
        best = Some(match best {
            None => v,
            Some(b) => {
                let ord = match (rank(&b), rank(&v)) {
                    (false, true) => std::cmp::Ordering::Less,
                    (true, false) => std::cmp::Ordering::Greater,
                    _ => compare(&b, &v).unwrap_or(std::cmp::Ordering::Equal),
                };
                let keep_b =
                    if want_max { ord != std::cmp::Ordering::Less } else { ord != std::cmp::Ordering::Greater };
                if keep_b {
                    b
                } else {
                    v
                }
            }
        });
    }
    Ok(best.unwrap_or(EvalValue::Null))
}
