//! Whether a result matches a search expression (docs/spl-semantics.md section 2): the
//! implicit first search, `search`, event types, `tstats`/`inputlookup` `where`.

use super::expr::{EvalError, Row};
use super::value::parse_number;
use crate::events::Value;
use crate::syntax::{CmpOp, SearchExpr, SearchKind};

/// True when `row` matches `e`. Time modifiers match everything here (the time range is
/// applied to events before the search runs); a subsearch must have been replaced by its
/// results first.
pub fn matches(e: &SearchExpr, row: &dyn Row) -> Result<bool, EvalError> {
    Ok(match &e.kind {
        SearchKind::And(items) => {
            for i in items {
                if !matches(i, row)? {
                    return Ok(false);
                }
            }
            true
        }
        SearchKind::Or(items) => {
            for i in items {
                if matches(i, row)? {
                    return Ok(true);
                }
            }
            false
        }
        SearchKind::Not(inner) => !matches(inner, row)?,
        SearchKind::Compare { field, op, value } => compare(row, &field.name, *op, value),
        SearchKind::In { field, values } => values.iter().any(|v| compare(row, &field.name, CmpOp::Eq, v)),
        SearchKind::Term { text, phrase } => {
            let text = crate::syntax::parser::search::term_text(text, *phrase);
            text == "*" || row.field("_raw").is_some_and(|raw| raw.values().iter().any(|r| term_in_raw(&text, r)))
        }
        SearchKind::TimeModifier { .. } => true,
        SearchKind::Subsearch(_) => {
            return Err(EvalError::new("a subsearch must run before the search that contains it", e.span))
        }
    })
}

/// `field op value` (2.2-2.6): `=` is a case-insensitive match of the whole value with `*`
/// wildcards (or CIDR membership for a `a.b.c.d/n` value), true when any value matches; a
/// missing field never matches, `!=` included; `<`, `>`... compare numbers when both sides
/// are numbers, never match a non-number against a numeric literal, else compare text.
pub fn compare(row: &dyn Row, field: &str, op: CmpOp, value: &str) -> bool {
    let test = |values: &[String]| -> bool {
        match op {
            CmpOp::Eq => values.iter().any(|v| value_matches(value, v)),
            // `f!=v` is `f=* AND NOT f=v` (UNVERIFIED for multivalues, 2.3).
            CmpOp::Ne => !values.iter().any(|v| value_matches(value, v)),
            _ => values.iter().any(|v| relational(op, v, value)),
        }
    };
    if field.contains('*') {
        // A wildcard field name: any field whose name matches (UNVERIFIED, 2.1).
        let mut hit = false;
        row.each_field(&mut |name, v| {
            if !hit && glob_matches(field, name, false) && !v.is_null() {
                hit = test(v.values());
            }
        });
        return hit;
    }
    match row.field(field) {
        Some(v) if !v.is_null() => test(v.values()),
        _ => false,
    }
}

/// Whether a search value (with `*` wildcards, or a CIDR) matches one field value.
pub fn value_matches(pattern: &str, value: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if looks_like_cidr(pattern) && super::functions::in_cidr(pattern, value) {
        return true;
    }
    glob_matches(pattern, value, true)
}

pub(crate) fn looks_like_cidr(p: &str) -> bool {
    p.split_once('/').is_some_and(|(net, bits)| {
        !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()) && net.parse::<std::net::IpAddr>().is_ok()
    })
}

fn relational(op: CmpOp, field_value: &str, literal: &str) -> bool {
    let ord = match (parse_number(field_value), parse_number(literal)) {
        (Some(a), Some(b)) => match a.partial_cmp(&b) {
            Some(o) => o,
            None => return false,
        },
        // A numeric literal never matches a value that is not a number (2.5: `date_hour>=20`
        // does not keep `abc`); two texts compare byte-wise (UNVERIFIED).
        (None, Some(_)) => return false,
        _ => field_value.as_bytes().cmp(literal.as_bytes()),
    };
    match op {
        CmpOp::Lt => ord.is_lt(),
        CmpOp::Le => ord.is_le(),
        CmpOp::Gt => ord.is_gt(),
        CmpOp::Ge => ord.is_ge(),
        CmpOp::Eq | CmpOp::Ne => unreachable!("handled by compare"),
    }
}

/// A whole-value match with `*` matching any run of characters.
pub fn glob_matches(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if ignore_case && !(pattern.is_ascii() && text.is_ascii()) {
        return glob_bytes(pattern.to_lowercase().as_bytes(), text.to_lowercase().as_bytes(), false);
    }
    // ASCII: comparing letters without case is lowercasing both, without the copies.
    glob_bytes(pattern.as_bytes(), text.as_bytes(), ignore_case)
}

/// [`glob_matches`] over bytes; `fold` compares ASCII letters without case.
fn glob_bytes(p: &[u8], t: &[u8], fold: bool) -> bool {
    let eq = |a: &[u8], b: &[u8]| if fold { a.eq_ignore_ascii_case(b) } else { a == b };
    let stars = p.iter().filter(|&&b| b == b'*').count();
    if stars == 0 {
        return p.len() == t.len() && eq(p, t);
    }
    let mut pieces = p.split(|&b| b == b'*');
    let first = pieces.next().expect("split gives one piece");
    let last = p.rsplit(|&b| b == b'*').next().expect("split gives one piece");
    if t.len() < first.len() + last.len() || !eq(&t[..first.len()], first) || !eq(&t[t.len() - last.len()..], last) {
        return false;
    }
    let mut rest = &t[first.len()..t.len() - last.len()];
    for piece in pieces.take(stars - 1) {
        match find(rest, piece, fold) {
            Some(k) => rest = &rest[k + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Where `needle` first occurs in `hay`; `fold` compares ASCII letters without case.
fn find(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    if !fold || !needle.iter().any(u8::is_ascii_alphabetic) {
        return memchr::memmem::find(hay, needle);
    }
    find_folded(hay, needle)
}

/// The first place `needle` is in `hay`, ASCII letters compared without case. Candidates
/// are the places where the needle's two rarest bytes are ([`Pair`]), 32 places tested at
/// a time (a letter in either case is the same byte once `0x20` is set in both); one
/// letter at a time stopped at most bytes of an event's text for a term like `error`.
fn find_folded(hay: &[u8], needle: &[u8]) -> Option<usize> {
    Pair::of(needle).find(hay, needle)
}

/// Where a needle's two rarest bytes are (the same place when it is one byte long), and
/// each as a folded byte matches it: `0x20` set in a letter (either case), nothing in
/// other bytes.
#[derive(Debug, Clone, Copy)]
struct Pair {
    a: usize,
    b: usize,
    fold_a: u8,
    fold_b: u8,
    byte_a: u8,
    byte_b: u8,
}

impl Pair {
    fn of(needle: &[u8]) -> Pair {
        let rarest_but =
            |not: Option<usize>| (0..needle.len()).filter(|&k| Some(k) != not).min_by_key(|&k| byte_rank(needle[k]));
        let a = rarest_but(None).unwrap_or(0);
        let b = rarest_but(Some(a)).unwrap_or(a);
        let fold = |k: usize| match needle.get(k) {
            Some(c) if c.is_ascii_alphabetic() => 0x20,
            _ => 0,
        };
        let byte = |k: usize| needle.get(k).map_or(0, |&c| c | fold(k));
        Pair { a, b, fold_a: fold(a), fold_b: fold(b), byte_a: byte(a), byte_b: byte(b) }
    }

    /// Whether the place `start` of `hay` has the pair's bytes.
    fn candidate(&self, hay: &[u8], start: usize) -> bool {
        (hay[start + self.a] | self.fold_a) == self.byte_a && (hay[start + self.b] | self.fold_b) == self.byte_b
    }

    /// The first place `needle` (whose pair this is) is in `hay`, without ASCII case.
    fn find(&self, hay: &[u8], needle: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        let simd = std::is_x86_feature_detected!("avx2");
        #[cfg(not(target_arch = "x86_64"))]
        let simd = false;
        self.find_with(hay, needle, simd)
    }

    /// [`Pair::find`], with AVX2 when `simd` says the processor has it.
    fn find_with(&self, hay: &[u8], needle: &[u8], simd: bool) -> Option<usize> {
        let n = needle.len();
        if n == 0 || hay.len() < n {
            return (n == 0).then_some(0);
        }
        let starts = hay.len() - n + 1;
        let whole = |start: usize| hay[start..start + n].eq_ignore_ascii_case(needle);
        #[cfg(target_arch = "x86_64")]
        let scanned = if simd {
            // SAFETY: the caller found that the processor has AVX2.
            unsafe { self.find_avx2(hay, starts, &whole) }
        } else {
            self.find_by_32(hay, starts, &whole)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let scanned = {
            let _ = simd;
            self.find_by_32(hay, starts, &whole)
        };
        match scanned {
            Ok(found) => Some(found),
            Err(at) => (at..starts).find(|&start| self.candidate(hay, start) && whole(start)),
        }
    }

    /// The places of `starts` but its last few, 32 at a time, the pair's bytes compared in
    /// a loop the compiler vectorises: `Ok` where the needle is, `Err` where the places
    /// left to test start.
    fn find_by_32(&self, hay: &[u8], starts: usize, whole: &dyn Fn(usize) -> bool) -> Result<usize, usize> {
        let mut at = 0;
        while at + 32 <= starts {
            let (xa, xb) = (&hay[at + self.a..at + self.a + 32], &hay[at + self.b..at + self.b + 32]);
            let candidate =
                |(&x, &y): (&u8, &u8)| ((x | self.fold_a) == self.byte_a) & ((y | self.fold_b) == self.byte_b);
            if xa.iter().zip(xb).fold(false, |any, p| any | candidate(p)) {
                for (j, p) in xa.iter().zip(xb).enumerate() {
                    if candidate(p) && whole(at + j) {
                        return Ok(at + j);
                    }
                }
            }
            at += 32;
        }
        Err(at)
    }

    /// [`Pair::find`]'s places 32 at a time with AVX2: `Ok` where the needle is, `Err`
    /// where the places left to test start.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn find_avx2(&self, hay: &[u8], starts: usize, whole: &dyn Fn(usize) -> bool) -> Result<usize, usize> {
        use std::arch::x86_64::*;
        let (fold_a, fold_b) = (_mm256_set1_epi8(self.fold_a as i8), _mm256_set1_epi8(self.fold_b as i8));
        let (byte_a, byte_b) = (_mm256_set1_epi8(self.byte_a as i8), _mm256_set1_epi8(self.byte_b as i8));
        // The places of the 32 from `at` (`at + 32 <= starts`) with the pair's bytes.
        let candidates = |at: usize| {
            // SAFETY: `at + 32 <= starts = hay.len() - needle.len() + 1` and `a`, `b` are
            // below `needle.len()`, so the 32 bytes from `at + a` and `at + b` are `hay`'s.
            let (xa, xb) = unsafe {
                (
                    _mm256_loadu_si256(hay.as_ptr().add(at + self.a).cast()),
                    _mm256_loadu_si256(hay.as_ptr().add(at + self.b).cast()),
                )
            };
            let both = _mm256_and_si256(
                _mm256_cmpeq_epi8(_mm256_or_si256(xa, fold_a), byte_a),
                _mm256_cmpeq_epi8(_mm256_or_si256(xb, fold_b), byte_b),
            );
            _mm256_movemask_epi8(both) as u32
        };
        // The first of the candidates from `at` where the needle is.
        let first = |mut places: u32, at: usize| {
            while places != 0 {
                let j = places.trailing_zeros() as usize;
                places &= places - 1;
                if whole(at + j) {
                    return Some(at + j);
                }
            }
            None
        };
        let mut at = 0;
        'blocks: loop {
            // A loop of its own, left for the rare candidate (its registers kept).
            let places = loop {
                if at + 32 > starts {
                    break 'blocks;
                }
                let places = candidates(at);
                if places != 0 {
                    break places;
                }
                at += 32;
            };
            if let Some(found) = first(places, at) {
                return Ok(found);
            }
            at += 32;
        }
        // The last places, tested with the 32 before them again (those held no needle).
        if at < starts && starts >= 32 {
            return first(candidates(starts - 32), starts - 32).ok_or(starts);
        }
        Err(at)
    }
}

/// A literal to look for, ASCII letters without case, in many texts: in a text lowered
/// once ([`crate::eval::needles::Lowered`]) by memchr's substring search (SIMD, as wide as
/// the processor has: with lowering, a third of the instructions of testing folded bytes
/// 32 places at a time in a loop the compiler vectorises, for the event types' six
/// literals), or in the text as it is by its two rarest bytes folded, 32 places at a time
/// with AVX2 ([`FoldedNeedle::is_in_text`]: loading's scan for one or a few literals, which
/// then lowers nothing).
#[derive(Debug, Clone)]
pub struct FoldedNeedle {
    finder: memchr::memmem::Finder<'static>,
    pair: Pair,
}

impl FoldedNeedle {
    pub fn new(needle: &[u8]) -> FoldedNeedle {
        let lower = needle.to_ascii_lowercase();
        FoldedNeedle { pair: Pair::of(&lower), finder: memchr::memmem::Finder::new(&lower).into_owned() }
    }

    /// Whether the needle is in `lowered` (a text with its ASCII letters lowercased).
    pub fn is_in(&self, lowered: &[u8]) -> bool {
        self.finder.find(lowered).is_some()
    }

    /// Whether the needle is in `text`, ASCII letters compared without case.
    pub fn is_in_text(&self, text: &[u8]) -> bool {
        self.pair.find(text, self.finder.needle()).is_some()
    }
}

/// How common a byte is in event text (0 the rarest): letters by English letter frequency
/// in either case, anything else taken as common as the common letters (JSON's quotes,
/// colons and digits are).
fn byte_rank(b: u8) -> usize {
    const BY_FREQUENCY: &[u8] = b"zqjxkvbpgwyfmculdhrsnioate";
    BY_FREQUENCY.iter().position(|&c| c == b.to_ascii_lowercase()).unwrap_or(20)
}

/// `s` lowercased as `str::to_lowercase` does, faster when it is ASCII.
fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// `pattern` with each `*` replaced by the next capture of [`glob_captures`] (the target
/// of `rename a* as b*`, `values(*) as *_v`, `convert ... AS x*`); missing captures are
/// empty. With `glob_captures`, the one place wildcard field names are matched and made.
pub fn glob_fill(pattern: &str, caps: Vec<String>) -> String {
    let mut caps = caps.into_iter();
    let mut out = String::new();
    for (k, piece) in pattern.split('*').enumerate() {
        if k > 0 {
            out.push_str(&caps.next().unwrap_or_default());
        }
        out.push_str(piece);
    }
    out
}

/// What each `*` of `pattern` stands for in `text` (case-sensitive; the middle pieces
/// match as early as they can), or `None` when `text` does not match. Used by wildcard
/// renames (`rename requestParameters.* as *`).
pub fn glob_captures(pattern: &str, text: &str) -> Option<Vec<String>> {
    let pieces: Vec<&str> = pattern.split('*').collect();
    if pieces.len() == 1 {
        return (pattern == text).then(Vec::new);
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return None;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    let mut caps = Vec::new();
    for piece in &pieces[1..pieces.len() - 1] {
        let k = if piece.is_empty() { 0 } else { rest.find(piece)? };
        caps.push(rest[..k].to_string());
        rest = &rest[k + piece.len()..];
    }
    caps.push(rest.to_string());
    Some(caps)
}

/// A bare term or phrase against `_raw`: case-insensitive, `*` wildcards, and bounded on
/// both sides by a character that is not a letter or digit, or the edge (2.7; Splunk's
/// exact breakers are UNVERIFIED).
pub fn term_in_raw(term: &str, raw: &str) -> bool {
    let t: std::borrow::Cow<str> = if term.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        lowercase(term).into()
    } else {
        term.into()
    };
    if term.is_ascii() && raw.is_ascii() {
        // ASCII letters compared without case, the text not copied.
        return term_in(&t, raw, true);
    }
    term_in(&t, &lowercase(raw), false)
}

/// [`term_in_raw`] of a lowercased term in `r`: lowercased too, or ASCII compared with
/// `fold`.
fn term_in(t: &str, r: &str, fold: bool) -> bool {
    let boundary = |s: &str, at: usize, before: bool| -> bool {
        let c = if before { s[..at].chars().next_back() } else { s[at..].chars().next() };
        c.is_none_or(|c| !c.is_alphanumeric())
    };
    let lead_wild = t.starts_with('*');
    let trail_wild = t.ends_with('*');
    let first = t.split('*').find(|p| !p.is_empty()).unwrap_or("");
    if first.is_empty() {
        return true;
    }
    let mut start = 0;
    while let Some(k) = find(&r.as_bytes()[start..], first.as_bytes(), fold) {
        let at = start + k;
        if lead_wild || boundary(r, at, true) {
            // The rest of the pattern must follow, ending at a boundary unless it ends in `*`.
            let rest_pattern = &t[t.find(first).expect("first piece")..];
            if let Some(end) = match_from(&r[at..], rest_pattern, fold) {
                if trail_wild || boundary(r, at + end, false) {
                    return true;
                }
            }
        }
        start = at + first.len().max(1);
        while start < r.len() && !r.is_char_boundary(start) {
            start += 1;
        }
        if start >= r.len() {
            break;
        }
    }
    false
}

/// Matches `pattern` (with `*`) at the start of `text`; returns where the shortest match
/// ends (the end of the text for a trailing `*`). `fold` compares ASCII letters without case.
fn match_from(text: &str, pattern: &str, fold: bool) -> Option<usize> {
    let pieces: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (k, piece) in pieces.iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        if k == 0 {
            let head = text.as_bytes().get(..piece.len())?;
            if !(if fold { head.eq_ignore_ascii_case(piece.as_bytes()) } else { head == piece.as_bytes() }) {
                return None;
            }
            pos = piece.len();
        } else {
            let found = find(&text.as_bytes()[pos..], piece.as_bytes(), fold)?;
            pos += found + piece.len();
        }
    }
    Some(pos)
}

impl Row for crate::events::Fields {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("Console*", "consolelogin", true));
        assert!(glob_matches("*.amazonaws.com", "ec2.amazonaws.com", true));
        assert!(!glob_matches("*.amazonaws.com", "aws-cli", true));
        assert!(glob_matches("a*b*c", "aXbYc", true));
        assert!(!glob_matches("a*a", "a", true));
        assert!(glob_matches("*AllUsers", "http://acs.amazonaws.com/groups/global/AllUsers", true));
    }

    /// The plain definition: lowercase both, then match piece by piece.
    fn glob_by_lowercasing(pattern: &str, text: &str) -> bool {
        let (p, t) = (pattern.to_lowercase(), text.to_lowercase());
        let pieces: Vec<&str> = p.split('*').collect();
        if pieces.len() == 1 {
            return p == t;
        }
        let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
        if t.len() < first.len() + last.len() || !t.starts_with(first) || !t[first.len()..].ends_with(last) {
            return false;
        }
        let mut rest = &t[first.len()..t.len() - last.len()];
        for piece in &pieces[1..pieces.len() - 1] {
            match rest.find(piece) {
                Some(k) => rest = &rest[k + piece.len()..],
                None => return false,
            }
        }
        true
    }

    #[test]
    fn case_folding_globs_agree_with_lowercasing_both_sides() {
        let patterns =
            ["*", "**", "a*a", "Delete*", "*DELETE*", "*get*", "*:*", "x*Y*z", "", "É*", "*école", "*İ*", "*k*"];
        let texts = [
            "",
            "a",
            "aa",
            "DeleteBucket",
            "deletebucket",
            "GetObject",
            "s3:Get",
            "XyZ",
            "xAyBz",
            "École",
            "L'ÉCOLE",
            "İstanbul",
            "\u{212A}elvin",
        ];
        for p in patterns {
            for t in texts {
                assert_eq!(glob_matches(p, t, true), glob_by_lowercasing(p, t), "{p:?} against {t:?}");
            }
        }
        assert!(!glob_matches("Delete*", "deletebucket", false) && glob_matches("Delete*", "DeleteX", false));
    }

    #[test]
    fn raw_terms_compared_without_copies_agree_with_lowercasing_both() {
        let raws = [
            r#"{"eventName":"DeleteBucket","errorCode":"AccessDenied","userAgent":"aws-cli/2.0 Python"}"#,
            r#"{"a":"REMOVE-me","b":"xdeletex","c":"delete","d":"Error: timeout","e":"re-Move"}"#,
            "delete",
            "",
            "Delete*Bucket deleteBUCKET de-lete",
        ];
        let terms = [
            "delete",
            "DELETE",
            "*delete*",
            "delete*",
            "*bucket",
            "remove",
            "re*move",
            "error",
            "error:",
            "denied",
            "access*denied",
            "aws-cli",
            "*",
            "e",
            "x*x",
            "python",
            "de*ete",
            "bucket*",
        ];
        for raw in raws {
            for term in terms {
                let reference = term_in(&term.to_lowercase(), &raw.to_lowercase(), false);
                assert_eq!(term_in_raw(term, raw), reference, "{term} in {raw}");
            }
        }
        assert_eq!(find(b"xxAbCabc", b"abc", true), Some(2));
        assert_eq!(find(b"", b"", true), Some(0));
        assert_eq!(find(b"ab", b"abc", true), None);
        assert_eq!(find(b"", b"a", true), None);
    }

    /// The folded search tests 32 places at a time: every place a needle can be, in
    /// every case, in every block position and at the ends, is found as a plain scan finds it.
    #[test]
    fn folded_search_finds_what_a_plain_scan_finds() {
        let naive = |hay: &[u8], needle: &[u8]| {
            (needle.len() <= hay.len())
                .then(|| {
                    (0..=hay.len() - needle.len()).find(|&k| hay[k..k + needle.len()].eq_ignore_ascii_case(needle))
                })
                .flatten()
        };
        let filler = b"{\"eventName\":\"ListBuckets\",\"errorCode\":\"x\",\"n\":12}@`[{]} ";
        for needle in
            [&b"delete"[..], b"Error", b"z", b"q1", b"@x", b"`x", b"{\"a", b"VeRy-LoNg-NeEdLe-Of-ThIrTy-FiVe-BYTES!"]
        {
            let variants: [Vec<u8>; 3] = [
                needle.to_vec(),
                needle.to_ascii_uppercase(),
                needle.iter().map(|b| b ^ (u8::from(b.is_ascii_alphabetic()) * 0x20)).collect(),
            ];
            for len in [0, 1, 5, 31, 32, 33, 63, 64, 65, 100, 130] {
                let base: Vec<u8> = filler.iter().cycle().take(len).copied().collect();
                assert_eq!(find_folded(&base, needle), naive(&base, needle), "{needle:?} in filler of {len}");
                for at in 0..=len {
                    for v in &variants {
                        let mut hay = base.clone();
                        hay.splice(at..at, v.iter().copied());
                        assert_eq!(find_folded(&hay, needle), naive(&hay, needle), "{v:?} at {at} of {len}");
                        assert!(find_folded(&hay, needle).is_some_and(|k| k <= at));
                        // Without AVX2 too.
                        let pair = Pair::of(needle);
                        assert_eq!(pair.find_with(&hay, needle, false), naive(&hay, needle), "{v:?} at {at}");
                        // A needle kept for many texts, over the text as it is.
                        assert!(FoldedNeedle::new(v).is_in_text(&hay), "{v:?} at {at} of {len}");
                        // A needle kept for many texts, over the text lowered once.
                        let lowered = hay.to_ascii_lowercase();
                        assert!(FoldedNeedle::new(needle).is_in(&lowered), "{v:?} at {at} of {len}");
                        assert!(FoldedNeedle::new(v).is_in(&lowered), "{v:?} at {at} of {len}");
                    }
                }
            }
        }
        // Bytes that differ only in 0x20 but are not letters are different bytes.
        assert_eq!(find_folded(&[b'`'; 40], b"@"), None);
        assert!(!FoldedNeedle::new(b"@").is_in(&[b'`'; 40].to_ascii_lowercase()));
        assert!(!FoldedNeedle::new(b"delete").is_in(&filler.to_ascii_lowercase()));
        assert!(!FoldedNeedle::new(b"@").is_in_text(&[b'`'; 40]) && !FoldedNeedle::new(b"delete").is_in_text(filler));
        assert_eq!(Pair::of(b"@").find_with(&[b'`'; 40], b"@", false), None);
        assert_eq!(find_folded(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{", b"{"), Some(35));
    }

    #[test]
    fn raw_terms_fold_case_in_and_out_of_ascii() {
        assert!(term_in_raw("delete", r#"{"eventName":"DELETE"}"#));
        assert!(term_in_raw("*remove*", r#"{"eventName":"RemoveRoleFromInstanceProfile"}"#));
        assert!(!term_in_raw("error", r#"{"errorCode":"x"}"#), "errorCode is one word");
        assert!(term_in_raw("école", r#"{"city":"ÉCOLE"}"#));
        assert!(term_in_raw("kelvin", "\u{212A}ELVIN"), "as str::to_lowercase folds the Kelvin sign");
    }

    #[test]
    fn glob_captures_give_each_star() {
        assert_eq!(
            glob_captures("requestParameters.*", "requestParameters.bucketName"),
            Some(vec!["bucketName".into()])
        );
        assert_eq!(glob_captures("a*b*", "aXbYZ"), Some(vec!["X".into(), "YZ".into()]));
        assert_eq!(glob_captures("a*", "b"), None);
        assert_eq!(glob_captures("ab", "ab"), Some(vec![]));
    }

    #[test]
    fn terms_are_bounded_tokens() {
        let raw = r#"{"eventName": "StartInstances", "msg": "an error occurred"}"#;
        assert!(term_in_raw("StartInstances", raw));
        assert!(term_in_raw("startinstances", raw));
        assert!(!term_in_raw("Start", raw));
        assert!(term_in_raw("Start*", raw));
        assert!(term_in_raw("*Instances", raw));
        assert!(!term_in_raw("errors", raw));
        assert!(term_in_raw("error", raw));
        assert!(term_in_raw("an error", raw));
    }
}
