//! The aggregation functions of `stats`, `eventstats`, `streamstats` and `timechart`
//! (docs/spl-semantics.md 4.2), each over the values one group of results has.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::eval::value::{format_number, parse_number, push_digits};
use crate::events::Value;

/// One aggregation function, by what it computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Func {
    Count,
    Dc,
    Values,
    List,
    Min,
    Max,
    Sum,
    Sumsq,
    Avg,
    Median,
    Mode,
    Stdev,
    Stdevp,
    Var,
    Varp,
    Range,
    Perc(f64),
    First,
    Last,
    Earliest,
    Latest,
    EarliestTime,
    LatestTime,
    Rate,
}

/// `list()` keeps at most this many values (limits.conf `list_maxsize`).
pub const LIST_MAX: usize = 100;

impl Func {
    /// The function a name means (`c` is `count`, `distinct_count` is `dc`, `estdc` is exact
    /// here, `p95`/`perc95`/`exactperc95`/`upperperc95` are percentiles), if any.
    pub fn from_name(name: &str) -> Option<Func> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "count" | "c" => Func::Count,
            "dc" | "distinct_count" | "estdc" => Func::Dc,
            "values" => Func::Values,
            "list" => Func::List,
            "min" => Func::Min,
            "max" => Func::Max,
            "sum" => Func::Sum,
            "sumsq" => Func::Sumsq,
            "avg" | "mean" => Func::Avg,
            "median" => Func::Median,
            "mode" => Func::Mode,
            "stdev" => Func::Stdev,
            "stdevp" => Func::Stdevp,
            "var" => Func::Var,
            "varp" => Func::Varp,
            "range" => Func::Range,
            "first" => Func::First,
            "last" => Func::Last,
            "earliest" => Func::Earliest,
            "latest" => Func::Latest,
            "earliest_time" => Func::EarliestTime,
            "latest_time" => Func::LatestTime,
            "rate" => Func::Rate,
            _ => {
                let digits = ["exactperc", "upperperc", "perc", "p"].iter().find_map(|p| n.strip_prefix(p))?;
                let p: f64 = digits.parse().ok()?;
                if !(0.0..=100.0).contains(&p) {
                    return None;
                }
                Func::Perc(p)
            }
        })
    }

    /// Whether it needs each result's `_time`.
    pub fn needs_time(self) -> bool {
        matches!(self, Func::Earliest | Func::Latest | Func::EarliestTime | Func::LatestTime | Func::Rate)
    }
}

/// The input of one aggregation over one group: each result's values of the argument (in
/// input order; empty where absent) and, when the function needs it, each result's `_time`.
pub struct Group<'a> {
    pub values: Vec<&'a [String]>,
    pub times: Vec<Option<f64>>,
    /// The group's result count (for plain `count`).
    pub rows: usize,
}

fn num(v: f64) -> Value {
    // Counts are most of what is shown: a whole number is written without the formatter.
    if v.fract() == 0.0 && (0.0..1e16).contains(&v) {
        let mut s = String::new();
        push_digits(&mut s, v as u64, 0);
        return Value::Str(s);
    }
    Value::Str(format_number(v))
}

/// The distinct values, in byte order (what a `BTreeSet` of them gives, without a node
/// per value: most groups have one or two).
fn distinct<'v>(values: impl Iterator<Item = &'v String>) -> Vec<&'v String> {
    let mut v: Vec<&String> = values.collect();
    if v.len() > 1 {
        v.sort_unstable();
        v.dedup();
    }
    v
}

/// Numbers sort before text; numbers by value, text by bytes (min/max of a mixed set,
/// UNVERIFIED). Each value comes with its number, read once ([`min_max_key`]).
/// The texts are asked for only when neither value is a number.
fn min_max_order<'v>(x: Option<f64>, y: Option<f64>, texts: impl FnOnce() -> (&'v String, &'v String)) -> Ordering {
    match (x, y) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => {
            let (a, b) = texts();
            a.as_bytes().cmp(b.as_bytes())
        }
    }
}

/// `min` or `max` (`f`) of values given with their numbers ([`min_max_key`]), in the
/// group's order: numbers before text, the first of equal minima and the last of equal
/// maxima. The one rule for both, whether each value's number is parsed here or was
/// parsed once per distinct value (`stats` over a shared column, [`min_max_by`]).
pub fn min_max_of<'v>(f: Func, keys: impl Iterator<Item = (Option<f64>, &'v String)>) -> Value {
    let best = min_max_by(f, keys, |(n, _)| n, |(_, s)| s);
    best.map_or(Value::Null, |(_, s)| Value::Str(s.clone()))
}

/// [`min_max_of`] of items that stand for values (a shared column's codes), each value's
/// number and text found from its item: the text only when two values that are not
/// numbers are ordered. Gives the item of the value chosen.
pub fn min_max_by<'v, T: Copy>(
    f: Func,
    items: impl Iterator<Item = T>,
    number: impl Fn(T) -> Option<f64>,
    text: impl Fn(T) -> &'v String,
) -> Option<T> {
    let order = |a: &T, b: &T| min_max_order(number(*a), number(*b), || (text(*a), text(*b)));
    if f == Func::Min {
        items.min_by(order)
    } else {
        items.max_by(order)
    }
}

/// A value with its number, for [`min_max_order`].
pub fn min_max_key(s: &String) -> (Option<f64>, &String) {
    (parse_number(s), s)
}

/// Runs `f` over a group. `count` without an argument counts results; with one, every
/// value of the field (a multivalue counts each value, UNVERIFIED); `dc` and `count(X)` of
/// nothing are 0, the other functions of nothing are null.
pub fn aggregate(f: Func, g: &Group, has_arg: bool) -> Value {
    let all = || g.values.iter().flat_map(|v| v.iter());
    let numbers = || all().filter_map(|s| parse_number(s)).collect::<Vec<f64>>();
    match f {
        Func::Count if !has_arg => num(g.rows as f64),
        Func::Count => num(all().count() as f64),
        Func::Dc => num(distinct(all()).len() as f64),
        Func::Values => Value::from_values(distinct(all()).into_iter().cloned().collect()),
        Func::List => Value::from_values(all().take(LIST_MAX).cloned().collect()),
        Func::Min | Func::Max => min_max_of(f, all().map(min_max_key)),
        Func::Sum => {
            let n = numbers();
            if n.is_empty() {
                Value::Null
            } else {
                num(n.iter().sum())
            }
        }
        Func::Sumsq => {
            let n = numbers();
            if n.is_empty() {
                Value::Null
            } else {
                num(n.iter().map(|x| x * x).sum())
            }
        }
        Func::Avg => {
            let n = numbers();
            if n.is_empty() {
                Value::Null
            } else {
                num(n.iter().sum::<f64>() / n.len() as f64)
            }
        }
        Func::Stdev | Func::Stdevp | Func::Var | Func::Varp => {
            let n = numbers();
            if n.is_empty() {
                return Value::Null;
            }
            let mean = n.iter().sum::<f64>() / n.len() as f64;
            let ss: f64 = n.iter().map(|x| (x - mean).powi(2)).sum();
            let sample = matches!(f, Func::Stdev | Func::Var);
            let denom = if sample { (n.len() - 1) as f64 } else { n.len() as f64 };
            let var = if denom == 0.0 { 0.0 } else { ss / denom };
            num(if matches!(f, Func::Stdev | Func::Stdevp) { var.sqrt() } else { var })
        }
        Func::Range => {
            let n = numbers();
            let (lo, hi) = n.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            if n.is_empty() {
                Value::Null
            } else {
                num(hi - lo)
            }
        }
        Func::Median => {
            let mut n = numbers();
            if n.is_empty() {
                return Value::Null;
            }
            n.sort_by(f64::total_cmp);
            // With an even count, the higher of the two middle values (docs).
            num(n[n.len() / 2])
        }
        Func::Perc(p) => {
            let mut n = numbers();
            if n.is_empty() {
                return Value::Null;
            }
            n.sort_by(f64::total_cmp);
            let rank = p * (n.len() - 1) as f64 / 100.0;
            let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
            // Interpolated; rounded to 12 decimals so that binary fractions do not show
            // (`9.549999999999999` for the docs' 9.55).
            let v = n[lo] + (n[hi] - n[lo]) * (rank - lo as f64);
            num((v * 1e12).round() / 1e12)
        }
        Func::Mode => {
            let mut counts: HashMap<&String, (usize, usize)> = HashMap::new();
            for (k, v) in all().enumerate() {
                counts.entry(v).or_insert((0, k)).0 += 1;
            }
            // The most frequent; a tie goes to the value seen first (UNVERIFIED).
            counts
                .into_iter()
                .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                .map_or(Value::Null, |(v, _)| Value::Str(v.clone()))
        }
        Func::First => g.values.iter().find(|v| !v.is_empty()).map_or(Value::Null, |v| Value::from_values(v.to_vec())),
        Func::Last => {
            g.values.iter().rev().find(|v| !v.is_empty()).map_or(Value::Null, |v| Value::from_values(v.to_vec()))
        }
        Func::Earliest | Func::Latest | Func::EarliestTime | Func::LatestTime | Func::Rate => {
            let timed =
                || g.values.iter().zip(&g.times).filter_map(|(v, t)| Some((*v, (*t)?))).filter(|(v, _)| !v.is_empty());
            // Ties: the first in input order for earliest, the last... also the first (UNVERIFIED).
            let earliest = timed().min_by(|a, b| a.1.total_cmp(&b.1));
            let latest = timed().max_by(|a, b| a.1.total_cmp(&b.1).then(Ordering::Greater));
            match f {
                Func::Earliest => earliest.map_or(Value::Null, |(v, _)| Value::from_values(v.to_vec())),
                Func::Latest => latest.map_or(Value::Null, |(v, _)| Value::from_values(v.to_vec())),
                Func::EarliestTime => earliest.map_or(Value::Null, |(_, t)| num(t)),
                Func::LatestTime => latest.map_or(Value::Null, |(_, t)| num(t)),
                _ => match (earliest, latest) {
                    (Some((a, ta)), Some((b, tb))) if tb > ta => {
                        match (a.first().and_then(|s| parse_number(s)), b.first().and_then(|s| parse_number(s))) {
                            (Some(x), Some(y)) => num((y - x) / (tb - ta)),
                            _ => Value::Null,
                        }
                    }
                    _ => Value::Null,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(values: &[&[&str]], times: &[Option<f64>]) -> (Vec<Vec<String>>, Vec<Option<f64>>) {
        (values.iter().map(|v| v.iter().map(|s| s.to_string()).collect()).collect(), times.to_vec())
    }

    fn run(f: &str, values: &[&[&str]], times: &[Option<f64>]) -> String {
        let (vals, times) = group(values, times);
        let g = Group { values: vals.iter().map(Vec::as_slice).collect(), times, rows: values.len() };
        aggregate(Func::from_name(f).unwrap(), &g, true).values().join("|")
    }

    #[test]
    fn section_4_2_cases() {
        let x: &[&[&str]] = &[&["b"], &["A"], &["10"], &["9"], &["a"], &["b"]];
        assert_eq!(run("values", x, &[]), "10|9|A|a|b");
        assert_eq!(run("list", x, &[]), "b|A|10|9|a|b");
        assert_eq!(run("dc", x, &[]), "5");
        assert_eq!(run("count", x, &[]), "6");
        let n: &[&[&str]] = &[&["4"], &["10"], &["7"], &["x"]];
        assert_eq!(run("sum", n, &[]), "21");
        assert_eq!(run("avg", n, &[]), "7");
        assert_eq!(run("min", n, &[]), "4");
        assert_eq!(run("max", n, &[]), "x");
        assert_eq!(run("stdev", n, &[]), "3");
        let y: Vec<String> = (1..=10).rev().map(|i| i.to_string()).collect();
        let y: Vec<Vec<&str>> = y.iter().map(|s| vec![s.as_str()]).collect();
        let y: Vec<&[&str]> = y.iter().map(Vec::as_slice).collect();
        assert_eq!(run("perc50", &y, &[]), "5.5");
        assert_eq!(run("p95", &y, &[]), "9.55");
        assert_eq!(run("median", &y, &[]), "6");
        let t: &[&[&str]] = &[&["c"], &["a"], &["b"]];
        let times = [Some(300.0), Some(100.0), Some(200.0)];
        assert_eq!(run("first", t, &times), "c");
        assert_eq!(run("last", t, &times), "b");
        assert_eq!(run("earliest", t, &times), "a");
        assert_eq!(run("latest", t, &times), "c");
        assert_eq!(run("earliest_time", t, &times), "100");
        assert_eq!(run("latest_time", t, &times), "300");
    }

    /// Whole numbers written directly read as `format_number` writes them.
    #[test]
    fn whole_numbers_are_written_as_the_formatter_writes_them() {
        for v in [0.0, 1.0, 9.0, 10.0, 99.0, 100.0, 12345.0, 1e15, 1e16 - 2.0, 18446744073709.0] {
            assert_eq!(num(v), Value::Str(format_number(v)), "{v}");
        }
        for v in [-0.0, -3.0, 0.5, 1e16, 1e20, f64::NAN, f64::INFINITY] {
            assert_eq!(num(v), Value::Str(format_number(v)), "{v}");
        }
    }

    #[test]
    fn nothing_to_aggregate() {
        assert_eq!(run("dc", &[], &[]), "0");
        assert_eq!(run("count", &[&[]], &[]), "0");
        assert_eq!(run("max", &[&[]], &[]), "");
        assert_eq!(run("var", &[&["3"]], &[]), "0");
        assert_eq!(Func::from_name("perc101"), None);
        assert_eq!(Func::from_name("nosuch"), None);
    }
}
