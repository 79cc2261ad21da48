//! The time range of a search: `--earliest`/`--latest` and the `earliest=`/`latest=`
//! modifiers of the first search (docs/spl-semantics.md 10.1).

use chrono::DateTime;

/// Events with `earliest <= _time < latest` are searched; `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TimeRange {
    pub earliest: Option<f64>,
    pub latest: Option<f64>,
}

impl TimeRange {
    pub fn contains(&self, t: Option<f64>) -> bool {
        match t {
            None => self.earliest.is_none() && self.latest.is_none(),
            Some(t) => self.earliest.is_none_or(|e| t >= e) && self.latest.is_none_or(|l| t < l),
        }
    }

    /// The narrower of two ranges.
    pub fn and(self, other: TimeRange) -> TimeRange {
        let max = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let min = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        TimeRange { earliest: max(self.earliest, other.earliest), latest: min(self.latest, other.latest) }
    }
}

/// A time as `earliest=`/`latest=` and `--earliest` accept it: epoch seconds, an ISO 8601
/// date-time (`2024-01-31T00:00:00Z`), `now`, `0` (the beginning), or a relative time
/// `[+|-]N<unit>` (s, m, h, d, w, mon, y) from `now` without snapping. Snapping (`@d`) is
/// not supported yet: the error says so rather than guessing.
pub fn parse_time(text: &str, now: f64) -> Result<f64, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(n) = t.parse::<f64>() {
        return Ok(n);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp() as f64 + f64::from(dt.timestamp_subsec_micros()) / 1e6);
    }
    if t.contains('@') {
        return Err(format!("time `{t}`: snapping with `@` is not supported yet"));
    }
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, &t[1..]),
        Some(b'+') => (1.0, &t[1..]),
        _ => return Err(format!("time `{t}` is not epoch seconds, ISO 8601, `now` or a relative time like `-24h`")),
    };
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let n: f64 = if digits == 0 { 1.0 } else { rest[..digits].parse().map_err(|_| format!("time `{t}`"))? };
    let unit = match &rest[digits..] {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "week" | "weeks" => 7.0 * 86400.0,
        "mon" | "month" | "months" => 30.0 * 86400.0,
        "y" | "yr" | "yrs" | "year" | "years" => 365.0 * 86400.0,
        u => return Err(format!("time `{t}`: unknown unit `{u}`")),
    };
    Ok(now + sign * n * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("now", 1000.0), Ok(1000.0));
        assert_eq!(parse_time("0", 1000.0), Ok(0.0));
        assert_eq!(parse_time("-1h", 10_000.0), Ok(6400.0));
        assert_eq!(parse_time("-7d", 7.0 * 86400.0), Ok(0.0));
        assert_eq!(parse_time("2021-01-01T00:00:00Z", 0.0), Ok(1609459200.0));
        assert!(parse_time("-1d@d", 0.0).unwrap_err().contains("snapping"));
        assert!(parse_time("yesterday", 0.0).is_err());
    }

    #[test]
    fn ranges() {
        let r = TimeRange { earliest: Some(10.0), latest: Some(20.0) };
        assert!(r.contains(Some(10.0)) && !r.contains(Some(20.0)) && !r.contains(None));
        assert!(TimeRange::default().contains(None));
        let n = r.and(TimeRange { earliest: Some(15.0), latest: None });
        assert_eq!(n, TimeRange { earliest: Some(15.0), latest: Some(20.0) });
    }
}
