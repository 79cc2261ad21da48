//! Splunk's date/time format variables (docs/spl-semantics.md 10.2), for `convert
//! ctime`/`mktime` and `timeformat=` (and the `strftime`/`strptime` eval functions when
//! they come): the one place that formats and reads times as text. Times are in UTC, the
//! search time zone spelunk uses.
//!
//! Choices where Splunk documents no output: `%c` is C's `%a %b %e %H:%M:%S %Y`, `%x` is
//! `%m/%d/%y`, `%X` is `%H:%M:%S`, `%+` is `%a %b %e %H:%M:%S %Z %Y` (UNVERIFIED, locale
//! forms); `%Z` is `UTC`; an unknown variable is copied as written.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::eval::value::push_digits;

/// `epoch` (seconds) as text in `format`.
pub fn strftime(epoch: f64, format: &str) -> String {
    // Splunk's times have microsecond precision: round there first, so that a value like
    // 1626784496.123 (stored as ...122999906) shows as .123.
    let micros = (epoch * 1e6).round();
    let secs = (micros / 1e6).floor();
    let nanos = ((micros - secs * 1e6) as u32).min(999_999) * 1000;
    let Some(t) = DateTime::<Utc>::from_timestamp(secs as i64, nanos) else { return String::new() };
    let mut out = String::new();
    let mut it = format.chars().peekable();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Optional width digits (`%3N`) and the `:` of `%:z`, `E` of `%Ez`.
        let mut width = String::new();
        while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            it.next();
        }
        let Some(spec) = it.next() else {
            out.push('%');
            break;
        };
        let digits = |default: usize| width.parse::<usize>().unwrap_or(default).clamp(1, 9);
        let fraction = |n: usize| format!("{:09}", t.nanosecond())[..n].to_string();
        match spec {
            'N' => out.push_str(&fraction(digits(9))),
            'Q' => out.push_str(&fraction(digits(3))),
            'f' => out.push_str(&fraction(6)),
            'c' => out.push_str(&strftime(epoch, "%a %b %e %H:%M:%S %Y")),
            'x' => out.push_str(&strftime(epoch, "%m/%d/%y")),
            'X' => out.push_str(&strftime(epoch, "%H:%M:%S")),
            '+' => out.push_str(&strftime(epoch, "%a %b %e %H:%M:%S %Z %Y")),
            'Z' => out.push_str("UTC"),
            'E' if it.peek() == Some(&'z') => {
                it.next();
                out.push('0');
            }
            ':' if it.peek() == Some(&'z') => {
                it.next();
                out.push_str("+00:00");
            }
            // The common numeric fields written directly (`convert ctime` formats a date per
            // result row; chrono's formatter parses its format string each time).
            'Y' if (0..=9999).contains(&t.year()) => push_digits(&mut out, t.year() as u64, 4),
            'm' => push_digits(&mut out, t.month().into(), 2),
            'd' => push_digits(&mut out, t.day().into(), 2),
            'H' => push_digits(&mut out, t.hour().into(), 2),
            'M' => push_digits(&mut out, t.minute().into(), 2),
            'S' => push_digits(&mut out, t.second().into(), 2),
            'Y' | 'y' | 'e' | 'j' | 'I' | 'k' | 'l' | 'p' | 'A' | 'a' | 'B' | 'b' | 'h' | 's' | 'z' | 'T' | 'F'
            | 'D' | 'V' | 'U' | 'W' | 'w' | 'u' | 'n' | 't' | '%' | 'G' | 'g' | 'C' | 'R' => {
                out.push_str(&t.format(&format!("%{spec}")).to_string())
            }
            other => {
                out.push('%');
                out.push_str(&width);
                out.push(other);
            }
        }
    }
    out
}

/// Reads `text` with `format`, as C's `strptime` does: the format must match from the start
/// of the text; text after the match is ignored (UNVERIFIED for Splunk), white space in the
/// format matches any run of white space. Parts not in the format default to 1970-01-01
/// 00:00:00 (UNVERIFIED). A `%z` offset or `%s` epoch is honoured; `%Z` accepts `UTC`,
/// `GMT` and `Z` only.
pub fn strptime(text: &str, format: &str) -> Option<f64> {
    let mut p = Parsed::default();
    parse(text, format, &mut p)?;
    if let Some(epoch) = p.epoch {
        return Some(epoch + p.fraction);
    }
    let hour = match p.pm {
        Some(pm) if p.hour <= 12 => p.hour % 12 + if pm { 12 } else { 0 },
        _ => p.hour,
    };
    let date = match p.yday {
        Some(yd) if p.month.is_none() && p.day.is_none() => NaiveDate::from_yo_opt(p.year, yd)?,
        _ => NaiveDate::from_ymd_opt(p.year, p.month.unwrap_or(1), p.day.unwrap_or(1))?,
    };
    let t = date.and_hms_opt(hour, p.minute, p.second)?;
    Some(t.and_utc().timestamp() as f64 - f64::from(p.offset_minutes) * 60.0 + p.fraction)
}

struct Parsed {
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
    yday: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    pm: Option<bool>,
    fraction: f64,
    offset_minutes: i32,
    epoch: Option<f64>,
}

impl Default for Parsed {
    fn default() -> Self {
        Parsed {
            year: 1970,
            month: None,
            day: None,
            yday: None,
            hour: 0,
            minute: 0,
            second: 0,
            pm: None,
            fraction: 0.0,
            offset_minutes: 0,
            epoch: None,
        }
    }
}

/// English month and weekday names, lower case (`strptime`'s `%B`/`%A`; the `date_month`
/// and `date_wday` fields).
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(crate) const DAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/// One to `max` digits, after optional spaces (`%e`, `%k` pad with spaces).
fn number(s: &str, max: usize) -> Option<(u32, &str)> {
    let t = s.trim_start_matches(' ');
    let n = t.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    Some((t[..n].parse().ok()?, &t[n..]))
}

/// A month or weekday name, full or abbreviated to three letters; its index.
fn name<'a>(s: &'a str, names: &[&str]) -> Option<(usize, &'a str)> {
    let lower = s.to_ascii_lowercase();
    for (k, n) in names.iter().enumerate() {
        if lower.starts_with(n) {
            return Some((k, &s[n.len()..]));
        }
    }
    for (k, n) in names.iter().enumerate() {
        if lower.starts_with(&n[..3]) {
            return Some((k, &s[3..]));
        }
    }
    None
}

/// Matches `format` against the start of `s`, filling `p`; the text left over.
fn parse<'a>(mut s: &'a str, format: &str, p: &mut Parsed) -> Option<&'a str> {
    let mut it = format.chars().peekable();
    while let Some(c) = it.next() {
        if c.is_whitespace() {
            s = s.trim_start();
            continue;
        }
        if c != '%' {
            s = s.strip_prefix(c)?;
            continue;
        }
        let mut width = String::new();
        while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            it.next();
        }
        let spec = it.next()?;
        s = match spec {
            'Y' => {
                let neg = s.starts_with('-');
                let (y, r) = number(s.strip_prefix('-').unwrap_or(s), 4)?;
                p.year = if neg { -(y as i32) } else { y as i32 };
                r
            }
            'y' => {
                let (y, r) = number(s, 2)?;
                p.year = if y < 69 { 2000 + y as i32 } else { 1900 + y as i32 };
                r
            }
            'm' => {
                let (v, r) = number(s, 2)?;
                p.month = Some(v);
                r
            }
            'd' | 'e' => {
                let (v, r) = number(s, 2)?;
                p.day = Some(v);
                r
            }
            'j' => {
                let (v, r) = number(s, 3)?;
                p.yday = Some(v);
                r
            }
            'H' | 'k' | 'I' | 'l' => {
                let (v, r) = number(s, 2)?;
                p.hour = v;
                r
            }
            'M' => {
                let (v, r) = number(s, 2)?;
                p.minute = v;
                r
            }
            'S' => {
                let (v, r) = number(s, 2)?;
                p.second = v;
                r
            }
            'N' | 'Q' | 'f' => {
                let max = width.parse().unwrap_or(9);
                let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                p.fraction = format!("0.{}", &s[..n]).parse().ok()?;
                &s[n..]
            }
            'p' => {
                let l = s.get(..2)?.to_ascii_lowercase();
                p.pm = Some(match l.as_str() {
                    "am" => false,
                    "pm" => true,
                    _ => return None,
                });
                &s[2..]
            }
            'b' | 'B' | 'h' => {
                let (k, r) = name(s, &MONTHS)?;
                p.month = Some(k as u32 + 1);
                r
            }
            'a' | 'A' => name(s, &DAYS)?.1,
            's' => {
                let n = s.bytes().take_while(|b| b.is_ascii_digit() || *b == b'-').count();
                p.epoch = Some(s[..n].parse().ok()?);
                &s[n..]
            }
            'z' => {
                if let Some(r) = s.strip_prefix('Z') {
                    r
                } else {
                    let sign = match s.as_bytes().first()? {
                        b'+' => 1,
                        b'-' => -1,
                        _ => return None,
                    };
                    let (h, r) = number(&s[1..], 2)?;
                    let r = r.strip_prefix(':').unwrap_or(r);
                    let (m, r) = number(r, 2)?;
                    p.offset_minutes = sign * (h * 60 + m) as i32;
                    r
                }
            }
            'Z' => ["UTC", "GMT", "Z"].iter().find_map(|z| s.strip_prefix(z))?,
            'T' => parse(s, "%H:%M:%S", p)?,
            'F' => parse(s, "%Y-%m-%d", p)?,
            'D' => parse(s, "%m/%d/%y", p)?,
            '%' => s.strip_prefix('%')?,
            _ => return None,
        };
    }
    Some(s)
}

/// Whether `format` reads a date (`strptime` needs one, docs/spl-semantics.md 3.7): a
/// year, month, day, day of the year, epoch, or a variable that includes a date.
pub fn format_has_date(format: &str) -> bool {
    format.split('%').skip(1).any(|var| {
        let spec = var.chars().find(|c| !c.is_ascii_digit() && *c != ':');
        matches!(spec, Some('Y' | 'y' | 'm' | 'd' | 'e' | 'j' | 's' | 'b' | 'B' | 'h' | 'F' | 'D' | 'c' | 'x' | '+'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s10_2_formats() {
        let t = 1626784496.25;
        assert_eq!(strftime(t, "%m/%d/%Y %H:%M:%S"), "07/20/2021 12:34:56");
        assert_eq!(strftime(t, "%Y-%m-%dT%H:%M:%S.%3N%z"), "2021-07-20T12:34:56.250+0000");
        assert_eq!(strftime(t, "%Q|%6N|%f|%s|%:z|%Z|%%"), "250|250000|250000|1626784496|+00:00|UTC|%");
        assert_eq!(
            strftime(t, "%a %b %e %I:%M %p|%j|%A %B|%T %F %D"),
            "Tue Jul 20 12:34 PM|201|Tuesday July|12:34:56 2021-07-20 07/20/21"
        );
        assert_eq!(strftime(t, "%q%"), "%q%");
    }

    /// The fields written directly are what chrono writes for them: padded, over years
    /// with fewer digits, and years past 9999 left to chrono.
    #[test]
    fn fields_written_directly_are_chronos() {
        for epoch in [
            0.0f64,
            1.5,
            59.0,
            3_599.0,
            1_626_784_496.25,
            -30_610_224_000.0,
            -62_135_596_800.0,
            253_402_300_799.0,
            253_402_300_800.0,
        ] {
            let t = DateTime::<Utc>::from_timestamp(epoch.floor() as i64, 0).unwrap();
            let want = t.format("%Y|%m|%d|%H|%M|%S").to_string();
            assert_eq!(strftime(epoch, "%Y|%m|%d|%H|%M|%S"), want, "{epoch}");
        }
        assert_eq!(strftime(-30_610_224_000.0, "%Y"), "1000");
        assert_eq!(strftime(-62_135_596_800.0, "%Y"), "0001");
        assert_eq!(strftime(253_402_300_800.0, "%Y"), "+10000");
        let mut out = String::new();
        push_digits(&mut out, 7, 3);
        push_digits(&mut out, 12345, 2);
        assert_eq!(out, "00712345");
    }

    #[test]
    fn s10_2_reads() {
        assert_eq!(strptime("07/20/2021 12:34:56", "%m/%d/%Y %H:%M:%S"), Some(1626784496.0));
        assert_eq!(strptime("2021-07-20T12:34:56.250Z", "%Y-%m-%dT%H:%M:%S.%3N%Z"), Some(1626784496.25));
        assert_eq!(strptime("2021-07-20T14:34:56+02:00", "%Y-%m-%dT%H:%M:%S%z"), Some(1626784496.0));
        assert_eq!(strptime("Jul 20 2021 12:34:56 pm", "%b %d %Y %I:%M:%S %p"), Some(1626784496.0));
        assert_eq!(strptime("1626784496", "%s"), Some(1626784496.0));
        assert_eq!(strptime("2021-07-20 and more", "%F"), Some(1626739200.0));
        assert_eq!(strptime("20/07/2021", "%m/%d/%Y"), None, "no month 20");
        assert_eq!(strptime("bob", "%Y"), None);
    }
}
