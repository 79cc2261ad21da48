//! Conditional and comparison functions.

use super::{condition, regex, Function, Imp, MANY};
use crate::eval::expr::{equals, eval, in_list, like, Context, EvalError, Row};
use crate::eval::value::EvalValue;
use crate::syntax::Expr;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "if",
        min_args: 3,
        max_args: 3,
        imp: Imp::Exprs(if_),
        examples: &[
            (r#"if(match("arn:aws:iam::1:user/all-admins","all"),"Public AMI","Not Public")"#, "Public AMI"),
            (r#"if(n>10,"y","n")"#, "y"),
            // A null condition takes the else branch (UNVERIFIED, section 3.4).
            (r#"if(missing>10,"y","n")"#, "n"),
        ],
    },
    Function {
        name: "case",
        min_args: 2,
        max_args: MANY,
        imp: Imp::Exprs(case),
        examples: &[
            (r#"case(1==2,"a")"#, "<null>"),
            (r#"case(n>100,"x", n>5,"y")"#, "y"),
            (r#"case(1==2,"a",true(),"d")"#, "d"),
        ],
    },
    Function {
        name: "coalesce",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(coalesce),
        examples: &[(r#"coalesce(null(),"x","y")"#, "x"), ("coalesce(missing, n)", "12"), (r#"coalesce("", "x")"#, "")],
    },
    Function {
        name: "ifnull",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(coalesce),
        examples: &[(r#"ifnull(missing,"x")"#, "x")],
    },
    Function {
        name: "nullif",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(nullif),
        examples: &[(r#"nullif("a","a")"#, "<null>"), (r#"nullif("a","b")"#, "a")],
    },
    Function {
        name: "validate",
        min_args: 2,
        max_args: MANY,
        imp: Imp::Exprs(validate),
        examples: &[(r#"validate(n>0,"neg", n<10,"big")"#, "big"), (r#"validate(n>0,"neg")"#, "<null>")],
    },
    Function {
        name: "in",
        min_args: 1,
        max_args: MANY,
        imp: Imp::Values(in_),
        examples: &[
            (r#"if(in("b","a","b"),1,0)"#, "1"),
            (r#"if(in(names,"x","claudia"),1,0)"#, "1"),
            (r#"if(in("b*","bc"),1,0)"#, "0"),
        ],
    },
    Function {
        name: "like",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(like_),
        examples: &[
            (r#"if(like("PutBucketAcl","Put%"),1,0)"#, "1"),
            (r#"if(like("PutBucketAcl","put%"),1,0)"#, "0"),
            (r#"if(like("ab","a_"),1,0)"#, "1"),
        ],
    },
    Function {
        name: "match",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(match_),
        examples: &[
            (r#"if(match("arn:aws:iam::1:user/all","all"),1,0)"#, "1"),
            (r#"if(match(email,"\.org$"),1,0)"#, "1"),
            (r#"if(match("abc","^b"),1,0)"#, "0"),
            (r#"match(missing,"x")"#, "<null>"),
        ],
    },
    Function {
        name: "cidrmatch",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(cidrmatch),
        examples: &[
            (r#"if(cidrmatch("10.0.0.0/8","10.1.2.3"),1,0)"#, "1"),
            (r#"if(cidrmatch("192.168.0.0/16","10.1.2.3"),1,0)"#, "0"),
            (r#"if(cidrmatch("2001:db8::/32","2001:db8::1"),1,0)"#, "1"),
            (r#"if(cidrmatch("10.0.0.0/8","AWS Internal"),1,0)"#, "0"),
        ],
    },
    Function {
        name: "true",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, _| Ok(EvalValue::Bool(true))),
        examples: &[("if(true(),1,0)", "1")],
    },
    Function {
        name: "false",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, _| Ok(EvalValue::Bool(false))),
        examples: &[("if(false(),1,0)", "0")],
    },
    Function {
        name: "null",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, _| Ok(EvalValue::Null)),
        examples: &[("null()", "<null>")],
    },
];

fn if_(args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    chosen(args, branch("if", args, row, ctx)?, row, ctx)
}

/// The value of the first true condition, even a null one; no true condition gives null.
fn case(args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    chosen(args, branch("case", args, row, ctx)?, row, ctx)
}

fn chosen(args: &[Expr], branch: Option<usize>, row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    match branch {
        Some(k) => eval(&args[k], row, ctx),
        None => Ok(EvalValue::Null),
    }
}

/// The conditions of `if(c, a, b)` or `case(c1, v1, ...)` when `name(args)` is one of them
/// with a valid number of arguments: what [`branch`] reads to choose.
pub fn decision_conditions<'e>(name: &str, args: &'e [Expr]) -> Option<Vec<&'e Expr>> {
    if name.eq_ignore_ascii_case("if") && args.len() == 3 {
        Some(vec![&args[0]])
    } else if name.eq_ignore_ascii_case("case") && args.len() >= 2 && args.len() % 2 == 0 {
        Some(args.iter().step_by(2).collect())
    } else {
        None
    }
}

/// Which argument `if(c, a, b)` or `case(c1, v1, ...)` (`name`, with a valid number of
/// arguments) gives as its value, from its conditions alone: `None` when no case
/// condition is true (the value is null). A null `if` condition takes the else branch.
pub fn branch(name: &str, args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<Option<usize>, EvalError> {
    if name.eq_ignore_ascii_case("if") {
        return Ok(Some(if condition(&args[0], row, ctx)? == Some(true) { 1 } else { 2 }));
    }
    for (k, pair) in args.chunks(2).enumerate() {
        match pair {
            [c, _] => {
                if condition(c, row, ctx)? == Some(true) {
                    return Ok(Some(2 * k + 1));
                }
            }
            [odd] => return Err(EvalError::new("`case` takes condition/value pairs".to_string(), odd.span)),
            _ => unreachable!("chunks of two"),
        }
    }
    Ok(None)
}

/// The value paired with the first condition `pick` accepts; null when none is.
fn first_pair(
    args: &[Expr],
    row: &dyn Row,
    ctx: &Context,
    name: &str,
    pick: fn(Option<bool>) -> bool,
) -> Result<EvalValue, EvalError> {
    for pair in args.chunks(2) {
        match pair {
            [c, v] => {
                if pick(condition(c, row, ctx)?) {
                    return eval(v, row, ctx);
                }
            }
            [odd] => return Err(EvalError::new(format!("`{name}` takes condition/value pairs"), odd.span)),
            _ => unreachable!("chunks of two"),
        }
    }
    Ok(EvalValue::Null)
}

/// The first argument that is not null (`""` counts as a value, UNVERIFIED).
fn coalesce(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    Ok(args.iter().find(|v| !v.is_null()).cloned().unwrap_or(EvalValue::Null))
}

fn nullif(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    Ok(if equals(&args[0], &args[1]) == EvalValue::Bool(true) { EvalValue::Null } else { args[0].clone() })
}

/// The message of the first condition that is not true; all true gives null.
fn validate(args: &[Expr], row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    first_pair(args, row, ctx, "validate", |c| c != Some(true))
}

fn in_(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    Ok(in_list(&args[0], &args[1..]))
}

fn like_(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let Some(pattern) = args[1].as_text() else { return Ok(EvalValue::Null) };
    if args[0].is_null() {
        return Ok(EvalValue::Null);
    }
    Ok(EvalValue::Bool(args[0].texts().iter().any(|t| like(t, &pattern))))
}

/// True when the regex matches anywhere in any value (unanchored).
fn match_(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(_), Some(pattern)) = (args[0].as_text(), args[1].as_text()) else { return Ok(EvalValue::Null) };
    let re = regex(&pattern)?;
    Ok(EvalValue::Bool(args[0].texts().iter().any(|t| re.is_match(t))))
}

fn cidrmatch(args: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(cidr), Some(_)) = (args[0].as_text(), args[1].as_text()) else { return Ok(EvalValue::Null) };
    Ok(EvalValue::Bool(args[1].texts().iter().any(|ip| in_cidr(&cidr, ip))))
}

/// Whether `ip` is inside `cidr` (IPv4 or IPv6); anything that is not an address is not.
pub fn in_cidr(cidr: &str, ip: &str) -> bool {
    use std::net::IpAddr;
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (net.trim().parse::<IpAddr>(), ip.trim().parse::<IpAddr>()) {
        (Ok(IpAddr::V4(n)), Ok(IpAddr::V4(a))) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            (u32::from(n) & mask) == (u32::from(a) & mask)
        }
        (Ok(IpAddr::V6(n)), Ok(IpAddr::V6(a))) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            (u128::from(n) & mask) == (u128::from(a) & mask)
        }
        _ => false,
    }
}
