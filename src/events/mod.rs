//! Events as Splunk sees them: the raw text, the fields Splunk makes at index time, and the
//! fields JSON extraction makes at search time.
//!
//! | file | what |
//! |---|---|
//! | `value.rs` | [`Value`]: null, a string, or a multivalue |
//! | `json.rs` | `KV_MODE = json` extraction |
//! | `flat.rs` | its fast path: one walk over the text, no document tree |
//! | `time.rs` | `_time` from `eventTime`, `date_*`, how `_time` is shown |
//! | `input.rs` | files, directories, stdin: NDJSON, `{"Records"}`, arrays, gzip, Splunk exports |
//! | `record.rs` | load records: what loading a big file found, for the next load of the same bytes |
//!
//! Add-on knowledge (aliases, calculated fields, lookups, event types, tags) and the
//! columnar frame come with the rest of issue 3.

pub mod check;
pub mod flat;
pub mod hash;
pub mod input;
pub mod json;
pub mod paths;
pub mod raw;
pub mod record;
pub mod time;
pub mod top;
pub mod value;

pub use json::Fields;
pub use raw::Raw;
pub use time::Timestamp;
pub use value::{StrValue, Value};

/// Metadata Splunk attaches to an event when it is indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub sourcetype: String,
    pub source: String,
    pub host: String,
    pub index: String,
}

impl Meta {
    /// The metadata fields' names, in the order [`Meta::field`] numbers them.
    pub const NAMES: [&'static str; 4] = ["sourcetype", "source", "host", "index"];

    /// The value of the `k`th of [`Meta::NAMES`] as an index-time field: `None` when it is
    /// empty (an empty value is no field).
    pub fn field(&self, k: usize) -> Option<&str> {
        let v = [&self.sourcetype, &self.source, &self.host, &self.index][k];
        (!v.is_empty()).then_some(v.as_str())
    }
}

impl Default for Meta {
    fn default() -> Self {
        Meta { sourcetype: "aws:cloudtrail".into(), source: String::new(), host: String::new(), index: "main".into() }
    }
}

/// One event: its raw text, kept byte for byte, its timestamp and metadata (shared by
/// the events of one input).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub raw: Raw,
    pub time: Option<Timestamp>,
    pub meta: std::sync::Arc<Meta>,
}

/// Calls `each` with the index of each of `events`, in order, its text with ASCII letters
/// lowercased, and whether that text is all ASCII. When they are ranges of one mapped file
/// close together, the part of the file they span is copied into `buf`
/// ([`raw::Text::copy_into`]) and lowered there in one pass, which also finds whether it is
/// all ASCII; no page of the map is touched, so none is faulted in or given back. Other
/// texts are lowered one at a time into `lowered`. Gives whether the map was read instead
/// (its pages are then the caller's to let go, [`release_span`]).
pub fn each_lowered_text(
    events: &[&Event],
    buf: &mut Vec<u8>,
    lowered: &mut Vec<u8>,
    mut each: impl FnMut(usize, &str, bool),
) -> bool {
    let span = span_of(events.iter().copied()).filter(|(text, _, _)| text.is_mapped());
    if let Some((text, span, bytes)) = span {
        if let Some(copy) = copy_of_span(text, &span, bytes, buf) {
            each_lowered_in(events.iter().copied(), text, copy, span.start, lowered, true, each);
            return false;
        }
    }
    for (k, e) in events.iter().enumerate() {
        lowered_one(k, &e.raw, lowered, &mut each);
    }
    true
}

/// [`each_lowered_text`] of events read from `copy`, a copy of `text` from byte `start`
/// (lowered here, in place, in one pass that also finds whether it is all ASCII; when
/// `lower` says so, else each text is given as it is): loading looks for literals in the
/// block it has just read. An event that is not a range of these bytes (a Splunk export's
/// `_raw`), or whose bytes there are not UTF-8 (the file changed under the run), is
/// lowered on its own into `lowered` (or given as its `Raw` is).
pub fn each_lowered_in<'e>(
    events: impl Iterator<Item = &'e Event>,
    text: &std::sync::Arc<raw::Text>,
    copy: &mut [u8],
    start: usize,
    lowered: &mut Vec<u8>,
    lower: bool,
    mut each: impl FnMut(usize, &str, bool),
) {
    let ascii = if lower { lower_ascii(copy) } else { copy.is_ascii() };
    let copied = start..start + copy.len();
    for (k, e) in events.enumerate() {
        let r = e.raw.range();
        let inside = std::sync::Arc::ptr_eq(e.raw.text(), text) && copied.start <= r.start && r.end <= copied.end;
        // Checked again unless all ASCII (the copy is not the event's `Raw`).
        match inside.then(|| utf8(&copy[r.start - start..r.end - start], ascii)).flatten() {
            Some(t) => each(k, t, ascii || t.is_ascii()),
            None if lower => lowered_one(k, &e.raw, lowered, &mut each),
            None => each(k, &e.raw, e.raw.is_ascii()),
        }
    }
}

/// Calls `each` with `k`, `text` lowered into `lowered`, and whether it is all ASCII.
fn lowered_one(k: usize, text: &str, lowered: &mut Vec<u8>, each: &mut dyn FnMut(usize, &str, bool)) {
    lowered.clear();
    lowered.extend_from_slice(text.as_bytes());
    let ascii = lower_ascii(lowered);
    // SAFETY: lowering changes ASCII letters to ASCII letters, so UTF-8 stays UTF-8.
    each(k, unsafe { std::str::from_utf8_unchecked(lowered) }, ascii);
}

/// Calls `each` with the index of each of `events`, in order, and its text, read from a copy
/// when they are ranges of a mapped file, never through the map: the part of the file they
/// span copied into `buf` at once when they lie close together ([`raw::Text::copy_into`]),
/// else each one's bytes on their own. A read through the map maps the page cache's whole
/// folio around it (up to 2 MiB) and gives it back later: for a few thousand events far
/// apart, that mapping and unmapping was most of a narrow detection's pass over them. A
/// text that is not a mapped file's, or whose copy fails or is not UTF-8 (the file
/// changed under the run), is read where it lies.
pub fn each_text(events: &[&Event], buf: &mut Vec<u8>, mut each: impl FnMut(usize, &str)) {
    let span = span_of(events.iter().copied()).filter(|(text, _, _)| text.is_mapped());
    let Some((text, span, bytes)) = span else {
        events.iter().enumerate().for_each(|(k, e)| each(k, &e.raw));
        return;
    };
    if let Some(copy) = copy_of_span(text, &span, bytes, buf) {
        // Checked once for ASCII (a word at a time), else each text for UTF-8.
        let ascii = copy.is_ascii();
        for (k, e) in events.iter().enumerate() {
            let r = e.raw.range();
            match utf8(&copy[r.start - span.start..r.end - span.start], ascii) {
                Some(t) => each(k, t),
                None => each(k, &e.raw),
            }
        }
        return;
    }
    for (k, e) in events.iter().enumerate() {
        let r = e.raw.range();
        if buf.len() < r.len() {
            buf.resize(r.len(), 0);
        }
        let copy = &mut buf[..r.len()];
        match text.copy_into(r.start, copy).ok().and_then(|()| utf8(copy, copy.is_ascii())) {
            Some(t) => each(k, t),
            None => each(k, &e.raw),
        }
    }
}

/// The part `span` of the mapped `text`, copied into `buf` ([`raw::Text::copy_into`]),
/// when it is worth copying whole: its events' text (`bytes` of it) fills at least about
/// half of it, and it is at most 64 MB. `None` when it is not, or the copy fails; the
/// events are then read one by one.
fn copy_of_span<'b>(
    text: &raw::Text,
    span: &std::ops::Range<usize>,
    bytes: usize,
    buf: &'b mut Vec<u8>,
) -> Option<&'b mut [u8]> {
    /// A span more than this much bigger than its events' text is not copied whole.
    const SPARSE: usize = 2;
    const MAX_SPAN: usize = 64 << 20;
    if span.len() > SPARSE * bytes + 4096 || span.len() > MAX_SPAN {
        return None;
    }
    if buf.len() < span.len() {
        buf.resize(span.len(), 0);
    }
    let copy = &mut buf[..span.len()];
    text.copy_into(span.start, copy).ok()?;
    Some(copy)
}

/// A copy's bytes as text when they are UTF-8 (`ascii`: they are known to be ASCII).
fn utf8(bytes: &[u8], ascii: bool) -> Option<&str> {
    if ascii {
        // SAFETY: every byte is ASCII, so the bytes are UTF-8.
        return Some(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes).ok()
}

/// Lowercases the ASCII letters of `b` in place; gives whether every byte is ASCII. One
/// pass the compiler vectorises.
fn lower_ascii(b: &mut [u8]) -> bool {
    let mut high = 0u8;
    for c in b.iter_mut() {
        high |= *c;
        *c |= u8::from(c.wrapping_sub(b'A') < 26) << 5;
    }
    high < 0x80
}

/// Releases the mapped pages from the first to the last byte of these events' text
/// ([`raw::Text::release_range`]), when they are ranges of one mapped file: for a loop over
/// many events to let go of the text behind it as it goes ([`release_runs`]).
pub fn release_span<'e>(events: impl Iterator<Item = &'e Event>) {
    if let Some((text, span, _)) = span_of(events) {
        text.release_range(span);
    }
}

/// How far apart in their text the events a loop reads before letting go of them may lie
/// ([`release_runs`]): reading an event through a map maps the page-cache folio around it
/// (up to 2 MiB), so a run of a thousand events far apart held a gigabyte mapped until
/// its end (10 GB of input, bench/README.md).
pub const RELEASE_SPAN: usize = 16 << 20;

/// The runs, in order, of `len` items (item `k` reading event `event(k)`) after each of
/// which a loop lets go of the text it read ([`release_span`]): at most `most` items, whose
/// events are of one text and lie within `span` bytes of it from the first byte of any to
/// the last.
pub fn release_runs<'e>(
    len: usize,
    most: usize,
    span: usize,
    event: impl Fn(usize) -> &'e Event,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= len {
            return None;
        }
        let first = event(start);
        let std::ops::Range { start: mut lo, end: mut hi } = first.raw.range();
        let mut end = start + 1;
        while end < len && end - start < most {
            let e = event(end);
            let r = e.raw.range();
            let (l, h) = (lo.min(r.start), hi.max(r.end));
            if !std::sync::Arc::ptr_eq(e.raw.text(), first.raw.text()) || h - l > span {
                break;
            }
            (lo, hi, end) = (l, h, end + 1);
        }
        let run = start..end;
        start = end;
        Some(run)
    })
}

/// The text these events are ranges of, when it is one, the span from the first byte of
/// any of them to the last, and how many bytes they hold.
fn span_of<'e>(
    mut events: impl Iterator<Item = &'e Event>,
) -> Option<(&'e std::sync::Arc<raw::Text>, std::ops::Range<usize>, usize)> {
    let first = events.next()?;
    let text = first.raw.text();
    let mut span = first.raw.range();
    let mut bytes = span.len();
    for e in events {
        if !std::sync::Arc::ptr_eq(e.raw.text(), text) {
            return None;
        }
        let r = e.raw.range();
        (span.start, span.end, bytes) = (span.start.min(r.start), span.end.max(r.end), bytes + r.len());
    }
    Some((text, span, bytes))
}

/// How many characters of punctuation `punct` keeps. Splunk's glossary says 30; the real
/// export in ../shared shows 50 (docs/aws-cloudtrail-fields.md, UNVERIFIED point 4).
pub const PUNCT_LEN: usize = 50;

/// Every name [`Event::index_time_fields`] can make (an event has some of them: `host` only
/// when given, the time fields only with a timestamp).
pub const INDEX_TIME_FIELDS: &[&str] = &[
    "_raw",
    "_time",
    "date_hour",
    "date_mday",
    "date_minute",
    "date_month",
    "date_second",
    "date_wday",
    "date_year",
    "date_zone",
    "timestartpos",
    "timeendpos",
    "linecount",
    "punct",
    "sourcetype",
    "source",
    "host",
    "index",
];

/// Which of [`INDEX_TIME_FIELDS`] to make: bit `k` for the `k`th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexTimeWanted(u32);

impl IndexTimeWanted {
    /// The names `wanted` accepts.
    pub fn of(wanted: &dyn Fn(&str) -> bool) -> IndexTimeWanted {
        IndexTimeWanted(INDEX_TIME_FIELDS.iter().enumerate().filter(|(_, n)| wanted(n)).fold(0, |m, (k, _)| m | 1 << k))
    }

    /// The same without `_raw`.
    pub fn without_raw(self) -> IndexTimeWanted {
        IndexTimeWanted(self.0 & !1)
    }

    fn has(self, k: usize) -> bool {
        self.0 & (1 << k) != 0
    }
}

impl Event {
    pub fn new(raw: impl Into<Raw>, meta: impl Into<std::sync::Arc<Meta>>) -> Event {
        let raw = raw.into();
        let time = time::event_time(&raw);
        Event { raw, time, meta: meta.into() }
    }

    /// The fields Splunk computes when it indexes the event: `_raw`, `_time`, `date_*`,
    /// `timestartpos`/`timeendpos`, `linecount`, `punct`, and the metadata.
    pub fn index_time_fields(&self) -> Fields {
        self.index_time_fields_only(&|_| true)
    }

    /// The index-time fields `wanted` accepts (the engine asks only for what a search uses:
    /// copying `_raw` for every event costs as much as the event).
    pub fn index_time_fields_only(&self, wanted: &dyn Fn(&str) -> bool) -> Fields {
        self.index_time_fields_of(IndexTimeWanted::of(wanted))
    }

    /// [`Event::index_time_fields_only`] with the wanted names decided beforehand (asking
    /// by name for each of eighteen names of every event showed in profiles).
    pub fn index_time_fields_of(&self, wanted: IndexTimeWanted) -> Fields {
        self.index_time_fields_in(&self.raw, wanted)
    }

    /// [`Event::index_time_fields_of`], the event's text given as `raw` (a copy of it,
    /// [`each_text`]).
    pub fn index_time_fields_in(&self, raw: &str, wanted: IndexTimeWanted) -> Fields {
        let mut f = Fields::default();
        self.index_time_each_in(raw, wanted, &mut |k, v| {
            f.insert(INDEX_TIME_FIELDS[k].into(), Value::Str(v));
        });
        f
    }

    /// Each wanted index-time field the event has, in order: its number in
    /// [`INDEX_TIME_FIELDS`] and its value.
    pub fn index_time_each(&self, wanted: IndexTimeWanted, each: &mut dyn FnMut(usize, String)) {
        self.index_time_each_in(&self.raw, wanted, each)
    }

    /// [`Event::index_time_each`], the event's text given as `raw` (a copy of it,
    /// [`each_text`]): `_raw`, `linecount` and `punct` are read from it.
    pub fn index_time_each_in(&self, raw: &str, wanted: IndexTimeWanted, each: &mut dyn FnMut(usize, String)) {
        debug_assert_eq!(raw, &*self.raw);
        let mut put = |k: usize, v: &dyn Fn() -> String| {
            if wanted.has(k) {
                each(k, v());
            }
        };
        put(0, &|| raw.to_string());
        if let Some(ts) = &self.time {
            put(1, &|| format_epoch(ts.epoch));
            // Made only when one is wanted (formatting them was a twentieth of extraction).
            if (2..2 + time::DATE_FIELDS.len()).any(|k| wanted.has(k)) {
                for (k, (_, v)) in time::date_fields(ts).into_iter().enumerate() {
                    put(2 + k, &|| v.clone());
                }
            }
            put(10, &|| ts.start.to_string());
            put(11, &|| ts.end.to_string());
        }
        put(12, &|| linecount(raw).to_string());
        put(13, &|| punct(raw));
        for k in 0..Meta::NAMES.len() {
            if let Some(v) = self.meta.field(k) {
                put(14 + k, &|| v.to_string());
            }
        }
    }

    /// Index-time fields, then the JSON fields of `_raw` (a JSON field never replaces an
    /// index-time one).
    pub fn fields(&self) -> Result<Fields, json::JsonError> {
        let mut f = self.index_time_fields();
        for (k, v) in json::extract(&self.raw)? {
            f.entry(k).or_insert(v);
        }
        Ok(f)
    }
}

/// Epoch seconds as a field value: an integer when whole, else with its fraction.
pub fn format_epoch(epoch: f64) -> String {
    if epoch.fract() == 0.0 {
        format!("{}", epoch as i64)
    } else {
        format!("{epoch:.6}").trim_end_matches('0').to_string()
    }
}

/// [`format_epoch`] of a whole number of seconds, written digit by digit
/// ([`crate::eval::value::push_digits`]): the formatting machinery took half of making a
/// million events' `_time` column.
pub fn format_whole_seconds(seconds: i64) -> String {
    let mut out = String::with_capacity(12);
    if seconds < 0 {
        out.push('-');
    }
    crate::eval::value::push_digits(&mut out, seconds.unsigned_abs(), 1);
    out
}

/// Lines in the raw text (at least 1).
pub fn linecount(raw: &str) -> usize {
    raw.trim_end_matches('\n').lines().count().max(1)
}

/// `_raw` with letters and digits removed and each space turned into `_`, cut to
/// [`PUNCT_LEN`] characters. Tabs and line breaks are kept as they are (UNVERIFIED).
pub fn punct(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_alphanumeric()).map(|c| if c == ' ' { '_' } else { c }).take(PUNCT_LEN).collect()
}

/// The lines of the project's CloudTrail records (`datasets/*/*.ndjson`), for tests that
/// hold a piece of reading up against every record.
#[cfg(test)]
pub(crate) fn dataset_lines() -> Vec<String> {
    let mut out = Vec::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&path).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "ndjson") {
                let text = std::fs::read_to_string(&file).unwrap();
                out.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
            }
        }
    }
    assert!(out.len() > 100, "the datasets hold records");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One `Event` is held per event (11.7 million over 10 GB of CloudTrail): each byte of
    /// it is 11 MB there.
    #[test]
    fn an_event_takes_56_bytes_at_most() {
        assert!(std::mem::size_of::<Event>() <= 56, "{} bytes", std::mem::size_of::<Event>());
    }

    /// A loop lets go of what it read after at most `most` events, and sooner when they lie
    /// far apart in their text, or in another text; every event is in one run, in order.
    #[test]
    fn release_runs_bound_their_events_count_and_spread() {
        let text = std::sync::Arc::new(raw::Text::from("x".repeat(1000)));
        let other = std::sync::Arc::new(raw::Text::from("y".repeat(1000)));
        let at = |t: &std::sync::Arc<raw::Text>, s: usize| Event {
            raw: Raw::range_of(t, s..s + 10).unwrap(),
            time: None,
            meta: Default::default(),
        };
        // Newest first, as passes read: offsets falling, then a jump, then another text.
        let starts = [900, 880, 860, 840, 820, 800, 790, 100, 90];
        let mut events: Vec<Event> = starts.iter().map(|&s| at(&text, s)).collect();
        events.push(at(&other, 0));
        let runs: Vec<_> = release_runs(events.len(), 4, 150, |k| &events[k]).collect();
        assert_eq!(runs, [0..4, 4..7, 7..9, 9..10]);
        let one: Vec<_> = release_runs(3, 8, 10_000, |k| &events[k]).collect();
        assert_eq!(one, vec![0..3]);
        assert_eq!(release_runs(0, 4, 150, |k| &events[k]).count(), 0);
    }

    #[test]
    fn s1_4_punct_keeps_fifty_punctuation_characters() {
        assert_eq!(punct(r#"{"a": "b c", "d": 1}"#), r#"{"":_"_",_"":_}"#);
        assert_eq!(punct(&"{\"a\": 1, ".repeat(20)).chars().count(), PUNCT_LEN);
    }

    #[test]
    fn s1_4_index_time_fields_of_a_cloudtrail_record() {
        let e = Event::new(r#"{"eventTime": "2025-02-11T20:04:34Z", "eventName": "DeleteBucket"}"#, Meta::default());
        let f = e.fields().unwrap();
        assert_eq!(f["_time"], Value::Str("1739304274".into()));
        assert_eq!(f["timestartpos"], Value::Str("15".into()));
        assert_eq!(f["linecount"], Value::Str("1".into()));
        assert_eq!(f["sourcetype"], Value::Str("aws:cloudtrail".into()));
        assert_eq!(f["eventName"], Value::Str("DeleteBucket".into()));
        assert!(!f.contains_key("host"), "no host was given");
    }

    #[test]
    fn index_time_field_names_are_the_ones_made() {
        let meta = Meta { host: "h".into(), source: "s".into(), ..Meta::default() };
        let e = Event::new(r#"{"eventTime": "2025-02-11T20:04:34Z"}"#, meta);
        let mut made: Vec<String> = e.index_time_fields().keys().cloned().collect();
        let mut listed: Vec<String> = INDEX_TIME_FIELDS.iter().map(|s| s.to_string()).collect();
        made.sort();
        listed.sort();
        assert_eq!(made, listed);
    }

    #[test]
    fn each_index_time_field_asked_for_alone_is_the_one_made() {
        let meta = Meta { host: "h".into(), source: "s".into(), ..Meta::default() };
        let e = Event::new(r#"{"eventTime": "2025-02-11T20:04:34Z"}"#, meta);
        let all = e.index_time_fields();
        for name in INDEX_TIME_FIELDS {
            let one = e.index_time_fields_only(&|n| n == *name);
            assert_eq!(one.into_iter().collect::<Vec<_>>(), [(name.to_string(), all[*name].clone())], "{name}");
        }
        let wanted = IndexTimeWanted::of(&|n| n == "_raw" || n == "date_wday");
        let f = e.index_time_fields_of(wanted.without_raw());
        assert_eq!(f.keys().collect::<Vec<_>>(), ["date_wday"]);
        assert_eq!(e.index_time_fields_of(wanted).keys().collect::<Vec<_>>(), ["_raw", "date_wday"]);
    }

    #[test]
    fn epoch_formatting() {
        assert_eq!(format_epoch(1739304274.0), "1739304274");
        assert_eq!(format_epoch(1626784496.25), "1626784496.25");
    }

    #[test]
    fn whole_seconds_are_written_as_format_epoch_writes_them() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut cases = vec![0, 1, -1, 9, 10, -10, 99, 100, i64::MAX, i64::MIN, 1739304274, -1739304274];
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(x as i64 >> (x % 60));
        }
        for s in cases {
            assert_eq!(format_whole_seconds(s), s.to_string());
            // Seconds a float holds exactly, as `_time` is kept.
            if s.unsigned_abs() < 1 << 52 {
                assert_eq!(format_whole_seconds(s), format_epoch(s as f64));
            }
        }
    }
}
