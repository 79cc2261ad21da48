//! Time modifiers (docs/spl-semantics.md 10.1): the one place that reads `now`, epoch
//! seconds, absolute times and relative times with snapping (`-1d@d`, `@w0`,
//! `-mon@mon+7d`), for `earliest=`/`latest=`, `--earliest`/`--latest` and the
//! `relative_time` eval function. Times are UTC, the search time zone spelunk uses.
//!
//! Offsets in months, quarters and years move by calendar months (the day of the month is
//! kept, clamped to the month's length: UNVERIFIED for the 31st); the other units are fixed
//! lengths. A snap rounds down to the start of its unit; `@w` is `@w0` (Sunday).

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Timelike, Utc};

/// A unit of time spans (`bin span=`) and relative times (docs/spl-semantics.md 6.6, 10.1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeUnit {
    /// A fixed length in seconds.
    Seconds(f64),
    /// Calendar months (a quarter is 3, a year 12).
    Months(u32),
}

/// The unit a span or relative time names, if any: the one list of unit spellings.
pub fn time_unit(name: &str) -> Option<TimeUnit> {
    use TimeUnit::*;
    Some(match name {
        "us" => Seconds(1e-6),
        "ms" => Seconds(1e-3),
        "cs" => Seconds(1e-2),
        "ds" => Seconds(1e-1),
        "s" | "sec" | "secs" | "second" | "seconds" => Seconds(1.0),
        "m" | "min" | "mins" | "minute" | "minutes" => Seconds(60.0),
        "h" | "hr" | "hrs" | "hour" | "hours" => Seconds(3600.0),
        "d" | "day" | "days" => Seconds(86400.0),
        "w" | "week" | "weeks" => Seconds(7.0 * 86400.0),
        "mon" | "month" | "months" => Months(1),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => Months(3),
        "y" | "yr" | "yrs" | "year" | "years" => Months(12),
        _ => return None,
    })
}

/// A time as a modifier gives it: `now`, `0` or other epoch seconds, an ISO 8601
/// date-time (`2024-01-31T00:00:00Z`), Splunk's absolute `%m/%d/%Y:%H:%M:%S`, or a relative
/// time from `now`.
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
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%m/%d/%Y:%H:%M:%S") {
        return Ok(dt.and_utc().timestamp() as f64);
    }
    if t.starts_with(['+', '-', '@']) {
        return relative_time(now, t);
    }
    Err(format!(
        "time `{t}` is not epoch seconds, ISO 8601, %m/%d/%Y:%H:%M:%S, `now` or a relative time like `-24h` or `-1d@d`"
    ))
}

/// `time` moved by a relative modifier: offsets, then an optional snap, then offsets.
pub fn relative_time(time: f64, modifier: &str) -> Result<f64, String> {
    let m = modifier.trim();
    let bad = |why: &str| format!("relative time `{m}`: {why}");
    let (before, after) = match m.split_once('@') {
        Some((b, a)) => (b, Some(a)),
        None => (m, None),
    };
    if before.is_empty() && after.is_none() {
        return Err(bad("empty"));
    }
    let mut t = offsets(time, before).map_err(|e| bad(&e))?;
    if let Some(after) = after {
        let unit_end = after.find(['+', '-']).unwrap_or(after.len());
        t = snap(t, &after[..unit_end]).map_err(|e| bad(&e))?;
        t = offsets(t, &after[unit_end..]).map_err(|e| bad(&e))?;
    }
    Ok(t)
}

/// Applies `(+|-)[N]unit` offsets in turn (`-1d+3h`); the first may omit its sign only when
/// it is the whole text before a snap (`1d@d` is not Splunk's, refused).
fn offsets(mut t: f64, mut text: &str) -> Result<f64, String> {
    while !text.is_empty() {
        let sign = match text.as_bytes()[0] {
            b'-' => -1.0,
            b'+' => 1.0,
            _ => return Err(format!("`{text}` needs a sign (+ or -)")),
        };
        text = &text[1..];
        let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let n: u32 =
            if digits == 0 { 1 } else { text[..digits].parse().map_err(|_| "a number too large".to_string())? };
        text = &text[digits..];
        let unit_len = text.find(['+', '-']).unwrap_or(text.len());
        let unit = &text[..unit_len];
        text = &text[unit_len..];
        t = match time_unit(unit).ok_or_else(|| format!("unknown unit `{unit}`"))? {
            TimeUnit::Seconds(s) => t + sign * f64::from(n) * s,
            TimeUnit::Months(m) => add_months(t, sign as i64 * i64::from(m) * i64::from(n))?,
        };
    }
    Ok(t)
}

fn to_datetime(t: f64) -> Result<DateTime<Utc>, String> {
    let secs = t.floor();
    let nanos = ((t - secs) * 1e9).round().min(999_999_999.0) as u32;
    DateTime::<Utc>::from_timestamp(secs as i64, nanos).ok_or_else(|| "out of the range of dates".to_string())
}

fn add_months(t: f64, months: i64) -> Result<f64, String> {
    let dt = to_datetime(t)?;
    let moved = if months >= 0 {
        dt.checked_add_months(Months::new(months as u32))
    } else {
        dt.checked_sub_months(Months::new(months.unsigned_abs() as u32))
    }
    .ok_or_else(|| "out of the range of dates".to_string())?;
    Ok(moved.timestamp() as f64 + (t - t.floor()))
}

/// Rounds down to the start of `unit` (`w0`..`w7` for a weekday, Sunday = 0 and 7).
fn snap(t: f64, unit: &str) -> Result<f64, String> {
    let dt = to_datetime(t)?;
    let day = dt.date_naive();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp() as f64;
    let weekday = |target: u32| {
        let back = (dt.weekday().num_days_from_sunday() + 7 - target % 7) % 7;
        midnight(day - chrono::Duration::days(i64::from(back)))
    };
    if let Some(n) = unit.strip_prefix('w').and_then(|d| d.parse::<u32>().ok()).filter(|d| *d <= 7) {
        return Ok(weekday(n));
    }
    let first = |month: u32| NaiveDate::from_ymd_opt(dt.year(), month, 1).expect("the first of a month exists");
    Ok(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => t.floor(),
        "m" | "min" | "mins" | "minute" | "minutes" => t.floor() - f64::from(dt.second()),
        "h" | "hr" | "hrs" | "hour" | "hours" => t.floor() - f64::from(dt.second() + 60 * dt.minute()),
        "d" | "day" | "days" => midnight(day),
        "w" | "week" | "weeks" => weekday(0),
        "mon" | "month" | "months" => midnight(first(dt.month())),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => midnight(first((dt.month() - 1) / 3 * 3 + 1)),
        "y" | "yr" | "yrs" | "year" | "years" => midnight(first(1)),
        _ => return Err(format!("cannot snap to `{unit}`")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wed 2022-02-09 13:37:05 UTC, the docs' "now".
    const NOW: f64 = 1_644_413_825.0;

    fn at(text: &str) -> String {
        let t = parse_time(text, NOW).unwrap();
        DateTime::<Utc>::from_timestamp(t as i64, 0).unwrap().format("%Y-%m-%d %H:%M:%S").to_string()
    }

    #[test]
    fn s10_1_docs_examples() {
        let cases = [
            ("now", "2022-02-09 13:37:05"),
            ("-60m", "2022-02-09 12:37:05"),
            ("-1h@h", "2022-02-09 12:00:00"),
            ("-1d@d", "2022-02-08 00:00:00"),
            ("-24h", "2022-02-08 13:37:05"),
            ("-7d@d", "2022-02-02 00:00:00"),
            ("-7d@m", "2022-02-02 13:37:00"),
            ("@w0", "2022-02-06 00:00:00"),
            ("+1d@d", "2022-02-10 00:00:00"),
            ("@d-2h", "2022-02-08 22:00:00"),
            ("-mon@mon+7d", "2022-01-08 00:00:00"),
        ];
        for (modifier, expected) in cases {
            assert_eq!(at(modifier), expected, "{modifier}");
        }
    }

    #[test]
    fn s10_1_missing_count_is_one_and_other_snaps() {
        assert_eq!(at("-h"), "2022-02-09 12:37:05");
        assert_eq!(at("-mon"), "2022-01-09 13:37:05");
        assert_eq!(at("@w"), "2022-02-06 00:00:00");
        assert_eq!(at("@w7"), "2022-02-06 00:00:00");
        assert_eq!(at("@w3"), "2022-02-09 00:00:00");
        assert_eq!(at("@w4"), "2022-02-03 00:00:00");
        assert_eq!(at("@q"), "2022-01-01 00:00:00");
        assert_eq!(at("-1y@y"), "2021-01-01 00:00:00");
        assert_eq!(at("-70m@m"), "2022-02-09 12:27:00");
        assert_eq!(at("02/09/2022:00:00:00"), "2022-02-09 00:00:00");
        assert_eq!(at("2021-01-01T00:00:00Z"), "2021-01-01 00:00:00");
        assert_eq!(at("0"), "1970-01-01 00:00:00");
    }

    #[test]
    fn bad_modifiers_say_why() {
        assert!(parse_time("yesterday", NOW).unwrap_err().contains("is not"));
        assert!(parse_time("-1fortnight", NOW).unwrap_err().contains("unknown unit `fortnight`"));
        assert!(parse_time("-1d@fortnight", NOW).unwrap_err().contains("cannot snap"));
        assert!(relative_time(NOW, "1d").unwrap_err().contains("sign"));
    }
}
