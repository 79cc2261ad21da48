//! `bin`/`bucket [span=s] field [AS name]` (docs/spl-semantics.md 6.6).
//!
//! A span with a time unit (`5m`, `1h`, `1d`, `1w`, `1mon`, `1q`, `1y`, `ms`...) or any span
//! on `_time` puts each value (epoch seconds) at the start of its bin, and the value stays
//! a number: fixed-length spans are aligned to epoch 0 UTC (`floor(t / span) * span`), so
//! days start at midnight UTC; month, quarter and year spans start on the first of a
//! month, counting months from January 1970. A span without a unit on another field gives
//! the range label `lo-hi` (`bin mag span=1` gives `0-1`, `1-2`).
//!
//! `bins=`, `minspan=`, `start=`, `end=` and `aligntime=` are refused: the automatic bin
//! sizes they choose are not documented well enough to reproduce, so `span=` is required.
//!
//! Choices where the docs are silent (UNVERIFIED, each made here):
//! - week spans are aligned to epoch 0 like other fixed spans (a Thursday);
//! - a row without the field, or a value that is not a number, is left as it is;
//! - each value of a multivalue is binned.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate};

use super::{known_options, option};
use crate::engine::{time_unit, EngineError, TimeUnit};
use crate::eval::value::{format_number, parse_number};
use crate::events::hash::FxBuild;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::Bin;

/// A parsed `span=`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Span {
    /// A time span.
    Time(TimeUnit),
    /// A plain number: range labels (or seconds, on `_time`).
    Number(f64),
}

pub fn run(f: &mut Frame, b: &Bin) -> Result<(), EngineError> {
    known_options(&b.options, &["span"], "bin")?;
    let Some(span_opt) = option(&b.options, "span") else {
        return Err(EngineError::new("spelunk::bin", "`bin` needs `span=`", b.field.span, "no span for this field")
            .with_help("give the bin size, e.g. `bin _time span=5m` or `bin bytes span=100`"));
    };
    let span = parse_span(&span_opt.value.text).ok_or_else(|| {
        EngineError::new(
            "spelunk::bin",
            format!("`{}` is not a span", span_opt.value.text),
            span_opt.value.span,
            "here",
        )
        .with_help("a positive number with an optional unit: s, m, h, d, w, mon, q, y (or ms, us, cs, ds)")
    })?;
    let span = match span {
        Span::Number(n) if b.field.name == "_time" => Span::Time(TimeUnit::Seconds(n)),
        s => s,
    };
    let from = &b.field.name;
    let to = b.alias.as_ref().map_or(from, |a| &a.name);
    f.ensure(&BTreeSet::from([from.clone(), to.clone()]));
    if !f.has(from) {
        return Ok(());
    }
    // Each value binned (text that is not a number stays as it is); a row without the
    // field keeps what `to` had.
    let bin_one = |s: &str| parse_number(s).map_or_else(|| s.to_string(), |n| bin(n, span));
    let binned = |v: &Value| match v {
        Value::Null => None,
        Value::Str(s) => Some(Value::Str(bin_one(s))),
        Value::Multi(all) => Some(Value::from_values(all.iter().map(|s| bin_one(s)).collect())),
    };
    if from == to {
        if let Some(codes) = f.row_codes(from) {
            // One value a row: each distinct value binned once, the rows' cells set as
            // text (no value copied per row: `bin _time` over millions of events).
            let mut texts: Vec<String> = Vec::new();
            let mut text_of: HashMap<String, u32, FxBuild> = HashMap::default();
            let mut of_code: HashMap<u32, u32, FxBuild> = HashMap::default();
            let cells: Vec<u32> = (0..f.height())
                .map(|row| match codes.code(row) {
                    0 => 0,
                    c => *of_code.entry(c).or_insert_with(|| {
                        let text = bin_one(codes.dict()[c as usize - 1]);
                        *text_of.entry(text).or_insert_with_key(|text| {
                            texts.push(text.clone());
                            texts.len() as u32
                        })
                    }),
                })
                .collect();
            drop(codes);
            f.set_text(to, cells.iter().map(|&k| k.checked_sub(1).map(|k| texts[k as usize].as_str())));
            return Ok(());
        }
    }
    let values = f.values(from);
    let out: Vec<Value> = if from == to {
        values.iter().map(|v| binned(v).unwrap_or(Value::Null)).collect()
    } else {
        let mut out = f.values(to);
        for (row, v) in values.iter().enumerate() {
            if let Some(b) = binned(v) {
                out[row] = b;
            }
        }
        out
    };
    f.set(to, &out);
    Ok(())
}

/// `5m`, `1.5h`, `2mon`, `100`.
pub(super) fn parse_span(text: &str) -> Option<Span> {
    let digits = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let n: f64 = text[..digits].parse().ok().filter(|n: &f64| *n > 0.0 && n.is_finite())?;
    let unit = &text[digits..];
    if unit.is_empty() {
        return Some(Span::Number(n));
    }
    match time_unit(unit)? {
        TimeUnit::Seconds(s) => Some(Span::Time(TimeUnit::Seconds(n * s))),
        TimeUnit::Months(m) if n.fract() == 0.0 => Some(Span::Time(TimeUnit::Months(m * n as u32))),
        TimeUnit::Months(_) => None,
    }
}

/// One value's bin.
fn bin(n: f64, span: Span) -> String {
    match span {
        Span::Time(TimeUnit::Seconds(s)) => format_number(round_to_span((n / s).floor() * s, s)),
        Span::Time(TimeUnit::Months(m)) => months_bin(n, m).map_or_else(|| format_number(n), format_number),
        Span::Number(s) => {
            let lo = round_to_span((n / s).floor() * s, s);
            format!("{}-{}", format_number(lo), format_number(round_to_span(lo + s, s)))
        }
    }
}

/// `x` without the float noise of a fractional span (`0.1 * 3`).
pub(super) fn round_to_span(x: f64, span: f64) -> f64 {
    if span.fract() == 0.0 {
        x
    } else {
        (x * 1e6).round() / 1e6
    }
}

/// The start (epoch) of the `m`-month bin holding `t`, months counted from January 1970.
pub(super) fn months_bin(t: f64, m: u32) -> Option<f64> {
    let d = DateTime::from_timestamp(t.floor() as i64, 0)?;
    let months = (d.year() - 1970) * 12 + d.month0() as i32;
    let start = months.div_euclid(m as i32) * m as i32;
    let date = NaiveDate::from_ymd_opt(1970 + start.div_euclid(12), start.rem_euclid(12) as u32 + 1, 1)?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(parse_span("5m"), Some(Span::Time(TimeUnit::Seconds(300.0))));
        assert_eq!(parse_span("2mon"), Some(Span::Time(TimeUnit::Months(2))));
        assert_eq!(parse_span("1q"), Some(Span::Time(TimeUnit::Months(3))));
        assert_eq!(parse_span("10"), Some(Span::Number(10.0)));
        assert_eq!(parse_span("0m"), None);
        assert_eq!(parse_span("1.5mon"), None);
        assert_eq!(parse_span("5x"), None);
        assert_eq!(parse_span("m"), None);
    }

    #[test]
    fn bins() {
        assert_eq!(bin(1626784496.0, Span::Time(TimeUnit::Months(1))), "1625097600"); // 2021-07-01
        assert_eq!(bin(1626784496.0, Span::Time(TimeUnit::Months(12))), "1609459200"); // 2021-01-01
        assert_eq!(bin(-1.0, Span::Time(TimeUnit::Months(1))), "-2678400"); // 1969-12-01
        assert_eq!(bin(0.35, Span::Number(0.1)), "0.3-0.4");
        assert_eq!(bin(-0.5, Span::Number(1.0)), "-1-0");
        assert_eq!(bin(1.25, Span::Time(TimeUnit::Seconds(0.1))), "1.2");
    }
}
