//! `_time` from CloudTrail's `eventTime`, the `date_*` fields, and how `_time` is shown
//! (docs/aws-cloudtrail-fields.md 1.4, docs/spl-semantics.md 1.4 and 10.3).

use chrono::{DateTime, Datelike, Timelike, Utc};
use std::num::NonZeroU32;

use crate::eval::timefmt::{DAYS, MONTHS};

/// A timestamp read from an event's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timestamp {
    /// Seconds since the epoch, UTC, with any fraction.
    pub epoch: f64,
    /// The offset written with it, in minutes east of UTC (`Z` is 0).
    pub offset_minutes: i32,
    /// Byte offsets of the timestamp text in `_raw` (Splunk's `timestartpos`, `timeendpos`;
    /// 32 bits: an event is one record, and every event holds a timestamp, 8 bytes each
    /// over 11 million events). The end is past the text's first byte, so never 0: an
    /// event without a time takes that value (`Option<Timestamp>` is no larger than a
    /// `Timestamp`, 8 bytes less per event).
    pub start: u32,
    pub end: NonZeroU32,
}

/// The longest timestamp text read after the prefix (the add-on's MAX_TIMESTAMP_LOOKAHEAD).
const LOOKAHEAD: usize = 28;

/// Keys whose value is the event's time, in the order they are tried: CloudTrail's own
/// `eventTime`, then Logstash's `@timestamp` (CloudTrail exported through Logstash, as in
/// the OTRF datasets, has no `eventTime`). A choice, since Splunk's own fallback (the
/// previous event's time, or index time) cannot be reproduced offline (UNVERIFIED).
pub const TIME_KEYS: &[&str] = &["eventTime", "@timestamp"];

/// The event's time from the first of [`TIME_KEYS`] that `raw` has.
pub fn event_time(raw: &str) -> Option<Timestamp> {
    // Asked of every event as it loads: each quoted key's searcher is made once.
    static QUOTED: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> = std::sync::LazyLock::new(|| {
        TIME_KEYS.iter().map(|k| memchr::memmem::Finder::new(format!("\"{k}\"").as_bytes()).into_owned()).collect()
    });
    QUOTED.iter().find_map(|key| {
        let at = key.find(raw.as_bytes())?;
        time_after(raw, at + key.needle().len())
    })
}

/// The timestamp after a quoted key ending at byte `after` of `raw`: optional white space,
/// `:`, optional white space and `"`, then `%Y-%m-%dT%H:%M:%S` with an optional fraction
/// and an optional zone (`Z`, `±hh:mm`, `±hhmm`; none means UTC). `None` when the text
/// after it is not a timestamp.
fn time_after(raw: &str, after: usize) -> Option<Timestamp> {
    let rest = &raw[after..];
    let after_ws = rest.trim_start();
    let after_colon = after_ws.strip_prefix(':')?.trim_start();
    let value = after_colon.strip_prefix('"')?;
    let start = raw.len() - value.len();
    let window = &value[..floor_boundary(value, value.len().min(LOOKAHEAD))];
    let (epoch, offset_minutes, len) = parse_iso(window)?;
    let end = NonZeroU32::new(u32::try_from(start + len).ok()?)?;
    Some(Timestamp { epoch, offset_minutes, start: u32::try_from(start).ok()?, end })
}

fn floor_boundary(s: &str, mut k: usize) -> usize {
    while !s.is_char_boundary(k) {
        k -= 1;
    }
    k
}

/// Reads an ISO-8601 timestamp at the start of `s`; returns its epoch seconds, its offset
/// in minutes east of UTC, and the bytes it took.
pub fn parse_iso(s: &str) -> Option<(f64, i32, usize)> {
    let b = s.as_bytes();
    // Digits read as they are (a `str::parse` each, and chrono's date, were most of the
    // time of reading a million events' times).
    let num = |from: usize, len: usize| -> Option<u32> {
        b.get(from..from + len)?.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b' ')) && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut k = 19;
    let mut fraction = 0.0;
    if sep(k, b'.') {
        let digits = b[k + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        fraction = format!("0.{}", &s[k + 1..k + 1 + digits]).parse().ok()?;
        k += 1 + digits;
    }
    let offset_minutes: i32 = match b.get(k) {
        Some(b'Z') => {
            k += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let hh = num(k + 1, 2)? as i32;
            let (mm, len) = if sep(k + 3, b':') { (num(k + 4, 2)? as i32, 6) } else { (num(k + 3, 2)? as i32, 5) };
            k += len;
            let m = hh * 60 + mm;
            if sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => 0,
    };
    let local = seconds_since_epoch(y, mo, d, h, mi, sec)?;
    let epoch = local - i64::from(offset_minutes) * 60;
    Some((epoch as f64 + fraction, offset_minutes, k))
}

/// Seconds from 1970-01-01T00:00:00 to a date and time of the proleptic Gregorian
/// calendar, `None` for one that is not a day (`02-30`, `1900-02-29`) or not a time of
/// day (`24:00:00`, a leap second `23:59:60`): what chrono's `from_ymd_opt` and
/// `and_hms_opt` refuse. The day's number by Howard Hinnant's `days_from_civil`.
fn seconds_since_epoch(y: u32, mo: u32, d: u32, h: u32, mi: u32, sec: u32) -> Option<i64> {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d == 0 || d > month_days[mo as usize - 1] || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    // Years from March (January and February count with the year before).
    let y = i64::from(y) - i64::from(mo <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = i64::from((153 * ((mo + 9) % 12) + 2) / 5 + d - 1);
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + i64::from(h * 3600 + mi * 60 + sec))
}

/// The names [`date_fields`] makes.
pub const DATE_FIELDS: &[&str] =
    &["date_hour", "date_mday", "date_minute", "date_month", "date_second", "date_wday", "date_year", "date_zone"];

/// The `date_*` fields: the timestamp's parts as written in the event (not converted to
/// any time zone); month and weekday as lower-case English names; numbers unpadded.
/// `date_zone` is the written offset in minutes (UNVERIFIED for non-`Z` offsets).
pub fn date_fields(ts: &Timestamp) -> Vec<(&'static str, String)> {
    let local_epoch = ts.epoch.floor() as i64 + i64::from(ts.offset_minutes) * 60;
    let Some(t) = DateTime::<Utc>::from_timestamp(local_epoch, 0) else { return Vec::new() };
    vec![
        ("date_hour", t.hour().to_string()),
        ("date_mday", t.day().to_string()),
        ("date_minute", t.minute().to_string()),
        // Named from a table, not formatted (`%B`, `%A`): parsing a format for each of a
        // million events was a twentieth of extracting their fields.
        ("date_month", MONTHS[t.month0() as usize].to_string()),
        ("date_second", t.second().to_string()),
        ("date_wday", DAYS[t.weekday().num_days_from_sunday() as usize].to_string()),
        ("date_year", t.year().to_string()),
        ("date_zone", ts.offset_minutes.to_string()),
    ]
}

/// `_time` as Splunk's exports show it: `2025-02-11T20:04:34.000+00:00` (UTC, milliseconds).
pub fn render_time(epoch: f64) -> String {
    let secs = epoch.floor() as i64;
    let millis = ((epoch - epoch.floor()) * 1000.0).round() as u32;
    let (secs, millis) = if millis >= 1000 { (secs + 1, 0) } else { (secs, millis) };
    match DateTime::<Utc>::from_timestamp(secs, millis * 1_000_000) {
        // `%Y-%m-%dT%H:%M:%S%.3f+00:00`, written directly (parsing the format for each of
        // a result set's rows was most of printing it); chrono writes other years.
        Some(t) if (0..=9999).contains(&t.year()) => {
            use std::fmt::Write;
            let mut out = String::with_capacity(29);
            let _ = write!(
                out,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00",
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                millis
            );
            out
        }
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
        None => epoch.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct rendering is chrono's format, to the millisecond.
    #[test]
    fn rendered_times_are_chronos_format() {
        let chrono_way = |epoch: f64| {
            let secs = epoch.floor() as i64;
            let millis = ((epoch - epoch.floor()) * 1000.0).round() as u32;
            let (secs, millis) = if millis >= 1000 { (secs + 1, 0) } else { (secs, millis) };
            DateTime::<Utc>::from_timestamp(secs, millis * 1_000_000)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
                .to_string()
        };
        let mut epochs =
            vec![0.0, 0.0005, 0.9995, 59.999, 1739304274.0, 1739304274.25, -1.5, 951782400.0, 253402300799.999];
        epochs.extend((0..2000).map(|k| k as f64 * 7_919_777.123));
        for e in epochs {
            assert_eq!(render_time(e), chrono_way(e), "{e}");
        }
        assert_eq!(render_time(253402300800.0), "+10000-01-01T00:00:00.000+00:00");
    }

    /// Dates and times of four-digit years, at the edges and 200,000 at random, and what is
    /// not one, read as chrono reads them (the reference the reading replaced).
    #[test]
    fn times_are_read_as_chrono_reads_them() {
        let chrono_way = |y: u32, mo: u32, d: u32, h: u32, mi: u32, sec: u32| {
            chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_hms_opt(h, mi, sec).map(|t| t.and_utc().timestamp())
        };
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % u64::from(n)) as u32
        };
        let mut cases = vec![
            (1970, 1, 1, 0, 0, 0),
            (1969, 12, 31, 23, 59, 59),
            (0, 1, 1, 0, 0, 0),
            (9999, 12, 31, 23, 59, 59),
            (2000, 2, 29, 12, 0, 0),
            (1900, 2, 29, 12, 0, 0),
            (2024, 2, 29, 0, 0, 0),
            (2023, 2, 29, 0, 0, 0),
            (2023, 4, 31, 0, 0, 0),
            (2023, 0, 1, 0, 0, 0),
            (2023, 13, 1, 0, 0, 0),
            (2023, 1, 0, 0, 0, 0),
            (2023, 1, 32, 0, 0, 0),
            (2023, 6, 1, 24, 0, 0),
            (2023, 6, 1, 23, 60, 0),
            (2023, 6, 1, 23, 59, 60),
        ];
        for _ in 0..200_000 {
            cases.push((next(10_000), next(14), next(33), next(26), next(62), next(62)));
        }
        for (y, mo, d, h, mi, sec) in cases {
            assert_eq!(
                seconds_since_epoch(y, mo, d, h, mi, sec),
                chrono_way(y, mo, d, h, mi, sec),
                "{y}-{mo}-{d} {h}:{mi}:{sec}"
            );
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}Z");
            let want = chrono_way(y, mo, d, h, mi, sec).map(|e| (e as f64, 0, 20));
            assert_eq!(parse_iso(&text), want, "{text}");
        }
        // Offsets, fractions, and digits that are not.
        assert_eq!(parse_iso("2025-02-11T21:04:34.5+01:00"), Some((1739304274.5, 60, 27)));
        assert_eq!(parse_iso("2025-02-11 19:04:34-0100"), Some((1739304274.0, -60, 24)));
        assert_eq!(parse_iso("2025-02-11T20:04:34"), Some((1739304274.0, 0, 19)));
        for bad in [
            "2025-0a-11T20:04:34Z",
            "2025-02-11T20:04:3",
            "+025-02-11T20:04:34Z",
            "2025-02-11T20:04:34.Z",
            "２025-02-11T20:04:34Z",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn cloudtrail_event_time_is_utc_with_positions() {
        let raw = r#"{"eventVersion": "1.11", "eventTime": "2025-02-11T20:04:34Z", "x": 1}"#;
        let ts = event_time(raw).unwrap();
        assert_eq!(ts.epoch, 1739304274.0);
        assert_eq!(&raw[ts.start as usize..ts.end.get() as usize], "2025-02-11T20:04:34Z");
        assert_eq!(render_time(ts.epoch), "2025-02-11T20:04:34.000+00:00");
    }

    #[test]
    fn spacing_around_the_colon_fractions_and_offsets() {
        assert_eq!(event_time(r#"{"eventTime" :"2021-07-20T12:34:56Z"}"#).unwrap().epoch, 1626784496.0);
        let ts = event_time(r#"{"eventTime":"2021-07-20T12:34:56.250Z"}"#).unwrap();
        assert_eq!(ts.epoch, 1626784496.25);
        assert_eq!(render_time(ts.epoch), "2021-07-20T12:34:56.250+00:00");
        let ts = event_time(r#"{"eventTime":"2021-07-20T14:34:56+02:00"}"#).unwrap();
        assert_eq!((ts.epoch, ts.offset_minutes), (1626784496.0, 120));
        assert_eq!(event_time(r#"{"eventTime":"2021-07-20T07:04:56-0530"}"#).unwrap().epoch, 1626784496.0);
    }

    #[test]
    fn logstash_timestamp_when_there_is_no_event_time() {
        let ts = event_time(r#"{"@version":"1","@timestamp":"2020-09-14T00:44:23.000Z"}"#).unwrap();
        assert_eq!(ts.epoch, 1600044263.0);
        let both = r#"{"@timestamp":"2020-09-14T00:44:23.000Z","eventTime":"2020-09-14T00:44:20Z"}"#;
        assert_eq!(event_time(both).unwrap().epoch, 1600044260.0, "eventTime wins");
    }

    #[test]
    fn missing_or_bad_event_time() {
        assert!(event_time(r#"{"time":"2021-07-20T12:34:56Z"}"#).is_none());
        assert!(event_time(r#"{"eventTime":"yesterday"}"#).is_none());
        assert!(event_time(r#"{"eventTime":"2021-13-40T12:34:56Z"}"#).is_none());
        assert!(event_time(r#"{"eventTime":"2021-07-20T1"#).is_none());
        assert!(event_time(r#"{"eventTime":"2021-07-20T12:34:5é"}"#).is_none());
    }

    #[test]
    fn month_and_weekday_names_are_chronos() {
        for day in 0..800 {
            let epoch = 1_700_000_000.0 + f64::from(day) * 86_400.0;
            let ts = Timestamp { epoch, offset_minutes: 0, start: 0, end: NonZeroU32::MIN };
            let t = DateTime::<Utc>::from_timestamp(epoch as i64, 0).unwrap();
            let f: std::collections::HashMap<_, _> = date_fields(&ts).into_iter().collect();
            assert_eq!(f["date_month"], t.format("%B").to_string().to_lowercase());
            assert_eq!(f["date_wday"], t.format("%A").to_string().to_lowercase());
        }
    }

    #[test]
    fn date_fields_are_the_written_parts() {
        let ts = event_time(r#"{"eventTime":"2025-02-11T20:04:34Z"}"#).unwrap();
        let f: Vec<String> = date_fields(&ts).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        let names: Vec<&str> = date_fields(&ts).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, DATE_FIELDS, "the names said in advance are the ones made");
        assert_eq!(
            f,
            [
                "date_hour=20",
                "date_mday=11",
                "date_minute=4",
                "date_month=february",
                "date_second=34",
                "date_wday=tuesday",
                "date_year=2025",
                "date_zone=0"
            ]
        );
        // Written with an offset: the local parts, not UTC's.
        let ts = event_time(r#"{"eventTime":"2025-02-11T23:30:00+05:30"}"#).unwrap();
        assert_eq!(date_fields(&ts)[0], ("date_hour", "23".to_string()));
    }
}
