//! The on-disk column cache: the fields a run made for every event ([`Dataset::prefetch`]),
//! kept in a file so that the next run over the same input skips JSON extraction.
//!
//! A cache file is named by a key hashed from everything the columns depend on: the
//! spelunk version, the events (the digest of the inputs they were loaded from, when
//! loading made one: [`Dataset::input_digest`]; else each event's raw text and metadata:
//! sourcetype, source, host, index), and the search-time knowledge. A file whose header, key, event count or checksum does
//! not match is ignored (and replaced when the run ends), never used: a stale or corrupt
//! cache costs time, not correctness.
//!
//! Format (little-endian): `MAGIC`, the 16-byte key, the event count (u64), the column
//! count (u32); per column its name, its dictionary (count, then each value: tag 0 null,
//! 1 string, 2 multivalue with a count, strings as u32 length + bytes) and its codes
//! (width 1, 2 or 4, then one code per event), then which events the column is made for
//! (0: all; 1: a bit per event, as u64 words); then the selection count (u32) and per
//! selection ([`Dataset::keep_selected`]: a datamodel dataset's events and fields) its
//! name, its events (a bit per event), its column count (u32) and its columns as above, a
//! code per selected event (in newest-first order) and all made; then the decision count
//! (u32) and per decision ([`Dataset::keep_decision`]: the events a first search over every
//! event keeps) the search's printed text and a bit per event; then a 16-byte checksum of
//! all before it (each 1 MB block digested, then the digests in order: see [`checksum`]).

use std::path::{Path, PathBuf};

use super::dataset::{Codes, Column, EventSet, Selection};
use super::Dataset;
use crate::digest::{digest_parts, store, stored_path, Hasher128, Reader, Stored, Summing};
use crate::events::Value;

const MAGIC: &[u8; 8] = b"SPLKCOL5";

/// Where cache files go: `$SPELUNK_CACHE_DIR`, else `$XDG_CACHE_HOME/spelunk`, else
/// `~/.cache/spelunk`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("SPELUNK_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("spelunk")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("spelunk")))
}

/// Fewer events than this are not worth a cache file (extraction takes milliseconds).
pub const MIN_EVENTS: usize = 10_000;

/// Whether `ds` is big enough for a cache file.
pub fn worth_it(ds: &Dataset) -> bool {
    ds.len() >= MIN_EVENTS
}

/// A dataset's cache file and what was in it when the run started.
pub struct Cache {
    path: PathBuf,
    key: [u8; 16],
    /// The columns read from the file (a save with nothing new or grown is skipped).
    loaded: Vec<(String, std::sync::Arc<Column>)>,
    /// The selections read from the file, each with its column count (the columns of a
    /// selection are only ever added to).
    loaded_selections: Vec<(String, usize)>,
    /// How many decisions the file held.
    loaded_decisions: usize,
}

impl Cache {
    /// The cache file for `ds` under `dir`; its columns and selections, when it is valid,
    /// are put into `ds`.
    pub fn open(ds: &Dataset, dir: &Path) -> Cache {
        let key = key_of(ds);
        let path = stored_path(dir, &key, "cols");
        let mut cache = Cache { path, key, loaded: Vec::new(), loaded_selections: Vec::new(), loaded_decisions: 0 };
        if let Ok(bytes) = crate::digest::read_stored(&cache.path) {
            if let Some((cols, selections, decisions)) = decode(&bytes, &key, ds.len()) {
                let names: Vec<String> = cols.iter().map(|(n, _)| n.clone()).collect();
                ds.insert_columns(cols);
                cache.loaded = names.into_iter().filter_map(|n| ds.cached(&n).map(|c| (n, c))).collect();
                for (name, bits, cols) in selections {
                    ds.insert_selection(name, &bits, cols);
                }
                cache.loaded_selections = selection_sizes(ds);
                for (search, bits) in decisions {
                    ds.insert_decision(search, bits);
                }
                cache.loaded_decisions = ds.decisions().len();
            }
        }
        cache
    }

    /// The file this cache reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many columns came from the file.
    pub fn loaded(&self) -> usize {
        self.loaded.len()
    }

    /// Writes every column and selection `ds` has made, when some were not in the file or
    /// were made for more events since. Written to a temporary file and renamed, so a
    /// reader never sees half a file.
    pub fn save(&self, ds: &Dataset) -> std::io::Result<()> {
        let mut cols = ds.cached_columns();
        let unchanged = |(n, c): &(String, std::sync::Arc<Column>)| {
            self.loaded.iter().any(|(m, d)| m == n && std::sync::Arc::ptr_eq(c, d))
        };
        let mut decisions = ds.decisions();
        if cols.iter().all(unchanged)
            && selection_sizes(ds) == self.loaded_selections
            && decisions.len() == self.loaded_decisions
        {
            return Ok(());
        }
        cols.sort_by(|a, b| a.0.cmp(&b.0));
        let mut selections = ds.selections();
        selections.sort_by(|a, b| a.0.cmp(&b.0));
        decisions.sort_by(|a, b| a.0.cmp(&b.0));
        store(&self.path, MAGIC, &self.key, |w| encode(ds.len(), &cols, &selections, &decisions, w))
    }
}

/// Each selection's name and column count, by name.
fn selection_sizes(ds: &Dataset) -> Vec<(String, usize)> {
    let mut sizes: Vec<(String, usize)> = ds.selections().into_iter().map(|(n, s)| (n, s.columns.len())).collect();
    sizes.sort();
    sizes
}

/// What the columns depend on, hashed.
fn key_of(ds: &Dataset) -> [u8; 16] {
    let mut h = Hasher128::new();
    h.bytes(b"spelunk ");
    h.bytes(env!("CARGO_PKG_VERSION").as_bytes());
    h.bytes(&ds.knowledge_fingerprint());
    h.u64(ds.len() as u64);
    // The events' text and metadata: the inputs' digest when loading gave one, else hashed.
    if let Some(digest) = ds.input_digest() {
        h.bytes(b"inputs");
        h.bytes(&digest);
        return h.finish();
    }
    h.bytes(&hash_parts(&ds.events, |h, part| {
        let mut last_meta: Option<*const crate::events::Meta> = None;
        for e in part {
            if last_meta != Some(std::sync::Arc::as_ptr(&e.meta)) {
                last_meta = Some(std::sync::Arc::as_ptr(&e.meta));
                for s in [&e.meta.sourcetype, &e.meta.source, &e.meta.host, &e.meta.index] {
                    h.u64(s.len() as u64);
                    h.bytes(s.as_bytes());
                }
            }
            h.u64(e.raw.len() as u64);
            h.bytes(e.raw.as_bytes());
        }
        crate::events::release_span(part.iter());
    }));
    h.finish()
}

/// How many parts [`hash_parts`] cuts its input into: fixed, so a digest does not depend on
/// the machine's cores.
const HASH_PARTS: usize = 16;

/// A digest of `items`, cut into [`HASH_PARTS`] parts hashed side by side (one thread per
/// core), each by `feed`; the parts' digests are then hashed in order. Hashing the input is
/// on every run's path: one core hashed 1 GB in about half a second.
fn hash_parts<T: Sync>(items: &[T], feed: impl Fn(&mut Hasher128, &[T]) + Sync) -> [u8; 16] {
    let size = items.len().div_ceil(HASH_PARTS).max(1);
    let parts: Vec<&[T]> = items.chunks(size).collect();
    let digests = digest_parts(&parts, |part| {
        let mut h = Hasher128::new();
        feed(&mut h, part);
        h.finish()
    });
    let mut h = Hasher128::new();
    h.u64(parts.len() as u64);
    digests.iter().for_each(|d| h.bytes(d));
    h.finish()
}

/// Writes the cache file's body after its magic and key to `w`, a column at a time.
fn encode(
    events: usize,
    cols: &[(String, std::sync::Arc<Column>)],
    selections: &[(String, Selection)],
    decisions: &[(String, std::sync::Arc<EventSet>)],
    w: &mut Summing<std::fs::File>,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    out.extend_from_slice(&(events as u64).to_le_bytes());
    out.extend_from_slice(&(cols.len() as u32).to_le_bytes());
    for (name, col) in cols {
        w.put(&out)?;
        out.clear();
        put_column(&mut out, name, col);
    }
    out.extend_from_slice(&(selections.len() as u32).to_le_bytes());
    for (name, sel) in selections {
        put_string(&mut out, name);
        put_bits(&mut out, &super::dataset::bits_of(sel.events.iter().copied(), events));
        let mut cols: Vec<_> = sel.columns.iter().collect();
        cols.sort_by(|a, b| a.0.cmp(b.0));
        out.extend_from_slice(&(cols.len() as u32).to_le_bytes());
        for (name, col) in cols {
            w.put(&out)?;
            out.clear();
            // A selection's column may share a bigger dictionary (its `_time` is the
            // dataset's): only the values its events have are written.
            put_column(&mut out, name, &col.with_used_values());
        }
    }
    out.extend_from_slice(&(decisions.len() as u32).to_le_bytes());
    for (search, set) in decisions {
        put_string(&mut out, search);
        put_bits(&mut out, &set.bits(events));
    }
    w.put(&out)
}

/// A bitmap over the events, a word at a time.
fn put_bits(out: &mut Vec<u8>, bits: &[u64]) {
    bits.iter().for_each(|w| out.extend_from_slice(&w.to_le_bytes()));
}

/// A bitmap over `events` events, as [`put_bits`] wrote it.
fn read_bits(r: &mut Reader, events: usize) -> Option<Vec<u64>> {
    (0..events.div_ceil(64)).map(|_| r.u64()).collect()
}

fn put_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A column: its name, dictionary, codes and which events are made.
fn put_column(out: &mut Vec<u8>, name: &str, col: &Column) {
    put_string(out, name);
    out.extend_from_slice(&(col.dict.len() as u32).to_le_bytes());
    for v in col.dict.iter() {
        match v {
            Value::Null => out.push(0),
            Value::Str(s) => {
                out.push(1);
                put_string(out, s);
            }
            Value::Multi(all) => {
                out.push(2);
                out.extend_from_slice(&(all.len() as u32).to_le_bytes());
                for s in all {
                    put_string(out, s);
                }
            }
        }
    }
    // Codes are written dense, a row after another, `width` bytes each.
    let width = col.codes.width();
    out.push(width as u8);
    match &col.codes {
        Codes::U8(c) => out.extend_from_slice(c),
        codes => (0..codes.len()).for_each(|i| out.extend_from_slice(&codes.get(i).to_le_bytes()[..width])),
    }
    match &col.made {
        None => out.push(0),
        Some(bits) => {
            out.push(1);
            put_bits(out, bits);
        }
    }
}

/// What a cache file holds: the dataset's columns, its selections (name, a bit per event,
/// columns over the selected events) and its decisions (search, a bit per event).
type Decoded = (Vec<(String, Column)>, Vec<(String, Vec<u64>, Vec<(String, Column)>)>, Vec<(String, Vec<u64>)>);

/// The columns and selections of a cache file, or `None` when it is not a whole, valid
/// file for this key and event count. Each part's pages are given back once it is read
/// ([`Stored::let_go`]).
fn decode(bytes: &Stored, key: &[u8; 16], events: usize) -> Option<Decoded> {
    let mut r = bytes.body(MAGIC, key)?;
    let mut done = 0;
    let mut read_up_to = |r: &Reader| {
        bytes.let_go(&r.b[done..r.i]);
        done = r.i;
    };
    if r.u64()? != events as u64 {
        return None;
    }
    let n = r.u32()?;
    let mut cols = Vec::new();
    for _ in 0..n {
        cols.push(read_column(&mut r, events)?);
        read_up_to(&r);
    }
    let mut selections = Vec::new();
    for _ in 0..r.u32()? {
        let name = r.string()?;
        let bits = read_bits(&mut r, events)?;
        let rows = bits.iter().map(|w| w.count_ones() as usize).sum();
        let mut cols = Vec::new();
        for _ in 0..r.u32()? {
            let (field, col) = read_column(&mut r, rows)?;
            if !col.is_complete() {
                return None;
            }
            cols.push((field, col));
            read_up_to(&r);
        }
        selections.push((name, bits, cols));
    }
    let mut decisions = Vec::new();
    for _ in 0..r.u32()? {
        let search = r.string()?;
        let bits = read_bits(&mut r, events)?;
        decisions.push((search, bits));
    }
    (r.i == r.b.len()).then_some((cols, selections, decisions))
}

/// A column of `rows` codes, as [`put_column`] wrote it.
fn read_column(r: &mut Reader, rows: usize) -> Option<(String, Column)> {
    let limit = r.b.len();
    let name = r.string()?;
    let dict_len = r.u32()? as usize;
    let mut dict = Vec::with_capacity(dict_len.min(limit));
    for _ in 0..dict_len {
        dict.push(match r.take(1)?[0] {
            0 => Value::Null,
            1 => Value::Str(r.string()?),
            2 => {
                let k = r.u32()? as usize;
                let mut all = Vec::with_capacity(k.min(limit));
                for _ in 0..k {
                    all.push(r.string()?);
                }
                Value::Multi(all)
            }
            _ => return None,
        });
    }
    let width = r.take(1)?[0] as usize;
    let raw = r.take(rows.checked_mul(width)?)?;
    let codes = match width {
        1 => Codes::U8(raw.to_vec()),
        2 => Codes::U16(raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()),
        4 => Codes::U32(raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        _ => return None,
    }
    .compacted();
    if codes.max() as usize > dict.len() {
        return None;
    }
    let made = match r.take(1)?[0] {
        0 => None,
        1 => Some(read_bits(r, rows)?),
        _ => return None,
    };
    Some((name, Column { dict: std::sync::Arc::new(dict), codes, made, ascending: Default::default() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;
    use crate::events::{Event, Meta};
    use std::collections::BTreeSet;

    fn dataset(lines: &[&str]) -> Dataset {
        let events = lines.iter().map(|l| Event::new(*l, Meta::default())).collect();
        Dataset::new(events, &crate::knowledge::builtin(), Context { now: 1_750_000_000.0 }).unwrap()
    }

    const LINES: &[&str] = &[
        r#"{"eventTime":"2025-01-01T00:00:00Z","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"resources":[{"ARN":"x"},{"ARN":"y"}]}"#,
        r#"{"eventTime":"2025-01-01T00:00:01Z","eventName":"PutObject","errorCode":"AccessDenied","sourceIPAddress":"10.0.0.1"}"#,
        r#"{"eventTime":"2025-01-01T00:00:02Z","eventName":"GetObject","userIdentity":{"type":"Root"}}"#,
    ];

    fn names() -> BTreeSet<String> {
        ["eventName", "errorCode", "user", "user_arn", "src_ip", "resources{}.ARN", "_time", "nothing"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("spelunk-cache-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn columns_round_trip_through_the_file() {
        let dir = scratch("round");
        let made = dataset(LINES);
        made.prefetch(&names());
        let cache = Cache::open(&made, &dir);
        assert_eq!(cache.loaded(), 0, "no file yet");
        cache.save(&made).unwrap();

        let warm = dataset(LINES);
        let cache = Cache::open(&warm, &dir);
        assert_eq!(cache.loaded(), made.cached_columns().len());
        for (name, col) in made.cached_columns() {
            assert_eq!(*warm.cached(&name).expect("read back"), *col, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_column_most_events_lack_round_trips_in_its_sparse_form() {
        let dir = scratch("sparse");
        let lines: Vec<String> = (0..300)
            .map(|i| {
                let arn = if i % 25 == 0 { r#","resources":[{"ARN":"x"}]"# } else { "" };
                format!(r#"{{"eventTime":"2025-01-01T00:00:{:02}Z","eventName":"E{}"{arn}}}"#, i % 60, i % 7)
            })
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let made = dataset(&lines);
        made.prefetch(&names());
        let arn = made.cached("resources{}.ARN").unwrap();
        assert!(matches!(arn.codes, Codes::Sparse(_)), "{:?}", arn.codes);
        assert!(matches!(made.cached("eventName").unwrap().codes, Codes::U8(_)));
        Cache::open(&made, &dir).save(&made).unwrap();

        let warm = dataset(&lines);
        assert_eq!(Cache::open(&warm, &dir).loaded(), made.cached_columns().len());
        for (name, col) in made.cached_columns() {
            assert_eq!(*warm.cached(&name).expect("read back"), *col, "{name}");
        }
        let back = warm.cached("resources{}.ARN").unwrap();
        assert_eq!(
            (0..300).filter(|&i| !back.get(i).is_null()).collect::<Vec<_>>(),
            (0..300).step_by(25).collect::<Vec<_>>()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn columns_made_for_some_events_grow_keep_their_values_and_round_trip() {
        let dir = scratch("partial");
        let full = dataset(LINES);
        full.prefetch(&names());
        let part = dataset(LINES);
        part.prefetch_events(&names(), Some(&[0, 2]));
        // `_time`, asked for two events of three, is made from every event's time at once.
        assert!(part.cached("_time").unwrap().is_complete());
        for (name, col) in part.cached_columns().into_iter().filter(|(name, _)| name != "_time") {
            assert!(!col.is_complete(), "{name}");
            assert_eq!((col.is_made(0), col.is_made(1), col.is_made(2)), (true, false, true), "{name}");
            let whole = full.cached(&name).unwrap();
            for i in [0, 2] {
                assert_eq!(col.get(i), whole.get(i), "{name} of event {i}");
            }
        }
        // The bitmap goes through the file.
        let cache = Cache::open(&part, &dir);
        cache.save(&part).unwrap();
        let warm = dataset(LINES);
        let warm_cache = Cache::open(&warm, &dir);
        assert_eq!(warm_cache.loaded(), part.cached_columns().len());
        for (name, col) in part.cached_columns() {
            assert_eq!(*warm.cached(&name).unwrap(), *col, "{name}");
        }
        // The missing event is made, the others kept: the column is now whole, equal to
        // one made at once, and saved again though it was read from the file.
        warm.prefetch_events(&names(), Some(&[1]));
        for (name, col) in warm.cached_columns() {
            assert!(col.is_complete(), "{name}");
            let whole = full.cached(&name).unwrap();
            for i in 0..LINES.len() {
                assert_eq!(col.get(i), whole.get(i), "{name} of event {i}");
            }
        }
        warm_cache.save(&warm).unwrap();
        let again = dataset(LINES);
        Cache::open(&again, &dir);
        assert!(again.cached_columns().iter().all(|(_, c)| c.is_complete()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn loaded_events_are_keyed_by_their_inputs_digest() {
        let dir = scratch("digest");
        let made = dataset(LINES).with_input_digest([1; 16]);
        made.prefetch(&names());
        let cache = Cache::open(&made, &dir);
        cache.save(&made).unwrap();
        assert!(Cache::open(&dataset(LINES).with_input_digest([1; 16]), &dir).loaded() > 0);
        // The same events from other inputs, or not from a load: another key.
        assert_eq!(Cache::open(&dataset(LINES).with_input_digest([2; 16]), &dir).loaded(), 0);
        assert_eq!(Cache::open(&dataset(LINES), &dir).loaded(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn first_search(text: &str) -> crate::syntax::SearchExpr {
        match crate::syntax::parse(text).unwrap().commands.remove(0).kind {
            crate::syntax::CommandKind::Search(Some(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn first_search_decisions_round_trip_and_are_used_not_made_again() {
        let dir = scratch("decisions");
        let pure = "eventName=GetObject";
        let plans: Vec<crate::frame::ScanPlan> = [pure, "GetObject", "eventName=GetObject earliest=-1d"]
            .iter()
            .map(|t| crate::frame::ScanPlan::of(&crate::syntax::parse(t).unwrap()))
            .collect();
        let made = dataset(LINES);
        let cache = Cache::open(&made, &dir);
        crate::frame::prefetch_for(&made, &plans);
        // Only the search that reads field values alone is kept (a `_raw` term or a time
        // bound is decided by more than the columns).
        let kept: Vec<String> = made.decisions().into_iter().map(|(k, _)| k).collect();
        assert_eq!(kept, [crate::syntax::printer::print_search(&first_search(pure))]);
        assert_eq!(made.decision(&first_search(pure)), Some(vec![2, 0]), "newest first");
        cache.save(&made).unwrap();

        let warm = dataset(LINES);
        Cache::open(&warm, &dir);
        assert_eq!(warm.decision(&first_search(pure)), Some(vec![2, 0]));
        // What the file says is what a warm run keeps: a decision changed by hand shows.
        let tampered = dataset(LINES);
        Cache::open(&tampered, &dir);
        tampered.insert_decision(kept[0].clone(), vec![0b010]);
        let order = tampered.newest_first();
        let f = crate::frame::Frame::matching_events(&tampered, &order, &first_search(pure)).unwrap().unwrap();
        assert_eq!(f.events(), Some(vec![1]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_cache_for_other_events_or_a_damaged_file_is_ignored() {
        let dir = scratch("stale");
        let made = dataset(LINES);
        made.prefetch(&names());
        let cache = Cache::open(&made, &dir);
        cache.save(&made).unwrap();
        let path = cache.path().to_path_buf();

        // Other events: another key, another file.
        let other = dataset(&LINES[..2]);
        assert_eq!(Cache::open(&other, &dir).loaded(), 0);
        let mut changed = LINES.to_vec();
        changed[1] = r#"{"eventTime":"2025-01-01T00:00:01Z","eventName":"DeleteObject"}"#;
        assert_eq!(Cache::open(&dataset(&changed), &dir).loaded(), 0);

        // A flipped byte, a truncated file, a file for another key under this name.
        let good = std::fs::read(&path).unwrap();
        let mut flipped = good.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 1;
        let other_key = {
            let other_cache = Cache::open(&other, &dir);
            other.prefetch(&names());
            other_cache.save(&other).unwrap();
            std::fs::read(other_cache.path()).unwrap()
        };
        for bad in [flipped, good[..good.len() - 3].to_vec(), Vec::new(), other_key] {
            std::fs::write(&path, &bad).unwrap();
            let fresh = dataset(LINES);
            assert_eq!(Cache::open(&fresh, &dir).loaded(), 0);
            assert!(fresh.cached_columns().is_empty());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
