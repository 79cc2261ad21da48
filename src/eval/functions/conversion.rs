//! Conversion functions.

use super::{Function, Imp};
use crate::eval::expr::Context;
use crate::eval::value::{format_number, parse_number, EvalValue};

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "tonumber",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(tonumber),
        examples: &[
            (r#"tonumber("0A4",16)"#, "164"),
            (r#"tonumber("0101",2)"#, "5"),
            (r#"tonumber("5") + 1"#, "6"),
            (r#"tonumber(" 2")"#, "<null>"),
            (r#"tonumber("1.5")"#, "1.5"),
        ],
    },
    Function {
        name: "tostring",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(tostring),
        examples: &[
            ("tostring(1==1)", "True"),
            (r#"tostring(15,"hex")"#, "0xF"),
            (r#"tostring(12345.6789,"commas")"#, "12,345.68"),
            (r#"tostring(12345,"commas")"#, "12,345"),
            (r#"tostring(615,"duration")"#, "00:10:15"),
            ("tostring(n)", "12"),
        ],
    },
];

fn tonumber(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let Some(s) = a[0].as_text() else { return Ok(EvalValue::Null) };
    let base = match a.get(1) {
        Some(b) => match b.as_number() {
            Some(b) if (2.0..=36.0).contains(&b) => b as u32,
            _ => return Err("the base must be a number from 2 to 36".into()),
        },
        None => 10,
    };
    if let EvalValue::Num(n) = a[0] {
        return Ok(EvalValue::Num(n));
    }
    if base == 10 {
        return Ok(parse_number(&s).map_or(EvalValue::Null, EvalValue::Num));
    }
    Ok(i64::from_str_radix(&s, base).map_or(EvalValue::Null, |n| EvalValue::Num(n as f64)))
}

fn tostring(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    if let EvalValue::Bool(b) = a[0] {
        return Ok(EvalValue::Str(if b { "True" } else { "False" }.into()));
    }
    let Some(format) = a.get(1) else {
        return Ok(a[0].as_text().map_or(EvalValue::Null, EvalValue::Str));
    };
    let (Some(n), Some(format)) = (a[0].as_number(), format.as_text()) else { return Ok(EvalValue::Null) };
    Ok(EvalValue::Str(match format.as_str() {
        "hex" => format!("0x{:X}", n as i64),
        "binary" => format!("{:b}", n as i64),
        "commas" => commas(n),
        "duration" => duration(n),
        other => return Err(format!("unknown format `{other}` (hex, binary, commas or duration)")),
    }))
}

/// Thousands separators; a fraction is rounded to two decimals.
fn commas(n: f64) -> String {
    let text = if n.fract() == 0.0 { format_number(n) } else { format!("{n:.2}") };
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", int),
    };
    let mut grouped = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

/// `HH:MM:SS`, with `D+` in front from one day on (UNVERIFIED).
fn duration(n: f64) -> String {
    let total = n.max(0.0) as u64;
    let (d, h, m, s) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60);
    if d > 0 {
        format!("{d}+{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}
