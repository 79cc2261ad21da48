//! The fast path of `KV_MODE = json` extraction: one walk over the JSON text that flattens
//! the wanted leaves directly, without building a document tree (serde_json's `Value` with
//! `preserve_order` costs an ordered map and an allocation per node).
//!
//! It gives exactly what [`super::json::extract_only`]'s tree walk gives, or declines
//! (`None`) and lets that walk decide: on anything it does not handle the same way or
//! cheaply (invalid JSON, a key with an escape, a key repeated in one object, a number
//! with an exponent, which serde_json rewrites, nesting deeper than serde_json allows, a
//! document that is not an object).

use std::borrow::Cow;

use super::json::{Fields, MAX_DEPTH};
use super::value::Value;

/// Where a walk puts the wanted leaves of a document (`'a`: the document's text).
pub trait Leaves<'a> {
    /// How many leaves it holds: a walk that declines goes back to this.
    fn mark(&self) -> usize;
    fn back_to(&mut self, mark: usize);
    /// Whether the leaf at `path` is wanted (`wants` tells, unless the sink knows its
    /// wanted paths itself); a `true` is followed by [`Leaves::leaf`] for that path.
    fn wanted(&mut self, path: &str, wants: &dyn Fn(&str) -> bool) -> bool {
        wants(path)
    }
    /// [`Leaves::wanted`] of the `k`th leaf of a [`super::paths::PathTree`] (at `path`): a
    /// sink told the tree's leaves answers by their number.
    fn wanted_leaf(&mut self, k: usize, path: &str, wants: &dyn Fn(&str) -> bool) -> bool {
        let _ = k;
        self.wanted(path, wants)
    }
    /// A wanted leaf: its path (`a.b{}.c`) and its text. A path met again in one document
    /// (an array's elements) makes a multivalue, its values in document order.
    fn leaf(&mut self, path: &str, text: Cow<'a, str>);
}

/// Leaves into an event's fields, after those there before the walk, which a leaf of the
/// same name does not change.
pub(super) struct IntoFields<'o> {
    out: &'o mut Fields,
    first: usize,
}

impl<'o> IntoFields<'o> {
    /// Leaves into `out`, after the fields it holds.
    pub(super) fn after(out: &'o mut Fields) -> IntoFields<'o> {
        let first = out.len();
        IntoFields { out, first }
    }
}

impl<'a> Leaves<'a> for IntoFields<'_> {
    fn mark(&self) -> usize {
        self.out.len()
    }

    fn back_to(&mut self, mark: usize) {
        self.out.truncate(mark);
    }

    fn leaf(&mut self, path: &str, text: Cow<'a, str>) {
        // The path is hashed once (a leaf is usually new: its key is made anyway).
        match self.out.entry(path.to_string()) {
            // A field that was there before the walk stays as it was.
            indexmap::map::Entry::Occupied(e) if e.index() < self.first => {}
            indexmap::map::Entry::Occupied(e) => e.into_mut().push(text.into_owned()),
            indexmap::map::Entry::Vacant(e) => {
                e.insert(Value::Str(text.into_owned()));
            }
        }
    }
}

/// Which leaves of a document to make.
#[derive(Clone, Copy)]
pub struct Wants<'w> {
    /// Whether the leaf at this path (`a.b{}.c`) is wanted.
    pub leaf: &'w dyn Fn(&str) -> bool,
    /// Whether a wanted leaf may lie below this path (an object or array there): when not,
    /// the walk only checks that the part is valid JSON ([`branch_paths`] of the wanted
    /// names tells).
    pub below: &'w dyn Fn(&str) -> bool,
}

/// The paths a walk must enter to reach `names`: every part of a name that ends before a
/// `.` or a `{` (`a.b{}.c` gives `a`, `a.b`, `a.b{}`). A key holding a dot is a path like
/// any other (`{"a.b":{"c":1}}` is `a.b.c`), so it is found the same way.
pub fn branch_paths<'n>(names: impl IntoIterator<Item = &'n String>) -> super::hash::NameSet {
    let mut out = super::hash::NameSet::default();
    for n in names {
        for (i, c) in n.char_indices() {
            if c == '.' || c == '{' {
                out.insert(n[..i].to_string());
            }
        }
    }
    out
}

/// The wanted leaves of the JSON object `raw`, or `None` when the tree walk must decide.
pub fn flatten_object(raw: &str, wanted: &dyn Fn(&str) -> bool) -> Option<Fields> {
    let mut out = Fields::default();
    flatten_into(raw, Wants { leaf: wanted, below: &|_| true }, &mut out).then_some(out)
}

/// [`flatten_object`] into `out`, after the fields already there, which a leaf of the same
/// name does not change (an event's index-time fields win over its JSON's). `false`, with
/// `out` as it was, when the tree walk must decide.
pub fn flatten_into(raw: &str, wants: Wants, out: &mut Fields) -> bool {
    flatten_leaves(raw, wants, &mut IntoFields::after(out))
}

/// [`flatten_into`] into any [`Leaves`]: `false`, with `out` back at its mark, when the
/// tree walk must decide.
pub fn flatten_leaves<'a>(raw: &'a str, wants: Wants, out: &mut dyn Leaves<'a>) -> bool {
    walk_leaves(raw, wants, out, false)
}

/// [`flatten_leaves`] of text known to be JSON (an event loaded by
/// [`crate::events::input`], which checks every one): an object or array above no wanted
/// leaf is passed over by its brackets ([`skip_container`]), not checked again.
pub fn flatten_json_leaves<'a>(raw: &'a str, wants: Wants, out: &mut dyn Leaves<'a>) -> bool {
    walk_leaves(raw, wants, out, true)
}

/// [`flatten_leaves`], [`flatten_json_leaves`].
fn walk_leaves<'a>(raw: &'a str, wants: Wants, out: &mut dyn Leaves<'a>, checked: bool) -> bool {
    let mut w = Walker::new(raw, wants, out);
    w.checked = checked;
    // Sized for a CloudTrail record at once (growing them step by step showed in profiles).
    w.path.reserve(128);
    w.keys.reserve(64);
    let ok = (|| {
        w.ws();
        if w.peek()? != b'{' {
            return None;
        }
        w.value(0, true)?;
        w.ws();
        (w.i == w.b.len()).then_some(())
    })()
    .is_some();
    if !ok {
        w.out.back_to(w.first);
    }
    ok
}

/// Whether `raw` is one JSON value (any kind) with only white space around it, checked
/// without making anything. It accepts only what serde_json accepts (it is stricter in one
/// way: an escaped lone surrogate, which serde_json passes over unless it keeps the
/// string), and nesting deeper than [`MAX_DEPTH`] is refused; so a `false` is for the
/// caller to confirm.
pub fn is_json(raw: &str) -> bool {
    let never = |_: &str| false;
    let mut out = Fields::default();
    let mut sink = IntoFields::after(&mut out);
    let mut w = Walker::new(raw, Wants { leaf: &never, below: &never }, &mut sink);
    w.value(0, false).is_some() && {
        w.ws();
        w.i == w.b.len()
    }
}

struct Walker<'a, 'w, 'o> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    wants: Wants<'w>,
    out: &'o mut dyn Leaves<'a>,
    /// `out`'s mark before the walk.
    first: usize,
    path: String,
    /// The keys of the objects being walked, innermost last (a key repeated in one object
    /// declines).
    keys: Vec<&'a str>,
    /// The text is known to be JSON ([`flatten_json_leaves`]).
    checked: bool,
}

/// A key's bit in a 64-bit summary of the keys of one object: keys with different bits
/// differ, so only a key whose bit is already set is compared with the others.
fn key_bit(key: &str) -> u64 {
    let b = key.as_bytes();
    let mix = b.len() as u32 ^ (*b.first().unwrap_or(&0) as u32) << 2 ^ (*b.last().unwrap_or(&0) as u32) << 4;
    1 << (mix.wrapping_mul(0x9e37_79b9) >> 26)
}

impl<'a, 'w, 'o> Walker<'a, 'w, 'o> {
    fn new(raw: &'a str, wants: Wants<'w>, out: &'o mut dyn Leaves<'a>) -> Self {
        let first = out.mark();
        Walker {
            b: raw.as_bytes(),
            s: raw,
            i: 0,
            wants,
            out,
            first,
            path: String::new(),
            keys: Vec::new(),
            checked: false,
        }
    }

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

    /// A value at the current path (whitespace before it skipped). Unless `walk`, its
    /// leaves are not wanted: it is only checked to be valid JSON (as serde_json checks it:
    /// a repeated key or a number with an exponent is fine there).
    fn value(&mut self, depth: usize, walk: bool) -> Option<()> {
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
                let base = self.keys.len();
                let mut seen = 0u64;
                loop {
                    self.ws();
                    if !walk {
                        self.string()?;
                        self.expect(b':')?;
                        self.value(depth + 1, false)?;
                    } else {
                        let key = self.key()?;
                        let bit = key_bit(key);
                        if seen & bit != 0 && self.keys[base..].contains(&key) {
                            return None;
                        }
                        seen |= bit;
                        self.keys.push(key);
                        self.expect(b':')?;
                        let len = self.path.len();
                        if !self.path.is_empty() {
                            self.path.push('.');
                        }
                        self.path.push_str(key);
                        self.member(depth + 1)?;
                        self.path.truncate(len);
                    }
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            self.keys.truncate(base);
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
                if walk {
                    self.path.push_str("{}");
                }
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    self.path.truncate(len);
                    return Some(());
                }
                loop {
                    if walk {
                        self.member(depth + 1)?;
                    } else {
                        self.value(depth + 1, false)?;
                    }
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
            b'"' if !walk => self.string(),
            b'"' => {
                let start = self.i + 1;
                let (end, escaped) = self.string_end()?;
                if self.out.wanted(&self.path, self.wants.leaf) {
                    let body = &self.s[start..end];
                    let text = if escaped { Cow::Owned(unescape(body)?) } else { Cow::Borrowed(body) };
                    self.out.leaf(&self.path, text);
                } else if escaped {
                    unescape(&self.s[start..end])?;
                }
                Some(())
            }
            b't' => self.literal("true", walk),
            b'f' => self.literal("false", walk),
            b'n' => self.literal("null", walk),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                let exponent = self.number()?;
                if walk && self.out.wanted(&self.path, self.wants.leaf) {
                    // serde_json rewrites a number with an exponent: the tree walk decides.
                    if exponent {
                        return None;
                    }
                    self.out.leaf(&self.path, Cow::Borrowed(&self.s[start..self.i]));
                }
                Some(())
            }
            _ => None,
        }
    }

    /// A member of an object or an element of an array, at the current path: walked when a
    /// wanted leaf may be below it (a container) or it may be one (a scalar).
    fn member(&mut self, depth: usize) -> Option<()> {
        self.ws();
        let container = matches!(self.peek()?, b'{' | b'[');
        let walk = !container || (self.wants.below)(&self.path);
        if !walk && self.checked {
            self.i += skip_container(&self.b[self.i..])?;
            return Some(());
        }
        self.value(depth, walk)
    }

    /// A string (key or value) not wanted as a field: checked, not kept.
    fn string(&mut self) -> Option<()> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let (end, escaped) = self.string_end()?;
        if escaped {
            unescape(&self.s[start..end])?;
        }
        Some(())
    }

    fn literal(&mut self, word: &'static str, walk: bool) -> Option<()> {
        if !self.b[self.i..].starts_with(word.as_bytes()) {
            return None;
        }
        self.i += word.len();
        if walk && self.out.wanted(&self.path, self.wants.leaf) {
            self.out.leaf(&self.path, Cow::Borrowed(word));
        }
        Some(())
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

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; gives whether it has an exponent.
    fn number(&mut self) -> Option<bool> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let start = self.i;
            self.digits();
            if self.i == start {
                return None;
            }
        }
        let exponent = matches!(self.peek(), Some(b'e' | b'E'));
        if exponent {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            let start = self.i;
            self.digits();
            if self.i == start {
                return None;
            }
        }
        match self.peek() {
            Some(b'0'..=b'9') => None,
            _ => Some(exponent),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }
}

/// The length of the array or object `b` starts with, found by its brackets alone (those
/// outside strings): `b` must be JSON up to the container's end. Sixty-four bytes at a
/// time while they hold no backslash: which bytes are inside strings is the running parity
/// of the quotes before them, and only the brackets outside strings are looked at one by
/// one; from a block with a backslash on, byte by byte.
pub(super) fn skip_container(b: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    // Whether a bracket, opening or closing, ends the container (`None`: one too many).
    let mut ends = |opens: bool| {
        if opens {
            depth += 1;
            return Some(false);
        }
        depth = depth.checked_sub(1)?;
        Some(depth == 0)
    };
    let (mut inside, mut k) = (false, 0usize);
    while k + 64 <= b.len() {
        let super::check::Masks { quotes, backslashes, opens, closes, .. } = super::check::block_masks(&b[k..k + 64]);
        if backslashes != 0 {
            break;
        }
        // Bit j: an odd number of quotes at or before byte j, with the blocks before.
        let mut strings = super::check::prefix_xor(quotes);
        if inside {
            strings = !strings;
        }
        let mut brackets = (opens | closes) & !strings;
        while brackets != 0 {
            let j = brackets.trailing_zeros();
            brackets &= brackets - 1;
            if ends(opens >> j & 1 == 1)? {
                return Some(k + j as usize + 1);
            }
        }
        inside = strings >> 63 == 1;
        k += 64;
    }
    for (j, opens) in brackets(b, k, inside) {
        if ends(opens)? {
            return Some(j + 1);
        }
    }
    None
}

/// The brackets of `b` outside strings, from byte `from` on (inside a string when
/// `inside`), byte by byte: each one's place and whether it opens.
pub(super) fn brackets(b: &[u8], from: usize, mut inside: bool) -> impl Iterator<Item = (usize, bool)> + '_ {
    let mut escaped = false;
    b.iter().enumerate().skip(from).filter_map(move |(j, &c)| {
        if inside {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => inside = false,
                _ => {}
            }
            return None;
        }
        match c {
            b'"' => {
                inside = true;
                None
            }
            b'{' | b'[' => Some((j, true)),
            b'}' | b']' => Some((j, false)),
            _ => None,
        }
    })
}

/// How many bytes at the start of `b` are plain string text: not `"`, `\` or a control
/// character. Sixteen bytes are tested at a time where the processor has SSE2 (every
/// x86-64 does), then eight ([`plain_run_words`]).
fn plain_run(b: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let mut k = 0;
        while k + 16 <= b.len() {
            // SAFETY: SSE2 is part of the x86-64 baseline; the load reads the 16 bytes at
            // `k`, which are within `b`, and needs no alignment.
            let mask = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(k).cast());
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                // A byte is at most 0x1f when the larger of it and 0x1f is 0x1f.
                let control = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
            };
            if mask != 0 {
                return k + mask.trailing_zeros() as usize;
            }
            k += 16;
        }
        k + plain_run_words(&b[k..])
    }
    #[cfg(not(target_arch = "x86_64"))]
    plain_run_words(b)
}

/// [`plain_run`] eight bytes at a time: a byte equal to `c` is a zero byte of `word ^ c`,
/// and a zero byte, or one below 0x20, borrows out of its top bit when 0x01 or 0x20 is
/// subtracted from each byte (a borrow can only flag bytes above a flagged one, so the
/// lowest flagged byte is a true one).
fn plain_run_words(b: &[u8]) -> usize {
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
pub(super) fn unescape(body: &str) -> Option<String> {
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
                for len in 0..40 {
                    for at in 0..=len {
                        let mut b = vec![plain; len];
                        if at < len {
                            b[at] = stop;
                        }
                        let want = b.iter().position(|&c| special(c)).unwrap_or(len);
                        assert_eq!(plain_run(&b), want, "{stop:#x} at {at} among {plain:#x} x {len}");
                        assert_eq!(plain_run_words(&b), want, "{stop:#x} at {at} among {plain:#x} x {len}");
                    }
                }
            }
        }
        // Two specials: the first counts.
        assert_eq!(plain_run(b"abc\\de\"fgh"), 3);
        assert_eq!(plain_run(b"abcdefg\"\x01"), 7);
    }

    /// JSON containers, made from a seed: nested objects and arrays whose strings hold
    /// brackets, quotes and backslashes (escaped), some long enough to span the 64-byte
    /// blocks [`skip_container`] reads.
    fn containers(seed: u64, count: usize) -> Vec<String> {
        let mut x = seed;
        let mut next = move |n: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        const STRINGS: [&str; 9] = [
            r#""plain""#,
            r#""{[""#,
            r#""]}]}""#,
            r#""q\"}""#,
            r#""\\""#,
            r#""\\\"[""#,
            r#""a fairly long string of text that runs past sixty-four bytes } ] { [ ""#,
            r#""é\u00e9\/""#,
            r#""""#,
        ];
        fn value(depth: u32, next: &mut dyn FnMut(u64) -> u64) -> String {
            let string = |next: &mut dyn FnMut(u64) -> u64| STRINGS[next(STRINGS.len() as u64) as usize];
            match if depth > 4 { 2 + next(3) } else { next(5) } {
                0 => {
                    let n = next(5);
                    let members: Vec<String> = (0..n)
                        .map(|k| {
                            let key = string(next);
                            format!("{}{k}\":{}", &key[..key.len() - 1], value(depth + 1, next))
                        })
                        .collect();
                    format!("{{{}}}", members.join(if next(2) == 0 { "," } else { " , " }))
                }
                1 => {
                    let n = next(5);
                    let items: Vec<String> = (0..n).map(|_| value(depth + 1, next)).collect();
                    format!("[ {}]", items.join(","))
                }
                2 => string(next).to_string(),
                3 => ["1", "-2.5e3", "true", "null", "false"][next(5) as usize].to_string(),
                _ => format!("{{\"k\":[{}]}}", string(next)),
            }
        }
        let mut out = Vec::new();
        while out.len() < count {
            let v = value(0, &mut next);
            if v.starts_with(['{', '[']) {
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn a_container_is_passed_over_to_its_closing_bracket() {
        let all = containers(7, 3000);
        assert!(all.iter().filter(|c| c.len() > 300).count() > 100, "many span several blocks");
        for c in &all {
            assert!(serde_json::from_str::<serde::de::IgnoredAny>(c).is_ok(), "made JSON: {c}");
            for tail in ["", ",\"x\":1}", "]]]\"}"] {
                let text = format!("{c}{tail}");
                assert_eq!(skip_container(text.as_bytes()), Some(c.len()), "{text}");
            }
            // Cut short: no closing bracket found.
            assert_eq!(skip_container(&c.as_bytes()[..c.len() - 1]), None, "{c}");
        }
    }

    #[test]
    fn a_walk_over_checked_json_gives_what_the_checking_walk_gives() {
        for (k, c) in containers(11, 1500).iter().enumerate() {
            let doc = format!(r#"{{"keep":"v{k}","skip":{c},"deep":{{"skip":{c},"keep":[{c},1]}},"last":{k}}}"#);
            let wanted = ["keep", "deep.keep{}", "last"];
            let below = ["deep", "deep.keep{}"];
            let (leaf, below) = (|p: &str| wanted.contains(&p), |p: &str| below.contains(&p));
            let wants = Wants { leaf: &leaf, below: &below };
            let (mut checking, mut checked) = (Fields::default(), Fields::default());
            let a = flatten_leaves(&doc, wants, &mut IntoFields { out: &mut checking, first: 0 });
            let b = flatten_json_leaves(&doc, wants, &mut IntoFields { out: &mut checked, first: 0 });
            assert_eq!((a, &checking), (b, &checked), "{doc}");
            assert!(b && checked.contains_key("keep") && checked.contains_key("last"), "{doc}");
        }
        // Invalid JSON under a part not walked: declined only by the walk that checks.
        let bad = r#"{"keep":"v","skip":{"a":[1,}],"last":1}"#;
        let (leaf, below) = (|p: &str| p == "keep", |_: &str| false);
        let wants = Wants { leaf: &leaf, below: &below };
        assert!(!flatten_leaves(bad, wants, &mut IntoFields { out: &mut Fields::default(), first: 0 }));
        assert!(flatten_json_leaves(bad, wants, &mut IntoFields { out: &mut Fields::default(), first: 0 }));
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

    /// What the tree walk gives for `names` and what the fast walk gives when it passes
    /// over the parts above none of them; `None` when the fast walk declines.
    fn both_for(raw: &str, names: &[&str]) -> (Fields, Option<Fields>) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let leaf = |p: &str| names.iter().any(|n| n == p);
        let paths = branch_paths(&names);
        let below = |p: &str| paths.contains(p);
        let mut slow = Fields::default();
        if let Ok(t) = json::parse(raw) {
            json::flatten(&t, &mut String::new(), &mut slow, &leaf);
        }
        let mut fast = Fields::default();
        let made = flatten_into(raw, Wants { leaf: &leaf, below: &below }, &mut fast);
        (slow, made.then_some(fast))
    }

    #[test]
    fn parts_above_no_wanted_name_are_checked_not_walked() {
        let doc =
            r#"{"a":{"b":[{"c":1,"c":2}],"d":"x"},"e":{"f":1e5,"g":{"h":"\u00e9"}},"k.l":{"m":"dot"},"n":[["o"]]}"#;
        for names in [&["a.d"][..], &["e.g.h", "a.d"], &["k.l.m"], &["n{}{}"], &["a.q", "n{}{}"], &["nothing.here"]] {
            let (slow, fast) = both_for(doc, names);
            assert_eq!(fast.as_ref(), Some(&slow), "{names:?}");
        }
        // In an object walked, a repeated key declines (whether or not it is wanted); a
        // wanted number with an exponent too.
        assert_eq!(both_for(doc, &["a.b{}.c"]).1, None);
        assert_eq!(both_for(doc, &["a.b{}.q"]).1, None);
        assert_eq!(both_for(doc, &["e.f"]).1, None);
        // A part passed over must still be valid JSON.
        for bad in [
            r#"{"a":{"b":[1,}]},"d":1}"#,
            r#"{"a":{"b":"\q"},"d":1}"#,
            r#"{"a":{"b":"\ud800"},"d":1}"#,
            r#"{"a":{"b":01},"d":1}"#,
            r#"{"a":{"b":1e},"d":1}"#,
            r#"{"a":{"b":tru},"d":1}"#,
            r#"{"a":{"\x":1},"d":1}"#,
        ] {
            assert!(json::parse(bad).is_err(), "{bad}");
            assert_eq!(both_for(bad, &["d"]).1, None, "{bad}");
        }
        let deep = "{\"d\":1,\"a\":".to_string() + &"[".repeat(200) + &"]".repeat(200) + "}";
        assert_eq!(both_for(&deep, &["d"]).1, None);
    }

    #[test]
    fn fields_already_there_stay_and_a_decline_leaves_them_as_they_were() {
        let mut f = Fields::default();
        f.insert("host".into(), Value::Str("h1".into()));
        let all = |_: &str| true;
        let wants = Wants { leaf: &all, below: &all };
        assert!(flatten_into(r#"{"host":"x","a":[1,2]}"#, wants, &mut f));
        let got: Vec<(String, Vec<String>)> =
            f.iter().map(|(k, v)| (k.clone(), v.values().iter().map(|s| s.to_string()).collect())).collect();
        assert_eq!(got, [("host".into(), vec!["h1".to_string()]), ("a{}".into(), vec!["1".into(), "2".into()])]);
        assert!(!flatten_into(r#"{"b":1,"b":2}"#, wants, &mut f));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn checking_accepts_only_what_serde_json_accepts() {
        let serde = |raw: &str| serde_json::from_str::<serde::de::IgnoredAny>(raw).is_ok();
        let valid = [
            r#"{"a":1,"b":{"c":"x","d":[1,2,{"e":null}]},"f":true,"g":false,"h":[],"i":{}}"#,
            r#" { "n" : -0.50 , "s" : "q\"\u00e9\n\ud83d\ude00\/" , "m" : [[1,2],[3]] } "#,
            r#"{"a":1,"a":2}"#,
            r#"{"a\u0062":1e-3,"b":2E+10,"c":-0}"#,
            r#"[1,"x",null]"#,
            r#""text""#,
            "12",
            "{\"a\":\"\u{e9}\u{1f600}\"}",
        ];
        for raw in valid {
            assert!(serde(raw), "{raw}");
            assert!(is_json(raw), "{raw}");
        }
        let invalid = [
            r#"{"a":1,}"#,
            r#"[1,]"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e}"#,
            r#"{"a":.5}"#,
            r#"{"a":-}"#,
            r#"{"a":"\q"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{a:1}"#,
            r#"{"a" 1}"#,
            r#"{"a":1} x"#,
            r#"{"a":1}}"#,
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"x\ny\"}",
            r#"{"a":"#,
            "",
            "   ",
        ];
        for raw in invalid {
            assert!(!serde(raw), "{raw}");
            assert!(!is_json(raw), "{raw}");
        }
        // Stricter than serde_json: for the caller to confirm.
        for raw in [r#"{"a":"\ud800"}"#, &("[".repeat(200) + &"]".repeat(200))] {
            assert!(serde(raw) && !is_json(raw), "{raw}");
        }
    }

    #[test]
    fn branch_paths_end_before_dots_and_braces() {
        let names = ["a.b{}.c".to_string(), "d".to_string(), "e{}".to_string()];
        let mut got: Vec<String> = branch_paths(&names).iter().cloned().collect();
        got.sort();
        assert_eq!(got, ["a", "a.b", "a.b{}", "e"]);
    }

    #[test]
    fn only_wanted_leaves_are_made() {
        let f = flatten_object(r#"{"a":1,"b":{"c":"x\n"},"d":[3]}"#, &|p| p == "b.c").unwrap();
        assert_eq!(f.into_iter().collect::<Vec<_>>(), [("b.c".to_string(), Value::Str("x\n".into()))]);
    }
}
