//! Text functions. A multivalue argument is processed value by value (UNVERIFIED, 3.5).

use super::{regex, Function, Imp};
use crate::eval::expr::Context;
use crate::eval::value::EvalValue;

pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "len",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(each(&a[0], |s| crate::eval::value::format_number(s.chars().count() as f64)))),
        examples: &[("len(s)", "6"), (r#"len("é")"#, "1")],
    },
    Function {
        name: "lower",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(each(&a[0], |s| s.to_lowercase()))),
        examples: &[(r#"lower("AbC")"#, "abc"), ("lower(names)", "[alex,celestino,claudia,david]")],
    },
    Function {
        name: "upper",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(each(&a[0], |s| s.to_uppercase()))),
        examples: &[(r#"upper("AbC")"#, "ABC")],
    },
    Function {
        name: "substr",
        min_args: 2,
        max_args: 3,
        imp: Imp::Values(substr),
        examples: &[
            (r#"substr("string",1,3)"#, "str"),
            (r#"substr("string",-3)"#, "ing"),
            (r#"substr("string",3)"#, "ring"),
        ],
    },
    Function {
        name: "replace",
        min_args: 3,
        max_args: 3,
        imp: Imp::Values(replace),
        examples: &[
            (r#"replace("1/12/2009","^(\d{1,2})/(\d{1,2})/","\2/\1/")"#, "12/1/2009"),
            (r#"replace("aXbX","X","-")"#, "a-b-"),
        ],
    },
    Function {
        name: "split",
        min_args: 2,
        max_args: 2,
        imp: Imp::Values(split),
        examples: &[(r#"split("a,,b",",")"#, "[a,,b]"), (r#"split("abc","")"#, "[a,b,c]"), (r#"split("x",",")"#, "x")],
    },
    Function {
        name: "trim",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(|a, _| trim(a, true, true)),
        examples: &[(r#"trim("   ZZZZabcZZ ", " Z")"#, "abc"), ("trim(\"\t a \")", "a")],
    },
    Function {
        name: "ltrim",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(|a, _| trim(a, true, false)),
        examples: &[(r#"ltrim("  a  ")"#, "a  ")],
    },
    Function {
        name: "rtrim",
        min_args: 1,
        max_args: 2,
        imp: Imp::Values(|a, _| trim(a, false, true)),
        examples: &[(r#"rtrim("  a  ")"#, "  a")],
    },
    Function {
        name: "urldecode",
        min_args: 1,
        max_args: 1,
        imp: Imp::Values(|a, _| Ok(each(&a[0], urldecode))),
        examples: &[(r#"urldecode("a%20b%2Fc")"#, "a b/c"), (r#"urldecode("100%")"#, "100%")],
    },
];

/// Applies `f` to each value of `v` (null stays null; a multivalue stays one).
fn each(v: &EvalValue, f: impl Fn(&str) -> String) -> EvalValue {
    match v {
        EvalValue::Null => EvalValue::Null,
        EvalValue::Multi(vs) => EvalValue::Multi(vs.iter().map(|s| f(s)).collect()),
        other => EvalValue::Str(f(&other.as_text().unwrap_or_default())),
    }
}

/// 1-based, SQLite style: a negative start counts from the end; no length means the rest.
fn substr(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(s), Some(start)) = (a[0].as_text(), a[1].as_number()) else { return Ok(EvalValue::Null) };
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len() as i64;
    let start = start as i64;
    let from = if start > 0 {
        start - 1
    } else if start < 0 {
        (n + start).max(0)
    } else {
        0
    };
    let len = match a.get(2) {
        Some(l) => match l.as_number() {
            Some(l) => l as i64,
            None => return Ok(EvalValue::Null),
        },
        None => n,
    };
    let from = from.clamp(0, n) as usize;
    let to = (from as i64 + len.max(0)).clamp(0, n) as usize;
    Ok(EvalValue::Str(chars[from..to].iter().collect()))
}

/// Every match replaced; `\1`..`\9` in the replacement are the groups.
fn replace(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(pattern), Some(repl)) = (a[1].as_text(), a[2].as_text()) else { return Ok(EvalValue::Null) };
    let re = regex(&pattern)?;
    // Splunk's \N back-references, in the regex crate's ${N} form; `$` is literal.
    let mut template = String::new();
    let mut chars = repl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(char::is_ascii_digit) => {
                template.push_str(&format!("${{{}}}", chars.next().expect("peeked")));
            }
            '$' => template.push_str("$$"),
            c => template.push(c),
        }
    }
    Ok(each(&a[0], |s| re.replace_all(s, template.as_str()).into_owned()))
}

/// Pieces between delimiters, empty ones kept (UNVERIFIED); `""` splits into characters.
fn split(a: &[EvalValue], _: &Context) -> Result<EvalValue, String> {
    let (Some(s), Some(d)) = (a[0].as_text(), a[1].as_text()) else { return Ok(EvalValue::Null) };
    let parts: Vec<String> = if d.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(d.as_str()).map(String::from).collect()
    };
    Ok(match parts.len() {
        1 => EvalValue::Str(parts.into_iter().next().expect("one")),
        _ => EvalValue::Multi(parts),
    })
}

/// Strips the given characters (default: spaces and tabs) from either or both ends.
fn trim(a: &[EvalValue], left: bool, right: bool) -> Result<EvalValue, String> {
    let set: Vec<char> = match a.get(1) {
        Some(v) => match v.as_text() {
            Some(t) => t.chars().collect(),
            None => return Ok(EvalValue::Null),
        },
        None => vec![' ', '\t'],
    };
    Ok(each(&a[0], |s| {
        let s = if left { s.trim_start_matches(set.as_slice()) } else { s };
        let s = if right { s.trim_end_matches(set.as_slice()) } else { s };
        s.to_string()
    }))
}

/// `%XX` decoding; an incomplete escape is kept as written; `+` stays `+` (UNVERIFIED).
fn urldecode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%' && k + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[k + 1]), hex(b[k + 2])) {
                out.push((h * 16 + l) as u8);
                k += 3;
                continue;
            }
        }
        out.push(b[k]);
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
