//! The quick check that a line is a JSON object, by its structural characters (in the
//! manner of simdjson's first stage), for text written compactly (no white space outside
//! strings, as CloudTrail's NDJSON is). Each 64 bytes become bit masks (quotes,
//! backslashes, brackets, separators, control characters), and which bytes are inside
//! strings is the running parity of the unescaped quotes before them. Then everything is
//! checked on whole masks, never byte by byte, but for the brackets and the first byte of
//! each number or literal:
//!
//! - a string holds no control character, and each of its escapes is one of JSON's;
//! - which container each byte is in comes from the brackets, walked with a stack of the
//!   open containers (each closes its own kind; nesting within [`MAX_DEPTH`]);
//! - keys are the strings after `{` and after a `,` in an object (nothing else may follow
//!   either but `}`); a key is followed by a `:`, and a `:` follows a key (so no `:` is in
//!   an array);
//! - a value (or in an object a key) starts after `:`, after `,` and after `[`, and only
//!   there; a `,` follows the end of a value (so a closing bracket follows a value or its
//!   own opening bracket);
//! - a number or literal is whole (`true`, `false`, `null`, JSON's number grammar).
//!
//! [`is_object`] says `true` only for text [`super::flat::is_json`] accepts. On anything
//! else, on text with white space outside strings, and on what it leaves to that walk (a
//! `\u` escape), it says `false` and the walk decides. The events' text is already known to
//! be UTF-8, so bytes above 0x7f in strings need no look.

use super::json::MAX_DEPTH;

/// The masks of one 64-byte block: bit `j` for byte `j`.
#[derive(Clone, Copy, Default)]
pub(super) struct Masks {
    pub quotes: u64,
    pub backslashes: u64,
    /// `{` alone, then `{` and `[`, `}` and `]`.
    pub open_objects: u64,
    pub opens: u64,
    pub closes: u64,
    pub colons: u64,
    pub commas: u64,
    /// Not 0 exactly when some byte is below 0x20; above 0x7f. Which bytes is not said
    /// (32 bytes at a time, bit `j` is bytes `j` and `j + 32`): any control character
    /// makes the check unsure (in a string it is not JSON; outside one it is white space
    /// or not JSON), and only whether a line is ASCII is kept.
    pub control: u64,
    pub high: u64,
}

/// The masks of a 64-byte block with the instructions every processor of its kind has
/// (SSE2 on x86-64), for walks that look at a block now and then
/// ([`super::flat`]'s passing over a container). Inlined, so the masks a caller does not
/// read are not made.
#[inline(always)]
pub(super) fn block_masks(block: &[u8]) -> Masks {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline.
        unsafe { masks_sse2(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    masks_bytes(block)
}

/// Whether `raw` is certainly one JSON object (within [`MAX_DEPTH`] levels of nesting),
/// written compactly. `false` is "not sure": the caller asks the full walk.
pub fn is_object(raw: &[u8]) -> bool {
    object_facts(raw).is_some()
}

/// What the check saw of a line it is sure is a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// Every byte is ASCII (so the line is UTF-8).
    pub ascii: bool,
    /// The object has a key `result` (not one of an object inside it): it may be a line
    /// of a Splunk JSON export.
    pub result_key: bool,
    /// The key [`object_facts_with_key`] was asked to find among the object's own.
    pub key: OwnKey,
}

/// Where the key a check looked for is among the document's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnKey {
    /// No key was asked for.
    #[default]
    NotAsked,
    Absent,
    /// Once: the byte after its closing quote.
    After(usize),
    /// More than once (the walk gives such a document to the tree walk).
    Twice,
}

/// [`is_object`], with what the check saw of the line; `None` when not sure.
pub fn object_facts(raw: &[u8]) -> Option<Facts> {
    object_facts_with_key(raw, None)
}

/// [`object_facts`], also finding the member `quoted` (a key's text with its quotes, the
/// key holding no quote or backslash) of the document's own object, as
/// [`super::top::member`] would: the check meets each of the object's own keys anyway, so
/// the loader reads a member of every line without a second search of its text.
pub fn object_facts_with_key(raw: &[u8], quoted: Option<&[u8]>) -> Option<Facts> {
    object_facts_with_keys(raw, quoted, None)
}

/// [`object_facts_with_key`], also giving in `own` where each of the document's own keys
/// opens (its opening quote), in order: a walk of its members then starts at each
/// ([`super::paths::PathTree::walk_own`]) instead of passing over every value before it.
/// `own` is cleared first; what it holds when the check is not sure means nothing.
pub fn object_facts_with_keys(raw: &[u8], quoted: Option<&[u8]>, mut own: Option<&mut Vec<u32>>) -> Option<Facts> {
    if let Some(o) = own.as_deref_mut() {
        o.clear();
        // Places of 32 bits (a line of 4 GB is left to the walk).
        if u32::try_from(raw.len()).is_err() {
            return None;
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the processor has AVX2 and PCLMULQDQ (checked just above).
            return unsafe { is_object_avx2(raw, quoted, own) };
        }
        check(
            raw,
            quoted,
            own,
            &|block| {
                // SAFETY: SSE2 is part of the x86-64 baseline.
                unsafe { masks_sse2(block) }
            },
            &prefix_xor,
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    check(raw, quoted, own, &masks_bytes, &prefix_xor)
}

/// [`is_object`] with the masks made 32 bytes at a time, and the strings' bytes found by a
/// carry-less multiplication ([`prefix_xor_clmul`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,pclmulqdq")]
unsafe fn is_object_avx2(raw: &[u8], quoted: Option<&[u8]>, own: Option<&mut Vec<u32>>) -> Option<Facts> {
    check(
        raw,
        quoted,
        own,
        &|block| {
            // SAFETY: this function runs only where the processor has AVX2.
            unsafe { masks_avx2(block) }
        },
        &|x| {
            // SAFETY: this function runs only where the processor has PCLMULQDQ.
            unsafe { prefix_xor_clmul(x) }
        },
    )
}

/// [`is_object`], the masks of each 64-byte block made by `masks`, [`prefix_xor`] by
/// `prefix`.
#[inline(always)]
fn check(
    raw: &[u8],
    quoted: Option<&[u8]>,
    own: Option<&mut Vec<u32>>,
    masks: &impl Fn(&[u8]) -> Masks,
    prefix: &impl Fn(u64) -> u64,
) -> Option<Facts> {
    if raw.first() != Some(&b'{') {
        return None;
    }
    let mut walk = Walk { quoted, key: quoted.map_or(OwnKey::NotAsked, |_| OwnKey::Absent), own, ..Walk::default() };
    let mut k = 0;
    while k + 64 <= raw.len() {
        if !walk.block(raw, k, masks(&raw[k..k + 64]), !0, prefix) {
            return None;
        }
        k += 64;
    }
    if k < raw.len() {
        // The last bytes, padded (the padding is not looked at: `valid`).
        let mut last = [b' '; 64];
        last[..raw.len() - k].copy_from_slice(&raw[k..]);
        if !walk.block(raw, k, masks(&last), (1 << (raw.len() - k)) - 1, prefix) {
            return None;
        }
    }
    (walk.closed && walk.depth == 0 && !walk.in_string).then_some(Facts {
        ascii: walk.high == 0,
        result_key: walk.result_key,
        key: walk.key,
    })
}

/// What the walk carries from one block to the next.
#[derive(Default)]
struct Walk<'k> {
    /// The last byte was inside a string; it was a backslash that escapes the next.
    in_string: bool,
    escape_carry: bool,
    /// The open containers: how many, and which are objects (bit `d` for depth `d`).
    depth: usize,
    objects: [u64; 2],
    /// The document's object was closed.
    closed: bool,
    /// The carry of the sum that finds the keys' closing quotes.
    key_carry: bool,
    /// Bytes above 0x7f were met (bit `j`: at byte `j` of some block); the document's
    /// object has a key `result`.
    high: u64,
    result_key: bool,
    /// Bit 63 of the last block's masks, by what they say of the byte after it ([`After`]).
    after: After,
    /// The own key looked for (quoted), and where it is so far.
    quoted: Option<&'k [u8]>,
    key: OwnKey,
    /// Where each own key opens, when asked.
    own: Option<&'k mut Vec<u32>>,
}

/// Of each byte, what the byte before it was (bit `j` for byte `j`): the masks of a block
/// moved one byte on, bit 0 from the last block.
#[derive(Clone, Copy, Default)]
struct After {
    /// `{`; `[`, `:` or `,` (a value may start after it); the end of a value (closing
    /// quote, closing bracket, a number's or literal's last byte); a byte of a number or
    /// literal; `{` or a `,` in an object (a key starts after it); `:` or `,`; a key's
    /// closing quote.
    open_object: u64,
    before_value: u64,
    value_end: u64,
    scalar: u64,
    before_key: u64,
    separator: u64,
    key_close: u64,
}

impl Walk<'_> {
    /// Checks the block at `base` of `raw` (`valid`: which of its bytes are `raw`'s);
    /// `false` when not sure it is JSON.
    #[inline(always)]
    fn block(&mut self, raw: &[u8], base: usize, m: Masks, valid: u64, prefix: &impl Fn(u64) -> u64) -> bool {
        let escaped = if m.backslashes == 0 && !self.escape_carry {
            0
        } else {
            match self.escaped(raw, base, m.backslashes) {
                Some(e) => e,
                None => return false,
            }
        };
        let quotes = m.quotes & !escaped;
        // A string's opening quote and body, not its closing quote.
        let inside = prefix(quotes) ^ 0u64.wrapping_sub(u64::from(self.in_string));
        self.in_string = inside >> 63 == 1;
        if m.control != 0 {
            return false;
        }
        let outside = !inside & valid;
        let open_objects = m.open_objects & outside;
        let opens = m.opens & outside;
        let closes = m.closes & outside;
        let colons = m.colons & outside;
        let commas = m.commas & outside;
        let closing = quotes & !inside;
        let opening = quotes & inside;
        // Anything else outside strings: numbers and literals, else not JSON (checked at
        // each run's first byte).
        let scalars = outside & !(m.quotes | m.opens | m.closes | m.colons | m.commas);
        let places = if opens | closes == 0 {
            self.inside()
        } else {
            match self.brackets(raw, base, opens | closes) {
                Some(places) => places,
                None => return false,
            }
        };
        let object_commas = commas & !places.arrays & !places.top;
        let p = self.after;
        let after = |now: u64, carry: u64| now << 1 | carry;
        // A key's closing quote: the run of `inside` from the key's opening quote ends
        // where adding the key's bit carries to.
        let keys = opening & after(open_objects | object_commas, p.before_key);
        let (sum, c1) = inside.overflowing_add(keys);
        let (sum, c2) = sum.overflowing_add(u64::from(self.key_carry));
        self.key_carry = c1 || c2;
        let key_closes = sum & !inside;
        let after_scalar = after(scalars, p.scalar);
        let scalar_starts = scalars & !after_scalar;
        let after_open_object = after(open_objects, p.open_object);
        let before_value = after((opens & !m.open_objects) | colons | commas, p.before_value);
        let value_ends = closing | closes;
        let after_value = after(value_ends, p.value_end) | after_scalar & !scalars;
        let bad = opening & !(before_value | after_open_object)
            | scalar_starts & !before_value
            | opens & !before_value & !u64::from(base == 0)
            | (colons ^ after(key_closes, p.key_close)) & valid
            | commas & (places.top | !after_value)
            | after(object_commas, p.before_key & !p.open_object) & !opening
            | after(colons | commas, p.separator) & !(opening | scalar_starts | opens);
        if bad != 0 {
            return false;
        }
        // The document's own keys, for one named `result` (a Splunk export's line) and the
        // key looked for. A key's text ends at its first quote (it holds no escape that
        // makes `quoted`, which has no backslash), so its text with its quotes is `quoted`
        // exactly when it starts with it.
        let mut own_keys = keys & places.first_level;
        while own_keys != 0 {
            let at = base + own_keys.trailing_zeros() as usize;
            own_keys &= own_keys - 1;
            if let Some(own) = self.own.as_deref_mut() {
                own.push(at as u32);
            }
            let key = &raw[at..];
            self.result_key |= key.get(1) == Some(&b'r') && key.starts_with(b"\"result\"");
            // The byte after the quote first: most keys differ there (a call to compare
            // every key whole was a tenth of the check).
            if let Some(q) =
                self.quoted.filter(|q| key.get(1) == q.get(1) && key.get(..q.len()).is_some_and(|k| same(k, q)))
            {
                self.key = match self.key {
                    OwnKey::Absent => OwnKey::After(at + q.len()),
                    _ => OwnKey::Twice,
                };
            }
        }
        // The padding of a last block is spaces.
        self.high |= m.high;
        let mut starts = scalar_starts;
        while starts != 0 {
            let at = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if !scalar(raw, at) {
                return false;
            }
        }
        let top = |x: u64| x >> 63;
        self.after = After {
            open_object: top(open_objects),
            before_value: top((opens & !m.open_objects) | colons | commas),
            value_end: top(value_ends),
            scalar: top(scalars),
            before_key: top(open_objects | object_commas),
            separator: top(colons | commas),
            key_close: top(key_closes),
        };
        true
    }

    /// The bytes escaped by a backslash (bit `j`: byte `j` follows one that escapes it),
    /// each checked to be one of JSON's escapes.
    #[cold]
    fn escaped(&mut self, raw: &[u8], base: usize, backslashes: u64) -> Option<u64> {
        escaped_bytes(backslashes, &mut self.escape_carry, |at| escape_ok(raw, base + at))
    }

    /// Whether the container open at depth `d` (below [`MAX_DEPTH`]) is an object (two
    /// words, not one 128-bit number: its shifts by a depth were 6% of the check's
    /// instructions).
    #[inline(always)]
    fn object_at(&self, d: usize) -> bool {
        self.objects[d / 64] >> (d % 64) & 1 == 1
    }

    /// Where the bytes of a block without brackets are: all in the innermost container.
    fn inside(&self) -> Places {
        let all = |yes: bool| 0u64.wrapping_sub(u64::from(yes));
        let array = self.depth > 0 && !self.object_at(self.depth - 1);
        Places { arrays: all(array), top: all(self.depth == 0), first_level: all(self.depth == 1) }
    }

    /// Opens and closes the containers of a block's brackets (bit `j`: the byte at
    /// `base + j` is a bracket outside strings), checking that each closes its own kind,
    /// that nesting stays within [`MAX_DEPTH`] and that no container opens after the
    /// document's object closed. Gives where the block's bytes are.
    #[inline(always)]
    fn brackets(&mut self, raw: &[u8], base: usize, mut brackets: u64) -> Option<Places> {
        // Bytes from the last bracket on are where the container then innermost says: each
        // bracket takes its own byte and those after it out, then puts those after it back
        // as the container now innermost says.
        let mut now = self.inside();
        let mut places = now;
        while brackets != 0 {
            let j = brackets.trailing_zeros();
            brackets &= brackets - 1;
            let from = !0u64 << j;
            match raw[base + j as usize] {
                open @ (b'{' | b'[') => {
                    if self.depth >= MAX_DEPTH || self.closed {
                        return None;
                    }
                    let object = open == b'{';
                    let (word, bit) = (self.depth / 64, self.depth % 64);
                    self.objects[word] = self.objects[word] & !(1 << bit) | u64::from(object) << bit;
                    self.depth += 1;
                }
                close => {
                    let d = self.depth.checked_sub(1)?;
                    if self.object_at(d) != (close == b'}') {
                        return None;
                    }
                    self.depth = d;
                    self.closed |= d == 0;
                }
            }
            now = self.inside();
            // From the byte after the bracket (none when it is the block's last).
            let after = from << 1;
            places.arrays = places.arrays & !from | now.arrays & after;
            places.top = places.top & !from | now.top & after;
            places.first_level = places.first_level & !from | now.first_level & after;
        }
        Some(places)
    }
}

/// Where each byte of a block is (bit `j` for byte `j`): inside an array (innermost),
/// outside every container, in the document's object itself (not deeper).
#[derive(Clone, Copy)]
struct Places {
    arrays: u64,
    top: u64,
    first_level: u64,
}

/// The bytes of a 64-byte block escaped by a backslash (bit `j`: byte `j` follows a
/// backslash that escapes it), from the block's backslashes; `carry` says the block before
/// ended with a backslash that escapes this block's first byte, and is set when this one
/// does the same for the next. `ok(j)` is asked of each escaped byte (`j`, 64 for the next
/// block's first): `None` when it refuses one.
#[inline(always)]
pub(super) fn escaped_bytes(backslashes: u64, carry: &mut bool, mut ok: impl FnMut(usize) -> bool) -> Option<u64> {
    let mut escaped = u64::from(*carry);
    *carry = false;
    if escaped != 0 && !ok(0) {
        return None;
    }
    let mut left = backslashes;
    while left != 0 {
        let j = left.trailing_zeros() as usize;
        left &= left - 1;
        if escaped >> j & 1 == 1 {
            // An escaped backslash escapes nothing.
            continue;
        }
        if !ok(j + 1) {
            return None;
        }
        if j == 63 {
            *carry = true;
        } else {
            escaped |= 1 << (j + 1);
        }
    }
    Some(escaped)
}

/// Whether the byte at `at` is one a backslash may escape (`\u`, left to the walk, is not).
fn escape_ok(raw: &[u8], at: usize) -> bool {
    matches!(raw.get(at), Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't'))
}

/// Whether two keys are the same bytes, compared here: a call to `memcmp` per key, through
/// the library's table, was a tenth of a shared pass's time (the walk of
/// [`super::paths`]) and of the check's own keys.
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).fold(true, |same, (x, y)| same & (x == y));
    }
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("eight bytes"));
    // Eight bytes at a time, the last eight overlapping those before.
    let mut k = 0;
    while k + 8 < n {
        if word(a, k) != word(b, k) {
            return false;
        }
        k += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Whether a number or literal starts at `at` and runs to a structural character or quote
/// (or the end).
fn scalar(raw: &[u8], at: usize) -> bool {
    let rest = &raw[at..];
    let len = match rest[0] {
        b't' if rest.starts_with(b"true") => 4,
        b'f' if rest.starts_with(b"false") => 5,
        b'n' if rest.starts_with(b"null") => 4,
        b'-' | b'0'..=b'9' => match number(rest) {
            Some(n) => n,
            None => return false,
        },
        _ => return false,
    };
    matches!(rest.get(len), None | Some(b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"'))
}

/// The length of the number `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at the start
/// of `b`.
fn number(b: &[u8]) -> Option<usize> {
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = usize::from(b[0] == b'-');
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i += digits(i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    Some(i)
}

/// Bit `j` set when an odd number of bits at or below `j` are set in `x`.
pub(super) fn prefix_xor(mut x: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        x ^= x << shift;
    }
    x
}

/// [`prefix_xor`] in one instruction: the carry-less product of `x` and a word of ones
/// has at bit `j` the parity of the bits of `x` at or below `j`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "pclmulqdq")]
unsafe fn prefix_xor_clmul(x: u64) -> u64 {
    use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
    _mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0)) as u64
}

/// The masks of a 64-byte block, 32 bytes at a time: for a caller with AVX2 (inlined
/// there, the instructions are AVX2's).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn masks_avx2(block: &[u8]) -> Masks {
    use std::arch::x86_64::*;
    assert_eq!(block.len(), 64);
    // SAFETY: the loads read bytes 0 to 31 and 32 to 63 of the 64 of `block`, unaligned.
    let halves =
        unsafe { [_mm256_loadu_si256(block.as_ptr().cast()), _mm256_loadu_si256(block.as_ptr().add(32).cast())] };
    let mask = |f: &dyn Fn(__m256i) -> __m256i| {
        let [lo, hi] = halves.map(|v| _mm256_movemask_epi8(f(v)) as u32 as u64);
        lo | hi << 32
    };
    // Whether any byte is: both halves at once.
    let any = |f: &dyn Fn(__m256i) -> __m256i| {
        let [lo, hi] = halves.map(f);
        _mm256_movemask_epi8(_mm256_or_si256(lo, hi)) as u32 as u64
    };
    masks_of(
        |c| mask(&|v| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8))),
        |c| mask(&|v| _mm256_cmpeq_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), _mm256_set1_epi8(c as i8))),
        // Below 0x20: the byte is its minimum with 0x1f.
        any(&|v| _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1f)), v)),
        // Above 0x7f: the byte's top bit, which is what a mask is made of.
        any(&|v| v),
    )
}

/// The masks of a 64-byte block, 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn masks_sse2(block: &[u8]) -> Masks {
    use std::arch::x86_64::*;
    assert_eq!(block.len(), 64);
    // SAFETY: the loads read bytes 16 * k to 16 * k + 15 of the 64 of `block`, unaligned.
    let parts: [__m128i; 4] = std::array::from_fn(|k| unsafe { _mm_loadu_si128(block.as_ptr().add(16 * k).cast()) });
    let mask = |f: &dyn Fn(__m128i) -> __m128i| {
        parts.iter().enumerate().fold(0u64, |m, (k, &v)| m | (_mm_movemask_epi8(f(v)) as u16 as u64) << (16 * k))
    };
    masks_of(
        |c| mask(&|v| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))),
        |c| mask(&|v| _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(c as i8))),
        mask(&|v| _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v)),
        mask(&|v| v),
    )
}

/// The masks, from where a byte is (`is`), where a byte is once bit 0x20 is set in every
/// byte (`folded_is`), and the masks of control characters and bytes above 0x7f.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks_of(is: impl Fn(u8) -> u64, folded_is: impl Fn(u8) -> u64, control: u64, high: u64) -> Masks {
    Masks {
        quotes: is(b'"'),
        backslashes: is(b'\\'),
        open_objects: is(b'{'),
        // `[` and `{` (0x5b, 0x7b) are the bytes that are 0x7b with bit 0x20 set; `]` and
        // `}` (0x5d, 0x7d) likewise 0x7d.
        opens: folded_is(b'{'),
        closes: folded_is(b'}'),
        colons: is(b':'),
        commas: is(b','),
        control,
        high,
    }
}

/// [`Masks`] byte by byte (other processors, and the tests' reference).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_bytes(block: &[u8]) -> Masks {
    let bit = |f: &dyn Fn(u8) -> bool| block.iter().enumerate().fold(0u64, |m, (j, &c)| m | u64::from(f(c)) << j);
    Masks {
        quotes: bit(&|c| c == b'"'),
        backslashes: bit(&|c| c == b'\\'),
        open_objects: bit(&|c| c == b'{'),
        opens: bit(&|c| c == b'{' || c == b'['),
        closes: bit(&|c| c == b'}' || c == b']'),
        colons: bit(&|c| c == b':'),
        commas: bit(&|c| c == b','),
        control: bit(&|c| c < 0x20),
        high: bit(&|c| c > 0x7f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_json says: one JSON value, with only white space around it.
    fn serde_accepts(s: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
    }

    /// The project's CloudTrail records, each written compactly by serde_json.
    fn records() -> Vec<String> {
        let compact = |line: &String| serde_json::to_string(&serde_json::from_str::<serde_json::Value>(line).unwrap());
        crate::events::dataset_lines().iter().map(|l| compact(l).unwrap()).collect()
    }

    #[test]
    fn every_record_of_the_datasets_is_an_object() {
        for r in records() {
            assert!(is_object(r.as_bytes()), "{r}");
        }
    }

    #[test]
    fn cases_at_the_edges_of_each_rule() {
        let yes = [
            r#"{}"#,
            r#"{"a":1}"#,
            r#"{"a":{}}"#,
            r#"{"a":[]}"#,
            r#"{"a":[1,"b",true,false,null,{"c":[-0.5e+3]}]}"#,
            r#"{"a":"x\"y\\","b\\":"\/\b\f\n\r\t"}"#,
            r#"{"":""}"#,
            r#"{"a":[[[]],[{}]]}"#,
            r#"{"a":-12.25,"b":0,"c":1E9}"#,
            r#"{"a":"é ü {[:,]}"}"#,
        ];
        for s in yes {
            assert!(serde_accepts(s), "{s} is JSON");
            assert!(is_object(s.as_bytes()), "{s} is found JSON");
        }
        let no = [
            // Not one object.
            "",
            "[]",
            r#""a""#,
            "1",
            r#"{}{}"#,
            r#"{}x"#,
            r#"{},"#,
            r#"{}:"#,
            r#"{}]"#,
            r#"{"a":1"#,
            // Keys and colons.
            r#"{"a"}"#,
            r#"{"a":1,"b"}"#,
            r#"{1:2}"#,
            r#"{"a":1,2:3}"#,
            r#"{"a"::1}"#,
            r#"{"a":"b":1}"#,
            r#"{:1}"#,
            r#"{"a":[1:2]}"#,
            r#"{"a":1,{}}"#,
            r#"{"a""b":1}"#,
            // Commas and values.
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":[1,,2]}"#,
            r#"{"a":[1"b"]}"#,
            r#"{"a":"b"1}"#,
            r#"{"a":1"b":2}"#,
            r#"{"a":{}1}"#,
            r#"{"a":"x"{}}"#,
            r#"{"a":[]]}"#,
            // Brackets.
            r#"{"a":{]}"#,
            r#"{"a":[}}"#,
            r#"{"a":[}"#,
            r#"{"a":1}}"#,
            // Numbers and literals.
            r#"{"a":01}"#,
            r#"{"a":-}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":+1}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":nul}"#,
            r#"{"a":True}"#,
            r#"{"a":x}"#,
            // Strings.
            "{\"a\":\"x\u{1}\"}",
            "{\"a\":\"x\ty\"}",
            r#"{"a":"\q"}"#,
            r#"{"a":"x}"#,
            r#"{"a":"x\"}"#,
            // White space outside strings, and `\u`: for the walk to decide.
            r#"{"a": 1}"#,
            r#" {"a":1}"#,
            r#"{"a":1} "#,
            r#"{"a":"\u0041"}"#,
        ];
        for s in no {
            assert!(!is_object(s.as_bytes()), "{s:?} is not found JSON");
        }
    }

    #[test]
    fn what_the_check_saw_of_a_line() {
        let facts = |s: &str| object_facts(s.as_bytes());
        let f = |ascii, result_key| Some(Facts { ascii, result_key, key: OwnKey::NotAsked });
        assert_eq!(facts(r#"{"a":"b"}"#), f(true, false));
        assert_eq!(facts(r#"{"a":"é"}"#), f(false, false));
        assert_eq!(facts(r#"{"é":1}"#), f(false, false));
        assert_eq!(facts(r#"{"preview":false,"result":{"_raw":"{}"}}"#), f(true, true));
        assert_eq!(facts(r#"{"result":1}"#), f(true, true));
        // Not the document's own key, or not that key.
        assert_eq!(facts(r#"{"a":{"result":1}}"#), f(true, false));
        assert_eq!(facts(r#"{"a":[{"result":1}]}"#), f(true, false));
        assert_eq!(facts(r#"{"results":1,"a":"result"}"#), f(true, false));
        assert_eq!(facts(r#"{"a":{},"result":1}"#), f(true, true));
        // Met anywhere in a long line: in any block, and the last one.
        for pad in [0, 50, 63, 64, 100, 127, 128, 200] {
            let x = "x".repeat(pad);
            assert_eq!(facts(&format!(r#"{{"p":"{x}","result":1}}"#)), f(true, true), "{pad}");
            assert_eq!(facts(&format!(r#"{{"p":{{"q":"{x}","result":1}}}}"#)), f(true, false), "{pad}");
            assert_eq!(facts(&format!(r#"{{"p":"{x}é"}}"#)), f(false, false), "{pad}");
        }
        assert_eq!(facts(r#"{"a": 1}"#), None);
    }

    /// `s` with `pad` bytes of string before the member `tail`, so that `tail` meets a
    /// 64-byte boundary at each of its bytes in turn.
    fn across_boundaries(tail: &str) -> Vec<String> {
        (0..80).map(|pad| format!(r#"{{"p":"{}",{tail}}}"#, "x".repeat(pad))).collect()
    }

    #[test]
    fn what_spans_two_blocks_is_carried_from_one_to_the_next() {
        for tail in [
            r#""key":"value""#,
            r#""k":"a\"b\\""#,
            r#""k":[12345,true,false,null]"#,
            r#""k":{"l":[{"m":""}]}"#,
            r#""long_key_name":-123.456e-7"#,
        ] {
            for s in across_boundaries(tail) {
                assert!(serde_accepts(&s), "{s}");
                assert!(is_object(s.as_bytes()), "{s}");
            }
        }
        for tail in [
            r#""key""value""#,
            r#""key":"value":1"#,
            r#""k":"a\"#,
            r#""k":[12345,]"#,
            r#""k":tr"#,
            r#""k":1"a""#,
            r#""k":{"l"}"#,
            r#""k",1"#,
        ] {
            for s in across_boundaries(tail) {
                assert!(!serde_accepts(&s), "{s}");
                assert!(!is_object(s.as_bytes()), "{s}");
            }
        }
    }

    #[test]
    fn nesting_deeper_than_the_walk_allows_is_refused() {
        let nest = |depth: usize| format!("{}{}", "{\"a\":".repeat(depth - 1) + "{", "}".repeat(depth));
        assert!(is_object(nest(MAX_DEPTH).as_bytes()));
        assert!(!is_object(nest(MAX_DEPTH + 1).as_bytes()));
        assert!(super::super::flat::is_json(&nest(MAX_DEPTH)));
        assert!(!super::super::flat::is_json(&nest(MAX_DEPTH + 1)));
        // Objects and arrays, deeper than one word of kinds holds: each bracket
        // closes its own kind at every depth; one that closes the other kind is refused.
        let mixed = |depth: usize| {
            // An object every third depth: depths 64 apart differ in kind.
            let opens: String = (0..depth).map(|d| if d % 3 == 0 { "{\"a\":" } else { "[" }).collect();
            let closes: Vec<char> = (0..depth).rev().map(|d| if d % 3 == 0 { '}' } else { ']' }).collect();
            (opens.trim_end_matches(':').trim_end_matches("\"a\"").to_string() + "1", closes)
        };
        for depth in [63, 64, 65, 100, MAX_DEPTH - 1] {
            let (opens, closes) = mixed(depth);
            let whole = format!("{opens}{}", closes.iter().collect::<String>());
            let whole = whole.replacen("{1", "{\"b\":1", 1);
            assert_eq!(is_object(whole.as_bytes()), serde_accepts(&whole), "{depth}: {whole}");
            assert!(serde_accepts(&whole), "{depth}: {whole}");
            for at in [0, depth / 2, depth - 70.min(depth - 1), depth - 1] {
                let mut wrong = closes.clone();
                wrong[at] = if wrong[at] == '}' { ']' } else { '}' };
                let bad = format!("{opens}{}", wrong.iter().collect::<String>()).replacen("{1", "{\"b\":1", 1);
                assert!(!serde_accepts(&bad) && !is_object(bad.as_bytes()), "{depth} at {at}: {bad}");
            }
        }
    }

    /// A small deterministic generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn mutated_records_are_found_json_only_when_they_are() {
        // Bytes that change what a record's structure is.
        const BYTES: &[u8] = b"{}[]:,\"\\ \t01-.+eEtrufalsn/bx\x01";
        let records = records();
        let mut rng = Rng(0x5eed_1234_abcd_9876);
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..20_000 {
            let mut m = records[round % records.len()].as_bytes().to_vec();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(m.len());
                match rng.below(4) {
                    0 => {
                        m.remove(at);
                    }
                    1 => m.insert(at, BYTES[rng.below(BYTES.len())]),
                    2 => m[at] = BYTES[rng.below(BYTES.len())],
                    _ => {
                        let end = (at + 1 + rng.below(8)).min(m.len());
                        let part = m[at..end].to_vec();
                        m.splice(at..at, part);
                    }
                }
            }
            let Ok(s) = std::str::from_utf8(&m) else { continue };
            let found = is_object(s.as_bytes());
            if found {
                accepted += 1;
                assert!(serde_accepts(s) && s.starts_with('{'), "found JSON but is not: {s}");
                own_key_agrees_with_the_search(s);
            } else {
                refused += 1;
                // Compact JSON without `\u` is found (else loading is slower, not wrong).
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(s) {
                    if v.is_object() && serde_json::to_string(&v).unwrap() == s && !s.contains("\\u") {
                        panic!("compact JSON not found: {s}");
                    }
                }
            }
        }
        assert!(accepted > 1000 && refused > 1000, "{accepted} accepted, {refused} refused");
    }

    /// The member the check finds of a line it is sure of is what a search of the text
    /// for the key gives ([`crate::events::top::member`]), for keys of the document's own
    /// object, of objects inside it, and keys that are not there.
    fn own_key_agrees_with_the_search(s: &str) {
        use crate::events::top::{member, value_after_key, Member};
        for key in ["eventName", "eventTime", "userName", "type", "a", "b", "result", "x"] {
            let quoted = format!("\"{key}\"");
            let facts = object_facts_with_key(s.as_bytes(), Some(quoted.as_bytes())).expect("checked");
            let found = match facts.key {
                OwnKey::NotAsked => panic!("asked"),
                OwnKey::Absent => Member::Absent,
                OwnKey::After(after) => value_after_key(s, after),
                OwnKey::Twice => Member::Unsure,
            };
            assert_eq!(found, member(s, key), "{key} in {s}");
        }
    }

    #[test]
    fn the_check_finds_an_own_key_as_a_search_does() {
        for r in records() {
            own_key_agrees_with_the_search(&r);
        }
        let cases = [
            (r#"{"a":"x","b":{"a":"y"}}"#, "a", OwnKey::After(4)),
            (r#"{"b":{"a":"y"}}"#, "a", OwnKey::Absent),
            // A value with the key's text, a key that starts with it, an escaped quote.
            (r#"{"b":"a","ab":1,"a\"":2}"#, "a", OwnKey::Absent),
            (r#"{"a":1,"c":[{"a":2}],"a":3}"#, "a", OwnKey::Twice),
            (r#"{"b":[1,{"x":"a"}],"a":"z"}"#, "a", OwnKey::After(22)),
        ];
        for (s, key, want) in cases {
            let quoted = format!("\"{key}\"");
            let facts = object_facts_with_key(s.as_bytes(), Some(quoted.as_bytes()));
            assert_eq!(facts.map(|f| f.key), Some(want), "{key} in {s}");
            own_key_agrees_with_the_search(s);
        }
        // Across blocks: the key's quote in one block, its text in the next.
        for pad in 50..70 {
            let s = format!(r#"{{"p":"{}","eventName":"X"}}"#, "p".repeat(pad));
            own_key_agrees_with_the_search(&s);
            assert!(matches!(
                object_facts_with_key(s.as_bytes(), Some(b"\"eventName\"")).unwrap().key,
                OwnKey::After(_)
            ));
        }
    }

    #[test]
    fn keys_are_the_same_when_their_bytes_are() {
        let keys: Vec<Vec<u8>> = (0..40).map(|n| (0..n).map(|k| b'a' + (k % 26) as u8).collect()).collect();
        for a in &keys {
            for b in &keys {
                assert_eq!(same(a, b), a == b);
            }
            // One byte changed anywhere.
            for at in 0..a.len() {
                let mut c = a.clone();
                c[at] ^= 0x20;
                assert!(!same(a, &c), "{at} of {}", a.len());
            }
        }
    }

    #[test]
    fn prefix_xor_is_the_running_parity_of_the_bits() {
        let mut rng = Rng(7);
        for k in 0..5000 {
            let x = match k {
                0 => 0,
                1 => u64::MAX,
                2 => 1 << 63,
                _ => rng.next(),
            };
            let mut parity = 0u64;
            let want = (0..64).fold(0u64, |m, j| {
                parity ^= x >> j & 1;
                m | parity << j
            });
            assert_eq!(prefix_xor(x), want, "{x:#x}");
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("pclmulqdq") {
                // SAFETY: the processor has PCLMULQDQ.
                assert_eq!(unsafe { prefix_xor_clmul(x) }, want, "{x:#x}");
            }
        }
    }

    #[test]
    fn each_way_of_making_the_masks_gives_the_same_masks() {
        let mut rng = Rng(42);
        for k in 0..2000 {
            let mut block: Vec<u8> = (0..64).map(|_| (rng.next() % 256) as u8).collect();
            // Half of them printable ASCII, with now and then one control or high byte
            // (whether any is, at each place).
            if k % 2 == 1 {
                block.iter_mut().for_each(|b| *b = 0x20 + *b % 0x5f);
                if k % 3 != 0 {
                    block[(rng.next() % 64) as usize] = [0x00, 0x1f, 0x80, 0xff, b'\n'][(rng.next() % 5) as usize];
                }
            }
            let want = masks_bytes(&block);
            let fields = |m: Masks| {
                let any = |x: u64| u64::from(x != 0);
                [
                    m.quotes,
                    m.backslashes,
                    m.open_objects,
                    m.opens,
                    m.closes,
                    m.colons,
                    m.commas,
                    any(m.control),
                    any(m.high),
                ]
            };
            #[cfg(target_arch = "x86_64")]
            {
                // SAFETY: SSE2 is part of the x86-64 baseline.
                assert_eq!(fields(unsafe { masks_sse2(&block) }), fields(want));
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor has AVX2.
                    assert_eq!(fields(unsafe { avx2_masks(&block) }), fields(want));
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn avx2_masks(block: &[u8]) -> Masks {
        // SAFETY: called only where the processor has AVX2.
        unsafe { masks_avx2(block) }
    }
}
