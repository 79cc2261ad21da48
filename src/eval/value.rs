//! Values during evaluation, and the rules for numbers (docs/spl-semantics.md 1.2, 3.3).

use crate::events::Value;

/// A value while an expression is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalValue {
    Null,
    Bool(bool),
    /// A number: a numeric literal or a computed one.
    Num(f64),
    /// A string literal or a computed string: never read as a number.
    Str(String),
    /// One value read from a field: a number where it looks like one, shown as written.
    Field(String),
    /// Two or more values.
    Multi(Vec<String>),
}

impl EvalValue {
    /// What a field holds, as an operand.
    pub fn from_field(v: Option<&Value>) -> EvalValue {
        match v {
            None | Some(Value::Null) => EvalValue::Null,
            Some(Value::Str(s)) => EvalValue::Field(s.clone()),
            Some(Value::Multi(v)) => EvalValue::Multi(v.clone()),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, EvalValue::Null)
    }

    /// The number this value stands for, if any: numbers, and field values that parse as
    /// numbers. A string literal is not a number (`isnum("12")` is false). A multivalue
    /// reads as its first value (UNVERIFIED, section 3.5).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            EvalValue::Num(n) => Some(*n),
            EvalValue::Field(s) => parse_number(s),
            EvalValue::Multi(v) => v.first().and_then(|s| parse_number(s)),
            _ => None,
        }
    }

    /// The text this value shows as (`None` for null). Booleans show as `true`/`false`.
    pub fn as_text(&self) -> Option<String> {
        match self {
            EvalValue::Null => None,
            EvalValue::Bool(b) => Some(b.to_string()),
            EvalValue::Num(n) => Some(format_number(*n)),
            EvalValue::Str(s) | EvalValue::Field(s) => Some(s.clone()),
            EvalValue::Multi(v) => v.first().cloned(),
        }
    }

    /// Every value, for functions that work value by value (a single value is one).
    pub fn texts(&self) -> Vec<String> {
        match self {
            EvalValue::Multi(v) => v.clone(),
            other => other.as_text().into_iter().collect(),
        }
    }

    /// The truth of a condition: `None` for null (and for non-booleans, which Splunk rejects).
    pub fn truth(&self) -> Option<bool> {
        match self {
            EvalValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The field value this result stores (`None`: the field is removed).
    pub fn into_field(self) -> Option<Value> {
        match self {
            EvalValue::Null => None,
            EvalValue::Multi(v) => Some(Value::from_values(v)),
            other => other.as_text().map(Value::Str),
        }
    }

    /// The Splunk type name (`typeof`).
    pub fn type_name(&self) -> &'static str {
        match self {
            EvalValue::Null => "Invalid",
            EvalValue::Bool(_) => "Bool",
            EvalValue::Num(_) => "Number",
            EvalValue::Str(_) => "String",
            EvalValue::Field(s) => {
                if parse_number(s).is_some() {
                    "Number"
                } else {
                    "String"
                }
            }
            EvalValue::Multi(_) => "Multivalue",
        }
    }
}

/// Whether a field value is a number, and which (docs/spl-semantics.md 1.2): the whole text,
/// no surrounding space, `[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`, or `NaN`/`nan`. The one
/// place that decides what a number is.
pub fn parse_number(s: &str) -> Option<f64> {
    if s == "NaN" || s == "nan" {
        return Some(f64::NAN);
    }
    let b = s.as_bytes();
    let mut k = 0;
    if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
        k += 1;
    }
    let int_start = k;
    while k < b.len() && b[k].is_ascii_digit() {
        k += 1;
    }
    let int_digits = k - int_start;
    let mut frac_digits = 0;
    if k < b.len() && b[k] == b'.' {
        k += 1;
        let f = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        frac_digits = k - f;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if k == b.len() && int_digits + frac_digits <= 15 {
        return Some(short_decimal(b, int_start, int_digits));
    }
    if k < b.len() && (b[k] == b'e' || b[k] == b'E') {
        k += 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        let e = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k == e {
            return None;
        }
    }
    if k != b.len() {
        return None;
    }
    s.parse().ok()
}

/// The number written `b` (a sign, then `int_digits` digits from `int_start`, then maybe
/// `.` and digits; at most 15 digits in all, no exponent), as `str::parse` reads it: the
/// digits as a whole number (exact, under 2^53) divided by a power of ten (exact up to
/// 10^22), which IEEE division rounds correctly, so the result is the nearest `f64` to the
/// text (Clinger's fast path). A `stats min(_time)` over half a million results read
/// each timestamp this way rather than through the general parser.
fn short_decimal(b: &[u8], int_start: usize, int_digits: usize) -> f64 {
    const POWERS: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let digits = |d: &[u8]| d.iter().fold(0u64, |m, c| m * 10 + u64::from(c - b'0'));
    let int_end = int_start + int_digits;
    let frac = b.get(int_end + 1..).unwrap_or(&[]);
    let whole = digits(&b[int_start..int_end]) * 10u64.pow(frac.len() as u32) + digits(frac);
    let v = whole as f64 / POWERS[frac.len()];
    if b[0] == b'-' {
        -v
    } else {
        v
    }
}

/// How a computed number is shown: integral values without a decimal point, others in the
/// shortest form that reads back the same (`10/3` is `3.3333333333333335`, UNVERIFIED);
/// NaN as `nan`, infinities as `inf`/`-inf`.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        "nan".into()
    } else if n.is_infinite() {
        if n > 0.0 { "inf" } else { "-inf" }.into()
    } else if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `n` in decimal, zero-padded to `width` digits (wider when it needs more): dates'
/// fields and counts are written this way, without the formatter. Two digits at a time,
/// each pushed as the ASCII it is (a broad detection's `_time` writes 780,000 seconds: a
/// digit a division and a UTF-8 check of the result were 250 instructions each).
pub fn push_digits(out: &mut String, n: u64, width: usize) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut buf = [0u8; 20];
    let mut k = buf.len();
    let mut n = n;
    while n >= 100 {
        let r = (n % 100) as usize * 2;
        n /= 100;
        k -= 2;
        buf[k..k + 2].copy_from_slice(&PAIRS[r..r + 2]);
    }
    if n >= 10 {
        k -= 2;
        buf[k..k + 2].copy_from_slice(&PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        k -= 1;
        buf[k] = b'0' + n as u8;
    }
    let digits = &buf[k..];
    out.reserve(width.max(digits.len()));
    (digits.len()..width).for_each(|_| out.push('0'));
    digits.iter().for_each(|&d| out.push(char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_what_the_formatter_writes() {
        let mut values: Vec<u64> = (0..1200).chain([u64::MAX, u64::MAX - 1, 1 << 63, 1_764_000_000]).collect();
        let mut x = 1u64;
        while let Some(next) = x.checked_mul(10) {
            values.extend([x - 1, x, x + 1, next / 3]);
            x = next;
        }
        for n in values {
            for width in [0, 1, 2, 4, 19, 20, 25] {
                let mut out = String::from("x");
                push_digits(&mut out, n, width);
                assert_eq!(out, format!("x{n:0width$}"), "{n} in {width}");
            }
        }
    }

    #[test]
    fn section_1_2_what_counts_as_a_number() {
        for (s, want) in [
            ("1", Some(1.0)),
            ("-3", Some(-3.0)),
            ("1.5", Some(1.5)),
            ("08", Some(8.0)),
            ("1e3", Some(1000.0)),
            ("+3", Some(3.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            (" 2", None),
            ("2 ", None),
            ("0x1F", None),
            ("1,000", None),
            ("12abc", None),
            ("", None),
            ("true", None),
            ("-", None),
            ("1e", None),
        ] {
            assert_eq!(parse_number(s), want, "{s:?}");
        }
        assert!(parse_number("NaN").unwrap().is_nan());
    }

    /// Short decimals (read without the general parser) are the very `f64` it gives, to
    /// the bit: signs, zeros, leading zeros, fractions that are not exact in binary, the
    /// longest (15 digits), and 16 digits (read by the general parser).
    #[test]
    fn short_decimals_read_as_the_general_parser_reads_them() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            ".1",
            "0.1",
            "0.3",
            "-0.7",
            "1709251206",
            "1709251206.123",
            "999999999999999",
            "99999999999999.9",
            ".000000000000001",
            "123456789012345",
            "1234567890123456",
            "0.1234567890123456",
            "9007199254740993",
            "00000000000001.5",
            "4.35",
            "2.675",
            "1.005",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Digits of every length, spread by a fixed sequence, with every split point.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 1..=16 {
            for _ in 0..200 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let digits: String =
                    (0..len).map(|k| char::from(b'0' + ((x >> ((k * 4) % 64)) & 0xf) as u8 % 10)).collect();
                let at = (x % (len as u64 + 1)) as usize;
                cases.push(format!("{}.{}", &digits[..at], &digits[at..]));
                cases.push(format!("-{digits}"));
            }
        }
        for s in cases {
            let want: Option<f64> = s.parse().ok().filter(|_| s != "." && s != "-.");
            assert_eq!(parse_number(&s).map(f64::to_bits), want.map(f64::to_bits), "{s:?}");
        }
    }

    #[test]
    fn number_display() {
        assert_eq!(format_number(4.0 / 2.0), "2");
        assert_eq!(format_number(10.0 / 4.0), "2.5");
        assert_eq!(format_number(10.0 / 3.0), "3.3333333333333335");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn literals_are_not_numbers_but_field_values_are() {
        assert_eq!(EvalValue::Str("12".into()).as_number(), None);
        assert_eq!(EvalValue::Field("12".into()).as_number(), Some(12.0));
        assert_eq!(EvalValue::Field("08".into()).as_text().unwrap(), "08", "shown as written");
    }
}
