//! Date and time functions (docs/spl-semantics.md 3.7, 10). Formats are `eval::timefmt`'s,
//! modifiers `eval::reltime`'s; times are UTC.
//!
//! Choice: `time()` is Splunk's wall clock per result; spelunk gives the search's start
//! (`now()`) so that a search's results are reproducible, shown with 6 decimals as Splunk
//! shows `time()`.

use super::{Function, Imp};
use crate::eval::expr::Context;
use crate::eval::reltime::relative_time;
use crate::eval::timefmt::{format_has_date, strftime, strptime};
use crate::eval::value::EvalValue;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "now",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, ctx| Ok(EvalValue::Num(ctx.now))),
        examples: &[("now()", "1626784496"), ("now() - 60", "1626784436")],
    },
    Function {
        name: "time",
        min_args: 0,
        max_args: 0,
        imp: Imp::Values(|_, ctx| Ok(EvalValue::Field(format!("{:.6}", ctx.now)))),
        examples: &[("time()", "1626784496.000000"), ("time() + 1", "1626784497")],
    },
    Function {
        name: "relative_time",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(relative),
        examples: &[
            (r#"relative_time(1626784496,"-1d@d")"#, "1626652800"),
            (r#"relative_time(now(),"-70m@m")"#, "1626780240"),
            (r#"relative_time(n,"+1m")"#, "72"),
            (r#"relative_time(missing,"-1d")"#, "<null>"),
            (r#"relative_time(1626784496,"yesterday")"#, "<null>"),
        ],
    },
    Function {
        name: "strftime",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(format),
        examples: &[
            (r#"strftime(now(),"%H")"#, "12"),
            (r#"strftime(now(),"%A")"#, "Tuesday"),
            (r#"strftime(now(),"%Y-%m-%dT%H:%M:%S.%Q")"#, "2021-07-20T12:34:56.000"),
            (r#"strftime(1626784496123/pow(10,3),"%H:%M:%S.%3N")"#, "12:34:56.123"),
            (r#"strftime(s,"%H")"#, "<null>"),
            (r#"strftime(missing,"%H")"#, "<null>"),
        ],
    },
    Function {
        name: "strptime",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(parse),
        examples: &[
            (r#"strptime("2021-07-20T12:34:56","%Y-%m-%dT%H:%M:%S")"#, "1626784496.000000"),
            (r#"strptime("07/20/2021 12:34:56 PM","%m/%d/%Y %I:%M:%S %p")"#, "1626784496.000000"),
            (r#"strptime("2021-07-20T12:34:56+0200","%Y-%m-%dT%H:%M:%S%z")"#, "1626777296.000000"),
            (r#"strptime("12:34","%H:%M")"#, "<null>"),
            (r#"strptime("not a date","%Y-%m-%d")"#, "<null>"),
        ],
    },
];

/// A time argument: a number, or a field value that reads as one.
fn epoch(v: &EvalValue) -> Option<f64> {
    v.as_number()
}

fn relative(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(t), Some(m)) = (epoch(&a[0]), a[1].as_text()) else { return Ok(EvalValue::Null) };
    // An unreadable modifier gives null, as other functions' unusable arguments do.
    Ok(relative_time(t, &m).map_or(EvalValue::Null, EvalValue::Num))
}

fn format(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(t), Some(f)) = (epoch(&a[0]), a[1].as_text()) else { return Ok(EvalValue::Null) };
    Ok(EvalValue::Str(strftime(t, &f)))
}

fn parse(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(s), Some(f)) = (a[0].as_text(), a[1].as_text()) else { return Ok(EvalValue::Null) };
    if !format_has_date(&f) {
        return Ok(EvalValue::Null);
    }
    Ok(strptime(&s, &f).map_or(EvalValue::Null, |t| EvalValue::Field(format!("{t:.6}"))))
}
