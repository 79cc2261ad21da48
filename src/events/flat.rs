//! The fast path of `KV_MODE = json` extraction: one walk over the JSON text that flattens
//! the wanted leaves directly, without building a document tree (serde_json's `Value` with
//! `preserve_order` costs an ordered map and an allocation per node).
//!
//! It gives exactly what [`super::json::extract_only`]'s tree walk gives, or declines
//! (`None`) and lets that walk decide: on anything it does not handle the same way or
//! cheaply (invalid JSON, a key with an escape, a key repeated in one object, a number
//! with an exponent, which serde_json rewrites, nesting deeper than serde_json allows, a
//! document that is not an object).

use super::json::{Fields, MAX_DEPTH};
use super::value::Value;

/// The wanted leaves of the JSON object `raw`, or `None` when the tree walk must decide.
pub fn flatten_object(raw: &str, wanted: &dyn Fn(&str) -> bool) -> Option<Fields> {
    let mut w = Walker { b: raw.as_bytes(), s: raw, i: 0, wanted, out: Fields::default(), path: String::new() };
    w.ws();
    if w.peek()? != b'{' {
        return None;
    }
    w.value(0)?;
    w.ws();
    if w.i != w.b.len() {
        return None;
    }
    Some(w.out)
}

struct Walker<'a, 'w> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    wanted: &'w dyn Fn(&str) -> bool,
    out: Fields,
    path: String,
}

impl<'a> Walker<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A value at the current path (whitespace before it skipped).
    fn value(&mut self, depth: usize) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                let mut keys: Vec<&'a str> = Vec::new();
                loop {
                    self.ws();
                    let key = self.key()?;
                    if keys.contains(&key) {
                        return None;
                    }
                    keys.push(key);
                    self.expect(b':')?;
                    let len = self.path.len();
                    if !self.path.is_empty() {
                        self.path.push('.');
                    }
                    self.path.push_str(key);
                    self.value(depth + 1)?;
                    self.path.truncate(len);
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                let len = self.path.len();
                self.path.push_str("{}");
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    self.path.truncate(len);
                    return Some(());
                }
                loop {
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                self.path.truncate(len);
                Some(())
            }
            b'"' => {
                let start = self.i + 1;
                let (end, escaped) = self.string_end()?;
                if (self.wanted)(&self.path) {
                    let body = &self.s[start..end];
                    let text = if escaped { unescape(body)? } else { body.to_string() };
                    self.leaf(text);
                }
                Some(())
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.number()?;
                if (self.wanted)(&self.path) {
                    let text = self.s[start..self.i].to_string();
                    self.leaf(text);
                }
                Some(())
            }
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        if !self.b[self.i..].starts_with(word.as_bytes()) {
            return None;
        }
        self.i += word.len();
        if (self.wanted)(&self.path) {
            self.leaf(word.to_string());
        }
        Some(())
    }

    fn leaf(&mut self, text: String) {
        match self.out.get_mut(self.path.as_str()) {
            Some(v) => v.push(text),
            None => {
                self.out.insert(self.path.clone(), Value::Str(text));
            }
        }
    }

    /// An object key without escapes (a key with one is left to the tree walk).
    fn key(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let (end, escaped) = self.string_end()?;
        if escaped {
            return None;
        }
        Some(&self.s[start..end])
    }

    /// Moves past a string starting at the current `"`; gives the end of its body and
    /// whether it has escapes. Control characters are not JSON.
    fn string_end(&mut self) -> Option<(usize, bool)> {
        self.i += 1;
        let mut escaped = false;
        loop {
            self.i += plain_run(&self.b[self.i..]);
            let c = *self.b.get(self.i)?;
            match c {
                b'"' => {
                    let end = self.i;
                    self.i += 1;
                    return Some((end, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.i += 2;
                }
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`; an exponent declines (serde_json rewrites it).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let digits = self.i;
            while let Some(b'0'..=b'9') = self.peek() {
                self.i += 1;
            }
            if self.i == digits {
                return None;
            }
        }
        match self.peek() {
            Some(b'e' | b'E' | b'0'..=b'9') => None,
            _ => Some(()),
        }
    }
}

/// How many bytes at the start of `b` are plain string text: not `"`, `\` or a control
/// character. Eight bytes are tested at a time: a byte equal to `c` is a zero byte of
/// `word ^ c`, and a zero byte, or one below 0x20, borrows out of its top bit when 0x01 or
/// 0x20 is subtracted from each byte (a borrow can only flag bytes above a flagged one, so
/// the lowest flagged byte is a true one).
fn plain_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut k = 0;
    while let Some(chunk) = b.get(k..k + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let flagged = zero_byte(w ^ (ONES * u64::from(b'"')))
            | zero_byte(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
        if flagged != 0 {
            return k + (flagged.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    let rest = &b[k..];
    k + rest.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(rest.len())
}

/// A JSON string body with escapes decoded; `None` for an invalid escape or a lone surrogate.
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (_, e) = chars.next()?;
        match e {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hi = hex4(&mut chars)?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if chars.next()?.1 != '\\' || chars.next()?.1 != 'u' {
                        return None;
                    }
                    let lo = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return None;
                } else {
                    hi
                };
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn hex4(chars: &mut std::str::CharIndices) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.1.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::super::json;
    use super::*;

    /// The fast walk gives what the tree walk gives, or declines.
    fn same(raw: &str) -> bool {
        let all = |_: &str| true;
        let fast = flatten_object(raw, &all);
        let mut slow = Fields::default();
        let tree = json::parse(raw);
        if let Ok(t) = &tree {
            json::flatten(t, &mut String::new(), &mut slow, &all);
        }
        match fast {
            Some(f) => {
                assert!(tree.is_ok(), "fast accepted invalid JSON {raw}");
                assert_eq!(f, slow, "{raw}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_runs_stop_where_a_byte_by_byte_scan_stops() {
        let special = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
        for stop in [0u8, 0x01, 0x1f, b'"', b'\\', b'\n', b'\t'] {
            for plain in [b'a', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xdc, 0xff] {
                for len in 0..20 {
                    for at in 0..=len {
                        let mut b = vec![plain; len];
                        if at < len {
                            b[at] = stop;
                        }
                        let want = b.iter().position(|&c| special(c)).unwrap_or(len);
                        assert_eq!(plain_run(&b), want, "{stop:#x} at {at} among {plain:#x} x {len}");
                    }
                }
            }
        }
        // Two specials: the first counts.
        assert_eq!(plain_run(b"abc\\de\"fgh"), 3);
        assert_eq!(plain_run(b"abcdefg\"\x01"), 7);
    }

    #[test]
    fn agrees_with_the_tree_walk() {
        for raw in [
            r#"{"a":1,"b":{"c":"x","d":[1,2,{"e":null}]},"f":true,"g":false,"h":[],"i":{}}"#,
            r#" { "n" : -0.50 , "s" : "q\"\u00e9\n\ud83d\ude00\/" , "m" : [[1,2],[3]] } "#,
            r#"{"resources":[{"ARN":"a1","type":"T"},{"ARN":"a2"}]}"#,
            r#"{"":1,"a.b":{"":2}}"#,
        ] {
            assert!(same(raw), "declined {raw}");
        }
    }

    #[test]
    fn declines_what_the_tree_walk_must_decide() {
        for raw in [
            r#"{"a":1e3}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a\u0062":1}"#,
            r#"{"a":01}"#,
            r#"{"a":1,}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"x"} x"#,
            r#"[1]"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"#,
            r#"{"a":tru}"#,
        ] {
            assert!(!same(raw), "accepted {raw}");
        }
        let deep = "{\"a\":".repeat(200) + "1" + &"}".repeat(200);
        assert!(!same(&deep));
    }

    #[test]
    fn only_wanted_leaves_are_made() {
        let f = flatten_object(r#"{"a":1,"b":{"c":"x\n"},"d":[3]}"#, &|p| p == "b.c").unwrap();
        assert_eq!(f.into_iter().collect::<Vec<_>>(), [("b.c".to_string(), Value::Str("x\n".into()))]);
    }
}
