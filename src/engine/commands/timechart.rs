//! `timechart [span=s] [limit=N] [useother=bool] [usenull=bool] [otherstr=s] [nullstr=s]
//! agg ... [by field]` (docs/spl-semantics.md 8): `_time` binned as `bin` bins it, one row
//! per bin from the first to the last (empty bins included), oldest first; without `by`
//! one column per aggregation, with `by` one column per value of the split field.
//!
//! Documented: the span units; the default spans by time range (Splunk's table: up to 15
//! minutes 10s, 60 minutes 1m, 4 hours 5m, 24 hours 30m, 30 days 1d, longer 1mon), here
//! taken over the search's time range when it has both ends, else over the results' own
//! `_time` range; `limit` 10 and `OTHER`/`NULL` columns.
//!
//! Choices where the docs are silent (UNVERIFIED, each made here):
//! - empty cells are `0` for `count` and `dc` (and `estdc`, which is `dc` here), empty otherwise;
//! - split columns are in byte order of their values, then `OTHER`, then `NULL`;
//! - with `limit`, the series kept are those with the largest total of the first
//!   aggregation over all bins (ties in byte order); `OTHER` aggregates the rows of the
//!   others;
//! - with several aggregations and `by`, columns are named `agg: value`, all of the first
//!   aggregation's columns first.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::bin::{months_bin, parse_span, Span};
use super::stats::{compute, plan, times, Planned};
use super::{bool_option, count_option, known_options, option, Cx};
use crate::engine::aggregate::Func;
use crate::engine::{EngineError, TimeUnit};
use crate::eval::value::{format_number, parse_number};
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Stats};

/// Where the series of a split value goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Series {
    Value(String),
    Other,
    Null,
}

pub fn run(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let all: Vec<CmdOption> = s.options.iter().chain(&s.by_options).cloned().collect();
    known_options(
        &all,
        &["span", "limit", "useother", "usenull", "otherstr", "nullstr", "partial", "cont", "fixedrange"],
        "timechart",
    )?;
    if s.by.len() > 1 {
        return Err(EngineError::new(
            "spelunk::timechart",
            "`timechart` splits by one field",
            s.by[1].span,
            "a second split field",
        )
        .with_help("combine them first, e.g. `eval pair=a.\":\".b | timechart count by pair`"));
    }
    let limit = count_option(&all, "limit")?.unwrap_or(10) as usize;
    let useother = bool_option(&all, "useother", true)?;
    let usenull = bool_option(&all, "usenull", true)?;
    let otherstr = option(&all, "otherstr").map_or("OTHER".to_string(), |o| o.value.text.clone());
    let nullstr = option(&all, "nullstr").map_or("NULL".to_string(), |o| o.value.text.clone());

    // Each row's bin; rows without a time are in no bin.
    f.ensure(&BTreeSet::from(["_time".to_string()]));
    let time: Vec<Option<f64>> =
        f.values("_time").iter().map(|v| v.values().first().and_then(|t| parse_number(t))).collect();
    let span = match option(&all, "span") {
        Some(o) => match parse_span(&o.value.text) {
            Some(Span::Time(u)) => u,
            Some(Span::Number(n)) => TimeUnit::Seconds(n),
            None => {
                return Err(EngineError::new(
                    "spelunk::timechart",
                    format!("`{}` is not a span", o.value.text),
                    o.value.span,
                    "here",
                )
                .with_help("a positive number with a unit: s, m, h, d, w, mon, q, y"))
            }
        },
        None => default_span(cx, &time),
    };
    let bin_of: Vec<Option<f64>> = time.iter().map(|t| t.and_then(|t| bin(t, span))).collect();

    let by = s.by.first().map(|i| i.name.clone());
    let planned = plan(f, &s.aggs, by.as_slice(), cx)?;
    let times = times(f, &planned);
    let split: Vec<Value> = match &by {
        Some(b) => {
            f.ensure(&BTreeSet::from([b.clone()]));
            f.values(b)
        }
        None => Vec::new(),
    };

    // (bin, series) -> rows; a multivalue split value counts under each value.
    let mut cells: BTreeMap<(i64, Series), Vec<usize>> = BTreeMap::new();
    let mut bins: BTreeSet<i64> = BTreeSet::new();
    for (row, b) in bin_of.iter().enumerate() {
        let Some(b) = b else { continue };
        let key = key_of(*b);
        bins.insert(key);
        let series: Vec<Series> = match &by {
            None => vec![Series::Value(String::new())],
            Some(_) => match &split[row] {
                Value::Null => vec![Series::Null],
                v => v.values().iter().map(|s| Series::Value(s.clone())).collect(),
            },
        };
        for se in series {
            cells.entry((key, se)).or_default().push(row);
        }
    }
    // Every bin from the first to the last.
    let all_bins: Vec<i64> = match (bins.first(), bins.last()) {
        (Some(&lo), Some(&hi)) => {
            let mut v = vec![lo];
            while let Some(next) = next_bin(*v.last().expect("not empty"), span).filter(|n| *n <= hi) {
                v.push(next);
                if v.len() > cx.limits.max_rows {
                    return Err(EngineError::new(
                        "spelunk::limit",
                        format!("`timechart` would make more than {} rows", cx.limits.max_rows),
                        option(&all, "span").map_or(s.aggs[0].span, |o| o.value.span),
                        "too many bins",
                    ));
                }
            }
            v
        }
        _ => Vec::new(),
    };

    // Which split values keep their own column.
    let values: BTreeSet<String> = cells
        .keys()
        .filter_map(|(_, se)| match se {
            Series::Value(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    let kept: BTreeSet<String> = if by.is_none() || limit == 0 || values.len() <= limit {
        values.clone()
    } else {
        let first = &planned[0];
        let mut ranked: Vec<(f64, String)> = values
            .iter()
            .map(|v| {
                let rows: Vec<usize> = cells
                    .iter()
                    .filter(|((_, se), _)| *se == Series::Value(v.clone()))
                    .flat_map(|(_, r)| r.iter().copied())
                    .collect();
                (number(&compute(first, &rows, &times)), v.clone())
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        ranked.into_iter().take(limit).map(|(_, v)| v).collect()
    };
    let mut merged: BTreeMap<(i64, Series), Vec<usize>> = BTreeMap::new();
    for ((b, se), rows) in cells {
        let se = match se {
            Series::Value(v) if !kept.contains(&v) => Series::Other,
            Series::Null if !usenull => continue,
            se => se,
        };
        if se == Series::Other && !useother {
            continue;
        }
        let cell = merged.entry((b, se)).or_default();
        cell.extend(rows);
        cell.sort_unstable();
        cell.dedup();
    }
    let mut series: Vec<Series> = kept.into_iter().map(Series::Value).collect();
    for extra in [Series::Other, Series::Null] {
        if merged.keys().any(|(_, se)| *se == extra) {
            series.push(extra);
        }
    }

    let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
    columns.insert("_time".into(), all_bins.iter().map(|b| Value::Str(format_number(value_of(*b)))).collect());
    for p in &planned {
        for se in &series {
            let label = match se {
                Series::Value(v) => v.clone(),
                Series::Other => otherstr.clone(),
                Series::Null => nullstr.clone(),
            };
            let name = match (&by, planned.len()) {
                (None, _) => p.name.clone(),
                (Some(_), 1) => label,
                (Some(_), _) => format!("{}: {label}", p.name),
            };
            let col = all_bins
                .iter()
                .map(|b| match merged.get(&(*b, se.clone())) {
                    Some(rows) => compute(p, rows, &times),
                    None => empty(p),
                })
                .collect();
            columns.insert(name, col);
        }
    }
    *f = Frame::from_columns(all_bins.len(), columns);
    Ok(())
}

/// Bins are keyed by their start in microseconds (whole numbers order and compare exactly).
fn key_of(start: f64) -> i64 {
    (start * 1e6).round() as i64
}

fn value_of(key: i64) -> f64 {
    key as f64 / 1e6
}

/// The start of the bin holding `t`.
fn bin(t: f64, span: TimeUnit) -> Option<f64> {
    match span {
        TimeUnit::Seconds(s) => Some(super::bin::round_to_span((t / s).floor() * s, s)),
        TimeUnit::Months(m) => months_bin(t, m),
    }
}

/// The bin after the one starting at `key`.
fn next_bin(key: i64, span: TimeUnit) -> Option<i64> {
    match span {
        TimeUnit::Seconds(s) => Some(key + (s * 1e6).round() as i64),
        TimeUnit::Months(m) => {
            let start = value_of(key);
            // Some time inside the next bin: 32 days per month past the start.
            let inside = start + f64::from(m) * 32.0 * 86400.0;
            months_bin(inside, m).map(key_of).filter(|n| *n > key)
        }
    }
}

/// The span Splunk picks by time range when none is given.
fn default_span(cx: &Cx, time: &[Option<f64>]) -> TimeUnit {
    let range = match (cx.range.earliest, cx.range.latest) {
        (Some(e), Some(l)) => l - e,
        _ => {
            let present = time.iter().flatten();
            let lo = present.clone().fold(f64::INFINITY, |a, b| a.min(*b));
            let hi = present.fold(f64::NEG_INFINITY, |a, b| a.max(*b));
            if hi >= lo {
                hi - lo
            } else {
                0.0
            }
        }
    };
    const MIN: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    match range {
        r if r <= 15.0 * MIN => TimeUnit::Seconds(10.0),
        r if r <= 60.0 * MIN => TimeUnit::Seconds(60.0),
        r if r <= 4.0 * HOUR => TimeUnit::Seconds(300.0),
        r if r <= 24.0 * HOUR => TimeUnit::Seconds(1800.0),
        r if r <= 30.0 * 24.0 * HOUR => TimeUnit::Seconds(86400.0),
        _ => TimeUnit::Months(1),
    }
}

/// What a bin without rows shows.
fn empty(p: &Planned) -> Value {
    match p.func {
        Func::Count | Func::Dc => Value::Str("0".into()),
        _ => Value::Null,
    }
}

fn number(v: &Value) -> f64 {
    v.values().first().and_then(|s| parse_number(s)).unwrap_or(0.0)
}
