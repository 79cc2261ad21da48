//! Reading events from files, directories and standard input.
//!
//! Formats, detected from the content (gzip by its magic bytes first):
//! - NDJSON, one event per line (attack_data's format);
//! - CloudTrail's own log files, `{"Records": [...]}`, one event per record;
//! - a JSON array of events, or a single JSON object;
//! - a Splunk search export: CSV with a `_raw` column, or JSON lines `{"result": {"_raw": ...}}`;
//! - a Git LFS pointer is recognised and refused with a message saying so.
//!
//! A record's `_raw` is its text exactly as in the file. A line or record that cannot be
//! read is a [`Problem`] with file and line; it is skipped and counted, or, with `strict`,
//! stops the load. Input files are only ever read.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

use std::sync::Arc;

use super::check::OwnKey;
use super::raw::Text;
use super::{Event, Meta, Raw};
use crate::eval::needles::{NeedleSets, Needles};

/// What the user said about the data (`--sourcetype`, `--source`, `--host`, `--index`,
/// `--strict`).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub sourcetype: Option<String>,
    pub source: Option<String>,
    pub host: Option<String>,
    pub index: Option<String>,
    /// Stop at the first problem instead of skipping and counting.
    pub strict: bool,
    /// Where load records of big files are kept ([`super::record`]); `None`: neither read
    /// nor written. When set, every input is digested ([`Loaded::digest`]: the records'
    /// names, and the column cache's key).
    pub records: Option<PathBuf>,
    /// Literals to look for in each event's text as it is read ([`ScanWhileLoading`]).
    pub scan: Option<Arc<ScanWhileLoading>>,
    /// A key of the events' own object whose value is read from each event's text as it
    /// is read ([`KeyWhileLoading`]).
    pub key: Option<Arc<KeyWhileLoading>>,
    /// Work done on each event of a file read by lines as it is loaded ([`WhileLoading`]).
    pub while_loading: Option<Arc<dyn WhileLoading>>,
}

/// Work done on each event as it is loaded, on the core loading it, while its text is in
/// the processor's cache (`frame::PassWhileLoading`: the fields a run's one broad search
/// reads, which a shared pass read from a second copy of every selected event's text).
/// Given the events of files read by lines ([`read_lines`]); what it makes is in
/// [`Loaded::made_while_loading`].
pub trait WhileLoading: Send + Sync + std::fmt::Debug {
    /// The state of one loading thread, made on it.
    fn thread(&self) -> Box<dyn LoadingThread + '_>;
}

/// One loading thread's share of a [`WhileLoading`].
pub trait LoadingThread {
    /// The events given next are part `part`'s (the parts of one input, numbered from 0).
    fn part(&mut self, part: usize);
    /// The event just loaded, the `k`th of its part (its place in
    /// [`MadeWhileLoading::part_starts`]'s numbering), with its text, its value of
    /// [`LoadOptions::key`], and where its own keys open when the check found them
    /// ([`super::check::object_facts_with_keys`]).
    fn event(&mut self, k: usize, event: &Event, raw: &str, key: KeyRead<'_>, own: Option<&[u32]>);
    /// What the thread made.
    fn done(self: Box<Self>) -> Box<dyn std::any::Any + Send>;
}

/// An event's value of [`LoadOptions::key`], as loading read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRead<'t> {
    /// Not read (no key asked, or left to the passes).
    NotRead,
    Absent,
    /// `code` numbers the values within the event's part (one value, one code).
    Value {
        code: u32,
        text: &'t str,
    },
}

/// What a [`WhileLoading`]'s threads made of one input read by lines.
pub struct MadeWhileLoading {
    /// Each thread's [`LoadingThread::done`].
    pub threads: Vec<Box<dyn std::any::Any + Send>>,
    /// Per part, the place among all the events loaded of the event numbered 0 in it.
    pub part_starts: Vec<usize>,
}

impl std::fmt::Debug for MadeWhileLoading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MadeWhileLoading")
            .field("threads", &self.threads.len())
            .field("part_starts", &self.part_starts)
            .finish()
    }
}

/// A key of each event's own object (the knowledge's decision key, `eventName`, when the
/// run's first searches read it) whose value is read while the event's line is read, just
/// checked and in the processor's cache: the run's first shared pass otherwise read every
/// event's text again for it (a `pread` copy of the whole file and a search of each text,
/// 0.6 s of a broad detection over 1 GB). Read only once [`LoadOptions::scan`], if any,
/// has given up, or while it judges (a part's first [`GIVE_UP_AFTER`] events): while the
/// first searches' literals may narrow the run to a few events, the key would be read for
/// nothing. [`Loaded::key_values`] gives what was read.
pub struct KeyWhileLoading {
    name: String,
    keys: super::top::Keys,
}

impl std::fmt::Debug for KeyWhileLoading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyWhileLoading").field("name", &self.name).finish()
    }
}

impl KeyWhileLoading {
    /// `None` for a name that is not a plain key (a `.`, `{}`, a quote, a backslash or a
    /// control character: a field that is not one member of the object's own).
    pub fn new(name: &str) -> Option<KeyWhileLoading> {
        super::top::plain_key(name)
            .then(|| KeyWhileLoading { name: name.to_string(), keys: super::top::Keys::new(vec![name.to_string()]) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Each event's value of [`LoadOptions::key`], from the first event on: 0 when the event
/// has no such member, [`NOT_READ`] when it was not read (before the scan gave up, or
/// [`super::top::Member::Unsure`]: the passes make it), else 1 + its place in `values`.
#[derive(Debug, Default)]
struct Keyed {
    codes: Vec<u32>,
    values: Vec<String>,
    index: std::collections::HashMap<String, u32, super::hash::FxBuild>,
}

/// A [`Loaded::key_values`] code: the event's value was not read while loading.
pub const NOT_READ: u32 = u32::MAX;

impl Keyed {
    fn code(&mut self, v: &str) -> u32 {
        if let Some(&c) = self.index.get(v) {
            return c;
        }
        self.values.push(v.to_string());
        let c = self.values.len() as u32;
        self.index.insert(v.to_string(), c);
        c
    }

    /// `other`'s codes after these, its values coded in these.
    fn append(&mut self, other: Keyed) {
        let remap: Vec<u32> = other.values.iter().map(|v| self.code(v)).collect();
        let code = |c: u32| if c == 0 || c == NOT_READ { c } else { remap[c as usize - 1] };
        self.codes.extend(other.codes.into_iter().map(code));
    }
}

/// The needles of the first searches a run will make ([`crate::eval::needles`]), looked
/// for in each event's text while a mapped file is read, in the block just copied and
/// checked: the text is then read once, where the scan of loaded events
/// (`frame::prefilter`) copied the whole file again. At most 64 sets (a bit each per
/// event, [`Loaded::scanned`]).
#[derive(Debug)]
pub struct ScanWhileLoading {
    needles: Vec<Needles>,
    sets: NeedleSets,
    /// The share of events a set may be found in: once a part of the input has shown more
    /// in its first [`GIVE_UP_AFTER`] events, the scan stops (a search that could match
    /// that many events is not narrowed by its literals; its fields are made for every
    /// event).
    most_share: f64,
    given_up: std::sync::atomic::AtomicBool,
}

/// How many events of a part [`ScanWhileLoading`] looks at before judging the share.
const GIVE_UP_AFTER: usize = 1024;

impl ScanWhileLoading {
    /// `None` when there is nothing to look for or more than 64 sets.
    pub fn new(needles: Vec<Needles>, most_share: f64) -> Option<ScanWhileLoading> {
        if needles.is_empty() || needles.len() > 64 {
            return None;
        }
        let sets = NeedleSets::new(&needles.iter().collect::<Vec<_>>());
        Some(ScanWhileLoading { needles, sets, most_share, given_up: Default::default() })
    }

    fn given_up(&self) -> bool {
        self.given_up.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Looks at a part's first [`GIVE_UP_AFTER`] masks once they are there.
    fn judge(&self, masks: &[u64], before: usize) {
        if before >= GIVE_UP_AFTER || masks.len() < GIVE_UP_AFTER {
            return;
        }
        let most = (self.most_share * GIVE_UP_AFTER as f64) as usize;
        let many =
            (0..self.sets.len()).any(|k| masks[..GIVE_UP_AFTER].iter().filter(|&&m| m >> k & 1 == 1).count() > most);
        if many {
            self.given_up.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Something in the input that could not be used, and where.
pub type Problem = crate::diagnostic::FileError;

/// The events read, and what was skipped.
#[derive(Debug, Default)]
pub struct Loaded {
    pub events: Vec<Event>,
    pub problems: Vec<Problem>,
    pub files: usize,
    /// How many of the files' events came from load records ([`super::record`]).
    pub recorded: usize,
    /// Each input's digest, in the order read ([`input_digest`]), when inputs are digested
    /// ([`LoadOptions::records`]).
    pub digests: Vec<[u8; 16]>,
    /// Per event, from the first, which sets of [`LoadOptions::scan`] its text could match
    /// (bit `k` for set `k`); shorter than `events` once an event was not looked at.
    masks: Vec<u64>,
    /// Per event, from the first, its value of [`LoadOptions::key`]; shorter than `events`
    /// once an event was made elsewhere (from a load record).
    keyed: Keyed,
    /// What [`LoadOptions::while_loading`] made, per input read by lines.
    pub made_while_loading: Vec<MadeWhileLoading>,
}

impl Loaded {
    /// Per set of needles of [`LoadOptions::scan`], with the events whose text could match
    /// it (bit `i % 64` of word `i / 64`), when every event's text was looked at while
    /// loading.
    pub fn scanned(&self, scan: &ScanWhileLoading) -> Option<Vec<(Needles, Vec<u64>)>> {
        if scan.given_up() || self.masks.len() != self.events.len() {
            return None;
        }
        let bits = |k: usize| {
            let mut words = vec![0u64; self.masks.len().div_ceil(64)];
            for (i, m) in self.masks.iter().enumerate() {
                words[i / 64] |= (m >> k & 1) << (i % 64);
            }
            words
        };
        Some(scan.needles.iter().enumerate().map(|(k, n)| (n.clone(), bits(k))).collect())
    }

    /// The values of [`LoadOptions::key`] read while loading, and per event a code: 0 for
    /// none, [`NOT_READ`], else 1 + the place of its value; `None` when not every event
    /// was read by this loading, or none had its value read.
    pub fn key_values(&mut self) -> Option<(Vec<String>, Vec<u32>)> {
        let keyed = std::mem::take(&mut self.keyed);
        let some = keyed.codes.iter().any(|&c| c != NOT_READ);
        (keyed.codes.len() == self.events.len() && some).then_some((keyed.values, keyed.codes))
    }

    /// A digest of everything read, when every input was digested: the events are the
    /// same whenever it is (with the same spelunk), so it can key what is made from them.
    pub fn digest(&self) -> Option<[u8; 16]> {
        if self.digests.len() != self.files {
            return None;
        }
        let mut h = crate::digest::Hasher128::new();
        h.u64(self.digests.len() as u64);
        self.digests.iter().for_each(|d| h.bytes(d));
        Some(h.finish())
    }
}

/// The digest of one input: its bytes' digest, its name and the metadata its events get
/// (what its events depend on).
pub fn input_digest(file: &str, meta: &Meta, bytes_digest: &[u8; 16]) -> [u8; 16] {
    let mut h = crate::digest::Hasher128::new();
    for s in [file, &meta.sourcetype, &meta.source, &meta.host, &meta.index] {
        h.u64(s.len() as u64);
        h.bytes(s.as_bytes());
    }
    h.bytes(bytes_digest);
    h.finish()
}

/// File names read from a directory (explicitly named files are read whatever their name).
const DATA_EXTENSIONS: &[&str] = &["json", "ndjson", "jsonl", "log", "gz", "csv", "txt"];

/// Loads every path: `-` is standard input, a directory is read recursively (files with a
/// data extension, in name order). With `strict`, the first problem is returned as the error.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Result<Loaded, Problem> {
    let mut out = Loaded::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| io_problem("<stdin>", e))?;
            load_owned("<stdin>", bytes, opts, &mut out)?;
            continue;
        }
        for file in files_under(p)? {
            let name = file.display().to_string();
            match map_file(&file) {
                Some((map, f)) => load_mapped(&name, map, f, opts, &mut out)?,
                None => {
                    let bytes = std::fs::read(&file).map_err(|e| io_problem(&name, e))?;
                    load_owned(&name, bytes, opts, &mut out)?;
                }
            }
        }
    }
    Ok(out)
}

fn io_problem(file: &str, e: std::io::Error) -> Problem {
    Problem { file: file.to_string(), line: None, message: format!("cannot read: {e}") }
}

fn files_under(p: &Path) -> Result<Vec<PathBuf>, Problem> {
    let meta = std::fs::metadata(p).map_err(|e| io_problem(&p.display().to_string(), e))?;
    if !meta.is_dir() {
        return Ok(vec![p.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| io_problem(&d.display().to_string(), e))?;
        for entry in entries {
            let path = entry.map_err(|e| io_problem(&d.display().to_string(), e))?.path();
            let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| DATA_EXTENSIONS.contains(&e)) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads one file's bytes into `out`.
pub fn load_bytes(file: &str, bytes: &[u8], opts: &LoadOptions, out: &mut Loaded) -> Result<(), Problem> {
    load_owned(file, bytes.to_vec(), opts, out)
}

/// Files at least this big are mapped into memory rather than read: reading 1 GB made the
/// kernel zero and fill 1 GB of fresh pages, a third of a warm run over it (bench/README.md).
const MAP_BYTES: u64 = 1 << 20;

/// `file` mapped into memory, when it is a regular file big enough to be worth it and the
/// system maps it (else it is read).
fn map_file(file: &Path) -> Option<(memmap2::Mmap, std::fs::File)> {
    let f = std::fs::File::open(file).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() < MAP_BYTES {
        return None;
    }
    // SAFETY: the map is only read; the file must not be rewritten during the run
    // (see `Text::mapped`).
    let map = unsafe { memmap2::Mmap::map(&f) }.ok()?;
    Some((map, f))
}

/// Reads one mapped file into `out`: its events' `_raw` are ranges of the map. With load
/// records on, the file is digested first and a big file's record, when there is one,
/// gives its events without checking any line; else one is written after reading it.
fn load_mapped(
    file: &str,
    map: memmap2::Mmap,
    handle: std::fs::File,
    opts: &LoadOptions,
    out: &mut Loaded,
) -> Result<(), Problem> {
    if is_gzip(&map) {
        return load_owned(file, map.to_vec(), opts, out);
    }
    out.files += 1;
    let meta = Arc::new(meta_for(file, opts));
    let text = Arc::new(Text::mapped(map, handle));
    let record = match &opts.records {
        None => None,
        Some(dir) => {
            let digest = input_digest(file, &meta, &text.digest());
            out.digests.push(digest);
            (text.len() >= super::record::MIN_BYTES).then(|| (dir.as_path(), super::record::key(&digest)))
        }
    };
    if let Some(r) = record.as_ref().and_then(|(dir, key)| super::record::read(dir, key, &text, &meta)) {
        let mut problems =
            r.problems.into_iter().map(|(line, message)| Problem { file: file.to_string(), line, message });
        if opts.strict {
            if let Some(first) = problems.next() {
                return Err(first);
            }
        }
        out.recorded += 1;
        if out.events.is_empty() {
            out.events = r.events;
        } else {
            out.events.extend(r.events);
        }
        out.problems.extend(problems);
        return Ok(());
    }
    let (first_event, first_problem) = (out.events.len(), out.problems.len());
    let mut sink = Sink { file, opts, out, meta, shared: Some(Arc::clone(&text)), copy: None, thread: None };
    // Each line is checked to be UTF-8 as it is read, on all cores; one that is not is
    // reported and skipped.
    read_text(&mut sink, text.as_bytes())?;
    if let Some((dir, key)) = record {
        let problems: Vec<(Option<usize>, &str)> =
            out.problems[first_problem..].iter().map(|p| (p.line, p.message.as_str())).collect();
        // A record not written costs the next run time, not results.
        let _ = super::record::write(dir, &key, &text, &out.events[first_event..], &problems);
    }
    Ok(())
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Reads one file's bytes into `out`, keeping them: when the (decompressed) text is UTF-8,
/// every event's `_raw` is a range of it rather than a copy.
pub fn load_owned(file: &str, bytes: Vec<u8>, opts: &LoadOptions, out: &mut Loaded) -> Result<(), Problem> {
    out.files += 1;
    let meta = meta_for(file, opts);
    if opts.records.is_some() {
        out.digests.push(input_digest(file, &meta, &crate::digest::checksum(&bytes)));
    }
    let mut sink = Sink { file, opts, out, meta: Arc::new(meta), shared: None, copy: None, thread: None };
    let bytes = if is_gzip(&bytes) {
        let mut plain = Vec::new();
        if let Err(e) = flate2::read::MultiGzDecoder::new(bytes.as_slice()).read_to_end(&mut plain) {
            return sink.problem(None, format!("not a valid gzip file: {e}"));
        }
        plain
    } else {
        bytes
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = Arc::new(Text::from(text));
            sink.shared = Some(Arc::clone(&text));
            read_text(&mut sink, text.as_bytes())
        }
        // Lines that are not UTF-8 are reported one by one; the others are copied.
        Err(e) => read_text(&mut sink, e.as_bytes()),
    }
}

fn meta_for(file: &str, opts: &LoadOptions) -> Meta {
    let d = Meta::default();
    Meta {
        sourcetype: opts.sourcetype.clone().unwrap_or(d.sourcetype),
        source: opts.source.clone().unwrap_or_else(|| file.to_string()),
        host: opts.host.clone().unwrap_or(d.host),
        index: opts.index.clone().unwrap_or(d.index),
    }
}

struct Sink<'a, 't> {
    file: &'a str,
    opts: &'a LoadOptions,
    out: &'a mut Loaded,
    meta: Arc<Meta>,
    /// The file's text, when events can be ranges of it.
    shared: Option<Arc<Text>>,
    /// The bytes being read, when they are a copy of a part of `shared` (read into a
    /// buffer rather than through the map, [`read_copied`]).
    copy: Option<Copied>,
    /// The loading thread's share of [`LoadOptions::while_loading`], given each event.
    thread: Option<&'a mut (dyn LoadingThread + 't)>,
}

/// Where a buffer's bytes are in memory, and where they were copied from in the text.
#[derive(Clone, Copy)]
struct Copied {
    addr: usize,
    len: usize,
    offset: usize,
}

impl Sink<'_, '_> {
    /// Records a problem; fatal with `strict`.
    fn problem(&mut self, line: Option<usize>, message: String) -> Result<(), Problem> {
        let p = Problem { file: self.file.to_string(), line, message };
        if self.opts.strict {
            return Err(p);
        }
        self.out.problems.push(p);
        Ok(())
    }

    /// `text` as a range of the file's text: in the copy being read, or in the text itself;
    /// else a copy of its own.
    fn raw_of(&self, text: &str) -> Raw {
        if let (Some(c), Some(shared)) = (self.copy, &self.shared) {
            let at = text.as_ptr() as usize;
            if at >= c.addr && at + text.len() <= c.addr + c.len {
                return Raw::copied(shared, c.offset + (at - c.addr), text);
            }
        }
        Raw::within(self.shared.as_ref(), text)
    }

    /// Adds one event, checking it is JSON with a usable timestamp (unless `checked`: the
    /// structural check found it JSON already, and says where the load's key is among its
    /// own keys; and, when asked, where those open: `own`).
    fn event(&mut self, raw: &str, line: usize, checked: Option<OwnKey>, own: Option<&[u32]>) -> Result<(), Problem> {
        // Checked without building the document (extraction parses it when a search runs),
        // with the nesting limit extraction's parser has: first by its structure, which
        // decides compact text ([`super::check`]); what that check is not sure of, by the
        // walk; what the walk refuses, serde_json decides (and words the error).
        // Both quick checks refuse nesting deeper than that limit, so only what they
        // refuse is looked at for it.
        if checked.is_none() && !super::check::is_object(raw.as_bytes()) && !super::flat::is_json(raw) {
            if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(raw) {
                return self.problem(Some(line), format!("not JSON: {e}"));
            }
            if let Some(column) = too_deep(raw) {
                return self
                    .problem(Some(line), format!("not JSON: recursion limit exceeded at line 1 column {column}"));
            }
        }
        // The time is read from `raw` (when a copy, the file's map is not touched).
        let event = Event { time: super::time::event_time(raw), raw: self.raw_of(raw), meta: Arc::clone(&self.meta) };
        if event.time.is_none() && self.meta.sourcetype == "aws:cloudtrail" {
            let why = if raw.contains("\"eventTime\"") { "eventTime is not a timestamp" } else { "no eventTime" };
            return self.problem(Some(line), format!("{why}; the event has no _time and is skipped"));
        }
        let key = self.key_of(raw, checked.unwrap_or(OwnKey::NotAsked));
        self.out.events.push(event);
        if let Some(thread) = self.thread.as_deref_mut() {
            let k = self.out.events.len() - 1;
            thread.event(k, &self.out.events[k], raw, key, own);
        }
        Ok(())
    }

    /// [`LoadOptions::key`]'s value in the text of the event about to be added (checked
    /// JSON), while every event before has one: where the check found the key, else a
    /// search of the text. Gives what it read.
    fn key_of<'r>(&mut self, raw: &'r str, own: OwnKey) -> KeyRead<'r> {
        let Some(key) = self.opts.key.as_deref() else { return KeyRead::NotRead };
        let keyed = &mut self.out.keyed;
        if keyed.codes.len() != self.out.events.len() {
            return KeyRead::NotRead;
        }
        // Read while the literal scan, if any, is judging (the first events each sink reads:
        // a search whose literals are common needs every event's key, and an event left
        // unread sent the first shared pass over every event for the few thousand read so);
        // after that, only once it has given up.
        let judging = self.out.events.len() < GIVE_UP_AFTER;
        if !judging && !self.opts.scan.as_deref().is_none_or(ScanWhileLoading::given_up) {
            keyed.codes.push(NOT_READ);
            return KeyRead::NotRead;
        }
        let member = match own {
            OwnKey::NotAsked => key.keys.first_member(raw),
            OwnKey::Absent => super::top::Member::Absent,
            OwnKey::After(after) => super::top::value_after_key(raw, after),
            OwnKey::Twice => super::top::Member::Unsure,
        };
        let (code, read) = match member {
            super::top::Member::Absent => (0, KeyRead::Absent),
            super::top::Member::Str(v) => {
                let code = keyed.code(v);
                (code, KeyRead::Value { code, text: v })
            }
            super::top::Member::Unsure => (NOT_READ, KeyRead::NotRead),
        };
        keyed.codes.push(code);
        read
    }
}

/// Where (1-based column) `raw` opens more than [`crate::events::json::MAX_DEPTH`] nested
/// arrays or objects, if it does (strings are skipped).
fn too_deep(raw: &str) -> Option<usize> {
    // Nesting is at most the number of openers: a line with few of them is cleared by a
    // count instead of the scan below. Counted in bytes a block of 255 at a time, which the
    // compiler turns into 32 comparisons per instruction (a count in `usize` gets 4: the
    // count took as long as checking the JSON).
    let openers: usize = raw
        .as_bytes()
        .chunks(255)
        .map(|block| block.iter().fold(0u8, |n, &b| n + u8::from(b == b'{' || b == b'[')) as usize)
        .sum();
    if openers <= super::json::MAX_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    for (k, opens) in super::flat::brackets(raw.as_bytes(), 0, false) {
        if !opens {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > super::json::MAX_DEPTH {
                return Some(k + 1);
            }
        }
    }
    None
}

/// How a Git LFS pointer file begins (the data itself was never fetched).
pub const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

fn read_text(sink: &mut Sink<'_, '_>, bytes: &[u8]) -> Result<(), Problem> {
    if bytes.starts_with(LFS_POINTER) {
        return sink.problem(
            None,
            "this is a Git LFS pointer, not the data: run `git lfs pull` in its repository to fetch the file".into(),
        );
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return sink.problem(None, "empty file: no events".into());
    };
    if is_csv_export(bytes) {
        return read_csv_export(sink, bytes);
    }
    match bytes[start] {
        b'[' => read_whole_json(sink, bytes),
        b'{' => {
            // One object per line, or one document spread over lines (pretty-printed, or
            // CloudTrail's {"Records": [...]}): a first line that ends its object says lines.
            let first_line = bytes[start..].split(|b| *b == b'\n').next().unwrap_or(&[]);
            let first_line = first_line.trim_ascii_end();
            if first_line.ends_with(b"}") {
                read_lines(sink, bytes)
            } else {
                read_whole_json(sink, bytes)
            }
        }
        _ => read_lines(sink, bytes),
    }
}

#[derive(Deserialize)]
struct RecordsFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Option<Vec<&'a RawValue>>,
}

/// Reading lets go of a mapped file's pages every this many events.
const RELEASE_EVERY: usize = 4096;

/// Inputs at least this big are read on all cores.
const PARALLEL_BYTES: usize = 4 << 20;

/// NDJSON (and Splunk's JSON export lines `{"result": {"_raw": ...}}`). A big input is cut
/// at line ends into parts ([`part_ends`]) that the cores read, each taking the next part
/// not yet taken; each part's events and problems are gathered in input order, so the
/// result is the one reading it in one go gives.
fn read_lines(sink: &mut Sink<'_, '_>, bytes: &[u8]) -> Result<(), Problem> {
    let threads = crate::work::cores();
    let opts = sink.opts;
    if threads == 1 || bytes.len() < PARALLEL_BYTES {
        // One part, its events numbered as all the events loaded are.
        let mut thread = opts.while_loading.as_deref().map(|w| w.thread());
        if let Some(t) = thread.as_deref_mut() {
            t.part(0);
        }
        let mut one = Sink {
            file: sink.file,
            opts,
            out: &mut *sink.out,
            meta: Arc::clone(&sink.meta),
            shared: sink.shared.clone(),
            copy: None,
            thread: thread.as_deref_mut(),
        };
        read_part(&mut one, bytes, 0..bytes.len())?;
        if let Some(t) = thread {
            sink.out.made_while_loading.push(MadeWhileLoading { threads: vec![t.done()], part_starts: vec![0] });
        }
        return Ok(());
    }
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for mut end in part_ends(bytes.len(), threads) {
        end = end.max(start);
        while end < bytes.len() && bytes[end - 1] != b'\n' {
            end += 1;
        }
        parts.push(start..end);
        start = end;
    }
    let (file, meta, shared, total) = (sink.file, &sink.meta, &sink.shared, bytes.len());
    // Each part numbers its lines from 1 and counts them (counting them beforehand would
    // read the whole input once more); its problems' lines are moved by the parts before.
    // Each thread has its share of the work done while loading, given the parts it takes.
    type Read = (usize, Loaded, Result<usize, Problem>);
    type Done = Option<Box<dyn std::any::Any + Send>>;
    let by_thread: Vec<(Vec<Read>, Done)> = crate::work::take_in_turn(threads, parts.len(), |taken| {
        let mut thread = opts.while_loading.as_deref().map(|w| w.thread());
        let mut read = Vec::new();
        for k in taken {
            let part = &parts[k];
            let mut out = Loaded::default();
            // Room for the part's events at once (lines are rarely under 512 bytes; room
            // not used is never touched). The first part's events become the input's, so
            // it has room for every part's.
            let room = if k == 0 { total } else { part.len() } / 512;
            out.events.reserve(room);
            if opts.scan.is_some() {
                out.masks.reserve(room);
            }
            if opts.key.is_some() {
                out.keyed.codes.reserve(room);
            }
            if let Some(t) = thread.as_deref_mut() {
                t.part(k);
            }
            let mut local = Sink {
                file,
                opts,
                out: &mut out,
                meta: Arc::clone(meta),
                shared: shared.clone(),
                copy: None,
                thread: thread.as_deref_mut(),
            };
            let r = read_part(&mut local, bytes, part.clone());
            read.push((k, out, r));
        }
        (read, thread.map(|t| t.done()))
    });
    let mut made = MadeWhileLoading { threads: Vec::new(), part_starts: Vec::with_capacity(parts.len()) };
    let mut results: Vec<Read> = Vec::with_capacity(parts.len());
    for (read, done) in by_thread {
        results.extend(read);
        made.threads.extend(done);
    }
    results.sort_unstable_by_key(|(k, _, _)| *k);
    let mut start = sink.out.events.len();
    let mut before = 0;
    let moved = |mut p: Problem, before: usize| {
        p.line = p.line.map(|l| l + before);
        p
    };
    let mut events = Vec::with_capacity(results.len());
    // Each part's masks and keys follow the input's while every event before has one.
    let mut masked = sink.out.masks.len() == sink.out.events.len();
    let mut keyed = sink.out.keyed.codes.len() == sink.out.events.len();
    for (_, mut part, r) in results {
        made.part_starts.push(start);
        start += part.events.len();
        keyed &= part.keyed.codes.len() == part.events.len();
        if keyed {
            sink.out.keyed.append(std::mem::take(&mut part.keyed));
        }
        masked &= part.masks.len() == part.events.len();
        if masked && sink.out.masks.is_empty() {
            // The first part's masks, with room for every part's, are kept where they are.
            sink.out.masks = std::mem::take(&mut part.masks);
        } else if masked {
            sink.out.masks.append(&mut part.masks);
        }
        events.push(std::mem::take(&mut part.events));
        sink.out.problems.extend(part.problems.into_iter().map(|p| moved(p, before)));
        match r {
            Ok(ends) => before += ends,
            Err(p) => return Err(moved(p, before)),
        }
    }
    let mut events = events.into_iter();
    // The first part's events are kept where they are (it has room for every part's).
    if let Some(first) = events.next() {
        if sink.out.events.is_empty() {
            sink.out.events = first;
        } else {
            append_on_all_cores(&mut sink.out.events, vec![first]);
        }
    }
    append_on_all_cores(&mut sink.out.events, events.collect());
    if opts.while_loading.is_some() {
        sink.out.made_while_loading.push(made);
    }
    Ok(())
}

/// Into how many parts beyond the first [`read_lines`] cuts the rest of an input, per core,
/// at least; and about how many bytes each of those parts holds, at most.
const PIECES: usize = 8;
const PIECE_BYTES: usize = 16 << 20;

/// Where [`read_lines`]'s parts of `len` bytes end, before moving each to a line end: the
/// first `1/(2 * threads)` of the input, then the rest in parts of at most about
/// [`PIECE_BYTES`] ([`PIECES`] per other core at least), about equal. The first part's
/// events stay where they are read and the others' are moved after them; the small ones
/// let a core that is ahead (two cores of a virtual machine are often not equally fast, or
/// one part's pages come slower from the page cache) take more of the rest. With the first
/// part a core's whole share and eight parts of 64 MB for the other core, one core read
/// alone for the last 0.1 s of 1 GB when the first was the slower; a core now waits at most
/// for the part the other is reading, and the events of half the input more are moved
/// (about 17 MB a gigabyte, on all cores).
fn part_ends(len: usize, threads: usize) -> Vec<usize> {
    let first = len / (2 * threads);
    let pieces = (PIECES * (threads - 1)).max((len - first).div_ceil(PIECE_BYTES));
    let mut ends = vec![first];
    ends.extend((1..=pieces).map(|k| first + ((len - first) as u128 * k as u128 / pieces as u128) as usize));
    ends
}

/// Moves the events of `parts`, in order, onto the end of `events`, each core moving a
/// share: a million events moved cost the pages they move to, which the kernel zeroes one
/// by one before they are written (one core moving them all was a tenth of loading).
fn append_on_all_cores(events: &mut Vec<Event>, mut parts: Vec<Vec<Event>>) {
    let count: usize = parts.iter().map(Vec::len).sum();
    events.reserve(count);
    // Each part's events, and where in `events` they go, cut into one share per core.
    let cores = std::thread::available_parallelism().map_or(1, |p| p.get());
    let share = count.div_ceil(cores).max(4096);
    let mut room = &mut events.spare_capacity_mut()[..count];
    let mut moves: Vec<(&[Event], &mut [std::mem::MaybeUninit<Event>])> = Vec::new();
    for part in &parts {
        let (to, rest) = room.split_at_mut(part.len());
        room = rest;
        moves.extend(part.chunks(share).zip(to.chunks_mut(share)));
    }
    std::thread::scope(|s| {
        let per = moves.len().div_ceil(cores).max(1);
        let mut moves = moves.into_iter();
        loop {
            let batch: Vec<_> = moves.by_ref().take(per).collect();
            if batch.is_empty() {
                break;
            }
            s.spawn(move || {
                for (from, to) in batch {
                    for (e, slot) in from.iter().zip(to) {
                        // SAFETY: each event of `parts` is read exactly once, here, and
                        // `parts` then forgets them (below) instead of dropping them.
                        slot.write(unsafe { std::ptr::read(e) });
                    }
                }
            });
        }
    });
    // SAFETY: the `count` slots after the events were each written once, above; the parts'
    // events were moved out, so the parts are emptied without dropping them.
    unsafe {
        let len = events.len();
        events.set_len(len + count);
        parts.iter_mut().for_each(|p| p.set_len(0));
    }
}

/// Bytes a part of a mapped file is read in at a time ([`read_copied`]): the buffer is
/// reused, so it stays in the processor's cache.
const COPY_BYTES: usize = 1 << 20;

/// The lines of `part` of `bytes` (numbered from 1); gives how many line ends it read. A
/// mapped file's part is copied into a buffer a block at a time and read from there
/// ([`Text::copy_into`]); other text is read where it is.
fn read_part(sink: &mut Sink<'_, '_>, bytes: &[u8], part: Range<usize>) -> Result<usize, Problem> {
    match sink.shared.clone() {
        Some(text) if text.is_mapped() && std::ptr::eq(text.as_bytes(), bytes) => {
            read_copied(sink, &text, part, COPY_BYTES)
        }
        _ => read_lines_from(sink, &bytes[part], 0),
    }
}

/// [`read_part`] of a mapped file: blocks of whole lines are copied into a buffer (one that
/// does not hold a whole line grows) and their lines read from it; each event is the range
/// of the file its line was copied from.
fn read_copied(sink: &mut Sink<'_, '_>, text: &Arc<Text>, part: Range<usize>, block: usize) -> Result<usize, Problem> {
    let mut buf = vec![0u8; block.min(part.len()).max(1)];
    let mut lowered = Vec::new();
    // `buf[..filled]` holds the text from `at`; `lines` line ends are before `at`.
    let (mut at, mut filled, mut lines) = (part.start, 0, 0);
    loop {
        if filled == buf.len() {
            buf.resize(2 * buf.len(), 0);
        }
        let n = (part.end - at - filled).min(buf.len() - filled);
        text.copy_into(at + filled, &mut buf[filled..filled + n]).map_err(|e| io_problem(sink.file, e))?;
        filled += n;
        let done = at + filled == part.end;
        let cut = match memchr::memrchr(b'\n', &buf[..filled]) {
            _ if done => filled,
            Some(k) => k + 1,
            None => continue,
        };
        sink.copy = Some(Copied { addr: buf.as_ptr() as usize, len: cut, offset: at });
        let before = sink.out.events.len();
        let read = read_lines_from(sink, &buf[..cut], lines);
        sink.copy = None;
        let ends = read?;
        scan_block(sink, before, text, &mut buf[..cut], at, &mut lowered);
        if done {
            return Ok(lines + ends);
        }
        lines += ends;
        buf.copy_within(cut..filled, 0);
        filled -= cut;
        at += cut;
    }
}

/// Looks for [`LoadOptions::scan`]'s needles in the events read from `copy` (a copy of
/// `text` from byte `offset`, lowered here in place when the needles need it), from the
/// `from`th event of the sink on, unless an event before them was not looked at.
fn scan_block(
    sink: &mut Sink<'_, '_>,
    from: usize,
    text: &Arc<Text>,
    copy: &mut [u8],
    offset: usize,
    lowered: &mut Vec<u8>,
) {
    let Some(scan) = sink.opts.scan.as_deref() else { return };
    let Loaded { events, masks, .. } = &mut *sink.out;
    if scan.given_up() || masks.len() != from {
        return;
    }
    let mut search = scan.sets.search();
    // A few literals are looked for in the text as it is, without case: nothing lowered.
    let lower = !scan.sets.reads_text_as_is();
    super::each_lowered_in(events[from..].iter(), text, copy, offset, lowered, lower, |_, t, ascii| {
        let mut mask = 0u64;
        search.matching(t, ascii, |k| mask |= 1 << k);
        masks.push(mask);
    });
    scan.judge(masks, from);
}

/// The lines of `bytes`, numbered from `before + 1`; gives how many line ends it read.
fn read_lines_from(sink: &mut Sink<'_, '_>, bytes: &[u8], before: usize) -> Result<usize, Problem> {
    let mut own_keys: Vec<u32> = Vec::new();
    let mut released = sink.out.events.len();
    let mut ends = 0;
    let mut start = 0;
    let line_ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (k, end) in line_ends.enumerate() {
        ends = k;
        let line = &bytes[start..end];
        start = end + 1;
        // The text read so far stays in the file, not in memory (a mapped file's pages; a
        // copy of them was never mapped).
        if sink.out.events.len() - released >= RELEASE_EVERY && sink.copy.is_none() {
            super::release_span(sink.out.events[released..].iter());
            released = sink.out.events.len();
        }
        let lineno = before + k + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Most lines are checked once, here, by their structure ([`super::check`]): a
        // compact JSON object all in ASCII needs no UTF-8 check, and only one with a key
        // `result` may be a Splunk export's line.
        // The load's key, which the check finds among the line's own keys.
        let quoted = sink.opts.key.as_deref().and_then(|k| k.keys.first_quoted());
        // Where its own keys are, for the work done while loading.
        let own = sink.thread.is_some().then_some(&mut own_keys);
        let facts = super::check::object_facts_with_keys(line, quoted, own);
        let text = match facts {
            // SAFETY: every byte of the line is ASCII, so it is UTF-8.
            Some(f) if f.ascii => unsafe { std::str::from_utf8_unchecked(line) },
            _ => match std::str::from_utf8(line) {
                Ok(t) => t,
                Err(_) => {
                    sink.problem(Some(lineno), "not UTF-8 text".into())?;
                    continue;
                }
            },
        };
        let export = || facts.is_none_or(|f| f.result_key).then(|| export_result_raw(text)).flatten();
        if text.trim_start().starts_with("{\"Records\"") {
            // A CloudTrail log file written on one line.
            read_whole_json(sink, line)?;
        } else if let Some(raw) = export() {
            sink.event(&raw, lineno, None, None)?;
        } else {
            let own = facts.is_some().then_some(own_keys.as_slice());
            sink.event(text, lineno, facts.map(|f| f.key), own)?;
        }
    }
    Ok(ends)
}

/// `_raw` of a Splunk JSON export line (`{"preview":false,"result":{"_raw":"..."}}`).
fn export_result_raw(line: &str) -> Option<String> {
    // Asked of every line: a searcher made once (`str::contains` makes one per call).
    static RESULT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"result\""));
    RESULT.find(line.as_bytes())?;
    #[derive(Deserialize)]
    struct Line {
        result: Option<Result_>,
    }
    #[derive(Deserialize)]
    struct Result_ {
        #[serde(rename = "_raw")]
        raw: Option<String>,
    }
    serde_json::from_str::<Line>(line).ok()?.result?.raw
}

/// A whole JSON document: `{"Records": [...]}`, an array of events, or one event.
fn read_whole_json(sink: &mut Sink<'_, '_>, bytes: &[u8]) -> Result<(), Problem> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        let bad = std::str::from_utf8(bytes).unwrap_err().valid_up_to();
        return sink.problem(Some(line_of(bytes, bad)), "not UTF-8 text".into());
    };
    let value: &RawValue = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return sink.problem(Some(e.line()), format!("not JSON: {e}")),
    };
    let inner = value.get();
    let records: Vec<&RawValue> = if inner.trim_start().starts_with('[') {
        match serde_json::from_str(inner) {
            Ok(v) => v,
            Err(e) => return sink.problem(Some(e.line()), format!("not a JSON array: {e}")),
        }
    } else {
        match serde_json::from_str::<RecordsFile>(inner) {
            Ok(RecordsFile { records: Some(r) }) => r,
            _ => vec![value],
        }
    };
    for r in records {
        let offset = r.get().as_ptr() as usize - text.as_ptr() as usize;
        sink.event(r.get(), line_of(bytes, offset), None, None)?;
    }
    Ok(())
}

fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// A CSV whose header has a `_raw` column.
fn is_csv_export(bytes: &[u8]) -> bool {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let header = String::from_utf8_lossy(header);
    !header.trim_start().starts_with(['{', '[']) && header.split(',').any(|c| c.trim().trim_matches('"') == "_raw")
}

/// A Splunk CSV export: `_raw` is the event; `host`, `source`, `index` columns, when
/// present, are its metadata (options given on the command line win).
fn read_csv_export(sink: &mut Sink<'_, '_>, bytes: &[u8]) -> Result<(), Problem> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return sink.problem(Some(1), format!("not a CSV export: {e}")),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let raw_col = col("_raw").expect("checked by is_csv_export");
    let (host, source, index) = (col("host"), col("source"), col("index"));
    let base = sink.meta.clone();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                sink.problem(line, format!("bad CSV row: {e}"))?;
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).filter(|v| !v.is_empty()).map(str::to_string);
        let meta = Meta {
            host: sink.opts.host.clone().or(cell(host)).unwrap_or_else(|| base.host.clone()),
            source: sink.opts.source.clone().or(cell(source)).unwrap_or_else(|| base.source.clone()),
            index: sink.opts.index.clone().or(cell(index)).unwrap_or_else(|| base.index.clone()),
            sourcetype: base.sourcetype.clone(),
        };
        if *sink.meta != meta {
            sink.meta = Arc::new(meta);
        }
        let raw = record.get(raw_col).unwrap_or("").to_string();
        sink.event(&raw, line, None, None)?;
    }
    sink.meta = base;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NDJSON of at least `size` bytes, with a bad line and a blank line now and then.
    fn ndjson(size: usize) -> String {
        let mut text = String::new();
        let mut k = 0;
        while text.len() < size {
            k += 1;
            match k % 997 {
                0 => text.push_str("not json\n"),
                1 => text.push('\n'),
                _ => text.push_str(&format!(
                    "{{\"eventTime\":\"2025-01-01T00:00:{:02}Z\",\"eventName\":\"E{k}\",\"pad\":\"{}\"}}\n",
                    k % 60,
                    "x".repeat(k % 300)
                )),
            }
        }
        text
    }

    #[test]
    fn parts_appended_on_all_cores_keep_their_order_and_every_event() {
        let meta = Arc::new(Meta::default());
        let event = |k: usize| Event::new(format!("{{\"k\":{k}}}"), Arc::clone(&meta));
        let sizes = [0, 1, 4095, 4096, 4097, 9000, 0, 20_000, 3];
        let mut next = 0;
        let mut part = |n: usize| {
            next += n;
            (next - n..next).map(event).collect::<Vec<_>>()
        };
        let mut events = part(7);
        let parts: Vec<Vec<Event>> = sizes.iter().map(|&n| part(n)).collect();
        append_on_all_cores(&mut events, parts);
        assert_eq!(events.len(), next);
        for (k, e) in events.iter().enumerate() {
            assert_eq!(e.raw.as_str(), format!("{{\"k\":{k}}}"));
        }
        // Each event's metadata is held once by it (none was dropped or copied twice).
        assert_eq!(Arc::strong_count(&meta), next + 1);
        drop(events);
        assert_eq!(Arc::strong_count(&meta), 1);
    }

    #[test]
    fn parts_are_half_a_core_s_share_then_small_pieces_to_the_end() {
        for (len, threads) in [(1 << 30, 2), (4 << 20, 2), ((1 << 30) + 7, 3), (10 << 30, 16)] {
            let ends = part_ends(len, threads);
            assert!(ends.len() > PIECES * (threads - 1));
            assert_eq!(ends[0], len / (2 * threads));
            // The pieces after the first are no bigger than PIECE_BYTES (but for the
            // rounding up of a byte), PIECES per other core when that keeps them smaller.
            let pieces = ends.len() - 1;
            assert!(
                (len - ends[0]).div_ceil(pieces) <= PIECE_BYTES || pieces == PIECES * (threads - 1),
                "{len} {threads}"
            );
            assert!(
                pieces == PIECES * (threads - 1) || (len - ends[0]) / (pieces - 1) > PIECE_BYTES,
                "{len} {threads}"
            );
            assert_eq!(*ends.last().unwrap(), len);
            assert!(ends.windows(2).all(|w| w[0] < w[1]), "{ends:?}");
            // The pieces are about equal.
            let sizes: Vec<usize> = ends.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{sizes:?}");
        }
    }

    #[test]
    fn a_big_input_read_on_all_cores_gives_what_one_pass_gives() {
        let text = ndjson(2 * PARALLEL_BYTES);
        let opts = LoadOptions::default();
        let mut parallel = Loaded::default();
        load_bytes("f", text.as_bytes(), &opts, &mut parallel).unwrap();

        let mut one = Loaded::default();
        let meta = Arc::new(meta_for("f", &opts));
        let mut sink = Sink { file: "f", opts: &opts, out: &mut one, meta, shared: None, copy: None, thread: None };
        read_lines_from(&mut sink, text.as_bytes(), 0).unwrap();

        assert!(parallel.events.len() > 10_000);
        assert_eq!(parallel.events, one.events);
        assert_eq!(parallel.problems, one.problems);
        assert!(!one.problems.is_empty());

        let strict = LoadOptions { strict: true, ..LoadOptions::default() };
        let first = load_bytes("f", text.as_bytes(), &strict, &mut Loaded::default()).unwrap_err();
        assert_eq!(Some(&first), one.problems.first());
    }

    /// NDJSON over [`PARALLEL_BYTES`] (so read in parts on all cores when mapped) with
    /// lines a scan of the text must keep whatever they hold: some with a non-ASCII `É`,
    /// some with a `\u` escape; and Splunk export lines, whose event is the `_raw` inside.
    fn varied_ndjson() -> String {
        let mut out = String::new();
        for (k, line) in ndjson(2 * PARALLEL_BYTES).lines().enumerate() {
            let line = match k {
                _ if k % 501 == 0 => line.replace("\"pad\":\"", "\"pad\":\"\\u0045"),
                _ if k % 503 == 0 => line.replace('x', "É"),
                _ => line.to_string(),
            };
            out.push_str(&line);
            out.push('\n');
            if k % 700 == 0 {
                let raw =
                    format!("{{\\\"eventTime\\\":\\\"2025-01-01T00:00:01Z\\\",\\\"eventName\\\":\\\"E7x{k}\\\"}}");
                out.push_str(&format!("{{\"preview\":false,\"result\":{{\"_raw\":\"{raw}\"}}}}\n"));
            }
        }
        out
    }

    /// Needles looked for while a mapped file is read give, for every event, what a scan of
    /// its own text gives ([`crate::eval::needles::TextFilter`]): in parts on all cores,
    /// in blocks, for export lines and for texts a scan must keep.
    #[test]
    fn needles_looked_for_while_loading_are_found_as_each_text_shows_them() {
        use crate::eval::needles::{Needles, TextFilter};
        let dir = std::env::temp_dir().join(format!("spelunk-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (big, small) = (dir.join("big.ndjson"), dir.join("small.ndjson"));
        std::fs::write(&big, varied_ndjson()).unwrap();
        std::fs::write(&small, ndjson(1000)).unwrap();
        let sets = |groups: &[&[&str]]| Needles {
            groups: groups.iter().map(|g| g.iter().map(|l| l.to_string()).collect()).collect(),
        };
        let needles =
            vec![sets(&[&["e12"]]), sets(&[&["e7", "e9"], &["xxxxxxxxxxxxxxxxxxxx"]]), sets(&[&["no such text"]])];
        let scanning = |needles: Vec<Needles>, most_share: f64| LoadOptions {
            scan: Some(Arc::new(ScanWhileLoading::new(needles, most_share).unwrap())),
            ..LoadOptions::default()
        };
        let opts = scanning(needles.clone(), 1.0);
        let loaded = load(std::slice::from_ref(&big), &opts).unwrap();
        assert!(loaded.events[10].raw.text().is_mapped());
        let found = loaded.scanned(opts.scan.as_deref().unwrap()).expect("every event looked at");
        assert_eq!(found.len(), needles.len());
        for ((n, bits), want) in found.iter().zip(&needles) {
            assert_eq!(n, want);
            assert_eq!(bits.len(), loaded.events.len().div_ceil(64));
            let filter = TextFilter::new(n);
            for (i, e) in loaded.events.iter().enumerate() {
                assert_eq!(bits[i / 64] >> (i % 64) & 1 == 1, filter.may_match(&e.raw), "{n:?} event {i}: {}", &*e.raw);
            }
        }
        // Each kind of event is there: kept whatever it holds, exports, plain hits and misses.
        let hits = |k: usize| found[k].1.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        assert!(loaded.events.iter().any(|e| e.raw.contains("E7x")), "export lines");
        assert!(loaded.events.iter().any(|e| e.raw.contains("\\u0045")));
        assert!(loaded.events.iter().any(|e| e.raw.contains('É')));
        assert!(hits(0) > 0 && hits(0) < loaded.events.len() / 2, "{}", hits(0));
        assert!(hits(1) > hits(2) && hits(2) > 0, "kept texts only: {} {}", hits(1), hits(2));

        // Not every event looked at (a small file is read, not mapped): nothing to give.
        let both = load(&[small.clone(), big.clone()], &opts).unwrap();
        assert!(both.scanned(opts.scan.as_deref().unwrap()).is_none());
        // A set found in more of a part's first events than allowed: given up.
        let common = scanning(vec![sets(&[&["eventtime"]])], 0.5);
        let loaded = load(std::slice::from_ref(&big), &common).unwrap();
        assert!(loaded.scanned(common.scan.as_deref().unwrap()).is_none());
        let rare = scanning(vec![sets(&[&["e12"]])], 0.5);
        let loaded = load(std::slice::from_ref(&big), &rare).unwrap();
        assert!(loaded.scanned(rare.scan.as_deref().unwrap()).is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The key read while a mapped file is loaded is, for every event, what extraction
    /// gives (its value, or none) or not read where its text leaves [`super::super::top`]
    /// unsure (an escape, a value that is not a string, a key met twice): in parts on all
    /// cores, in blocks, for export lines. Nothing is given while a literal scan has not
    /// given up (the run may read few events' fields), nor when an event was not read.
    #[test]
    fn a_key_read_while_loading_is_what_extraction_gives() {
        let dir = std::env::temp_dir().join(format!("spelunk-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = varied_ndjson();
        let t = r#""eventTime":"2025-01-01T00:00:01Z""#;
        for (k, odd) in [
            format!(r#"{{{t},"eventName":7}}"#),
            format!(r#"{{{t},"eventName":"a\"b"}}"#),
            format!(r#"{{{t},"eventName":"A","eventName":"B"}}"#),
            format!(r#"{{{t},"x":{{"eventName":"Nested"}}}}"#),
            format!(r#"{{{t},"x":"eventName","eventName":"After"}}"#),
            format!(r#"{{{t},"x":["eventName"],"y":"\"eventName\":\"InString\""}}"#),
            format!(r#"{{{t},"eventName":null}}"#),
        ]
        .iter()
        .enumerate()
        {
            // Spread over the file, so in each part.
            let at = text.len() * (k + 1) / 8;
            let at = at + text[at..].find('\n').unwrap() + 1;
            text.insert_str(at, &format!("{odd}\n"));
        }
        let big = dir.join("big.ndjson");
        std::fs::write(&big, &text).unwrap();
        let keyed = LoadOptions { key: KeyWhileLoading::new("eventName").map(Arc::new), ..LoadOptions::default() };
        let mut loaded = load(std::slice::from_ref(&big), &keyed).unwrap();
        assert!(loaded.events[10].raw.text().is_mapped());
        let (values, codes) = loaded.key_values().expect("every event read");
        assert_eq!(codes.len(), loaded.events.len());
        let (mut absent, mut not_read) = (0, 0);
        for (e, &c) in loaded.events.iter().zip(&codes) {
            let own = crate::events::json::extract(&e.raw).unwrap().get("eventName").cloned();
            match c {
                NOT_READ => not_read += 1,
                0 => {
                    absent += 1;
                    assert_eq!(own, None, "{}", &*e.raw);
                }
                c => assert_eq!(own, Some(super::super::Value::Str(values[c as usize - 1].clone())), "{}", &*e.raw),
            }
        }
        // The number, the escape, the key met twice, null; every `\u` line; the rest read.
        assert_eq!(not_read, 4 + loaded.events.iter().filter(|e| e.raw.contains("\\u")).count());
        assert_eq!(absent, 2, "nested, and a string in the object's own");
        assert!(values.iter().any(|v| v == "After") && values.iter().any(|v| v.starts_with("E7x")));

        // While a literal scan has not given up, read only while it judges: each part's
        // first GIVE_UP_AFTER events.
        let scan = ScanWhileLoading::new(vec![Needles { groups: vec![vec!["e12".to_string()]] }], 1.0).map(Arc::new);
        let scanning = LoadOptions { scan, ..keyed.clone() };
        let (_, codes) = load(std::slice::from_ref(&big), &scanning).unwrap().key_values().expect("the first events");
        let parts = if crate::work::cores() == 1 { 1 } else { part_ends(text.len(), crate::work::cores()).len() };
        let read = codes.iter().filter(|&&c| c != NOT_READ).count();
        assert!(read > GIVE_UP_AFTER / 2 && read <= GIVE_UP_AFTER * parts, "{read} of {} read", codes.len());
        assert!(codes[..GIVE_UP_AFTER].iter().filter(|&&c| c != NOT_READ).count() > GIVE_UP_AFTER * 9 / 10);
        assert!(codes[GIVE_UP_AFTER..2 * GIVE_UP_AFTER].iter().all(|&c| c == NOT_READ));
        // Events made elsewhere (from a load record, the second time): nothing to give.
        // (A file with export lines gets no record.)
        let plain = dir.join("plain.ndjson");
        std::fs::write(&plain, ndjson(super::super::record::MIN_BYTES + 1)).unwrap();
        let recording = LoadOptions { records: Some(dir.join("records")), ..keyed.clone() };
        let mut first = load(std::slice::from_ref(&plain), &recording).unwrap();
        assert!(first.key_values().is_some());
        let mut again = load(std::slice::from_ref(&plain), &recording).unwrap();
        assert_eq!((again.recorded, again.events.len()), (1, first.events.len()));
        assert!(again.key_values().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file of NDJSON over [`MAP_BYTES`] (some records holding a non-ASCII `É`) in a
    /// directory of its own, loaded (so mapped): the directory, and what loading gave.
    fn mapped_load(tag: &str) -> (std::path::PathBuf, Loaded) {
        let dir = std::env::temp_dir().join(format!("spelunk-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.ndjson");
        std::fs::write(&path, ndjson(2 * MAP_BYTES as usize).replace("\"x", "\"É")).unwrap();
        let loaded = load(std::slice::from_ref(&path), &LoadOptions::default()).unwrap();
        (dir, loaded)
    }

    #[test]
    fn events_of_a_mapped_file_are_given_their_text_from_copies() {
        let (dir, loaded) = mapped_load("each-text");
        assert!(loaded.events[0].raw.text().is_mapped());
        let events: Vec<&Event> = loaded.events.iter().collect();
        let mut buf = Vec::new();
        let mut given = |events: &[&Event]| {
            let mut seen: Vec<(usize, String, bool)> = Vec::new();
            crate::events::each_text(events, &mut buf, |k, t| {
                // A copy's text, not the map's.
                let in_map = crate::events::raw::range_within(events[k].raw.text().as_bytes(), t.as_bytes()).is_some();
                seen.push((k, t.to_string(), in_map));
            });
            assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), (0..events.len()).collect::<Vec<_>>());
            for (k, t, in_map) in &seen {
                assert_eq!(t, &*events[*k].raw, "event {k}");
                assert!(!in_map, "event {k} was read through the map");
            }
        };
        // Neighbours (their span copied at once), every hundredth (each copied on its own),
        // newest first, and some holding a non-ASCII `É`.
        given(&events[100..1100]);
        given(&events.iter().step_by(100).copied().collect::<Vec<_>>());
        given(&events[200..900].iter().rev().copied().collect::<Vec<_>>());
        assert!(events.iter().any(|e| e.raw.contains('É')));
        // Text of its own: given where it lies.
        let owned = Event { raw: Raw::from("{\"a\":1}".to_string()), time: None, meta: Default::default() };
        let mut seen = Vec::new();
        crate::events::each_text(&[&owned], &mut buf, |k, t| seen.push((k, std::ptr::eq(t, &*owned.raw))));
        assert_eq!(seen, [(0, true)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn events_close_together_in_a_mapped_file_are_read_from_a_copy_of_their_span() {
        let (dir, loaded) = mapped_load("copy");
        let events: Vec<&Event> = loaded.events.iter().collect();
        // What each text should be given as: ASCII letters lowered, and whether all ASCII.
        let want = |events: &[&Event]| {
            events.iter().map(|e| (e.raw.to_ascii_lowercase(), e.raw.is_ascii())).collect::<Vec<_>>()
        };
        let (mut buf, mut lowered) = (Vec::new(), Vec::new());
        let mut each_text = |events: &[&Event]| {
            let mut seen = Vec::new();
            let mapped = crate::events::each_lowered_text(events, &mut buf, &mut lowered, |k, t, ascii| {
                seen.push((k, t.to_string(), ascii))
            });
            assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), (0..events.len()).collect::<Vec<_>>());
            (mapped, seen.into_iter().map(|(_, t, ascii)| (t, ascii)).collect::<Vec<_>>())
        };
        // A run of neighbours: copied (the map is not read), each text its event's; some
        // hold an `É`, which stays as it is (only ASCII letters are lowered).
        let run = &events[100..1100];
        assert_eq!(each_text(run), (false, want(run)));
        assert!(want(run).iter().any(|(t, ascii)| t.contains('É') && !ascii));
        assert!(want(run).iter().any(|(t, ascii)| t.contains("eventname") && *ascii));
        // A run all in ASCII, from a file without `É`.
        let plain = dir.join("plain.ndjson");
        std::fs::write(&plain, ndjson(2 * MAP_BYTES as usize)).unwrap();
        let loaded_plain = load(std::slice::from_ref(&plain), &LoadOptions::default()).unwrap();
        let run: Vec<&Event> = loaded_plain.events[100..1100].iter().collect();
        assert_eq!(each_text(&run), (false, want(&run)));
        assert!(want(&run).iter().all(|(_, ascii)| *ascii));
        // Every hundredth: too far apart to copy what lies between, read through the map.
        let sparse: Vec<&Event> = events.iter().step_by(100).copied().collect();
        assert_eq!(each_text(&sparse), (true, want(&sparse)));
        // Text of their own: read where it is.
        let own = [Event::new(Raw::from("{\"A\":\"É\"}"), Meta::default())];
        assert_eq!(each_text(&own.iter().collect::<Vec<_>>()), (true, vec![("{\"a\":\"É\"}".to_string(), false)]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_big_file_is_mapped_and_reads_as_its_bytes_read() {
        let dir = std::env::temp_dir().join(format!("spelunk-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let opts = LoadOptions::default();

        let text = ndjson(3 * MAP_BYTES as usize);
        let path = dir.join("big.ndjson");
        std::fs::write(&path, &text).unwrap();
        assert!(map_file(&path).is_some());
        let mapped = load(std::slice::from_ref(&path), &opts).unwrap();
        let mut read = Loaded::default();
        load_bytes(&path.display().to_string(), text.as_bytes(), &opts, &mut read).unwrap();
        assert!(mapped.events.len() > 10_000);
        assert_eq!(mapped.events, read.events);
        assert_eq!(mapped.problems, read.problems);
        let base = mapped.events[0].raw.as_ptr() as usize;
        assert!(mapped.events.iter().all(|e| (e.raw.as_ptr() as usize) >= base), "ranges of one text");

        // Not UTF-8: the bad line is reported with its number, the others are kept.
        let mut bytes = text.clone().into_bytes();
        let at = bytes.len() / 2;
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        bytes[at] = 0xff;
        let path = dir.join("latin1.ndjson");
        std::fs::write(&path, &bytes).unwrap();
        let loaded = load(std::slice::from_ref(&path), &opts).unwrap();
        let bad = loaded.problems.iter().find(|p| p.message == "not UTF-8 text").expect("reported");
        assert_eq!(bad.line, Some(line));
        assert_eq!(loaded.events.len() + 1, read.events.len());
        let map = loaded.events[0].raw.text();
        assert!(
            loaded.events.iter().all(|e| Arc::ptr_eq(e.raw.text(), map)),
            "the good lines are ranges of the map, not copies"
        );

        // Read in blocks smaller than a line (each buffer grows to hold one), through the
        // file rather than the map: the same events, ranges of the map, the same problems
        // on the same lines (lines cut across blocks, and part of one block each).
        let (map, handle) = map_file(&dir.join("latin1.ndjson")).unwrap();
        let shared = Arc::new(Text::mapped(map, handle));
        for (block, part) in [(7, 0..bytes.len()), (4096, 0..bytes.len()), (100, at - 5000..bytes.len())] {
            let (mut blocks, mut whole) = (Loaded::default(), Loaded::default());
            let meta = Arc::new(meta_for("f", &opts));
            let mut sink = Sink {
                file: "f",
                opts: &opts,
                out: &mut blocks,
                meta: meta.clone(),
                shared: Some(shared.clone()),
                copy: None,
                thread: None,
            };
            let ends = read_copied(&mut sink, &shared, part.clone(), block).unwrap();
            let mut sink = Sink {
                file: "f",
                opts: &opts,
                out: &mut whole,
                meta,
                shared: Some(shared.clone()),
                copy: None,
                thread: None,
            };
            assert_eq!(read_lines_from(&mut sink, &shared.as_bytes()[part.clone()], 0).unwrap(), ends);
            assert!(blocks.events.len() > 1000, "{block}");
            assert_eq!(blocks.events, whole.events, "{block}");
            assert_eq!(blocks.problems, whole.problems, "{block}");
            let lines_before = bytes[..part.start].iter().filter(|b| **b == b'\n').count();
            let bad = blocks.problems.iter().find(|p| p.message == "not UTF-8 text").expect("reported");
            assert_eq!(bad.line, Some(line - lines_before), "{block}");
            let ranges = |l: &Loaded| l.events.iter().map(|e| e.raw.range()).collect::<Vec<_>>();
            assert_eq!(ranges(&blocks), ranges(&whole));
            assert!(blocks.events.iter().all(|e| Arc::ptr_eq(e.raw.text(), &shared)), "ranges of the map");
            assert_eq!(
                blocks.events.iter().map(|e| e.time).collect::<Vec<_>>(),
                whole.events.iter().map(|e| e.time).collect::<Vec<_>>()
            );
        }

        // Small files are read, not mapped.
        let path = dir.join("small.ndjson");
        std::fs::write(&path, &text[..1000]).unwrap();
        assert!(map_file(&path).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
