//! `convert [timeformat=f] func(field) [AS name] ...` (docs/spl-semantics.md 6.5).
//! Conversions run left to right, each seeing the ones before it. A field name may hold `*`
//! (every field it matches; `AS` may then hold as many `*`); `none(f)` keeps the fields it
//! names out of the wildcard conversions of the command. Without `AS` the field is
//! converted in place; with it the original stays and the result goes to the new name. A
//! missing field is left alone (nothing is created).
//!
//! Choices where the docs are silent (UNVERIFIED, each made here):
//! - each value of a multivalue is converted;
//! - a value `ctime`, `mktime`, `dur2sec`, `mstime`, `memk` or `rmunit` cannot read is kept
//!   as it is (and copied to the `AS` name);
//! - `auto` reads a number, or a number written with commas (`1,024`); it leaves the whole
//!   field untouched when any value of any row cannot be read; converted numbers show as
//!   eval shows numbers (`08` becomes `8`);
//! - `mktime` ignores text after what the format reads (as C's `strptime`).

use std::collections::BTreeSet;

use super::{known_options, option};
use crate::engine::EngineError;
use crate::eval::search::glob_captures;
use crate::eval::timefmt::{strftime, strptime};
use crate::eval::value::{format_number, parse_number};
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{Conversion, Convert};

/// `convert`'s default `timeformat`.
pub const DEFAULT_TIME_FORMAT: &str = "%m/%d/%Y %H:%M:%S";

const FUNCTIONS: &[&str] =
    &["ctime", "mktime", "dur2sec", "mstime", "num", "rmunit", "rmcomma", "memk", "auto", "none"];

pub fn run(f: &mut Frame, c: &Convert) -> Result<(), EngineError> {
    known_options(&c.options, &["timeformat"], "convert")?;
    let format = option(&c.options, "timeformat").map_or(DEFAULT_TIME_FORMAT, |o| o.value.text.as_str());
    for conv in &c.conversions {
        let func = conv.func.to_ascii_lowercase();
        if !FUNCTIONS.contains(&func.as_str()) {
            return Err(EngineError::new(
                "spelunk::convert",
                format!("`{}` is not a conversion of `convert`", conv.func),
                conv.span,
                "unknown conversion",
            )
            .with_help(format!("the conversions are {}", FUNCTIONS.join(", "))));
        }
        if let Some(alias) = &conv.alias {
            let stars = |s: &str| s.matches('*').count();
            if stars(&alias.name) != 0 && stars(&alias.name) != stars(&conv.field.name) {
                return Err(EngineError::new(
                    "spelunk::convert",
                    format!("`{}` and `{}` must have the same number of `*`", conv.field.name, alias.name),
                    alias.span,
                    "here",
                ));
            }
        }
    }
    let excluded: BTreeSet<&str> =
        c.conversions.iter().filter(|c| c.func.eq_ignore_ascii_case("none")).map(|c| c.field.name.as_str()).collect();
    for conv in c.conversions.iter().filter(|c| !c.func.eq_ignore_ascii_case("none")) {
        for (from, to) in targets(f, conv, &excluded) {
            convert_field(f, &conv.func.to_ascii_lowercase(), &from, &to, format);
        }
    }
    Ok(())
}

/// (field, destination) pairs a conversion applies to.
fn targets(f: &mut Frame, conv: &Conversion, excluded: &BTreeSet<&str>) -> Vec<(String, String)> {
    let (pattern, alias) = (&conv.field.name, conv.alias.as_ref().map(|a| a.name.as_str()));
    if !pattern.contains('*') {
        f.ensure(&BTreeSet::from([pattern.clone()]));
        return vec![(pattern.clone(), alias.unwrap_or(pattern).to_string())];
    }
    f.ensure_all();
    let excluded_by = |name: &str| excluded.iter().any(|x| glob_captures(x, name).is_some());
    f.names()
        .into_iter()
        .filter(|n| !excluded_by(n))
        .filter_map(|name| {
            let caps = glob_captures(pattern, &name)?;
            let to = match alias {
                None => name.clone(),
                Some(a) => crate::eval::search::glob_fill(a, caps),
            };
            Some((name, to))
        })
        .collect()
}

fn convert_field(f: &mut Frame, func: &str, from: &str, to: &str, format: &str) {
    if !f.has(from) {
        return;
    }
    let values = f.values(from);
    let auto_reads = |s: &str| parse_number(s).or_else(|| parse_number(&s.replace(',', "")));
    if func == "auto" && values.iter().flat_map(Value::values).any(|s| auto_reads(s).is_none()) {
        return;
    }
    let mut out = if from == to { values.clone() } else { f.values(to) };
    for (row, v) in values.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let converted: Vec<String> = v
            .values()
            .iter()
            .filter_map(|s| match func {
                "ctime" => Some(parse_number(s).map_or_else(|| s.clone(), |t| strftime(t, format))),
                "mktime" => Some(strptime(s, format).map_or_else(|| s.clone(), format_number)),
                "dur2sec" => Some(dur2sec(s).map_or_else(|| s.clone(), format_number)),
                "mstime" => Some(mstime(s).map_or_else(|| s.clone(), format_number)),
                "memk" => Some(memk(s).map_or_else(|| s.clone(), format_number)),
                "rmunit" => Some(leading_number(s).unwrap_or(s).to_string()),
                "rmcomma" => Some(s.replace(',', "")),
                "auto" => auto_reads(s).map(format_number),
                // `num`: like `auto`, but a value that cannot be read is removed.
                _ => auto_reads(s).map(format_number),
            })
            .collect();
        out[row] = Value::from_values(converted);
    }
    f.set(to, &out);
}

/// `[D+]HH:MM:SS` as seconds.
pub fn dur2sec(s: &str) -> Option<f64> {
    let (days, clock) = match s.split_once('+') {
        Some((d, rest)) => (d.trim().parse::<u64>().ok()?, rest),
        None => (0, s),
    };
    let parts: Vec<&str> = clock.trim().split(':').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n = |k: usize| parts[k].parse::<u64>().ok();
    Some((days * 86400 + n(0)? * 3600 + n(1)? * 60 + n(2)?) as f64)
}

/// `[MM:]SS.SSS` as seconds.
pub fn mstime(s: &str) -> Option<f64> {
    let (minutes, secs) = match s.split_once(':') {
        Some((m, rest)) => (m.parse::<u64>().ok()? as f64, rest),
        None => (0.0, s),
    };
    let secs = parse_number(secs).filter(|n| *n >= 0.0)?;
    Some(minutes * 60.0 + secs)
}

/// A number with an optional `k`, `m` or `g` suffix, as kilobytes (`k` when none).
pub fn memk(s: &str) -> Option<f64> {
    let (num, factor) = match s.chars().last()?.to_ascii_lowercase() {
        'k' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 1024.0),
        'g' => (&s[..s.len() - 1], 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    Some(parse_number(num)? * factor)
}

/// The number at the start of `s` (`"212 sec"` gives `"212"`).
pub fn leading_number(s: &str) -> Option<&str> {
    let longest = s.bytes().take_while(|b| b"0123456789+-.eE".contains(b)).count();
    (1..=longest).rev().map(|k| &s[..k]).find(|p| parse_number(p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers() {
        assert_eq!(dur2sec("00:10:15"), Some(615.0));
        assert_eq!(dur2sec("2+01:00:00"), Some(2.0 * 86400.0 + 3600.0));
        assert_eq!(dur2sec("10:15"), None);
        assert_eq!(mstime("01:02.5"), Some(62.5));
        assert_eq!(memk("2m"), Some(2048.0));
        assert_eq!(memk("1G"), Some(1048576.0));
        assert_eq!(memk("10"), Some(10.0));
        assert_eq!(memk("x"), None);
        assert_eq!(leading_number("212 sec"), Some("212"));
        assert_eq!(leading_number("1.5e3ms"), Some("1.5e3"));
        assert_eq!(leading_number("sec"), None);
    }
}
