//! The loaded events and the knowledge that turns each into fields.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::by_sourcetype::BySourcetype;
use crate::eval::given::Given;
use crate::eval::Context;
use crate::events::{json, Event, Fields, Value, RELEASE_SPAN};
use crate::knowledge::{self, App, KnowledgeError, SourcetypeKnowledge};

/// Events as loaded (raw text, time, metadata), and each sourcetype's search-time
/// knowledge, prepared once. Fields are made from an event on demand: the frame asks for
/// the ones a search uses ([`Dataset::fields_of`]).
pub struct Dataset {
    pub events: Vec<Event>,
    /// The texts the events are ranges of, each run of them once (events of one input are
    /// together), found while the events are looked at anyway.
    texts: Vec<Arc<crate::events::raw::Text>>,
    /// Where each run of events sharing one metadata starts, with it (the events of one
    /// input share theirs): the metadata columns are made a run at a time.
    meta_runs: Vec<(usize, Arc<crate::events::Meta>)>,
    knowledge: HashMap<String, SourcetypeKnowledge>,
    pub ctx: Context,
    /// Fields already made for every event, shared by every search over the dataset
    /// (see [`Dataset::prefetch`]).
    columns: RwLock<HashMap<String, Arc<Column>>>,
    /// Held while columns are made, so searches running side by side that want the same
    /// fields make them once (the making itself uses every core).
    making: Mutex<()>,
    newest_first: OnceLock<Vec<usize>>,
    /// Whether the newest-first order is the events' own order reversed (they were read
    /// oldest first, as a log is written).
    reversed: OnceLock<bool>,
    /// [`Dataset::decision_key`], found once (every shared pass asks).
    decision_key: OnceLock<Option<String>>,
    /// Per first search (its printed text), the events whose text could match it
    /// ([`Dataset::candidates`]); `None` when its text needs nothing.
    candidates: RwLock<HashMap<String, Option<Arc<Vec<u64>>>>>,
    /// Needles looked for while the events were loaded, with the events whose text could
    /// match each ([`Dataset::with_scanned`]).
    scanned: Vec<(crate::eval::needles::Needles, Arc<Vec<u64>>)>,
    /// The digest of the inputs the events were loaded from, when they were
    /// ([`crate::events::input::Loaded::digest`]).
    input_digest: Option<[u8; 16]>,
    /// Whether every event's text was checked to be JSON ([`Dataset::with_checked_json`]).
    checked_json: bool,
    /// Per first search (its printed text), the events of the newest-first order it keeps,
    /// as a shared pass decided them for the search that will run it
    /// ([`Dataset::remember_kept`]).
    kept: Mutex<HashMap<String, Vec<usize>>>,
    /// Columns made over a selection of the events, by the selection's name
    /// ([`Dataset::keep_selected`]).
    selections: RwLock<HashMap<String, Selection>>,
    /// Per first search over every event (its printed text), the events it keeps, a bit per
    /// event ([`Dataset::keep_decision`]): kept in the column cache, so that a warm run
    /// decides no first search again.
    decisions: RwLock<HashMap<String, Arc<EventSet>>>,
}

/// Some of the events, newest first, and complete columns over them (row `j` is event
/// `events[j]`): a datamodel dataset's events and the fields evaluated over them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub events: Arc<Vec<usize>>,
    pub columns: HashMap<String, Arc<Column>>,
}

/// One field's values for every event, dictionary-coded: `codes[i]` is 0 when event `i`
/// has no such field, else 1 + the index of its value in `dict`. A column may be made for
/// some events only (the events a narrower search kept): `made` says which, and the code
/// of an event not made means nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Shared with other columns of the same values (a datamodel selection's `_time` is
    /// the dataset's, read by other codes).
    pub dict: Arc<Vec<Value>>,
    pub codes: Codes,
    /// One bit per event (bit `i % 64` of word `i / 64`), set when its value is made;
    /// `None` when every event's is.
    pub made: Option<Vec<u64>>,
    /// The dictionary's values are whole numbers' texts in ascending order (`_time` from
    /// the events' seconds): `stats`' `min` and `max` over it take the least and greatest
    /// code, with no value's text parsed back.
    pub ascending: Ascending,
}

/// Whether a column's dictionary is in ascending order of number ([`Column::ascending`]).
/// Derived from the dictionary, so it takes no part in a column's equality: a column read
/// back from the cache, without it, equals the one it was written from. (The numbers
/// themselves, kept beside the dictionary, were 16 bytes a distinct second: 118 MB at
/// 10 GB of input.)
#[derive(Clone, Copy, Default, Debug)]
pub struct Ascending(pub bool);

impl PartialEq for Ascending {
    fn eq(&self, _: &Ascending) -> bool {
        true
    }
}

/// Codes as narrow as the dictionary allows; a column that most events lack keeps only
/// the codes of the events that have it ([`Sparse`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    Sparse(Box<Sparse>),
}

/// Codes that are mostly 0 (a field most events lack: the shared passes make a column of
/// every field some detection reads, over every event): a bit per row, set where the
/// code is not 0, the number of bits set before each word of them, and the codes that
/// are not 0, in row order (densely, as narrow as they allow). At 10 GB of input a
/// column of one byte per event is 11 MB; this form is 2.2 MB plus a code per event that
/// has the field.
#[derive(Debug, Clone, PartialEq)]
pub struct Sparse {
    len: usize,
    bits: Vec<u64>,
    before: Vec<u32>,
    codes: Codes,
}

impl Sparse {
    /// The index among the non-zero codes of row `i`'s code, if it is not 0.
    fn index(&self, i: usize) -> Option<usize> {
        let word = self.bits[i / 64];
        let bit = 1u64 << (i % 64);
        (word & bit != 0).then(|| self.before[i / 64] as usize + (word & (bit - 1)).count_ones() as usize)
    }
}

/// Whether codes of `width` bytes, `nonzero` of `len` not 0, take less room as
/// [`Sparse`] (its bits and counts are 1.5 bits per row) by a quarter at least: the
/// sparse form costs a few instructions per read, so it must be worth it.
fn sparse_pays(len: usize, nonzero: usize, width: usize) -> bool {
    let dense = len * width;
    let sparse = len / 8 + len / 16 + nonzero * width;
    sparse * 4 <= dense * 3
}

/// A code type of a dense column: `u8`, `u16` or `u32`.
trait Code: Copy + Into<u32> + PartialEq + Default {
    fn dense(codes: Vec<Self>) -> Codes;
    /// The vector of `codes` when they are dense in this width, else `codes` back.
    fn owned(codes: Codes) -> Result<Vec<Self>, Codes>;
    /// A code known to fit.
    fn from_u32(c: u32) -> Self;
}

impl Code for u8 {
    fn dense(codes: Vec<u8>) -> Codes {
        Codes::U8(codes)
    }
    fn owned(codes: Codes) -> Result<Vec<u8>, Codes> {
        match codes {
            Codes::U8(c) => Ok(c),
            other => Err(other),
        }
    }
    fn from_u32(c: u32) -> u8 {
        c as u8
    }
}

impl Code for u16 {
    fn dense(codes: Vec<u16>) -> Codes {
        Codes::U16(codes)
    }
    fn owned(codes: Codes) -> Result<Vec<u16>, Codes> {
        match codes {
            Codes::U16(c) => Ok(c),
            other => Err(other),
        }
    }
    fn from_u32(c: u32) -> u16 {
        c as u16
    }
}

impl Code for u32 {
    fn dense(codes: Vec<u32>) -> Codes {
        Codes::U32(codes)
    }
    fn owned(codes: Codes) -> Result<Vec<u32>, Codes> {
        match codes {
            Codes::U32(c) => Ok(c),
            other => Err(other),
        }
    }
    fn from_u32(c: u32) -> u32 {
        c
    }
}

/// Codes pushed one at a time, as narrow as the largest so far (dense [`Codes`]): a shared
/// pass holds a code per event for each field it makes until every event is read (at
/// 10 GB, 4 bytes each for ~95 fields were the pass's peak; most fields have few values in
/// a thread's part).
#[derive(Debug)]
pub(super) struct Growing(Codes);

impl Growing {
    pub(super) fn with_capacity(n: usize) -> Growing {
        Growing(Codes::U8(Vec::with_capacity(n)))
    }

    pub(super) fn push(&mut self, code: u32) {
        match &mut self.0 {
            Codes::U8(c) if code <= u8::MAX as u32 => c.push(code as u8),
            Codes::U16(c) if code <= u16::MAX as u32 => c.push(code as u16),
            Codes::U32(c) => c.push(code),
            Codes::Sparse(_) => unreachable!("growing codes are dense"),
            _ => {
                self.widen(code);
                self.push(code);
            }
        }
    }

    /// Room for `code`: the codes so far copied into the next width that holds it (the
    /// room asked for at the start kept).
    fn widen(&mut self, code: u32) {
        fn widened<T: Code, U: Code>(c: Vec<T>) -> Vec<U> {
            let mut out = Vec::with_capacity(c.capacity());
            out.extend(c.into_iter().map(|x| U::from_u32(x.into())));
            out
        }
        self.0 = match std::mem::replace(&mut self.0, Codes::U32(Vec::new())) {
            Codes::U8(c) if code <= u16::MAX as u32 => Codes::U16(widened(c)),
            Codes::U8(c) => Codes::U32(widened(c)),
            Codes::U16(c) => Codes::U32(widened(c)),
            wide => wide,
        };
    }

    /// Gives the `k`th event of `events` (each not given before) its `k`th code here,
    /// renumbered by `remap` (indexed by code), through `put` (the event, its code: into a
    /// code per event, or into pairs), unless it is made already (`made`: a bit per
    /// event); marks it made. The width of these codes is matched once, not per event (the
    /// merge of a broad detection's pass writes millions).
    fn scatter<T: Code>(
        &self,
        events: impl Iterator<Item = usize>,
        remap: &[T],
        made: &mut [u64],
        mut put: impl FnMut(usize, T),
    ) {
        fn go<L: Code, T: Code>(
            local: &[L],
            events: impl Iterator<Item = usize>,
            remap: &[T],
            made: &mut [u64],
            put: &mut impl FnMut(usize, T),
        ) {
            for (i, &c) in events.zip(local) {
                let (word, b) = (i / 64, 1u64 << (i % 64));
                if made[word] & b == 0 {
                    put(i, remap[c.into() as usize]);
                    made[word] |= b;
                }
            }
        }
        match &self.0 {
            Codes::U8(c) => go(c, events, remap, made, &mut put),
            Codes::U16(c) => go(c, events, remap, made, &mut put),
            Codes::U32(c) => go(c, events, remap, made, &mut put),
            Codes::Sparse(_) => unreachable!("growing codes are dense"),
        }
    }

    /// Replaces each code but 0 by `f` of it; `f` gives no code larger than the largest.
    fn renumber(&mut self, mut f: impl FnMut(u32) -> u32) {
        fn each<T: Code>(c: &mut [T], f: &mut impl FnMut(u32) -> u32) {
            for x in c.iter_mut().filter(|x| **x != T::default()) {
                *x = T::from_u32(f((*x).into()));
            }
        }
        match &mut self.0 {
            Codes::U8(c) => each(c, &mut f),
            Codes::U16(c) => each(c, &mut f),
            Codes::U32(c) => each(c, &mut f),
            Codes::Sparse(_) => unreachable!("growing codes are dense"),
        }
    }
}

/// The narrowest width of dense codes that holds codes up to `max` (a dictionary's size):
/// [`Codes::new`]'s and a shared pass's merge's.
enum Width {
    U8,
    U16,
    U32,
}

impl Width {
    fn for_max(max: usize) -> Width {
        if max <= u8::MAX as usize {
            Width::U8
        } else if max <= u16::MAX as usize {
            Width::U16
        } else {
            Width::U32
        }
    }
}

/// [`shrunk`] of `len` codes that are 0 but at the events of `pairs` (event, code; each
/// event once, at most `u32::MAX`), without a code per event on the way when sparse: a
/// narrow search's pass makes a few thousand events' fields of a million, and writing then
/// reading back a million codes per field was most of its merge.
fn shrunk_pairs<T: Code>(len: usize, mut pairs: Vec<(u32, T)>) -> Codes {
    let zero = T::default();
    pairs.retain(|&(_, c)| c != zero);
    if len < 64 || !sparse_pays(len, pairs.len(), std::mem::size_of::<T>()) {
        let mut codes = vec![zero; len];
        pairs.iter().for_each(|&(i, c)| codes[i as usize] = c);
        return T::dense(codes);
    }
    pairs.sort_unstable_by_key(|&(i, _)| i);
    let words = len.div_ceil(64);
    let mut bits = vec![0u64; words];
    pairs.iter().for_each(|&(i, _)| bits[i as usize / 64] |= 1 << (i % 64));
    let mut before = Vec::with_capacity(words);
    let mut n = 0u32;
    for w in &bits {
        before.push(n);
        n += w.count_ones();
    }
    let codes = T::dense(pairs.into_iter().map(|(_, c)| c).collect());
    Codes::Sparse(Box::new(Sparse { len, bits, before, codes }))
}

/// `codes` as they are, or [`Sparse`] when that pays ([`sparse_pays`]).
fn shrunk<T: Code>(codes: Vec<T>) -> Codes {
    let zero = T::default();
    let nonzero = codes.iter().filter(|&&c| c != zero).count();
    if codes.len() < 64 || !sparse_pays(codes.len(), nonzero, std::mem::size_of::<T>()) {
        return T::dense(codes);
    }
    let len = codes.len();
    let mut bits = Vec::with_capacity(len.div_ceil(64));
    let mut before = Vec::with_capacity(len.div_ceil(64));
    // Without a branch per code (whether a row has the field is as good as random: a
    // branch per code mispredicted every other one): each code is written at the end of
    // the set, which moves on past it only when it is not 0.
    let mut set: Vec<T> = vec![zero; nonzero + 1];
    let mut n = 0;
    for chunk in codes.chunks(64) {
        before.push(n as u32);
        let mut word = 0u64;
        for (b, &c) in chunk.iter().enumerate() {
            let keep = c != zero;
            word |= u64::from(keep) << b;
            set[n] = c;
            n += usize::from(keep);
        }
        bits.push(word);
    }
    set.truncate(n);
    Codes::Sparse(Box::new(Sparse { len, bits, before, codes: T::dense(set) }))
}

impl Codes {
    fn new(codes: Vec<u32>, max: usize) -> Codes {
        match Width::for_max(max) {
            Width::U8 => shrunk(codes.into_iter().map(|c| c as u8).collect()),
            Width::U16 => shrunk(codes.into_iter().map(|c| c as u16).collect()),
            Width::U32 => shrunk(codes),
        }
    }

    /// These codes in the form [`Codes::new`] would choose for them (the column cache
    /// keeps codes dense).
    pub fn compacted(self) -> Codes {
        match self {
            Codes::U8(c) => shrunk(c),
            Codes::U16(c) => shrunk(c),
            Codes::U32(c) => shrunk(c),
            sparse => sparse,
        }
    }

    /// The width in bytes of one code, as the column cache writes them.
    pub fn width(&self) -> usize {
        match self {
            Codes::U8(_) => 1,
            Codes::U16(_) => 2,
            Codes::U32(_) => 4,
            Codes::Sparse(s) => s.codes.width(),
        }
    }

    /// Every row's code in `T` (as wide as the widest), dense: a column made for some
    /// events, which a later pass adds to (a read of each row's code in turn was 2% of a
    /// broad detection's run, its fields made for half of the events, then a few more).
    fn dense_in<T: Code>(&self) -> Vec<T> {
        fn widened<L: Code, T: Code>(c: &[L]) -> Vec<T> {
            c.iter().map(|&x| T::from_u32(x.into())).collect()
        }
        match self {
            Codes::U8(c) => widened(c),
            Codes::U16(c) => widened(c),
            Codes::U32(c) => widened(c),
            Codes::Sparse(s) => {
                let mut out = vec![T::default(); s.len];
                let mut k = 0;
                for (w, &word) in s.bits.iter().enumerate() {
                    let mut left = word;
                    while left != 0 {
                        out[w * 64 + left.trailing_zeros() as usize] = T::from_u32(s.codes.get(k));
                        k += 1;
                        left &= left - 1;
                    }
                }
                out
            }
        }
    }

    pub fn get(&self, i: usize) -> u32 {
        match self {
            Codes::U8(c) => c[i] as u32,
            Codes::U16(c) => c[i] as u32,
            Codes::U32(c) => c[i],
            Codes::Sparse(s) => s.index(i).map_or(0, |k| s.codes.get(k)),
        }
    }

    /// `keys[k] = keys[k] * radix + code of rows[k]`, for each `k` (codes packed into one
    /// number a column at a time; the width is matched once, not per row).
    pub fn pack_into(&self, rows: &[usize], radix: u32, keys: &mut [u32]) {
        fn pack<T: Copy + Into<u32>>(codes: &[T], rows: &[usize], radix: u32, keys: &mut [u32]) {
            for (k, &r) in keys.iter_mut().zip(rows) {
                *k = *k * radix + codes[r].into();
            }
        }
        fn pack_sparse<T: Copy + Into<u32>>(s: &Sparse, codes: &[T], rows: &[usize], radix: u32, keys: &mut [u32]) {
            for (k, &r) in keys.iter_mut().zip(rows) {
                *k = *k * radix + s.index(r).map_or(0, |i| codes[i].into());
            }
        }
        match self {
            Codes::U8(c) => pack(c, rows, radix, keys),
            Codes::U16(c) => pack(c, rows, radix, keys),
            Codes::U32(c) => pack(c, rows, radix, keys),
            Codes::Sparse(s) => match &s.codes {
                Codes::U8(c) => pack_sparse(s, c, rows, radix, keys),
                Codes::U16(c) => pack_sparse(s, c, rows, radix, keys),
                Codes::U32(c) => pack_sparse(s, c, rows, radix, keys),
                Codes::Sparse(_) => unreachable!("the codes of a sparse column are dense"),
            },
        }
    }

    /// The codes of `rows`, in that order.
    pub fn gather(&self, rows: &[usize]) -> Vec<u32> {
        match self {
            Codes::U8(c) => rows.iter().map(|&r| c[r] as u32).collect(),
            Codes::U16(c) => rows.iter().map(|&r| c[r] as u32).collect(),
            Codes::U32(c) => rows.iter().map(|&r| c[r]).collect(),
            Codes::Sparse(_) => rows.iter().map(|&r| self.get(r)).collect(),
        }
    }

    /// The largest code (0 when there are none).
    pub fn max(&self) -> u32 {
        match self {
            Codes::U8(c) => c.iter().copied().max().unwrap_or(0) as u32,
            Codes::U16(c) => c.iter().copied().max().unwrap_or(0) as u32,
            Codes::U32(c) => c.iter().copied().max().unwrap_or(0),
            Codes::Sparse(s) => s.codes.max(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len(),
            Codes::U32(c) => c.len(),
            Codes::Sparse(s) => s.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Column {
    /// A complete column of the given values (one per row), dictionary coded.
    pub fn from_values(values: &[Value]) -> Column {
        let mut index: HashMap<&Value, u32, FxBuild> = HashMap::default();
        let mut dict = Vec::new();
        let codes: Vec<u32> = values
            .iter()
            .map(|v| match v {
                Value::Null => 0,
                v => *index.entry(v).or_insert_with(|| {
                    dict.push(v.clone());
                    dict.len() as u32
                }),
            })
            .collect();
        Column::new(dict, codes, None)
    }

    /// A column of these values and codes (each at most the dictionary's length), the
    /// dictionary shrunk to its length and the codes as narrow as it allows.
    pub fn new(dict: Vec<Value>, codes: Vec<u32>, made: Option<Vec<u64>>) -> Column {
        let codes = Codes::new(codes, dict.len());
        Column::with_codes(dict, codes, made)
    }

    /// [`Column::new`] of codes already in their form.
    fn with_codes(mut dict: Vec<Value>, codes: Codes, made: Option<Vec<u64>>) -> Column {
        dict.shrink_to_fit();
        Column { dict: Arc::new(dict), codes, made, ascending: Ascending::default() }
    }

    /// The values of `col` for `events` (made for each), one row each: codes gathered, the
    /// dictionary shared, not copied.
    pub fn rows_of(col: &Column, events: &[usize]) -> Column {
        debug_assert!(events.iter().all(|&e| col.is_made(e)));
        Column {
            dict: Arc::clone(&col.dict),
            codes: Codes::new(col.codes.gather(events), col.dict.len()),
            made: None,
            ascending: col.ascending,
        }
    }

    /// This column with only the values some event has in its dictionary (the codes
    /// renumbered in dictionary order); itself when it has no other.
    pub fn with_used_values(&self) -> std::borrow::Cow<'_, Column> {
        let mut used = vec![false; self.dict.len() + 1];
        (0..self.codes.len()).for_each(|i| used[self.codes.get(i) as usize] = true);
        if used[1..].iter().all(|&u| u) {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut code = vec![0u32; used.len()];
        let mut dict = Vec::new();
        for (k, v) in self.dict.iter().enumerate().filter(|(k, _)| used[k + 1]) {
            dict.push(v.clone());
            code[k + 1] = dict.len() as u32;
        }
        let codes: Vec<u32> = (0..self.codes.len()).map(|i| code[self.codes.get(i) as usize]).collect();
        std::borrow::Cow::Owned(Column::new(dict, codes, self.made.clone()))
    }

    /// Whether event `i`'s value is made.
    pub fn is_made(&self, i: usize) -> bool {
        self.made.as_ref().is_none_or(|bits| bit(bits, i))
    }

    /// Whether every event's value is made.
    pub fn is_complete(&self) -> bool {
        self.made.is_none()
    }

    /// Event `i`'s value (null when absent). Only meaningful when [`Column::is_made`].
    pub fn get(&self, i: usize) -> &Value {
        const NULL: Value = Value::Null;
        match self.codes.get(i) {
            0 => &NULL,
            c => &self.dict[c as usize - 1],
        }
    }
}

/// Bit `i` of a bitmap of events (bit `i % 64` of word `i / 64`).
pub fn bit(words: &[u64], i: usize) -> bool {
    words[i / 64] >> (i % 64) & 1 == 1
}

/// For [`Dataset::prefetch_group`], requests that name many events: the events some
/// request wants made, in order, each with the requests wanting it (bit `r` for request
/// `r`); for each request, the fields it lacks, or none when it wants no event made
/// (pushed on `lacking`). A request wants the events it names (every event when it names
/// none) whose value of some field it lacks is not made. Worked out on bitmaps, a word of
/// events at a time: a test per event and request was 10 ms of a broad detection's before
/// its pass over 1 GB, and as much for a pass making a few hundred events. At most 64
/// requests, so the bitmaps take at most the word per event the requests' bits take.
fn events_lacking<'n>(
    lacks: Vec<Vec<Lacking<'n, '_>>>,
    requests: &[(&BTreeSet<String>, Option<&[usize]>)],
    total: usize,
    lacking: &mut Vec<BTreeSet<&'n String>>,
) -> (Vec<usize>, Vec<u64>) {
    let words = total.div_ceil(64);
    let past_end = if total % 64 == 0 { u64::MAX } else { !(u64::MAX << (total % 64)) };
    let mut wanting: Vec<(usize, Vec<u64>)> = Vec::new();
    for (r, (lacks, &(_, events))) in lacks.into_iter().zip(requests).enumerate() {
        if lacks.is_empty() {
            lacking.push(BTreeSet::new());
            continue;
        }
        // The events whose value of some field the request lacks is not made.
        let mut unmade = vec![0u64; words];
        for (_, col) in &lacks {
            match col.and_then(|c| c.made.as_ref()) {
                Some(made) => unmade.iter_mut().zip(made).for_each(|(u, m)| *u |= !m),
                None => unmade.fill(u64::MAX),
            }
        }
        let mut want = match events {
            None => unmade,
            Some(events) => bits_of(events.iter().copied().filter(|&i| bit(&unmade, i)), total),
        };
        if let Some(last) = want.last_mut() {
            *last &= past_end;
        }
        let any = want.iter().any(|&w| w != 0);
        lacking.push(if any { lacks.into_iter().map(|(n, _)| n).collect() } else { BTreeSet::new() });
        if any {
            wanting.push((r, want));
        }
    }
    let union: Vec<u64> = (0..words).map(|w| wanting.iter().fold(0u64, |u, (_, bits)| u | bits[w])).collect();
    // Sized at once (grown by doubling, the copies and fresh pages were a third of this).
    let count = union.iter().map(|w| w.count_ones() as usize).sum();
    let mut todo = Vec::with_capacity(count);
    let mut wants = Vec::with_capacity(count);
    for (w, &any) in union.iter().enumerate() {
        let mut any = any;
        while any != 0 {
            let b = any.trailing_zeros();
            any &= any - 1;
            todo.push(w * 64 + b as usize);
            wants.push(wanting.iter().fold(0u64, |m, (r, bits)| m | (bits[w] >> b & 1) << r));
        }
    }
    (todo, wants)
}

/// Whether the bits of events `0..len` are all set, a word at a time.
pub fn all_set(words: &[u64], len: usize) -> bool {
    let (whole, rest) = (len / 64, len % 64);
    words[..whole].iter().all(|&w| w == u64::MAX) && (rest == 0 || words[whole] | (u64::MAX << rest) == u64::MAX)
}

/// The bitmap over `len` events (as [`bit`] reads it) with the bits of `events` set.
/// Some of the events: a bit per event, or, when there are few, their indices in order
/// (4 bytes each where a bitmap takes an eighth of a byte per event: over 10 GB of input
/// the first searches' decisions were 1.5 MB each as bitmaps, 120 MB in all, and most keep
/// a few thousand events).
#[derive(Debug, Clone, PartialEq)]
pub enum EventSet {
    Bits(Vec<u64>),
    Few(Vec<u32>),
}

impl EventSet {
    /// The set a bitmap holds, kept as indices when they take at most half its room.
    pub fn from_bits(bits: Vec<u64>) -> EventSet {
        let count: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
        if count > bits.len() || bits.len() * 64 > u32::MAX as usize {
            return EventSet::Bits(bits);
        }
        let mut events = Vec::with_capacity(count);
        for (w, &word) in bits.iter().enumerate() {
            let mut word = word;
            while word != 0 {
                events.push((w * 64) as u32 + word.trailing_zeros());
                word &= word - 1;
            }
        }
        EventSet::Few(events)
    }

    /// The set as a bitmap over `len` events.
    pub fn bits(&self, len: usize) -> Vec<u64> {
        match self {
            EventSet::Bits(bits) => bits.clone(),
            EventSet::Few(events) => bits_of(events.iter().map(|&i| i as usize), len),
        }
    }
}

pub fn bits_of(events: impl IntoIterator<Item = usize>, len: usize) -> Vec<u64> {
    let mut words = vec![0u64; len.div_ceil(64)];
    events.into_iter().for_each(|i| words[i / 64] |= 1 << (i % 64));
    words
}

/// Fewer events than this are made on one core.
const PARALLEL_MIN: usize = 4096;

/// A loop over many events lets go of the mapped text of each this many it has read
/// ([`crate::events::release_span`]), or sooner when they lie far apart
/// ([`crate::events::release_runs`]), so that a pass over a big file keeps little of it
/// resident.
pub(super) const RELEASE_EVERY: usize = 1024;

/// Whether a field can be kept for every event: `_raw` is the event itself (a copy per
/// event would double the memory), and a wildcard is not one field.
pub fn cacheable(name: &str) -> bool {
    name != "_raw" && !name.contains('*')
}

/// Makes the wanted fields of events: per sourcetype, only the knowledge rules those fields
/// need, and the JSON fields those rules and the wanted fields read.
pub struct Extractor<'a> {
    ds: &'a Dataset,
    wanted: Wanted<'a>,
    plans: BySourcetype<'a, (SourcetypeKnowledge, Option<BTreeSet<String>>)>,
    /// Per sourcetype, every name to extract (wanted or read by the knowledge), when finite,
    /// and the JSON paths above them ([`crate::events::flat::branch_paths`]).
    needs: BySourcetype<'a, (Names, Names)>,
    /// Per sourcetype, the names to extract when they are all keys of a document's own
    /// object (no `.`, no `{}`) and few: each is then found by its key's text
    /// ([`crate::events::top::Keys::members`]) in checked JSON, not walked to.
    top_keys: BySourcetype<'a, crate::events::top::Keys>,
    /// Per sourcetype, the names to extract as a tree of JSON paths, which a walk over
    /// checked JSON follows ([`crate::events::paths`]) instead of building each member's
    /// path and asking for it.
    trees: BySourcetype<'a, crate::events::paths::PathTree>,
    /// Per sourcetype, what its calculated fields and event types gave (an extractor is
    /// used by one thread).
    remembered: RefCell<BySourcetype<'a, knowledge::Remembered>>,
    /// Per sourcetype, the wanted JSON paths and their slots in the `Coded` this
    /// extractor is used with ([`Extractor::coded_row_of`]).
    path_slots: RefCell<BySourcetype<'a, knowledge::coded::PathSlots>>,
    /// Per sourcetype, its knowledge planned over coded rows (`None`: applied per event).
    coded: RefCell<BySourcetype<'a, Option<knowledge::coded::Plan>>>,
    /// Per sourcetype, the index-time fields to make (`_raw` only when an event needs it).
    index_time: RefCell<BySourcetype<'a, crate::events::IndexTimeWanted>>,
    /// The wanted names, hashed (asked once per field of every event).
    wanted_names: Option<HashSet<&'a str, FxBuild>>,
    /// The JSON paths above the wanted names, when they are named.
    wanted_below: Option<Names>,
    /// The sourcetypes whose knowledge reads `_raw` only for event types' terms, when
    /// `_raw` is not wanted itself: an event's `_raw` is copied into its fields only when
    /// an event type may match it ([`SourcetypeKnowledge::needs_raw`]).
    raw_for_event_types: HashSet<&'a str, FxBuild>,
}

pub use crate::events::hash::FxBuild;

/// A set of field names or paths, hashed.
type Names = crate::events::hash::NameSet;

/// A field a request names that is not made for all of its events: its name, and its
/// column when it is made for some.
type Lacking<'n, 'c> = (&'n String, Option<&'c Arc<Column>>);

/// Which fields to make.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    Names(&'a BTreeSet<String>),
    /// Every field but these.
    AllBut(&'a BTreeSet<String>),
}

impl Wanted<'_> {
    pub fn accepts(&self, name: &str) -> bool {
        match self {
            Wanted::Names(n) => n.contains(name),
            Wanted::AllBut(x) => !x.contains(name),
        }
    }
}

impl Dataset {
    /// Prepares `app`'s knowledge for every sourcetype the events have.
    pub fn new(events: Vec<Event>, app: &App, ctx: Context) -> Result<Dataset, KnowledgeError> {
        Dataset::with_knowledge(events, app, ctx, Vec::new())
    }

    /// [`Dataset::new`], with the knowledge of some sourcetypes already prepared from `app`
    /// (a caller that needed it before loading: preparing it again was 40 million
    /// instructions).
    pub fn with_knowledge(
        events: Vec<Event>,
        app: &App,
        ctx: Context,
        prepared: Vec<(String, SourcetypeKnowledge)>,
    ) -> Result<Dataset, KnowledgeError> {
        let mut prepared: HashMap<String, SourcetypeKnowledge> = prepared.into_iter().collect();
        let mut knowledge = HashMap::new();
        // Events read from one input share its metadata: its sourcetype is looked up once
        // (hashing it for each of a million events was 30 ms of a run).
        let mut last: Option<&Arc<crate::events::Meta>> = None;
        let mut texts: Vec<Arc<crate::events::raw::Text>> = Vec::new();
        let mut meta_runs = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if !texts.last().is_some_and(|t| Arc::ptr_eq(t, e.raw.text())) {
                texts.push(Arc::clone(e.raw.text()));
            }
            if last.is_some_and(|m| Arc::ptr_eq(m, &e.meta)) {
                continue;
            }
            last = Some(&e.meta);
            meta_runs.push((i, Arc::clone(&e.meta)));
            if !knowledge.contains_key(&e.meta.sourcetype) {
                let k = match prepared.remove(&e.meta.sourcetype) {
                    Some(k) => k,
                    None => app.for_sourcetype(&e.meta.sourcetype)?,
                };
                knowledge.insert(e.meta.sourcetype.clone(), k);
            }
        }
        Ok(Dataset::of_parts(events, texts, meta_runs, knowledge, ctx))
    }

    /// A dataset of no events with the knowledge of these sourcetypes, whose events are
    /// known to be JSON: what an extractor reads, for events not yet loaded
    /// ([`super::PassWhileLoading`]).
    pub(super) fn knowledge_only(prepared: Vec<(String, SourcetypeKnowledge)>, ctx: Context) -> Dataset {
        let knowledge = prepared.into_iter().collect();
        Dataset::of_parts(Vec::new(), Vec::new(), Vec::new(), knowledge, ctx).with_checked_json()
    }

    fn of_parts(
        events: Vec<Event>,
        texts: Vec<Arc<crate::events::raw::Text>>,
        meta_runs: Vec<(usize, Arc<crate::events::Meta>)>,
        knowledge: HashMap<String, SourcetypeKnowledge>,
        ctx: Context,
    ) -> Dataset {
        Dataset {
            events,
            texts,
            meta_runs,
            knowledge,
            ctx,
            columns: RwLock::default(),
            making: Mutex::default(),
            newest_first: OnceLock::new(),
            reversed: OnceLock::new(),
            decision_key: OnceLock::new(),
            candidates: RwLock::default(),
            scanned: Vec::new(),
            input_digest: None,
            checked_json: false,
            kept: Mutex::default(),
            selections: RwLock::default(),
            decisions: RwLock::default(),
        }
    }

    /// The texts the events are ranges of, each run of them once.
    pub fn texts(&self) -> &[Arc<crate::events::raw::Text>] {
        &self.texts
    }

    /// Lets go of the pages of the mapped inputs ([`crate::events::raw::Text::release`]): they
    /// are read back from the page cache when next used. Asked after each phase of a run,
    /// without looking at every event again.
    pub fn release_mapped(&self) {
        self.texts.iter().for_each(|t| t.release());
    }

    /// Remembers the events of the whole newest-first order that the first search `e`
    /// keeps (decided from complete columns, which only ever grow, so the decision stays
    /// true), for the search that runs it next ([`Dataset::take_kept`]).
    /// Not when a decision is kept for it ([`Dataset::keep_decision`]): that gives the same
    /// events again, from a bit per event rather than a list of them (at 10 GB a list of a
    /// broad search's events is up to 94 MB).
    pub fn remember_kept(&self, e: &crate::syntax::SearchExpr, kept: &[usize]) {
        let key = crate::syntax::printer::print_search(e);
        if self.decisions.read().expect("not poisoned").contains_key(&key) {
            return;
        }
        self.kept.lock().expect("not poisoned").insert(key, kept.to_vec());
    }

    /// What [`Dataset::remember_kept`] remembered for `e`, given once.
    pub fn take_kept(&self, e: &crate::syntax::SearchExpr) -> Option<Vec<usize>> {
        let mut kept = self.kept.lock().expect("not poisoned");
        if kept.is_empty() {
            return None;
        }
        kept.remove(&crate::syntax::printer::print_search(e))
    }

    /// Keeps which events the first search `e` keeps of every event (`kept`, in any order),
    /// when what it keeps depends only on the values of the fields it reads (no `_raw` term,
    /// time bound or subsearch: [`crate::eval::memo::search_reads`]), which the column
    /// cache's key fixes.
    pub fn keep_decision(&self, e: &crate::syntax::SearchExpr, kept: &[usize]) {
        if crate::eval::memo::search_reads(e).is_none() {
            return;
        }
        let key = crate::syntax::printer::print_search(e);
        let set = EventSet::from_bits(bits_of(kept.iter().copied(), self.events.len()));
        self.decisions.write().expect("not poisoned").insert(key, Arc::new(set));
    }

    /// What [`Dataset::keep_decision`] kept for `e`: the events of the newest-first order
    /// it keeps.
    pub fn decision(&self, e: &crate::syntax::SearchExpr) -> Option<Vec<usize>> {
        let all = self.decisions.read().expect("not poisoned");
        if all.is_empty() {
            return None;
        }
        let set = Arc::clone(all.get(&crate::syntax::printer::print_search(e))?);
        drop(all);
        Some(match &*set {
            EventSet::Bits(bits) => self.in_newest_first(bits),
            EventSet::Few(events) if self.newest_first_is_reversed() => {
                events.iter().rev().map(|&i| i as usize).collect()
            }
            EventSet::Few(_) => self.in_newest_first(&set.bits(self.events.len())),
        })
    }

    /// The events whose bit is set, in newest-first order.
    fn in_newest_first(&self, bits: &[u64]) -> Vec<usize> {
        if !self.newest_first_is_reversed() {
            return self.newest_first_ref().iter().copied().filter(|&i| bit(bits, i)).collect();
        }
        // Newest first is the last event first: the set bits from the highest down (a word
        // at a time, not a test per event); bits past the last event are none.
        let mut events = Vec::new();
        for (w, &word) in bits.iter().enumerate().rev() {
            let mut word = word;
            while word != 0 {
                let b = 63 - word.leading_zeros() as usize;
                word &= !(1u64 << b);
                let i = w * 64 + b;
                if i < self.events.len() {
                    events.push(i);
                }
            }
        }
        events
    }

    /// Whether [`Dataset::newest_first`] is the events' order reversed.
    fn newest_first_is_reversed(&self) -> bool {
        *self.reversed.get_or_init(|| self.newest_first_ref().iter().rev().enumerate().all(|(k, &i)| k == i))
    }

    /// Every kept decision, by the search's printed text.
    pub fn decisions(&self) -> Vec<(String, Arc<EventSet>)> {
        self.decisions.read().expect("not poisoned").iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect()
    }

    /// Adds a decision read from the column cache (ignored unless a bit per event).
    pub fn insert_decision(&self, search: String, bits: Vec<u64>) {
        if bits.len() == self.events.len().div_ceil(64) {
            self.decisions.write().expect("not poisoned").insert(search, Arc::new(EventSet::from_bits(bits)));
        }
    }

    /// Keeps columns made over `events` under the selection's `name`, which must say all
    /// that chose the events and made the columns besides the dataset itself (the column
    /// cache keeps them with the dataset's own columns, keyed like them). Only events in
    /// newest-first order are kept (the cache keeps which events, not their order), and
    /// a name once given keeps its first events: columns given with other events are not
    /// kept.
    pub fn keep_selected(&self, name: &str, events: &[usize], columns: Vec<(String, Arc<Column>)>) {
        if !self.in_newest_first_order(events) {
            return;
        }
        let mut all = self.selections.write().expect("not poisoned");
        let sel = all
            .entry(name.to_string())
            .or_insert_with(|| Selection { events: Arc::new(events.to_vec()), columns: HashMap::new() });
        if sel.events[..] != *events {
            return;
        }
        for (field, col) in columns {
            if col.is_complete() && col.codes.len() == events.len() {
                sel.columns.insert(field, col);
            }
        }
    }

    /// The selection `name` with only its columns of `fields`, when it has them all.
    pub fn selected(&self, name: &str, fields: &[&String]) -> Option<Selection> {
        let all = self.selections.read().expect("not poisoned");
        let sel = all.get(name)?;
        let columns =
            fields.iter().map(|&f| Some((f.clone(), Arc::clone(sel.columns.get(f)?)))).collect::<Option<_>>()?;
        Some(Selection { events: Arc::clone(&sel.events), columns })
    }

    /// Every selection, by name.
    pub fn selections(&self) -> Vec<(String, Selection)> {
        self.selections.read().expect("not poisoned").iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Adds a selection read from the column cache: its events (a bit per event, in
    /// newest-first order) and columns over them. Ignored unless the bits are one per
    /// event and each column has a code per selected event.
    pub fn insert_selection(&self, name: String, bits: &[u64], columns: Vec<(String, Column)>) {
        if bits.len() != self.events.len().div_ceil(64) {
            return;
        }
        let events = self.in_newest_first(bits);
        let columns = columns.into_iter().map(|(n, c)| (n, Arc::new(c))).collect();
        self.keep_selected(&name, &events, columns);
    }

    /// The dataset, knowing the digest of the inputs its events were loaded from (all of
    /// them, as loading gave them): what is made from the events can be keyed by it.
    pub fn with_input_digest(mut self, digest: [u8; 16]) -> Dataset {
        self.input_digest = Some(digest);
        self
    }

    /// The dataset, knowing its events' text is JSON, each checked when it was loaded
    /// ([`crate::events::input`]): extraction then passes over the parts of an event above
    /// no wanted field without checking them again ([`crate::events::flat::flatten_json_leaves`]).
    pub fn with_checked_json(mut self) -> Dataset {
        self.checked_json = true;
        self
    }

    /// See [`Dataset::with_input_digest`].
    /// The dataset, with needles looked for in every event's text while loading and the
    /// events whose text could match each (`events::input::Loaded::scanned`): a search
    /// whose needles are among them is not looked for in the text again
    /// ([`Dataset::find_candidates`]). Each bitmap has a bit per event.
    pub fn with_scanned(mut self, scanned: Vec<(crate::eval::needles::Needles, Vec<u64>)>) -> Dataset {
        let words = self.events.len().div_ceil(64);
        self.scanned = scanned.into_iter().filter(|(_, b)| b.len() == words).map(|(n, b)| (n, Arc::new(b))).collect();
        self
    }

    /// The events whose text could match these needles, if they were looked for while loading.
    fn scanned_for_needles(&self, needles: &crate::eval::needles::Needles) -> Option<&Arc<Vec<u64>>> {
        self.scanned.iter().find(|(n, _)| n == needles).map(|(_, bits)| bits)
    }

    pub fn input_digest(&self) -> Option<[u8; 16]> {
        self.input_digest
    }

    /// The knowledge the fields are made with, as bytes that differ when it does (part of
    /// the on-disk cache's key).
    pub fn knowledge_fingerprint(&self) -> Vec<u8> {
        let mut all: Vec<_> = self.knowledge.iter().collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        format!("{all:?}").into_bytes()
    }

    /// Whether a field's values are the events' own JSON text: not an index-time or
    /// internal field, and no knowledge rule of any sourcetype here makes or changes it
    /// (so a value of it is written in the event's text, [`super::prefilter`]).
    pub fn json_only(&self, name: &str) -> bool {
        json_only_in(self.knowledge.values(), name)
    }

    /// The events whose text could match a first search (a bitmap over all events, bit
    /// `i % 64` of word `i / 64`), `None` when its text needs nothing
    /// ([`super::prefilter`]). Found once per search and kept.
    pub fn candidates(&self, e: &crate::syntax::SearchExpr) -> Option<Arc<Vec<u64>>> {
        let key = crate::syntax::printer::print_search(e);
        if let Some(known) = self.candidates.read().expect("not poisoned").get(&key) {
            return known.clone();
        }
        self.find_candidates(&[e]);
        self.candidates.read().expect("not poisoned").get(&key).cloned().flatten()
    }

    /// Whether a search needs literals in the events' text ([`super::prefilter`]).
    pub fn narrows(&self, e: &crate::syntax::SearchExpr) -> bool {
        crate::eval::needles::needles(e, &|n| self.json_only(n)).is_some()
    }

    /// The share of the events whose text holds what a search needs (those it could
    /// match), estimated from at most `sample` events spread over all of them; `None`
    /// when the search needs no literals.
    pub fn candidate_share(&self, e: &crate::syntax::SearchExpr, sample: usize) -> Option<f64> {
        let needles = crate::eval::needles::needles(e, &|n| self.json_only(n))?;
        if let Some(bits) = self.scanned_for_needles(&needles) {
            // Known for every event: no sample.
            let hits: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
            return Some(hits as f64 / self.events.len().max(1) as f64);
        }
        let filter = crate::eval::needles::TextFilter::new(&needles);
        let step = self.events.len().div_ceil(sample.max(1)).max(1);
        let looked: Vec<&Event> = self.events.iter().step_by(step).collect();
        // The sample's texts from copies, not through the map (which mapped the page
        // cache's whole folio around each of them: 10-15 ms for 2,048 events over 1 GB).
        let mut hits = 0;
        crate::events::each_text(&looked, &mut Vec::new(), |_, text| hits += usize::from(filter.may_match(text)));
        Some(hits as f64 / looked.len().max(1) as f64)
    }

    /// Whether the events' text has been scanned for a search's literals (without scanning).
    pub fn scanned_for(&self, e: &crate::syntax::SearchExpr) -> bool {
        let key = crate::syntax::printer::print_search(e);
        self.candidates.read().expect("not poisoned").get(&key).is_some_and(Option::is_some)
    }

    /// [`Dataset::candidates`] for many searches, in one pass over the events' text.
    pub fn find_candidates(&self, searches: &[&crate::syntax::SearchExpr]) {
        let plain = |n: &str| self.json_only(n);
        let mut todo: Vec<(String, crate::eval::needles::Needles)> = Vec::new();
        {
            let mut known = self.candidates.write().expect("not poisoned");
            for e in searches {
                let key = crate::syntax::printer::print_search(e);
                if known.contains_key(&key) || todo.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                match crate::eval::needles::needles(e, &plain) {
                    Some(n) => match self.scanned_for_needles(&n) {
                        Some(bits) => {
                            known.insert(key, Some(Arc::clone(bits)));
                        }
                        None => todo.push((key, n)),
                    },
                    None => {
                        known.insert(key, None);
                    }
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        let sets: Vec<&crate::eval::needles::Needles> = todo.iter().map(|(_, n)| n).collect();
        let found = super::prefilter::scan(self, &sets);
        let mut known = self.candidates.write().expect("not poisoned");
        for ((key, _), bits) in todo.into_iter().zip(found) {
            known.entry(key).or_insert(Some(bits));
        }
    }

    /// The cached column of a field, if it was made.
    pub fn cached(&self, name: &str) -> Option<Arc<Column>> {
        self.columns.read().expect("not poisoned").get(name).cloned()
    }

    /// Every cached column, by name.
    pub fn cached_columns(&self) -> Vec<(String, Arc<Column>)> {
        self.columns.read().expect("not poisoned").iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect()
    }

    /// Adds columns made elsewhere (the on-disk cache); each must have one code (and, when
    /// partial, one bit) per event.
    pub fn insert_columns(&self, cols: Vec<(String, Column)>) {
        let mut map = self.columns.write().expect("not poisoned");
        for (name, col) in cols {
            let bits_ok = col.made.as_ref().is_none_or(|b| b.len() == self.events.len().div_ceil(64));
            if col.codes.len() == self.events.len() && bits_ok {
                map.insert(name, Arc::new(col));
            }
        }
    }

    /// Adds the column of a key read from the events' text while they were loaded
    /// ([`crate::events::input::Loaded::key_values`]: its values, and per event 0 for none,
    /// [`crate::events::input::NOT_READ`], or 1 + the place of its value), when its values
    /// are the events' own JSON text under this knowledge ([`Dataset::json_only`]): events
    /// not read are left for the passes to make.
    pub fn insert_read_while_loading(&self, name: &str, values: Vec<String>, mut codes: Vec<u32>) {
        if !self.json_only(name) || codes.len() != self.events.len() {
            return;
        }
        let mut made = vec![u64::MAX; codes.len().div_ceil(64)];
        let mut all = true;
        for (i, c) in codes.iter_mut().enumerate() {
            if *c == crate::events::input::NOT_READ {
                *c = 0;
                made[i / 64] &= !(1 << (i % 64));
                all = false;
            }
        }
        let dict = values.into_iter().map(Value::Str).collect();
        self.insert_columns(vec![(name.to_string(), Column::new(dict, codes, (!all).then_some(made)))]);
    }

    /// Makes the named fields for every event in one pass over the events (the JSON of
    /// each event is read once for all of them), on all cores, and keeps them: every later
    /// search over this dataset reads them from memory. Names already made, `_raw` and
    /// wildcards are skipped.
    pub fn prefetch(&self, names: &BTreeSet<String>) {
        self.prefetch_events(names, None);
    }

    /// [`Dataset::prefetch`] for some events only (`None`: all): each named field's column
    /// is made for those of `events` it was not made for yet, and kept.
    pub fn prefetch_events(&self, names: &BTreeSet<String>, events: Option<&[usize]>) {
        self.prefetch_requests(&[(names, events)]);
    }

    /// Several [`Dataset::prefetch_events`] in one pass: an event that several requests
    /// select is read once, for the fields of all of them. Each field is made for the
    /// events of the requests that name it, as the requests one after another make it.
    pub fn prefetch_requests(&self, requests: &[(&BTreeSet<String>, Option<&[usize]>)]) {
        // Which requests want an event read is a bit each in one word.
        for group in requests.chunks(64) {
            self.prefetch_group(group);
        }
    }

    /// [`Dataset::prefetch_requests`] of at most 64 requests.
    fn prefetch_group(&self, requests: &[(&BTreeSet<String>, Option<&[usize]>)]) {
        let total = self.events.len();
        let _making = self.making.lock().expect("not poisoned");
        // The metadata fields asked for, made from each event's metadata for every event
        // at once when they can be: a pass would read every event's text for them.
        let made = |name: &str| self.columns.read().expect("not poisoned").get(name).is_some_and(|c| c.is_complete());
        for name in requests.iter().flat_map(|(names, _)| names.iter()) {
            if let Some(col) = (!made(name)).then(|| self.meta_column(name)).flatten() {
                self.columns.write().expect("not poisoned").insert(name.clone(), Arc::new(col));
            }
        }
        // `_time` likewise from each event's time, when half of the events or more are asked
        // for it: a pass formatted, hashed and merged the text of each (nearly one value an
        // event).
        let time_asked: usize = requests
            .iter()
            .filter(|(names, _)| names.contains("_time"))
            .map(|(_, events)| events.map_or(total, <[usize]>::len))
            .sum();
        if 2 * time_asked >= total && total > 0 {
            self.make_time_column();
        }
        // Per request, the fields it names that are not made for all of its events yet; per
        // event, the requests that want some of those made for it (a bit each).
        let mut lacking: Vec<BTreeSet<&String>> = Vec::with_capacity(requests.len());
        // The fields some request lacks that are made for some events already (a key read
        // while loading, for the events read once its literal scan gave up; a narrower
        // search's): an event they are made for is not read for them again.
        let mut partial: Vec<(&String, Arc<Column>)> = Vec::new();
        // The events to read, in order, and for each the requests wanting it (a bit each).
        let (todo, wants): (Vec<usize>, Vec<u64>) = {
            let have = self.columns.read().expect("not poisoned");
            let lacks: Vec<Vec<Lacking<'_, '_>>> = requests
                .iter()
                .map(|(names, _)| {
                    names
                        .iter()
                        .filter(|n| cacheable(n))
                        .filter_map(|n| match have.get(n) {
                            None => Some((n, None)),
                            Some(c) if c.is_complete() => None,
                            Some(c) => {
                                if partial.len() < 64 && !partial.iter().any(|(p, _)| *p == n) {
                                    partial.push((n, Arc::clone(c)));
                                }
                                Some((n, Some(c)))
                            }
                        })
                        .collect()
                })
                .collect();
            // Nothing to make (a warm run asks for what the cache has): no pass, nothing
            // the size of the events allocated.
            if lacks.iter().all(Vec::is_empty) {
                return;
            }
            // Bitmaps of events when some request wants every event, or the requests name
            // many; else a word per event some request names, with its number (a search
            // narrowed to a few thousand of a million events allocates for those).
            let listed: usize = lacks
                .iter()
                .zip(requests)
                .filter(|(l, _)| !l.is_empty())
                .map(|(_, (_, events))| events.map_or(total, <[usize]>::len))
                .sum();
            if listed * 4 >= total {
                events_lacking(lacks, requests, total, &mut lacking)
            } else {
                let mut sparse: Vec<(usize, u64)> = Vec::new();
                for (r, (lacks, &(_, events))) in lacks.into_iter().zip(requests).enumerate() {
                    let before = sparse.len();
                    if let Some(events) = events.filter(|_| !lacks.is_empty()) {
                        let lacks_it = |i: usize| lacks.iter().any(|(_, c)| c.is_none_or(|c| !c.is_made(i)));
                        sparse.extend(events.iter().filter(|&&i| lacks_it(i)).map(|&i| (i, 1 << r)));
                    }
                    let any = sparse.len() > before;
                    lacking.push(if any { lacks.into_iter().map(|(n, _)| n).collect() } else { BTreeSet::new() });
                }
                // In event order, an event named by several requests once with all their bits.
                sparse.sort_unstable_by_key(|&(i, _)| i);
                sparse.dedup_by(|(i, later), (j, first)| {
                    let same = i == j;
                    if same {
                        *first |= *later;
                    }
                    same
                });
                sparse.into_iter().unzip()
            }
        };
        if todo.is_empty() {
            return;
        }
        // The fields to make, a slot each; and per distinct set of requests wanting an event
        // (its kind), the union of their fields, by name and by slot.
        let names: Vec<&String> = lacking.iter().flatten().copied().collect::<BTreeSet<_>>().into_iter().collect();
        let slot: HashMap<&str, usize, FxBuild> = names.iter().enumerate().map(|(k, n)| (n.as_str(), k)).collect();
        // (Its kind is also which of the partly made fields are made for it: those are left
        // out of its fields.)
        let mut kinds: HashMap<(u64, u64), u32, FxBuild> = HashMap::default();
        let mut kind_names: Vec<BTreeSet<String>> = Vec::new();
        // Events next to each other are mostly of one kind: the last is asked first.
        let mut last: Option<((u64, u64), u32)> = None;
        let kind_of: Vec<u32> = todo
            .iter()
            .zip(&wants)
            .map(|(&i, &bits)| {
                let made =
                    partial.iter().enumerate().filter(|(_, (_, c))| c.is_made(i)).fold(0u64, |m, (p, _)| m | 1 << p);
                if let Some((_, kind)) = last.filter(|(key, _)| *key == (bits, made)) {
                    return kind;
                }
                let kind = *kinds.entry((bits, made)).or_insert_with(|| {
                    let done = |n: &String| partial.iter().enumerate().any(|(p, (q, _))| made >> p & 1 == 1 && *q == n);
                    kind_names.push(
                        (0..requests.len())
                            .filter(|r| bits & (1 << r) != 0)
                            .flat_map(|r| lacking[r].iter().filter(|n| !done(n)).map(|n| (*n).clone()))
                            .collect(),
                    );
                    kind_names.len() as u32 - 1
                });
                last = Some(((bits, made), kind));
                kind
            })
            .collect();
        drop(partial);
        drop(wants);
        let kind_slots: Vec<Vec<usize>> =
            kind_names.iter().map(|ns| ns.iter().map(|n| slot[n.as_str()]).collect()).collect();
        // The same as a flag per slot, for the per-value test in the loop below.
        let kind_has: Vec<Vec<bool>> = kind_slots
            .iter()
            .map(|slots| {
                let mut has = vec![false; names.len()];
                slots.iter().for_each(|&k| has[k] = true);
                has
            })
            .collect();
        // Each event's value of the field the decision tables decide on, when its column is
        // made for every event of the pass: an event's extractor then reads only what the
        // branches its value leaves open read, not every table's every input (the add-on's
        // `user` reads 15 fields, of which a `Describe*` event needs 4).
        // Not when the key has many values: an extractor is made per value.
        let key: Option<(&str, Arc<Column>)> = self.decision_key().and_then(|k| {
            let col = self.columns.read().expect("not poisoned").get(k).cloned()?;
            let made = col.is_complete() || todo.iter().all(|&i| col.is_made(i));
            (made && col.dict.len() <= MAX_KEY_VALUES).then_some((k, col))
        });
        let n = todo.len();
        let threads = crate::work::cores().min(n.div_ceil(1024)).max(1);
        // `todo` in pieces that the threads take as they finish (two cores of a virtual
        // machine are often not equally fast: with half of the events each, one core
        // coded alone for the last 0.1 s of a broad detection's pass over 1 GB).
        let pieces = pass_pieces(n, threads);
        // Each thread codes the pieces it takes with its own dictionaries: per field, the
        // values its events use, and per piece, one code for each of its events whose kind
        // has the field, in event order.
        let parts: Vec<Vec<ThreadCodes>> = crate::work::take_in_turn(threads, pieces.len(), |taken| {
            // An extractor per kind and value of the key, made when its first event comes;
            // each extracted value coded once, in its field's dictionary.
            let values = key.as_ref().map_or(0, |(_, col)| col.dict.len()) + 1;
            let mut extractors: Vec<Vec<Option<Box<Extractor>>>> =
                (0..kind_names.len()).map(|_| (0..values).map(|_| None).collect()).collect();
            let mut coded = knowledge::coded::Coded::default();
            let out: Vec<usize> = names.iter().map(|n| coded.slots.slot(n)).collect();
            let mut row = Vec::new();
            let mut buf = Vec::new();
            // Per piece taken, its number and each field's codes.
            let mut made: Vec<(usize, Vec<Growing>)> = Vec::new();
            for p in taken {
                let range = &pieces[p];
                let (part, kinds) = (&todo[range.clone()], &kind_of[range.clone()]);
                // A code per event of a kind that has the field: allocated at
                // once (grown by doubling, the vectors were a sixth of the faults
                // on fresh pages).
                let mut per_kind = vec![0usize; kind_names.len()];
                kinds.iter().for_each(|&kind| per_kind[kind as usize] += 1);
                let mut lens = vec![0usize; names.len()];
                for (slots, n) in kind_slots.iter().zip(&per_kind) {
                    slots.iter().for_each(|&k| lens[k] += n);
                }
                let mut codes: Vec<Growing> = lens.into_iter().map(Growing::with_capacity).collect();
                let event = |k: usize| &self.events[part[k]];
                for run in crate::events::release_runs(part.len(), RELEASE_EVERY, RELEASE_SPAN, event) {
                    let (block, block_kinds) = (&part[run.clone()], &kinds[run]);
                    self.read_block(block, &mut buf, |k, raw| {
                        let (i, kind) = (block[k], block_kinds[k] as usize);
                        let value = key.as_ref().map_or(0, |(_, col)| col.codes.get(i));
                        let ex = extractors[kind][value as usize].get_or_insert_with(|| {
                            let given = key.as_ref().map(|(field, col)| Given {
                                field,
                                value: value.checked_sub(1).map(|c| &col.dict[c as usize]),
                            });
                            Box::new(self.extractor_given(Wanted::Names(&kind_names[kind]), given))
                        });
                        ex.coded_row_of(i, raw, &mut coded, &mut row);
                        for &k in &kind_slots[kind] {
                            codes[k].push(row.get(out[k]).copied().unwrap_or(0));
                        }
                    });
                }
                made.push((p, codes));
            }
            drop(extractors);
            thread_codes(coded, &out, made)
        });
        let mut by_field: Vec<Vec<ThreadCodes>> = names.iter().map(|_| Vec::with_capacity(parts.len())).collect();
        for part in parts {
            by_field.iter_mut().zip(part).for_each(|(field, codes)| field.push(codes));
        }
        let events = PassEvents { pieces: &pieces, todo: &todo, kind_of: &kind_of, kind_has: &kind_has };
        self.merge_pass(&names, by_field, &events);
    }

    /// Merges a shared pass's codes (`by_field`: per field, each thread's) into the columns
    /// as they are now (another search may have added to them meanwhile): an event already
    /// made keeps its value. Each field on its own, the fields on all cores (one core
    /// merged them all while the other waited).
    pub(super) fn merge_pass(&self, names: &[&String], by_field: Vec<Vec<ThreadCodes>>, events: &PassEvents<'_>) {
        let total = self.events.len();
        let mut map = self.columns.write().expect("not poisoned");
        // Each field's column as it is and its threads' parts, taken by the core merging it.
        type Job = Mutex<Option<(Option<Arc<Column>>, Vec<ThreadCodes>)>>;
        let jobs: Vec<Job> =
            names.iter().zip(by_field).map(|(name, field)| Mutex::new(Some((map.remove(*name), field)))).collect();
        let merged = crate::work::map_in_turn(crate::work::cores(), names.len(), |k| {
            let (old, field) = jobs[k].lock().expect("not poisoned").take().expect("each field merged once");
            // The column as it is (taken over when no search holds it, else copied).
            let (dict, old_codes, mut made) = match old {
                Some(c) => {
                    let c = Arc::try_unwrap(c).unwrap_or_else(|shared| (*shared).clone());
                    let dict = Arc::unwrap_or_clone(c.dict);
                    (dict, Some(c.codes), c.made.unwrap_or_else(|| vec![u64::MAX; total.div_ceil(64)]))
                }
                None => (Vec::new(), None, vec![0u64; total.div_ceil(64)]),
            };
            // Values already in the dictionary keep their codes; new ones are added after
            // them, moved out of the threads' parts (which go as they are read: a copy of
            // every value beside the parts was the passes' peak). Values are found through
            // a table of codes hashed by their values (5 bytes a value, not a copy of each
            // or a reference to it beside its hash).
            let incoming: usize = field.iter().map(|(values, _)| values.len()).sum();
            let mut index = knowledge::coded::Values::with_values(dict, incoming);
            let remapped: Vec<Remapped> = field
                .into_iter()
                .map(|(values, taken)| (values.into_iter().map(|v| index.code(v)).collect(), taken))
                .collect();
            let dict = index.into_vec();
            // Each event's code, written at once in the width the whole dictionary needs
            // (codes of 4 bytes for every event, narrowed afterwards, were most of the
            // merge: a fresh page per 1,024 events for each field).
            let mut merge = Merge { total, events, field: k, made: &mut made };
            let codes = match Width::for_max(dict.len()) {
                Width::U8 => merge.codes::<u8>(old_codes, remapped),
                Width::U16 => merge.codes::<u16>(old_codes, remapped),
                Width::U32 => merge.codes::<u32>(old_codes, remapped),
            };
            let complete = all_set(&made, total);
            Column::with_codes(dict, codes, (!complete).then_some(made))
        });
        for (name, col) in names.iter().zip(merged) {
            map.insert((*name).clone(), Arc::new(col));
        }
    }

    /// The column of the metadata field `name` (`sourcetype`, `source`, `host`, `index`)
    /// for every event, made from each event's metadata without reading its text: when
    /// every event has a value for it and no rule of the knowledge makes or changes it, the
    /// value is its metadata's, as extraction gives it (an index-time field, which a JSON
    /// field of the same name does not replace). `None` otherwise.
    fn meta_column(&self, name: &str) -> Option<Column> {
        let k = crate::events::Meta::NAMES.iter().position(|f| *f == name)?;
        if !self.knowledge.values().all(|rules| no_rule_makes(rules, name)) {
            return None;
        }
        let mut dict: Vec<Value> = Vec::new();
        let mut index: HashMap<String, u32, FxBuild> = HashMap::default();
        let mut codes = Vec::with_capacity(self.events.len());
        // Events read from one input share their metadata: a code per run of them (a look
        // at every event's metadata was 10 ms of a run over a million events).
        let ends = self.meta_runs.iter().skip(1).map(|(start, _)| *start).chain([self.events.len()]);
        for ((start, meta), end) in self.meta_runs.iter().zip(ends) {
            let v = meta.field(k)?.to_string();
            let c = *index.entry(v.clone()).or_insert_with(|| {
                dict.push(Value::Str(v));
                dict.len() as u32
            });
            codes.resize(codes.len() + (end - start), c);
        }
        Some(Column::new(dict, codes, None))
    }

    /// `_time`'s column for every event ([`Dataset::time_column`]), kept, unless it is made
    /// already.
    pub fn make_time_column(&self) {
        let made = self.columns.read().expect("not poisoned").get("_time").is_some_and(|c| c.is_complete());
        if !made {
            if let Some(col) = self.time_column() {
                self.columns.write().expect("not poisoned").insert("_time".to_string(), Arc::new(col));
            }
        }
    }

    /// The column of `_time` for every event, made from each event's parsed time (as
    /// extraction gives it, [`crate::events::format_epoch`]): each event coded by its second
    /// ([`first_use_codes`]), each distinct second formatted once, on all cores. `None` when
    /// an event has no time (a JSON `_time` may then be its field) or one with a fraction of
    /// a second, or a rule makes `_time`.
    fn time_column(&self) -> Option<Column> {
        if !self.knowledge.values().all(|rules| no_rule_makes(rules, "_time")) {
            return None;
        }
        // Whole seconds only (CloudTrail's): their text is the integer's, one text per
        // integer; a fraction's text is rounded, so two times could share one.
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        for e in &self.events {
            let epoch = e.time.as_ref()?.epoch;
            if epoch.fract() != 0.0 {
                return None;
            }
            (lo, hi) = (lo.min(epoch as i64), hi.max(epoch as i64));
        }
        let seconds = self.events.iter().map(|e| e.time.as_ref().map_or(0, |t| t.epoch as i64));
        let (times, codes) = ascending_codes(seconds, lo, hi, self.events.len());
        let cores = crate::work::cores();
        let per = times.len().div_ceil(cores * 4).max(1 << 14);
        // Each second's text written in its place by the core that takes its piece (made
        // in pieces and moved together, the moving took as long as the writing).
        let mut dict: Vec<Value> = vec![Value::Null; times.len()];
        let pieces: Vec<std::sync::Mutex<&mut [Value]>> = dict.chunks_mut(per).map(std::sync::Mutex::new).collect();
        crate::work::map_in_turn(cores, pieces.len(), |k| {
            let mut piece = pieces[k].lock().expect("each piece is taken once");
            for (slot, &second) in piece.iter_mut().zip(&times[k * per..]) {
                *slot = Value::Str(crate::events::format_whole_seconds(second));
            }
        });
        drop(pieces);
        Some(Column { ascending: Ascending(true), ..Column::new(dict, codes, None) })
    }

    /// The field the knowledge's decision tables (calculated fields that are an `if` or a
    /// `case`) most often decide on, when no rule makes or changes it (`eventName` for the
    /// add-on's): a shared pass that has its column gives each event an extractor that
    /// knows its value ([`Dataset::extractor_given`]).
    pub fn decision_key(&self) -> Option<&str> {
        self.decision_key.get_or_init(|| decision_key_in(self.knowledge.values()).map(str::to_string)).as_deref()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Event indices newest first; events with the same time keep the reverse of their
    /// input order (later-read first), docs/spl-semantics.md 0 (UNVERIFIED tie order).
    pub fn newest_first(&self) -> Vec<usize> {
        self.newest_first_ref().to_vec()
    }

    /// [`Dataset::newest_first`], borrowed.
    pub fn newest_first_ref(&self) -> &[usize] {
        self.newest_first.get_or_init(|| self.order_newest_first())
    }

    /// Whether `events` is a part of [`Dataset::newest_first`], in its order (what every
    /// first search gives).
    pub fn in_newest_first_order(&self, events: &[usize]) -> bool {
        events.windows(2).all(|w| self.newest_first_cmp(w[0], w[1]).is_lt())
    }

    /// The events `keep` accepts, in the order of [`Dataset::newest_first`]: taken from it
    /// when it is made, else sorted on their own (a search narrowed to a few thousand of a
    /// million events does not sort the million).
    pub fn newest_first_of(&self, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        if let Some(all) = self.newest_first.get() {
            return all.iter().copied().filter(|&i| keep(i)).collect();
        }
        let mut order: Vec<usize> = (0..self.events.len()).filter(|&i| keep(i)).collect();
        order.sort_unstable_by(|&a, &b| self.newest_first_cmp(a, b));
        order
    }

    fn order_newest_first(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.events.len()).collect();
        order.sort_unstable_by(|&a, &b| self.newest_first_cmp(a, b));
        order
    }

    /// The order of [`Dataset::newest_first`]: newer first; of events at one time (or
    /// without one, last), the one later in the input first. A total order, so sorting by
    /// it need not be stable.
    fn newest_first_cmp(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let t = |i: usize| self.events[i].time.as_ref().map_or(f64::NEG_INFINITY, |t| t.epoch);
        t(b).total_cmp(&t(a)).then(b.cmp(&a))
    }

    /// The fields of event `i` that `wanted` accepts (see [`Extractor::fields_of`]).
    pub fn fields_of(&self, i: usize, wanted: Wanted) -> Fields {
        self.extractor(wanted).fields_of(i)
    }

    /// The events' mapped text ([`crate::events::release_span`]).
    fn release(&self, events: &[usize]) {
        crate::events::release_span(events.iter().map(|&e| &self.events[e]));
    }

    /// Calls `each` with the index in `block` of each of its events and the event's text,
    /// read from copies, not through the map ([`crate::events::each_text`]); then lets go
    /// of what was read through the map after all (a text whose copy failed, an
    /// index-time field made from `_raw`).
    fn read_block(&self, block: &[usize], buf: &mut Vec<u8>, each: impl FnMut(usize, &str)) {
        let events: Vec<&Event> = block.iter().map(|&i| &self.events[i]).collect();
        crate::events::each_text(&events, buf, each);
        self.release(block);
    }

    /// The wanted fields of each of `events`, in that order, made on all cores when there
    /// are many.
    pub fn fields_of_many(&self, events: &[usize], wanted: Wanted) -> Vec<Fields> {
        let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
        let part_fields = |part: &[usize]| {
            let ex = self.extractor(wanted);
            let mut out = Vec::with_capacity(part.len());
            let mut buf = Vec::new();
            for run in crate::events::release_runs(part.len(), RELEASE_EVERY, RELEASE_SPAN, |k| &self.events[part[k]]) {
                let block = &part[run];
                self.read_block(block, &mut buf, |k, raw| out.push(ex.fields_in(block[k], raw)));
            }
            out
        };
        if threads == 1 || events.len() < PARALLEL_MIN {
            return part_fields(events);
        }
        let chunk = events.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = events
                .chunks(chunk)
                .map(|part| {
                    let part_fields = &part_fields;
                    s.spawn(move || part_fields(part))
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("extraction does not panic")).collect()
        })
    }

    /// An extractor for `wanted`, planned once for many events.
    pub fn extractor<'a>(&'a self, wanted: Wanted<'a>) -> Extractor<'a> {
        self.extractor_given(wanted, None)
    }

    /// [`Dataset::extractor`] for events whose value of one field is known, a field no
    /// rule makes or changes ([`Dataset::decision_key`]): the knowledge's decision tables
    /// read only what the branches left open by that value read
    /// ([`SourcetypeKnowledge::projected_given`]).
    pub fn extractor_given<'a>(&'a self, wanted: Wanted<'a>, given: Option<Given>) -> Extractor<'a> {
        let plans = self
            .knowledge
            .iter()
            .map(|(st, rules)| {
                let plan = match wanted {
                    Wanted::Names(names) => rules.projected_given(names, given.as_ref().map(|g| (g, &self.ctx))),
                    Wanted::AllBut(_) => (rules.clone(), None),
                };
                (st.as_str(), plan)
            })
            .collect::<BySourcetype<_>>();
        let needs = match wanted {
            Wanted::Names(names) => plans
                .iter()
                .filter_map(|(st, (_, inputs))| {
                    let inputs = inputs.as_ref()?;
                    let all: Names = names.iter().chain(inputs).cloned().collect();
                    let below = crate::events::flat::branch_paths(&all);
                    Some((st, (all, below)))
                })
                .collect(),
            Wanted::AllBut(_) => BySourcetype::default(),
        };
        let top_keys = needs
            .iter()
            .filter_map(|(st, (all, _)): (&str, &(Names, Names))| {
                let keys: Vec<String> = all.iter().filter(|n| *n != "_raw").cloned().collect();
                (keys.len() <= crate::events::top::MAX_KEYS && keys.iter().all(|k| crate::events::top::plain_key(k)))
                    .then(|| (st, crate::events::top::Keys::new(keys)))
            })
            .collect();
        let trees = needs
            .iter()
            .filter(|_| self.checked_json)
            .filter_map(|(st, (all, below))| Some((st, crate::events::paths::PathTree::new(all, below)?)))
            .collect();
        let wanted_below = match wanted {
            Wanted::Names(names) => Some(crate::events::flat::branch_paths(names)),
            Wanted::AllBut(_) => None,
        };
        let wanted_names: Option<HashSet<&str, FxBuild>> = match wanted {
            Wanted::Names(names) => Some(names.iter().map(String::as_str).collect()),
            Wanted::AllBut(_) => None,
        };
        let raw_for_event_types = match &wanted_names {
            Some(names) if !names.contains("_raw") => plans
                .iter()
                .filter(|(_, (rules, inputs))| {
                    inputs.as_ref().is_some_and(|i| i.contains("_raw")) && !rules.reads_raw_besides_event_types()
                })
                .map(|(st, _)| st)
                .collect(),
            _ => HashSet::default(),
        };
        Extractor {
            ds: self,
            wanted,
            plans,
            needs,
            top_keys,
            trees,
            remembered: RefCell::default(),
            coded: RefCell::default(),
            path_slots: RefCell::default(),
            index_time: RefCell::default(),
            wanted_names,
            wanted_below,
            raw_for_event_types,
        }
    }
}

/// A shared pass gives each event an extractor that knows its value of the decision key
/// ([`Dataset::decision_key`]) when the key has at most this many distinct values (CloudTrail
/// has a few hundred `eventName`s; making an extractor costs tens of microseconds).
const MAX_KEY_VALUES: usize = 4096;

/// How many pieces per thread a shared pass cuts its events into ([`pass_pieces`]): a core
/// that finishes first waits at most for the piece the other is coding. With 8, one core
/// coded alone for the last 0.05 s of a broad detection's pass over 1 GB (pieces of 40,000
/// events); with 32, pieces of 10,000 take about 10 ms.
const PASS_PIECES: usize = 32;

/// Codes for `n` integers between `lo` and `hi` in ascending order of value: the distinct
/// integers ascending, and each one's code (1 + its place among them). Through a table
/// with a slot per integer of the span when the span is at most a few times `n` (the
/// seconds of a month of events: 780,000 distinct seconds of 1.2 million events were
/// hashed twice, once per piece and once merging, 0.1 s on one core), else through a hash
/// table and a sort of the distinct values ([`first_use_codes`], [`in_ascending_order`]).
fn ascending_codes(values: impl Iterator<Item = i64> + Clone, lo: i64, hi: i64, n: usize) -> (Vec<i64>, Vec<u32>) {
    let span = usize::try_from(hi.abs_diff(lo)).ok().filter(|&span| lo <= hi && span < 4 * n + (1 << 16));
    let Some(span) = span else { return in_ascending_order(first_use_codes(values, n)) };
    let mut table = vec![0u32; span + 1];
    values.clone().for_each(|v| table[v.abs_diff(lo) as usize] = 1);
    let mut distinct = Vec::new();
    for (k, slot) in table.iter_mut().enumerate() {
        if *slot != 0 {
            distinct.push(lo + k as i64);
            *slot = distinct.len() as u32;
        }
    }
    let codes = values.map(|v| table[v.abs_diff(lo) as usize]).collect();
    (distinct, codes)
}

/// Distinct integers and codes (1 + a value's place among them) renumbered so that the
/// values ascend with their codes.
fn in_ascending_order((distinct, codes): (Vec<i64>, Vec<u32>)) -> (Vec<i64>, Vec<u32>) {
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by_key(|&k| distinct[k as usize]);
    let mut rank = vec![0u32; distinct.len() + 1];
    order.iter().enumerate().for_each(|(r, &k)| rank[k as usize + 1] = r as u32 + 1);
    let sorted = order.iter().map(|&k| distinct[k as usize]).collect();
    (sorted, codes.into_iter().map(|c| rank[c as usize]).collect())
}

/// Codes for `n` integers in order of first use: the distinct integers, and each one's
/// code (1 + its place among them), through a hash table.
fn first_use_codes(values: impl Iterator<Item = i64>, n: usize) -> (Vec<i64>, Vec<u32>) {
    let mut distinct = Vec::new();
    let mut index: HashMap<i64, u32, FxBuild> = HashMap::default();
    let mut codes = Vec::with_capacity(n);
    codes.extend(values.map(|v| {
        let slot = index.entry(v).or_insert(0);
        if *slot == 0 {
            distinct.push(v);
            *slot = distinct.len() as u32;
        }
        *slot
    }));
    (distinct, codes)
}

/// One thread's codes of one field after a shared pass: the values its events use, in
/// order of first use, and per piece it took (by number), its events' codes.
pub(super) type ThreadCodes = (Vec<Value>, Vec<(usize, Growing)>);

/// A thread's [`ThreadCodes`] at the end of a shared pass, field by field (`out`: each
/// field's slot in `coded`; `made`: per piece it took, its number and each field's codes):
/// each field's values in order of first use by its events (the slot's dictionary also
/// has values only other kinds' events read), moved out of the dictionaries, which go as
/// they are emptied.
pub(super) fn thread_codes(
    coded: knowledge::coded::Coded,
    out: &[usize],
    made: Vec<(usize, Vec<Growing>)>,
) -> Vec<ThreadCodes> {
    let mut dicts = coded.into_dictionaries();
    // The fields only the knowledge read go first.
    for (s, d) in dicts.iter_mut().enumerate() {
        if !out.contains(&s) {
            drop(std::mem::take(d));
        }
    }
    let mut per_field: Vec<Vec<(usize, Growing)>> = out.iter().map(|_| Vec::new()).collect();
    for (p, codes) in made {
        for (k, c) in codes.into_iter().enumerate() {
            per_field[k].push((p, c));
        }
    }
    per_field
        .into_iter()
        .zip(out)
        .map(|(mut pieces, &s)| {
            let mut all = std::mem::take(&mut dicts[s]).into_vec();
            let mut local = vec![0u32; all.len() + 1];
            let mut values = Vec::new();
            for (_, c) in &mut pieces {
                c.renumber(|code| {
                    let g = code as usize;
                    if local[g] == 0 {
                        values.push(std::mem::take(&mut all[g - 1]));
                        local[g] = values.len() as u32;
                    }
                    local[g]
                });
            }
            (values, pieces)
        })
        .collect()
}

/// One thread's part of a field after a shared pass: each of its codes' number in the
/// merged dictionary, and its pieces' codes (piece number, codes).
type Remapped = (Vec<u32>, Vec<(usize, Growing)>);

/// The events of a shared pass, as its merge reads them ([`Dataset::merge_pass`]): the
/// events (`todo`, each one's kind), the pieces the threads took (ranges of `todo`), which
/// kinds have which field.
pub(super) struct PassEvents<'a> {
    pub pieces: &'a [std::ops::Range<usize>],
    pub todo: &'a [usize],
    pub kind_of: &'a [u32],
    pub kind_has: &'a [Vec<bool>],
}

/// What merging one field's codes from a shared pass's threads reads: the pass's events,
/// which field it is, and which events are made.
struct Merge<'a> {
    total: usize,
    events: &'a PassEvents<'a>,
    field: usize,
    made: &'a mut Vec<u64>,
}

impl Merge<'_> {
    /// Every event's code of the field in `T`: the column's codes as they were (`old`),
    /// and for each event not made yet the code its thread gave it (`parts`: per thread,
    /// its codes' new numbers and its pieces' codes), marked made.
    fn codes<T: Code>(&mut self, old: Option<Codes>, parts: Vec<Remapped>) -> Codes {
        // A new column made for fewer than an eighth of the events: as pairs.
        let pieces = || parts.iter().flat_map(|(_, taken)| taken.iter().map(|(p, _)| self.events.pieces[*p].len()));
        if old.is_none() && pieces().sum::<usize>() * 8 < self.total && u32::try_from(self.total).is_ok() {
            return self.pairs::<T>(parts);
        }
        let mut codes: Vec<T> = match old.map(T::owned) {
            Some(Ok(same_width)) => same_width,
            Some(Err(c)) => c.dense_in(),
            None => vec![T::default(); self.total],
        };
        self.scatter_parts(parts, |i, c| codes[i] = c);
        shrunk(codes)
    }

    /// [`Merge::codes`] of a new column, as (event, code) pairs ([`shrunk_pairs`]).
    fn pairs<T: Code>(&mut self, parts: Vec<Remapped>) -> Codes {
        let mut pairs: Vec<(u32, T)> = Vec::new();
        self.scatter_parts(parts, |i, c| pairs.push((i as u32, c)));
        shrunk_pairs(self.total, pairs)
    }

    /// Gives `put` each event not made yet of the threads' pieces (`parts`: per thread,
    /// its codes' new numbers and its pieces' codes) whose kind has the field, with its
    /// code in the merged dictionary; marks it made.
    fn scatter_parts<T: Code>(&mut self, parts: Vec<Remapped>, mut put: impl FnMut(usize, T)) {
        let field = self.field;
        for (remap, taken) in parts {
            // Each thread code's new number, code 0 (no value) first.
            let remap: Vec<T> = std::iter::once(T::default()).chain(remap.into_iter().map(T::from_u32)).collect();
            for (p, local) in taken {
                let range = self.events.pieces[p].clone();
                let (events, kinds) = (&self.events.todo[range.clone()], &self.events.kind_of[range]);
                // The piece's codes are those of its events whose kind has the field.
                let has = |k: &u32| self.events.kind_has[*k as usize][field];
                if kinds.iter().all(has) {
                    local.scatter(events.iter().copied(), &remap, self.made, &mut put);
                } else {
                    let having = events.iter().zip(kinds).filter(|(_, k)| has(k)).map(|(&i, _)| i);
                    local.scatter(having, &remap, self.made, &mut put);
                }
            }
        }
    }
}

/// `n` events cut into the pieces a shared pass's `threads` take as they finish: about
/// [`PASS_PIECES`] per thread, none under 4,096 events (each piece sizes its vectors and
/// reads its events' text in blocks of its own), in order.
fn pass_pieces(n: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let count = (threads * PASS_PIECES).min(n.div_ceil(4096)).max(1);
    (0..count).map(|k| n * k / count..n * (k + 1) / count).filter(|r| !r.is_empty()).collect()
}

/// Whether a field's values are the events' own JSON text under this knowledge (no rule
/// makes or changes it, and it is not an index-time field): only then may a search's value
/// for it be looked for in the text ([`crate::eval::needles`]). [`Dataset::json_only`] over
/// the dataset's knowledge; before loading, over the knowledge the events will have
/// ([`super::scan::needles_to_load`]).
pub fn json_only_in<'k>(knowledge: impl IntoIterator<Item = &'k SourcetypeKnowledge>, name: &str) -> bool {
    if name.starts_with('_')
        || name.contains('*')
        || crate::events::INDEX_TIME_FIELDS.contains(&name)
        || ["eventtype", "tag", "splunk_server"].contains(&name)
        || name.starts_with("tag::")
    {
        return false;
    }
    knowledge.into_iter().all(|k| no_rule_makes(k, name))
}

/// Whether no rule of this knowledge makes or changes the field `name` (an extraction
/// whose field names come from the text, `FORMAT = $1::$2`, might make any).
pub(super) fn no_rule_makes(k: &SourcetypeKnowledge, name: &str) -> bool {
    let dynamic = k.extracts.iter().any(|x| x.format.as_ref().is_some_and(|f| f.iter().any(|(n, _)| n.contains('$'))));
    !dynamic && k.projected(&BTreeSet::from([name.to_string()])).0.is_empty()
}

/// [`Dataset::decision_key`] over this knowledge (before loading, over the knowledge the
/// events will have, for [`crate::events::input::KeyWhileLoading`]).
pub fn decision_key_in<'k>(knowledge: impl IntoIterator<Item = &'k SourcetypeKnowledge> + Clone) -> Option<&'k str> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in knowledge.clone().into_iter().flat_map(|k| &k.evals) {
        for f in c.decides_on.iter().flatten() {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut counts: Vec<(&str, usize)> =
        counts.into_iter().filter(|(f, _)| json_only_in(knowledge.clone(), f)).collect();
    // The most tables, then the first name: the same key whatever the hash order.
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts.first().map(|(f, _)| *f)
}

/// An event to extract from: its sourcetype's name as the extractor keeps it, the event,
/// its text (read where it lies or from a copy), and where its own keys open when the
/// load's check found them ([`crate::events::check::object_facts_with_keys`]).
#[derive(Clone, Copy)]
struct EventText<'a, 'e> {
    st: &'a str,
    e: &'e Event,
    raw: &'e str,
    own: Option<&'e [u32]>,
}

/// What an extractor makes of one sourcetype's events, the same for a map of fields
/// ([`Extractor::extracted_of`]) or a row of codes ([`Extractor::extracted_row`]): which
/// names it needs, which JSON paths lead to them, which index-time fields to make.
struct EventNeeds<'x, 'a> {
    ex: &'x Extractor<'a>,
    st: &'a str,
    plan: Option<&'x (SourcetypeKnowledge, Option<BTreeSet<String>>)>,
    /// Every name to extract and the paths above them, when finite.
    needs: Option<&'x (Names, Names)>,
}

impl<'x, 'a> EventNeeds<'x, 'a> {
    fn of(ex: &'x Extractor<'a>, st: &'a str) -> Self {
        EventNeeds { ex, st, plan: ex.plans.get(st), needs: ex.needs.get(st) }
    }

    /// Whether a field is wanted or read by the knowledge (`_raw` has its own rule).
    fn need(&self, name: &str) -> bool {
        match self.needs {
            Some((set, _)) => set.contains(name),
            None => {
                self.ex.accepts(name)
                    || self.plan.is_some_and(|(_, inputs)| inputs.as_ref().is_none_or(|s| s.contains(name)))
            }
        }
    }

    /// Whether a needed leaf may lie below this JSON path: parts of the document above no
    /// needed name are only checked, not walked.
    fn below(&self, path: &str) -> bool {
        match (self.needs, self.plan) {
            (Some((_, below)), _) => below.contains(path),
            (None, None) => self.ex.wanted_below.as_ref().is_none_or(|b| b.contains(path)),
            (None, Some(_)) => true,
        }
    }

    /// Which index-time fields to make, decided once per sourcetype.
    fn index_time(&self) -> crate::events::IndexTimeWanted {
        *self
            .ex
            .index_time
            .borrow_mut()
            .get_or_insert_with(self.st, || crate::events::IndexTimeWanted::of(&|n| self.need(n)))
    }

    /// Whether every needed name is an index-time field the event has (`has(k)` for the
    /// `k`th of [`crate::events::INDEX_TIME_FIELDS`]): then its JSON is not read.
    fn index_only(&self, has: impl Fn(usize) -> bool) -> bool {
        let index_time = |n: &String| crate::events::INDEX_TIME_FIELDS.iter().position(|f| f == n).is_some_and(&has);
        match (self.ex.wanted, self.plan) {
            (Wanted::Names(names), None) => names.iter().all(index_time),
            (Wanted::Names(names), Some((_, Some(inputs)))) => names.iter().chain(inputs).all(index_time),
            _ => false,
        }
    }
}

impl<'a> Extractor<'a> {
    /// The wanted fields of event `i`, made as Splunk makes them at search time:
    /// index-time fields, JSON extraction, then the sourcetype's knowledge.
    pub fn fields_of(&self, i: usize) -> Fields {
        self.fields_in(i, &self.ds.events[i].raw)
    }

    /// [`Extractor::fields_of`], the event's text given as `raw` (read where it lies or
    /// from a copy of it, [`crate::events::each_text`]).
    pub fn fields_in(&self, i: usize, raw: &str) -> Fields {
        let mut f = self.fields_and_inputs_in(i, raw);
        f.retain(|k, _| self.accepts(k));
        f
    }

    /// [`Extractor::fields_of`] with the fields made only for the knowledge to read left in
    /// (for a caller that takes the wanted ones by name: dropping the others hashed every
    /// field of every event once more).
    pub fn fields_and_inputs_of(&self, i: usize) -> Fields {
        self.fields_and_inputs_in(i, &self.ds.events[i].raw)
    }

    /// [`Extractor::fields_and_inputs_of`], the event's text given as `raw`.
    fn fields_and_inputs_in(&self, i: usize, raw: &str) -> Fields {
        let e = &self.ds.events[i];
        let st = e.meta.sourcetype.as_str();
        let mut f = self.extracted_of(st, e, raw, true);
        if let Some((rules, _)) = self.plans.get(st) {
            self.apply(st, rules, &mut f);
        }
        f
    }

    /// [`Extractor::fields_and_inputs_of`] as a row of codes in `coded` (`row[slot]`, 0
    /// for an absent field; `_raw` is never in it): the knowledge applied by its
    /// [`knowledge::coded::Plan`], once per distinct combination of the codes each rule
    /// reads. An extractor is used with one `Coded` only. `raw` is the event's text, read
    /// where it lies or from a copy of it ([`crate::events::each_text`]).
    pub fn coded_row_of(&self, i: usize, raw: &str, coded: &mut knowledge::coded::Coded, row: &mut Vec<u32>) {
        let e = &self.ds.events[i];
        self.coded_row_in(EventText { st: e.meta.sourcetype.as_str(), e, raw, own: None }, coded, row);
    }

    /// [`Extractor::coded_row_of`] of an event given itself, not its number (one being
    /// loaded, not yet the dataset's: [`super::PassWhileLoading`]), with where its own
    /// keys open when known (`own`, [`crate::events::check::object_facts_with_keys`]);
    /// `false`, with nothing made, when its sourcetype is not one of the dataset's.
    pub fn coded_row_of_event(
        &self,
        e: &Event,
        raw: &str,
        own: Option<&[u32]>,
        coded: &mut knowledge::coded::Coded,
        row: &mut Vec<u32>,
    ) -> bool {
        // The name as the extractor holds it: each lookup by it then finds it by address.
        let Some((st, _)) = self.plans.key_value(e.meta.sourcetype.as_str()) else { return false };
        self.coded_row_in(EventText { st, e, raw, own }, coded, row);
        true
    }

    /// [`Extractor::coded_row_of`] of an event and its text.
    fn coded_row_in(&self, t: EventText<'a, '_>, coded: &mut knowledge::coded::Coded, row: &mut Vec<u32>) {
        let EventText { st, e, raw, .. } = t;
        debug_assert_eq!(raw, &*e.raw);
        let Some((rules, _)) = self.plans.get(st) else {
            self.extracted_row(t, coded, row);
            return;
        };
        let mut plans = self.coded.borrow_mut();
        let plan = plans.get_or_insert_with(st, || knowledge::coded::Plan::new(st, rules, coded));
        match plan {
            Some(plan) => {
                self.extracted_row(t, coded, row);
                plan.apply(rules, row, raw, coded, &self.ds.ctx);
            }
            None => {
                let mut f = self.extracted_of(st, e, raw, true);
                self.apply(st, rules, &mut f);
                coded.code_fields(f, row);
            }
        }
    }

    /// [`Extractor::extracted_of`] (without `_raw`) straight into a row of `coded`: no map
    /// of the event's fields is made, and a value its field's dictionary has is not copied.
    fn extracted_row(&self, t: EventText<'a, '_>, coded: &mut knowledge::coded::Coded, row: &mut Vec<u32>) {
        let EventText { st, e, raw, own } = t;
        let n = EventNeeds::of(self, st);
        let need = |name: &str| name != "_raw" && n.need(name);
        coded.start_row(row);
        let mut present = 0u64;
        e.index_time_each_in(raw, n.index_time().without_raw(), &mut |k, v| {
            present |= 1 << k;
            coded.put_index_time(row, k, v);
        });
        if n.index_only(|k| present & 1 << k != 0) {
            return;
        }
        let below = |path: &str| n.below(path);
        let wants = crate::events::flat::Wants { leaf: &need, below: &below };
        // The wanted paths' slots, when the wanted names are known, made once.
        if let Some((names, _)) = n.needs {
            self.path_slots.borrow_mut().get_or_insert_with(st, || {
                let slots: knowledge::coded::PathSlots =
                    names.iter().filter(|n| need(n)).map(|n| (n.clone(), coded.slots.slot(n))).collect();
                match self.trees.get(st) {
                    Some(tree) => slots.with_leaves(tree.leaves()),
                    None => slots,
                }
            });
        }
        let path_slots = self.path_slots.borrow();
        let mut leaves = coded.leaves(row, n.needs.and(path_slots.get(st)));
        // Only keys of the document's own object wanted: each found by its text.
        if let Some(keys) = self.top_keys.get(st).filter(|_| self.ds.checked_json) {
            if keys.members(raw, present, &need, &mut leaves) {
                leaves.finish();
                return;
            }
        }
        if let Some(tree) = self.trees.get(st) {
            let walked = match own {
                // The document's own members read where the load's check found them.
                Some(own) => tree.walk_own(raw, own, &need, &mut leaves),
                None => tree.walk(raw, &need, &mut leaves),
            };
            if walked {
                leaves.finish();
                return;
            }
        }
        let flatten = if self.ds.checked_json {
            crate::events::flat::flatten_json_leaves
        } else {
            crate::events::flat::flatten_leaves
        };
        if flatten(raw, wants, &mut leaves) {
            leaves.finish();
            return;
        }
        // The tree walk decides (as `json::extract_into`); a record that is not JSON has
        // no JSON fields.
        if let Ok(json) = json::parse(raw) {
            let mut made = Fields::default();
            json::flatten(&json, &mut String::new(), &mut made, &need);
            for (k, v) in made {
                coded.put_new(row, &k, v);
            }
        }
    }

    /// Event `i`'s index-time and JSON fields that are wanted or that its knowledge reads,
    /// before the knowledge. With `raw_for_rules`, `_raw` as [`Extractor::fields_and_inputs_of`]
    /// needs it; without, never (a coded row reads it from the event).
    fn extracted_of(&self, st: &'a str, e: &Event, raw: &str, raw_for_rules: bool) -> Fields {
        let n = EventNeeds::of(self, st);
        // `_raw` (a copy of the event's text) only for an event type that may match it.
        let raw_needed = raw_for_rules
            && (!self.raw_for_event_types.contains(st) || n.plan.is_some_and(|(rules, _)| rules.needs_raw(raw)));
        let need = |name: &str| if name == "_raw" { raw_needed && n.need(name) } else { n.need(name) };
        let index_time = n.index_time();
        let mut f = e.index_time_fields_in(raw, if raw_needed { index_time } else { index_time.without_raw() });
        // Room for the fields to come at once (growing the map step by step showed in
        // profiles); bounded, as a frame may hold many events' maps.
        f.reserve(n.needs.map_or(0, |(names, _)| names.len().min(32)));
        if n.index_only(|k| f.contains_key(crate::events::INDEX_TIME_FIELDS[k])) {
            return f;
        }
        let below = |path: &str| n.below(path);
        // A record that is not JSON (a CSV export's plain-text event) has no JSON fields; the
        // loader has already reported records that should have been JSON.
        let _ = json::extract_into(raw, crate::events::flat::Wants { leaf: &need, below: &below }, &mut f);
        f
    }

    /// Whether a field is wanted ([`Wanted::accepts`], by hash).
    fn accepts(&self, name: &str) -> bool {
        match &self.wanted_names {
            Some(names) => names.contains(name),
            None => self.wanted.accepts(name),
        }
    }

    /// The sourcetype's knowledge over one event's fields, remembering per sourcetype.
    fn apply(&self, st: &'a str, rules: &SourcetypeKnowledge, f: &mut Fields) {
        let mut remembered = self.remembered.borrow_mut();
        let memo = remembered.get_or_insert_with(st, Default::default);
        knowledge::apply_remembering(rules, f, &self.ds.ctx, memo);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A set of events holds the events of the bitmap it is made from, as indices when
    /// they take at most half the bitmap's room, else as the bitmap.
    #[test]
    fn event_sets_hold_the_events_of_their_bitmap() {
        let cases: [(usize, Vec<usize>); 5] = [
            (1000, vec![0, 5, 63, 64, 999]),
            (1000, (0..1000).step_by(3).collect()),
            (130, vec![]),
            (64, vec![63]),
            (128, vec![1, 127]),
        ];
        for (len, members) in cases {
            let bits = bits_of(members.iter().copied(), len);
            let set = EventSet::from_bits(bits.clone());
            assert_eq!(matches!(set, EventSet::Few(_)), members.len() <= bits.len(), "{members:?}");
            if let EventSet::Few(events) = &set {
                assert_eq!(events.iter().map(|&i| i as usize).collect::<Vec<_>>(), members);
            }
            assert_eq!(set.bits(len), bits, "{members:?}");
        }
    }

    /// Codes in order of first use, and in ascending order through the table (a narrow
    /// span) and through the hash table (a wide one) alike.
    #[test]
    fn first_use_codes_number_values_in_order_of_first_use() {
        let reference = |values: &[i64]| {
            let mut distinct: Vec<i64> = Vec::new();
            let codes = values
                .iter()
                .map(|v| match distinct.iter().position(|d| d == v) {
                    Some(k) => k as u32 + 1,
                    None => {
                        distinct.push(*v);
                        distinct.len() as u32
                    }
                })
                .collect::<Vec<u32>>();
            (distinct, codes)
        };
        let mut next = 0x9e37_79b9_7f4a_7c15u64;
        let mut rng = move || {
            next ^= next << 13;
            next ^= next >> 7;
            next ^= next << 17;
            next
        };
        let cases: Vec<Vec<i64>> = vec![
            vec![],
            vec![7],
            vec![5, 5, 5],
            vec![1_700_000_003, 1_700_000_001, 1_700_000_003, 1_700_000_002, 1_700_000_001],
            vec![-3, 4, -3, 0, i64::MIN / 2],
            vec![i64::MIN, i64::MAX, 0, i64::MIN],
            (0..3000).map(|_| 1_700_000_000 + (rng() % 500) as i64).collect(),
            (0..3000).map(|_| (rng() % 1_000_000_000) as i64).collect(),
        ];
        for values in cases {
            let (lo, hi) = (values.iter().copied().min().unwrap_or(0), values.iter().copied().max().unwrap_or(0));
            let got = first_use_codes(values.iter().copied(), values.len());
            assert_eq!(got, reference(&values), "{:?}", &values[..values.len().min(8)]);
            // In ascending order: the distinct values sorted, each one's code its place,
            // through the table (a narrow span) and by renumbering first use's codes (a
            // wide one) alike.
            let mut sorted: Vec<i64> = values.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let place = |v: &i64| sorted.binary_search(v).unwrap() as u32 + 1;
            let want = (sorted.clone(), values.iter().map(place).collect::<Vec<u32>>());
            assert_eq!(in_ascending_order(got), want);
            assert_eq!(ascending_codes(values.iter().copied(), lo, hi, values.len()), want);
        }
    }

    /// `all_set` says what testing each bit says, for lengths within, at and across words.
    #[test]
    fn all_set_tests_the_bits_of_the_events_only() {
        for len in [0usize, 1, 63, 64, 65, 127, 128, 200] {
            let full = vec![u64::MAX; len.div_ceil(64).max(1)];
            assert!(all_set(&full, len), "{len}");
            for hole in (0..len).step_by(7).chain(len.checked_sub(1)) {
                let mut words = full.clone();
                words[hole / 64] &= !(1 << (hole % 64));
                assert!(!all_set(&words, len), "{len}, hole at {hole}");
            }
            // Bits past the events do not count.
            let mut words = vec![0u64; len.div_ceil(64).max(1)];
            (0..len).for_each(|i| words[i / 64] |= 1 << (i % 64));
            assert!(all_set(&words, len), "{len}, nothing past the events");
        }
    }

    /// The pieces of a shared pass cover its events once, in order, none empty.
    #[test]
    fn pass_pieces_cover_the_events_in_order() {
        for (n, threads) in [(0, 2), (1, 2), (4095, 2), (4097, 2), (20_000, 2), (1 << 20, 2), (1 << 20, 16), (9, 1)] {
            let pieces = pass_pieces(n, threads);
            assert_eq!(pieces.iter().flat_map(|r| r.clone()).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
            assert!(pieces.iter().all(|r| !r.is_empty()));
            assert!(pieces.len() <= threads * PASS_PIECES, "{n} {threads}");
            if n >= threads * PASS_PIECES * 4096 {
                assert_eq!(pieces.len(), threads * PASS_PIECES);
            } else {
                assert_eq!(pieces.len(), n.div_ceil(4096), "{n} {threads}: pieces of 4,096 events at least");
            }
        }
    }

    /// A pass over enough events to cut them into pieces that the threads take as they
    /// finish, each with its own dictionaries, gives every event the values its own
    /// extraction gives; the same for a pass over some of them (a second pass's).
    #[test]
    fn a_pass_in_pieces_gives_each_event_its_own_values() {
        let events: Vec<Event> = (0..24_000)
            .map(|k| {
                let line = format!(
                    r#"{{"eventTime":"2025-01-01T00:{:02}:{:02}Z","eventName":"E{}","userIdentity":{{"type":"{}","userName":"u{}"}},"n":{},"tags":["a","b{}"]}}"#,
                    k / 60 % 60,
                    k % 60,
                    k % 37,
                    ["IAMUser", "AssumedRole", "Root"][k % 3],
                    k % 501,
                    k,
                    k % 5
                );
                Event::new(line.as_str(), crate::events::Meta::default())
            })
            .collect();
        let names: BTreeSet<String> = ["eventName", "user", "userIdentity.userName", "n", "tags{}", "src"]
            .iter()
            .map(|n| n.to_string())
            .collect();
        let some: Vec<usize> = (0..24_000).filter(|k| k % 7 != 3).collect();
        for selected in [None, Some(&some[..])] {
            let ds = Dataset::new(events.clone(), &crate::knowledge::builtin(), Context { now: 0.0 }).unwrap();
            assert!(pass_pieces(selected.map_or(ds.len(), <[usize]>::len), 2).len() > 4);
            ds.prefetch_events(&names, selected);
            let columns: Vec<(&String, Arc<Column>)> = names.iter().map(|n| (n, ds.cached(n).unwrap())).collect();
            for i in selected.map_or_else(|| (0..ds.len()).collect(), <[usize]>::to_vec) {
                let own = ds.fields_of(i, Wanted::Names(&names));
                for (name, col) in &columns {
                    assert!(col.is_made(i), "{name} of event {i}");
                    assert_eq!(col.get(i), own.get(*name).unwrap_or(&Value::Null), "{name} of event {i}");
                }
            }
        }
    }

    /// A column of some events' values (a selection's inherited field) holds those values,
    /// one row each, and shares the column's dictionary.
    #[test]
    fn a_column_of_some_events_shares_the_dictionary() {
        let values: Vec<Value> =
            (0..500).map(|k| if k % 9 == 0 { Value::Null } else { Value::Str(format!("t{}", k % 40)) }).collect();
        let col = Column::from_values(&values);
        let events = [499, 3, 3, 0, 250, 17];
        let rows = Column::rows_of(&col, &events);
        assert!(Arc::ptr_eq(&rows.dict, &col.dict));
        assert_eq!(rows.codes.len(), events.len());
        for (r, &e) in events.iter().enumerate() {
            assert_eq!(rows.get(r), &values[e], "row {r}");
        }
        assert!(rows.is_complete());
        // Written with the values its events have only, the same value in each row.
        let used = rows.with_used_values();
        assert_eq!(used.dict.len(), 4, "{:?}", used.dict);
        assert!((0..events.len()).all(|r| used.get(r) == rows.get(r)));
        assert!(matches!(col.with_used_values(), std::borrow::Cow::Borrowed(_)), "every value used");
    }

    #[test]
    fn codes_are_as_narrow_as_their_largest() {
        for (codes, max, width) in [(vec![0, 3, 255], 255, 1), (vec![7, 256, 0], 256, 2), (vec![70_000, 1], 70_000, 4)]
        {
            let c = Codes::new(codes.clone(), max);
            assert!(!matches!(c, Codes::Sparse(_)), "too few rows to be sparse");
            assert_eq!(c.width(), width);
            assert_eq!(c.max(), *codes.iter().max().unwrap());
            assert_eq!((0..codes.len()).map(|i| c.get(i)).collect::<Vec<_>>(), codes);
        }
        assert_eq!(Codes::new(Vec::new(), 0).max(), 0);
    }

    /// Codes made from (event, code) pairs are those made from a code per event: the
    /// same form (sparse or dense, the same width) and the same codes.
    #[test]
    fn codes_from_pairs_are_the_codes_of_every_event() {
        let mut seed = 0x9e37_79b9_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut sparse, mut dense) = (0, 0);
        for round in 0..300 {
            let len = [0, 5, 63, 64, 65, 1000, 4096, 20_000][round % 8];
            // From none to every event, codes of one, two or four bytes, some of them 0.
            let every = [1, 2, 9, 40, 1000][(round / 8) % 5];
            let top = [200u64, 60_000, 100_000][round % 3];
            let mut events: Vec<u32> = (0..len as u32).filter(|_| next(every) == 0).collect();
            // In any order, as the threads' pieces come.
            for k in (1..events.len()).rev() {
                events.swap(k, next(k as u64 + 1) as usize);
            }
            let pairs: Vec<(u32, u32)> = events.iter().map(|&e| (e, next(top + 1) as u32)).collect();
            let mut codes = vec![0u32; len];
            pairs.iter().for_each(|&(e, c)| codes[e as usize] = c);
            let want = Codes::new(codes.clone(), top as usize);
            let got = match want.width() {
                1 => shrunk_pairs(len, pairs.iter().map(|&(e, c)| (e, c as u8)).collect()),
                2 => shrunk_pairs(len, pairs.iter().map(|&(e, c)| (e, c as u16)).collect()),
                _ => shrunk_pairs(len, pairs.clone()),
            };
            assert_eq!(got, want, "{len} events, {} pairs", pairs.len());
            assert!((0..len).all(|i| got.get(i) == codes[i]));
            match got {
                Codes::Sparse(_) => sparse += 1,
                _ => dense += 1,
            }
        }
        assert!(sparse > 50 && dense > 50, "{sparse} sparse, {dense} dense");
    }

    #[test]
    fn growing_codes_widen_as_needed_and_keep_every_code() {
        let codes: Vec<u32> = (0..3000u32).map(|i| if i % 3 == 0 { 0 } else { i * 37 % (i + 1) }).collect();
        let mut g = Growing::with_capacity(10);
        for (i, &c) in codes.iter().enumerate() {
            g.push(c);
            let most = codes[..=i].iter().max().copied().unwrap_or(0);
            let needed = if most <= 255 { 1 } else { 2 };
            assert_eq!(g.0.width(), needed, "as wide as the codes so far need, no wider");
        }
        g.push(70_000);
        assert_eq!(g.0.width(), 4);
        assert_eq!((0..3000).map(|i| g.0.get(i)).collect::<Vec<_>>(), codes);
        // Renumbered in first-use order: 0 stays 0.
        let mut seen = HashMap::new();
        g.renumber(|c| {
            let n = seen.len() as u32 + 1;
            *seen.entry(c).or_insert(n)
        });
        for (i, &c) in codes.iter().enumerate() {
            assert_eq!(g.0.get(i), if c == 0 { 0 } else { seen[&c] });
        }
    }

    #[test]
    fn mostly_zero_codes_keep_only_the_others_and_read_the_same() {
        // Every 17th row has a code, up to 300 (two bytes each): sparse. Rows past a
        // whole word of bits included (1000 is not a multiple of 64).
        let codes: Vec<u32> = (0..1000u32).map(|i| if i % 17 == 3 { 1 + i * 7 % 300 } else { 0 }).collect();
        let c = Codes::new(codes.clone(), 300);
        assert!(matches!(&c, Codes::Sparse(s) if matches!(s.codes, Codes::U16(_))), "{c:?}");
        assert_eq!(c.len(), 1000);
        assert_eq!(c.width(), 2);
        assert_eq!(c.max(), *codes.iter().max().unwrap());
        assert_eq!((0..1000).map(|i| c.get(i)).collect::<Vec<_>>(), codes);
        let rows: Vec<usize> = (0..1000).rev().step_by(3).chain([999, 0, 3, 20]).collect();
        assert_eq!(c.gather(&rows), rows.iter().map(|&r| codes[r]).collect::<Vec<_>>());
        let mut keys = vec![2u32; rows.len()];
        c.pack_into(&rows, 301, &mut keys);
        assert_eq!(keys, rows.iter().map(|&r| 2 * 301 + codes[r]).collect::<Vec<_>>());
        // Made dense in a width as wide or wider (a later pass adding to the column).
        let as_u32 = |v: Vec<u32>| v;
        assert_eq!(as_u32(c.dense_in()), codes);
        assert_eq!(c.dense_in::<u16>().into_iter().map(u32::from).collect::<Vec<_>>(), codes);
        // The same codes read back dense (as the column cache keeps them) are made sparse.
        let dense = Codes::U16(codes.iter().map(|&x| x as u16).collect());
        assert_eq!(dense.compacted(), c);
        // A column that no event has is nearly nothing; one most events have stays dense.
        let none = Codes::new(vec![0; 1000], 0);
        assert!(matches!(&none, Codes::Sparse(s) if s.codes.is_empty()));
        assert_eq!((0..1000).map(|i| none.get(i)).max(), Some(0));
        let most: Vec<u32> = (0..1000).map(|i| u32::from(i % 4 != 0)).collect();
        assert!(matches!(Codes::new(most.clone(), 1), Codes::U8(_)));
        assert!(matches!(Codes::U8(most.iter().map(|&x| x as u8).collect()).compacted(), Codes::U8(_)));
    }

    /// Some events in the order of every event, newest first, are the same whether taken
    /// from that order or sorted on their own: ties in time (and events without one) go
    /// the same way.
    #[test]
    fn some_events_newest_first_are_in_the_order_of_every_event() {
        let times = ["03", "01", "03", "", "02", "03", "", "01", "02", "03"];
        let meta = Arc::new(crate::events::Meta { sourcetype: "aws:cloudtrail".into(), ..Default::default() });
        let events = times
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let time =
                    if t.is_empty() { String::new() } else { format!(r#""eventTime":"2025-01-01T00:00:{t}Z","#) };
                Event::new(format!(r#"{{{time}"k":{k}}}"#), Arc::clone(&meta))
            })
            .collect();
        let ds = Dataset::new(events, &knowledge::builtin(), Context { now: 0.0 }).unwrap();
        let keeps: [&dyn Fn(usize) -> bool; 3] = [&|i| i % 2 == 0, &|i| i != 4, &|_| true];
        // Sorted on their own (every event's order not made yet).
        let alone: Vec<Vec<usize>> = keeps.iter().map(|keep| ds.newest_first_of(keep)).collect();
        let all = ds.newest_first();
        assert_eq!(all, [9, 5, 2, 0, 8, 4, 7, 1, 6, 3], "newest first; at one time, later in the input first");
        assert!(ds.in_newest_first_order(&all));
        for (keep, alone) in keeps.iter().zip(alone) {
            let filtered: Vec<usize> = all.iter().copied().filter(|&i| keep(i)).collect();
            assert_eq!(alone, filtered);
            // Taken from every event's order, now made.
            assert_eq!(ds.newest_first_of(keep), filtered);
        }
    }

    #[test]
    fn event_types_given_no_raw_where_their_terms_cannot_match_are_the_same() {
        let lines = [
            r#"{"eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket"}"#,
            r#"{"eventTime":"2025-01-01T00:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
            r#"{"eventTime":"2025-01-01T00:00:02Z","eventName":"GetObject","errorCode":"AccessDenied","errorMessage":"request failed"}"#,
            r#"{"eventTime":"2025-01-01T00:00:03Z","eventName":"RebootInstances","userAgent":"Déjà"}"#,
            r#"{"eventTime":"2025-01-01T00:00:04Z","eventName":"ListBuckets","requestParameters":{"x":"\u0052emove"}}"#,
        ];
        let meta = Arc::new(crate::events::Meta { sourcetype: "aws:cloudtrail".into(), ..Default::default() });
        let events = lines.iter().map(|l| Event::new(*l, Arc::clone(&meta))).collect();
        let ds = Dataset::new(events, &knowledge::builtin(), Context { now: 0.0 }).unwrap();
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
        let (types, with_raw) = (names(&["eventtype", "tag"]), names(&["eventtype", "tag", "_raw"]));
        let (lazy, eager) = (ds.extractor(Wanted::Names(&types)), ds.extractor(Wanted::Names(&with_raw)));
        assert!(
            lazy.raw_for_event_types.contains("aws:cloudtrail"),
            "the built-in knowledge reads _raw for terms only"
        );
        let mut deletes = 0;
        for i in 0..lines.len() {
            let mut all = eager.fields_of(i);
            all.shift_remove("_raw");
            assert_eq!(lazy.fields_of(i), all, "event {i}");
            deletes +=
                all.get("eventtype").is_some_and(|t| t.values().iter().any(|v| v == "aws_cloudtrail_delete_events"))
                    as usize;
        }
        // The escaped `remove` is let through the filter but is not in the text as written.
        assert_eq!(deletes, 2, "DeleteBucket, RebootInstances (text beyond ASCII)");
    }

    /// Odd CloudTrail records (escaped keys, duplicate paths, text that is not JSON) and
    /// every record of the project's datasets.
    fn cloudtrail_lines() -> Vec<String> {
        let mut lines: Vec<String> = vec![
            r#"{"eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","userName":"a"}}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:02Z","eventName":"GetObject","errorCode":"AccessDenied","errorMessage":"User: x is not authorized on resource: arn:aws:iam::1:user/bob because"}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:03Z","eventName":"RebootInstances","userAgent":"Déjà","userIdentity":{"type":"AssumedRole","principalId":"AROA1:sess","arn":"arn:aws:sts::1:assumed-role/r/sess"}}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:04Z","eventName":"ListBuckets","requestParameters":{"x":"\u0052emove"}}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:05Z","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No","LoginTo":"https://console"},"userIdentity":{"type":"IAMUser","principalId":"AIDA1","accountId":"1"}}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:06Z","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"},{"cidrIp":"10.0.0.0/8"}]}}]}}}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:07Z","eventName":"AssumeRole","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"requestParameters":{"roleArn":"arn:aws:iam::1:role/x"},"recipientAccountId":"2"}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:08Z","eventName":"CreateNetworkAclEntry","requestParameters":{"aclProtocol":"-1","egress":false,"ruleAction":"allow"},"sourceIPAddress":null}"#.into(),
            "not json at all, failed".into(),
            // An escaped key: the fast walk declines after some leaves, the tree walk decides.
            r#"{"eventTime":"2025-01-01T00:00:09Z","eventName":"ListBuckets","a\u0062c":1,"userIdentity":{"type":"IAMUser","userName":"u"}}"#.into(),
            // A JSON `sourcetype` does not replace the event's; a path met twice is a multivalue.
            r#"{"eventTime":"2025-01-01T00:00:10Z","sourcetype":"other","eventName":"GetObject","errorCode":"x","errorCode":"y"}"#.into(),
            r#"{"eventTime":"2025-01-01T00:00:11Z","eventName":"DeleteBucket","userIdentity":{"userName":"a"},"userIdentity.userName":"b"}"#.into(),
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
        for scenario in std::fs::read_dir(dir).unwrap() {
            for file in std::fs::read_dir(scenario.unwrap().path()).into_iter().flatten() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|x| x == "ndjson") {
                    lines.extend(std::fs::read_to_string(path).unwrap().lines().map(String::from));
                }
            }
        }
        assert!(lines.len() > 100, "the datasets are read: {}", lines.len());
        lines
    }

    /// The CloudTrail lines as events of the add-on's sourcetype, with the built-in knowledge.
    fn cloudtrail_dataset(lines: &[String]) -> Dataset {
        let meta = Arc::new(crate::events::Meta { sourcetype: "aws:cloudtrail".into(), ..Default::default() });
        let events = lines.iter().map(|l| Event::new(l.as_str(), Arc::clone(&meta))).collect();
        Dataset::new(events, &knowledge::builtin(), Context { now: 0.0 }).unwrap()
    }

    /// Every field the add-on makes, some it does not, and index-time fields.
    fn addon_fields() -> BTreeSet<String> {
        let k = knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        let mut all: BTreeSet<String> = k.evals.iter().map(|c| c.field.clone()).collect();
        all.extend(k.aliases.iter().map(|a| a.to.clone()));
        let more = ["user", "action", "status", "change_type", "object_category", "vendor", "product", "protocol"];
        all.extend(
            more.iter()
                .chain(&["eventtype", "tag", "tag::eventtype", "eventName", "_time", "date_hour", "sourcetype", "abc"])
                .map(|s| s.to_string()),
        );
        all
    }

    /// A pass over events whose `eventName` is made already (the first search's field)
    /// knows each one's value ([`Dataset::decision_key`]) and extracts only what the
    /// add-on's decision tables read for it: every field it makes is what the event's own
    /// extraction, reading every input, gives.
    #[test]
    fn a_pass_knowing_each_events_key_gives_each_event_its_own_values() {
        let lines = cloudtrail_lines();
        let ds = cloudtrail_dataset(&lines);
        assert_eq!(ds.decision_key(), Some("eventName"));
        ds.prefetch(&BTreeSet::from(["eventName".to_string()]));
        let all = addon_fields();
        ds.prefetch(&all);
        let compared = made_as_extracted(&ds, &lines, &all);
        assert!(compared > 20 * lines.len(), "fields compared: {compared}");
    }

    /// Checks that every cacheable field of `all` is made for every event, as the event's
    /// own extraction makes it; gives how many values were compared.
    fn made_as_extracted(ds: &Dataset, lines: &[String], all: &BTreeSet<String>) -> usize {
        let mut compared = 0;
        for (i, line) in lines.iter().enumerate() {
            let own = ds.fields_of(i, Wanted::Names(all));
            for name in all.iter().filter(|n| cacheable(n)) {
                let col = ds.cached(name).unwrap();
                assert!(col.is_made(i), "{name} of event {i}");
                assert_eq!(col.get(i), own.get(name).unwrap_or(&Value::Null), "{name} of event {i}: {line}");
                compared += usize::from(own.contains_key(name));
            }
        }
        compared
    }

    /// A key column read while loading for some events only (the others not read) is
    /// taken as made for those: a pass then makes it, with the add-on's fields, for the
    /// others, each event getting what its own extraction gives; a column whose values are
    /// not the events' own JSON text under the knowledge is not taken.
    #[test]
    fn a_key_read_while_loading_for_some_events_is_made_for_the_others() {
        let lines = cloudtrail_lines();
        let ds = cloudtrail_dataset(&lines);
        let mut values: Vec<String> = Vec::new();
        let codes: Vec<u32> = (0..ds.len())
            .map(|i| {
                match ds.fields_of(i, Wanted::Names(&BTreeSet::from(["eventName".to_string()]))).get("eventName") {
                    _ if i % 3 == 1 => crate::events::input::NOT_READ,
                    Some(Value::Str(v)) => {
                        if !values.contains(v) {
                            values.push(v.clone());
                        }
                        values.iter().position(|x| x == v).unwrap() as u32 + 1
                    }
                    Some(_) => crate::events::input::NOT_READ,
                    None => 0,
                }
            })
            .collect();
        ds.insert_read_while_loading("user", values.clone(), codes.clone());
        assert!(ds.cached("user").is_none(), "a calculated field is not the events' text");
        ds.insert_read_while_loading("eventName", values, codes);
        let key = ds.cached("eventName").unwrap();
        assert!(!key.is_complete() && key.is_made(0) && !key.is_made(1));
        let all = addon_fields();
        ds.prefetch(&all);
        assert!(made_as_extracted(&ds, &lines, &all) > 20 * lines.len());
    }

    /// A metadata field's column is made from the events' metadata, each event's value
    /// what its extraction gives; not when an event has no value for it (a JSON field of
    /// that name may then give one) or a rule makes it.
    #[test]
    fn metadata_columns_are_what_each_events_extraction_gives() {
        let meta = |st: &str, host: &str| {
            Arc::new(crate::events::Meta { sourcetype: st.into(), host: host.into(), ..Default::default() })
        };
        let (a, b, c) = (meta("aws:cloudtrail", "h1"), meta("aws:cloudtrail", "h2"), meta("other", ""));
        let line = r#"{"eventTime":"2025-01-01T00:00:00Z","eventName":"E","host":"json","sourcetype":"json"}"#;
        let events = |metas: &[&Arc<crate::events::Meta>]| -> Vec<Event> {
            (0..300).map(|k| Event::new(line, Arc::clone(metas[k / 100 % metas.len()]))).collect()
        };
        let names = BTreeSet::from(["sourcetype".to_string(), "host".to_string(), "index".to_string()]);
        let ds = Dataset::new(events(&[&a, &b, &a]), &knowledge::builtin(), Context { now: 0.0 }).unwrap();
        for name in &names {
            let col = ds.meta_column(name).expect("every event has one");
            for i in 0..ds.len() {
                assert_eq!(Some(col.get(i)), ds.fields_of(i, Wanted::Names(&names)).get(name), "{name} of {i}");
            }
        }
        assert_eq!(ds.meta_column("host").unwrap().dict.len(), 2);
        assert!(ds.meta_column("eventName").is_none());
        // An event without a host: its JSON's `host` is its field.
        let ds = Dataset::new(events(&[&a, &c]), &knowledge::builtin(), Context { now: 0.0 }).unwrap();
        assert!(ds.meta_column("host").is_none());
        ds.prefetch(&names);
        assert_eq!(ds.cached("host").unwrap().get(150), &Value::Str("json".into()));
        assert_eq!(ds.cached("sourcetype").unwrap().get(150), &Value::Str("other".into()));
        // A rule that makes the field.
        let app = App::from_text("[aws:cloudtrail]\nFIELDALIAS-h = eventName AS host\n", "", None).unwrap();
        let ds = Dataset::new(events(&[&a]), &app, Context { now: 0.0 }).unwrap();
        assert!(ds.meta_column("host").is_none() && ds.meta_column("sourcetype").is_some());
    }

    /// `_time` is made from the events' times when each is a whole second, each event's
    /// value what its extraction gives; not when an event has none or a fraction (their
    /// texts are rounded), nor when a rule makes it; and a pass then makes it as before.
    #[test]
    fn time_columns_are_what_each_events_extraction_gives() {
        let meta = Arc::new(crate::events::Meta::default());
        let event =
            |t: &str| Event::new(format!(r#"{{"eventTime":"{t}","_time":"json"}}"#).as_str(), Arc::clone(&meta));
        let whole: Vec<Event> = (0..5000)
            .map(|k| event(&format!("2025-01-{:02}T{:02}:{:02}:{:02}Z", 1 + k % 3, k / 3600 % 24, k / 60 % 60, k % 60)))
            .collect();
        let names = BTreeSet::from(["_time".to_string()]);
        let ds = Dataset::new(whole.clone(), &knowledge::builtin(), Context { now: 0.0 }).unwrap();
        let col = ds.time_column().expect("whole seconds");
        let mut distinct = BTreeSet::new();
        for i in 0..ds.len() {
            let own = ds.fields_of(i, Wanted::Names(&names));
            assert_eq!(Some(col.get(i)), own.get("_time"), "event {i}");
            distinct.insert(format!("{:?}", col.get(i)));
        }
        assert_eq!(distinct.len(), col.dict.len(), "each time once in the dictionary");
        assert!(col.dict.len() > 1000);
        // Its values ascend with their codes (what `stats`' min and max read instead of
        // parsing each value), and its rows say so.
        assert!(col.ascending.0);
        let numbers: Vec<f64> = col
            .dict
            .iter()
            .map(|v| match v {
                Value::Str(text) => crate::eval::value::parse_number(text).expect("a number"),
                other => panic!("a single string: {other:?}"),
            })
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "ascending");
        let some: Vec<usize> = (0..ds.len()).step_by(7).collect();
        assert!(Column::rows_of(&col, &some).ascending.0, "kept by its rows");
        let with = |extra: Event| {
            let mut events = whole.clone();
            events.insert(2500, extra);
            Dataset::new(events, &knowledge::builtin(), Context { now: 0.0 }).unwrap()
        };
        for odd in [event("2025-01-01T00:00:00.5Z"), Event::new(r#"{"_time":"json"}"#, Arc::clone(&meta))] {
            let ds = with(odd);
            assert!(ds.time_column().is_none());
            ds.prefetch(&names);
            let own = ds.fields_of(2500, Wanted::Names(&names));
            assert_eq!(Some(ds.cached("_time").unwrap().get(2500)), own.get("_time"));
        }
        let app = App::from_text("[aws:cloudtrail]\nEVAL-_time = 1\n", "", None).unwrap();
        let ds = Dataset::new(whole, &app, Context { now: 0.0 }).unwrap();
        assert!(ds.time_column().is_none());
    }

    /// The knowledge applied over coded rows gives the fields its application per event
    /// gives, over every record of the project's datasets and a few made to reach the
    /// other rules (a regex extraction, event types read from `_raw`, escapes, arrays),
    /// with two projections of the knowledge sharing one `Coded` as a shared pass's kinds
    /// do, and every event seen twice (once computed, once remembered).
    #[test]
    fn coded_rows_give_what_knowledge_applied_per_event_gives() {
        let lines = cloudtrail_lines();
        let ds = cloudtrail_dataset(&lines);
        let all = addon_fields();
        let few: BTreeSet<String> = ["user", "src", "action", "eventtype"].iter().map(|s| s.to_string()).collect();
        let extractors = [ds.extractor(Wanted::Names(&all)), ds.extractor(Wanted::Names(&few))];
        let mut coded = knowledge::coded::Coded::default();
        let mut row = Vec::new();
        let mut compared = 0;
        for _ in 0..2 {
            for (i, _) in lines.iter().enumerate() {
                for (ex, wanted) in extractors.iter().zip([&all, &few]) {
                    let expected: std::collections::BTreeMap<String, Value> = ex.fields_of(i).into_iter().collect();
                    ex.coded_row_of(i, &ds.events[i].raw, &mut coded, &mut row);
                    let got: std::collections::BTreeMap<String, Value> = wanted
                        .iter()
                        .filter_map(|n| {
                            let s = coded.slots.get(n)?;
                            coded.slots.value(s, row.get(s).copied().unwrap_or(0)).map(|v| (n.clone(), v.clone()))
                        })
                        .collect();
                    assert_eq!(got, expected, "event {i}: {}", lines[i]);
                    compared += expected.len();
                }
            }
        }
        assert!(
            extractors[0].coded.borrow().get("aws:cloudtrail").is_some_and(Option::is_some),
            "planned, not per event"
        );
        assert!(compared > 20 * lines.len(), "fields compared: {compared}");
    }

    /// A kept decision reads back as the events of the newest-first order it keeps, whether
    /// that order is the events' own reversed (read oldest first: found from the bits, a
    /// word at a time) or not (every event tested); bits past the last event are not events.
    #[test]
    fn a_kept_decision_reads_back_in_newest_first_order() {
        let search = match crate::syntax::parse("eventName=A").unwrap().commands.remove(0).kind {
            crate::syntax::CommandKind::Search(Some(e)) => e,
            other => panic!("{other:?}"),
        };
        for seconds in [(0..150).collect::<Vec<u32>>(), (0..150).map(|k| (k * 37) % 150).collect()] {
            let events = seconds
                .iter()
                .map(|s| {
                    let line =
                        format!(r#"{{"eventTime":"2025-01-01T00:{:02}:{:02}Z","eventName":"A"}}"#, s / 60, s % 60);
                    Event::new(line.as_str(), crate::events::Meta::default())
                })
                .collect();
            let ds = Dataset::new(events, &crate::knowledge::builtin(), Context { now: 0.0 }).unwrap();
            let reversed = seconds.windows(2).all(|w| w[0] <= w[1]);
            assert_eq!(ds.newest_first_is_reversed(), reversed);
            let kept: Vec<usize> = ds.newest_first().into_iter().filter(|i| i % 3 == 0 || *i == 149).collect();
            ds.keep_decision(&search, &kept);
            assert_eq!(ds.decision(&search), Some(kept.clone()), "reversed: {reversed}");
            let mut bits = bits_of(kept.iter().copied(), 150);
            bits[2] |= 1 << 63;
            ds.insert_decision(crate::syntax::printer::print_search(&search), bits);
            assert_eq!(ds.decision(&search), Some(kept), "reversed: {reversed}");
        }
    }

    #[test]
    fn a_selection_keeps_its_first_events_in_newest_first_order_and_columns_that_fit() {
        // Event 1 is the newest; 0 and 2 have the same time (the later read first).
        let lines = [
            r#"{"eventTime":"2025-01-01T00:00:00Z","eventName":"A"}"#,
            r#"{"eventTime":"2025-01-01T00:00:05Z","eventName":"B"}"#,
            r#"{"eventTime":"2025-01-01T00:00:00Z","eventName":"C"}"#,
        ];
        let events = lines.iter().map(|l| Event::new(*l, crate::events::Meta::default())).collect();
        let ds = Dataset::new(events, &crate::knowledge::builtin(), Context { now: 0.0 }).unwrap();
        assert_eq!(ds.newest_first(), [1, 2, 0]);
        let col =
            |vals: &[&str]| Arc::new(Column::from_values(&vals.iter().map(|v| Value::from(*v)).collect::<Vec<_>>()));
        let f = "f".to_string();
        ds.keep_selected("s", &[0, 2], vec![(f.clone(), col(&["a", "c"]))]);
        assert!(ds.selections().is_empty(), "not in newest-first order: not kept");
        ds.keep_selected("s", &[1, 0], vec![(f.clone(), col(&["b", "a"])), ("g".into(), col(&["b"]))]);
        ds.keep_selected("s", &[1, 2], vec![("h".into(), col(&["b", "c"]))]);
        let sel = ds.selected("s", &[&f]).expect("kept");
        assert_eq!(*sel.events, [1, 0]);
        assert_eq!(sel.columns["f"].get(1), &Value::from("a"));
        assert!(ds.selected("s", &[&"g".to_string()]).is_none(), "a code per selected event, or not kept");
        assert!(ds.selected("s", &[&"h".to_string()]).is_none(), "other events: not kept");
        // Read back from bits, the events come in newest-first order again.
        let other = Dataset::new(ds.events.clone(), &crate::knowledge::builtin(), Context { now: 0.0 }).unwrap();
        other.insert_selection("s".into(), &[0b011], vec![(f.clone(), (*col(&["b", "a"])).clone())]);
        assert_eq!(other.selections(), ds.selections());
        other.insert_selection("t".into(), &[0b011, 0], vec![]);
        assert_eq!(other.selections().len(), 1, "a bit per event, or not read");
    }
}
