//! One member of a document's own object, found by its key's text instead of a walk over
//! the document, for text already known to be JSON (loaded events are checked, see
//! [`super::check`]). A pass that makes one top-level field for every event (the first
//! pass of a broad search over `eventName`) walked each document's top level to reach it:
//! about 2 µs an event over 1 GB of CloudTrail. Here the key's text is looked for with
//! `memmem`, and only the bytes before it are read to tell whether it is a key of the
//! document's own object (outside strings, one level deep), 64 at a time by the masks of
//! the structural check.
//!
//! It gives what the walk ([`super::flat`]) gives or says it is not sure, and the walk
//! decides: a key can only be written some other way than its plain text with a `\u`
//! escape, so text holding `\u` anywhere is left to the walk, as is a key met twice (the
//! walk leaves that to the tree walk), a value with an escape, and a value that is not a
//! string.

use std::borrow::Cow;

use memchr::memmem::Finder;

use super::check::{block_masks, escaped_bytes, prefix_xor};
use super::flat::Leaves;

/// Whether a field name is one key of a document's own object that [`Keys`] can find by
/// its text: not empty, no `.` or `{}` (a deeper leaf, an array's), no quote, backslash or
/// control character (written otherwise in the text).
pub fn plain_key(name: &str) -> bool {
    !name.is_empty() && !name.contains(['.', '{', '}', '"', '\\']) && !name.contains(char::is_control)
}

/// [`Keys`] holds at most this many keys (each is a search of the whole text).
pub const MAX_KEYS: usize = 8;

/// Keys of a document's own object to find (each holding no `"`, `\` or control
/// character), with their searchers made once.
pub struct Keys {
    /// Each key, its searcher, and its place in [`super::INDEX_TIME_FIELDS`] when it is one.
    keys: Vec<(String, Finder<'static>, Option<usize>)>,
    escape: Finder<'static>,
}

impl Keys {
    pub fn new(keys: Vec<String>) -> Keys {
        let keys = keys
            .into_iter()
            .map(|k| {
                let quoted = Finder::new(format!("\"{k}\"").as_bytes()).into_owned();
                let index_time = super::INDEX_TIME_FIELDS.iter().position(|f| *f == k);
                (k, quoted, index_time)
            })
            .collect();
        Keys { keys, escape: Finder::new(b"\\u").into_owned() }
    }

    /// The leaves the walk makes for these keys of the checked JSON object `raw`, into
    /// `out`; `false`, with `out` back at its mark, when [`member`] would not be sure of
    /// one of them. `present` (bit `k` for the `k`th of [`super::INDEX_TIME_FIELDS`]): the
    /// index-time fields `out` has already, which a leaf of the same name leaves as they
    /// are, so they are not looked for (`sourcetype`, which a search names, is one).
    pub fn members<'a>(
        &self,
        raw: &'a str,
        present: u64,
        wants: &dyn Fn(&str) -> bool,
        out: &mut dyn Leaves<'a>,
    ) -> bool {
        let mark = out.mark();
        if !self.plain(raw) {
            return false;
        }
        for (key, quoted, index_time) in &self.keys {
            if index_time.is_some_and(|k| present >> k & 1 == 1) {
                continue;
            }
            match member_of(raw, quoted) {
                Member::Absent => {}
                Member::Str(value) => {
                    if out.wanted(key, wants) {
                        out.leaf(key, Cow::Borrowed(value));
                    }
                }
                Member::Unsure => {
                    out.back_to(mark);
                    return false;
                }
            }
        }
        true
    }

    /// [`member`] of the first key (`Absent` when there is none), its searcher made once.
    pub fn first_member<'a>(&self, raw: &'a str) -> Member<'a> {
        if !self.plain(raw) {
            return Member::Unsure;
        }
        self.keys.first().map_or(Member::Absent, |(_, quoted, _)| member_of(raw, quoted))
    }

    /// The first key's text with its quotes (what its searcher looks for).
    pub fn first_quoted(&self) -> Option<&[u8]> {
        self.keys.first().map(|(_, quoted, _)| quoted.needle())
    }

    /// Whether `raw` is an object whose keys can only be written as their plain text:
    /// it starts with `{` and holds no `\u`.
    fn plain(&self, raw: &str) -> bool {
        raw.as_bytes().first() == Some(&b'{') && self.escape.find(raw.as_bytes()).is_none()
    }
}

/// The member `key` of the object `raw`, which must be JSON (an event's checked text).
/// `key` holds no `"`, `\` or control character.
pub fn member<'a>(raw: &'a str, key: &str) -> Member<'a> {
    let keys = Keys::new(vec![key.to_string()]);
    if !keys.plain(raw) {
        return Member::Unsure;
    }
    member_of(raw, &keys.keys[0].1)
}

/// What [`member`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    /// The object has no member with that key.
    Absent,
    /// The member's value is this string, without escapes.
    Str(&'a str),
    /// Not sure: the walk decides.
    Unsure,
}

/// [`member`] of text already found [`Keys::plain`], the key's quoted text found by
/// `quoted`.
fn member_of<'a>(raw: &'a str, quoted: &Finder<'_>) -> Member<'a> {
    let b = raw.as_bytes();
    let len = quoted.needle().len();
    let mut depth = Depth::default();
    let mut found = None;
    for at in quoted.find_iter(b) {
        // An occurrence inside a string (the end of one holding `\"eventName`) is not a key.
        depth.advance(b, at);
        if depth.inside || depth.depth != 1 {
            continue;
        }
        let after = at + len;
        let colon = after + white_space(&b[after..]);
        if b.get(colon) != Some(&b':') {
            // A string value of the object's own (its text is the key's): passed over.
            continue;
        }
        if found.is_some() {
            // A key met twice: the walk gives it up to the tree walk.
            return Member::Unsure;
        }
        found = Some(after);
    }
    match found {
        Some(after) => value_after_key(raw, after),
        None => Member::Absent,
    }
}

/// The member whose key (one of the object's own in the JSON text `raw`) ends at byte
/// `after` (its closing quote's next): [`Member::Str`] when its value is a string without
/// escapes, else [`Member::Unsure`].
pub fn value_after_key(raw: &str, after: usize) -> Member<'_> {
    let b = raw.as_bytes();
    let colon = after + white_space(&b[after..]);
    if b.get(colon) != Some(&b':') {
        return Member::Unsure;
    }
    let start = colon + 1 + white_space(&b[colon + 1..]);
    if b.get(start) != Some(&b'"') {
        return Member::Unsure;
    }
    match memchr::memchr2(b'"', b'\\', &b[start + 1..]) {
        Some(len) if b[start + 1 + len] == b'"' => Member::Str(&raw[start + 1..start + 1 + len]),
        _ => Member::Unsure,
    }
}

/// How many bytes of JSON's white space `b` starts with.
fn white_space(b: &[u8]) -> usize {
    b.iter().take_while(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t')).count()
}

/// Where a read from the start of a JSON text has got to: at byte `at`, inside a string or
/// not, how many containers are open, and whether the byte at `at` is escaped.
#[derive(Default)]
struct Depth {
    at: usize,
    inside: bool,
    escaped: bool,
    depth: usize,
}

impl Depth {
    /// Reads on to byte `to` (not past the text's end): whole 64-byte blocks by their masks
    /// (the quotes outside escapes give the strings, the brackets outside strings the
    /// depth), the rest byte by byte.
    fn advance(&mut self, b: &[u8], to: usize) {
        while self.at + 64 <= to {
            let m = block_masks(&b[self.at..self.at + 64]);
            // The text is JSON: every escape is one.
            let escaped = escaped_bytes(m.backslashes, &mut self.escaped, |_| true).unwrap_or(0);
            let strings = prefix_xor(m.quotes & !escaped) ^ 0u64.wrapping_sub(u64::from(self.inside));
            self.inside = strings >> 63 == 1;
            let opens = (m.opens & !strings).count_ones() as usize;
            let closes = (m.closes & !strings).count_ones() as usize;
            // JSON: never more closed than opened.
            self.depth = (self.depth + opens).saturating_sub(closes);
            self.at += 64;
        }
        for &c in &b[self.at..to] {
            if self.escaped {
                self.escaped = false;
            } else if self.inside {
                match c {
                    b'\\' => self.escaped = true,
                    b'"' => self.inside = false,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => self.inside = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        self.at = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::flat;

    /// What extraction gives for the field `key` of `raw`: the walk, or the tree walk where
    /// it declines (`None`: the value is not one string).
    fn walked(raw: &str, key: &str) -> Option<Option<String>> {
        let wanted = |p: &str| p == key;
        let fields = flat::flatten_object(raw, &wanted).unwrap_or_else(|| {
            let mut f = crate::events::Fields::default();
            crate::events::json::flatten(
                &crate::events::json::parse(raw).unwrap(),
                &mut String::new(),
                &mut f,
                &wanted,
            );
            f
        });
        Some(match fields.get(key) {
            None => None,
            Some(crate::events::value::Value::Str(s)) => Some(s.clone()),
            Some(_) => return None,
        })
    }

    /// `member` gives what the walk gives, or is unsure; gives whether it was sure.
    fn agrees(raw: &str, key: &str) -> bool {
        assert!(serde_json::from_str::<serde_json::Value>(raw).is_ok(), "the cases are JSON: {raw}");
        let fast = member(raw, key);
        let walk = walked(raw, key);
        match fast {
            Member::Unsure => false,
            Member::Absent => {
                assert_eq!(walk, Some(None), "absent from {raw}");
                true
            }
            Member::Str(s) => {
                assert_eq!(walk, Some(Some(s.to_string())), "{key} of {raw}");
                true
            }
        }
    }

    #[test]
    fn a_key_of_the_documents_own_object_is_found() {
        let raw = r#"{"userIdentity":{"eventName":"inner","x":["eventName"]},"eventName":"DeleteTrail","n":1}"#;
        assert_eq!(member(raw, "eventName"), Member::Str("DeleteTrail"));
        assert_eq!(member(r#"{ "eventName" : "A b" }"#, "eventName"), Member::Str("A b"));
        assert_eq!(member(r#"{"eventName":""}"#, "eventName"), Member::Str(""));
    }

    #[test]
    fn the_same_text_elsewhere_is_not_the_key() {
        for raw in [
            // Deeper, as a value, inside a string, after an escaped quote.
            r#"{"a":{"eventName":"x"}}"#,
            r#"{"a":[{"eventName":"x"}]}"#,
            r#"{"a":"eventName","b":["eventName",{"c":"eventName"}]}"#,
            r#"{"a":"{\"eventName\":\"x\"}"}"#,
            r#"{"a":"\\","b":"\"eventName\":1"}"#,
            r#"{"a":"x\"eventName","b":"x\"eventName"}"#,
            r#"{"x\"eventName":"y"}"#,
            r#"{"eventNames":"x","EventName":"y","eventName ":"z"}"#,
        ] {
            assert_eq!(member(raw, "eventName"), Member::Absent, "{raw}");
            assert!(agrees(raw, "eventName"));
        }
        // A value whose text is the key's, then the key.
        assert_eq!(member(r#"{"a":"eventName","eventName":"B"}"#, "eventName"), Member::Str("B"));
    }

    #[test]
    fn what_it_is_not_sure_of_is_left_to_the_walk() {
        for raw in [
            // Twice; an escape in the value; a number, null, a container; a `\u` anywhere
            // (a key may be written with one); not an object.
            r#"{"eventName":"a","eventName":"b"}"#,
            r#"{"eventName":"a\"b"}"#,
            r#"{"eventName":1}"#,
            r#"{"eventName":null}"#,
            r#"{"eventName":{"a":"b"}}"#,
            r#"{"eventName":["a"]}"#,
            r#"{"event\u004eame":"a"}"#,
            r#"{"eventName":"a","b":"\u00e9"}"#,
            r#" {"eventName":"a"}"#,
        ] {
            assert_eq!(member(raw, "eventName"), Member::Unsure, "{raw}");
        }
    }

    /// Leaves in a list, for [`Keys::members`].
    #[derive(Default)]
    struct List(Vec<(String, String)>);

    impl<'a> Leaves<'a> for List {
        fn mark(&self) -> usize {
            self.0.len()
        }
        fn back_to(&mut self, mark: usize) {
            self.0.truncate(mark);
        }
        fn leaf(&mut self, path: &str, text: Cow<'a, str>) {
            self.0.push((path.to_string(), text.into_owned()));
        }
    }

    #[test]
    fn members_are_the_wanted_keys_but_index_time_fields_already_there() {
        let keys = Keys::new(vec!["eventName".into(), "sourcetype".into(), "errorCode".into()]);
        let all = |_: &str| true;
        let raw = r#"{"sourcetype":"json","eventName":"GetObject","errorCode":"NoSuchKey"}"#;
        let sourcetype = 1 << crate::events::INDEX_TIME_FIELDS.iter().position(|f| *f == "sourcetype").unwrap();
        let made = |present: u64, wants: &dyn Fn(&str) -> bool| {
            let mut out = List::default();
            assert!(keys.members(raw, present, wants, &mut out));
            out.0
        };
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            made(0, &all),
            [pair("eventName", "GetObject"), pair("sourcetype", "json"), pair("errorCode", "NoSuchKey")]
        );
        assert_eq!(made(sourcetype, &all), [pair("eventName", "GetObject"), pair("errorCode", "NoSuchKey")]);
        assert_eq!(made(0, &|p| p == "errorCode"), [pair("errorCode", "NoSuchKey")]);
        // Not sure of one: nothing made, the list back where it was.
        let mut out = List(vec![pair("before", "x")]);
        assert!(!keys.members(r#"{"eventName":"a","errorCode":5}"#, 0, &all, &mut out));
        assert_eq!(out.0, [pair("before", "x")]);
    }

    /// Documents with the key at every depth, among strings holding brackets, quotes and
    /// backslashes and long enough to cross the 64-byte blocks: what `member` is sure of,
    /// the walk gives too.
    #[test]
    fn agrees_with_the_walk_across_blocks() {
        let pieces = [
            r#""plain""#,
            r#""{[\"]}""#,
            r#""\\""#,
            r#""\\\"eventName\\\":""#,
            r#""a long string that crosses a block boundary on its own, [with] {brackets} \"""#,
            r#"["eventName",{"eventName":"deep"}]"#,
            r#"{"k":{"eventName":"deeper","z":[1,2,{"y":"]"}]}}"#,
            "12.5",
            "true",
        ];
        let mut x = 7u64;
        let mut next = |n: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let (mut sure, mut found) = (0, 0);
        for _ in 0..3000 {
            let members = 1 + next(8);
            let place = next(members + 1);
            let mut doc = String::from("{");
            for k in 0..members {
                if k > 0 {
                    doc.push(',');
                }
                if k == place {
                    doc.push_str(r#""eventName":"Found""#);
                } else {
                    doc.push_str(&format!(r#""m{k}":{}"#, pieces[next(pieces.len() as u64) as usize]));
                }
            }
            doc.push('}');
            if agrees(&doc, "eventName") {
                sure += 1;
                found += usize::from(member(&doc, "eventName") == Member::Str("Found"));
            }
        }
        // Most are decided here (none of the pieces holds `\u`), with and without the key.
        assert!(sure > 2900 && found > 2000 && found < sure, "{sure} sure, {found} found");
    }

    /// The project's records: each one's `eventName` is found, as the walk finds it.
    #[test]
    fn every_record_of_the_datasets() {
        let (mut records, mut sure, mut found) = (0, 0, 0);
        for line in crate::events::dataset_lines().iter().filter(|l| l.starts_with('{')) {
            records += 1;
            for key in ["eventName", "eventSource", "errorCode", "nope"] {
                sure += usize::from(agrees(line, key));
            }
            found += usize::from(matches!(member(line, "eventName"), Member::Str(_)));
            // An object's value is the walk's to take apart.
            assert_eq!(member(line, "userIdentity"), Member::Unsure);
        }
        // None holds `\u` or a repeated key: every string member is found.
        assert!(records > 100);
        assert_eq!((sure, found), (4 * records, records));
    }
}
