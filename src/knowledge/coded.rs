//! A sourcetype's knowledge over events held as codes: the shared passes over many events
//! (`frame::Dataset::prefetch_requests`).
//!
//! Each field name is a slot ([`Slots`]) with a dictionary of the values a thread's events
//! hold in it ([`Values`]); an event's fields are a row of codes, one per slot, 0 where
//! the field is absent. Every rule's result depends only on the values it reads (`apply.rs`), so a
//! [`Plan`] computes it once per distinct combination of their codes and keeps it as
//! codes: an event costs a few lookups of small integer keys, not the hashing and
//! comparing of its strings once per rule, nor a copy of every value a rule gives.
//!
//! The results are those of [`super::apply`] on the event's fields: each rule is computed
//! by the same function (`apply.rs`, the evaluator) over the values it reads, and the
//! tests compare both over every record of the project's datasets
//! (`frame::dataset` tests). Knowledge this cannot plan (a rule reading `_raw` or a
//! wildcard field name) is applied per event as before.

use std::collections::HashMap;

use indexmap::IndexSet;

use super::{apply, SourcetypeKnowledge};
use crate::eval::{eval, Context, Row};
use crate::events::flat::Leaves;
use crate::events::hash::{FxBuild, NameFilter};
use crate::events::{Fields, StrValue, Value};
use crate::syntax::ExprKind;

/// One field's distinct values: code `c` (from 1) names the `c - 1`th; 0 is no value.
/// The values in a vector, found through a table of their codes hashed by value (5 bytes
/// a value; an ordered set keeping each value's hash beside it took 41, and its values
/// were copied out once more at the end of a pass: at 10 GB a shared pass codes 6 million
/// timestamps).
#[derive(Default)]
pub struct Values {
    values: Vec<Value>,
    index: hashbrown::HashTable<u32>,
}

fn hash_of(v: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    FxBuild::default().hash_one(v)
}

impl Values {
    /// These values (distinct), with room for `more`.
    pub fn with_values(values: Vec<Value>, more: usize) -> Values {
        let mut index = hashbrown::HashTable::with_capacity(values.len() + more);
        for (k, v) in values.iter().enumerate() {
            index.insert_unique(hash_of(v), k as u32 + 1, |&c| hash_of(&values[c as usize - 1]));
        }
        Values { values, index }
    }

    /// The code of `v`, added when new.
    pub fn code(&mut self, v: Value) -> u32 {
        let hash = hash_of(&v);
        match self.index.find(hash, |&c| self.values[c as usize - 1] == v) {
            Some(&c) => c,
            None => self.add(hash, v),
        }
    }

    /// The code of the text `t` (as `Value::Str`), copied only when new.
    pub fn code_str(&mut self, t: &str) -> u32 {
        let hash = hash_of(StrValue(t));
        let same = |&c: &u32| matches!(&self.values[c as usize - 1], Value::Str(s) if s == t);
        match self.index.find(hash, same) {
            Some(&c) => c,
            None => self.add(hash, Value::Str(t.to_string())),
        }
    }

    fn add(&mut self, hash: u64, v: Value) -> u32 {
        self.values.push(v);
        let values = &self.values;
        self.index.insert_unique(hash, values.len() as u32, |&c| hash_of(&values[c as usize - 1]));
        values.len() as u32
    }

    /// The values, in code order (code `c` is the `c - 1`th).
    pub fn into_vec(self) -> Vec<Value> {
        self.values
    }

    /// The value a code names (`None` for 0).
    pub fn get(&self, code: u32) -> Option<&Value> {
        code.checked_sub(1).and_then(|i| self.values.get(i as usize))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Field names, each a slot of a row with its dictionary (one per field: a field's few
/// distinct values stay in a small table, where one table of every value would be read
/// at random for each).
#[derive(Default)]
pub struct Slots {
    names: IndexSet<String, FxBuild>,
    dicts: Vec<Values>,
}

impl Slots {
    /// The slot of `name`, added when new.
    pub fn slot(&mut self, name: &str) -> usize {
        match self.names.get_index_of(name) {
            Some(s) => s,
            None => {
                self.dicts.push(Values::default());
                self.names.insert_full(name.to_string()).0
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.names.get_index_of(name)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The value code `code` names in slot `s` (`None` for 0).
    pub fn value(&self, s: usize, code: u32) -> Option<&Value> {
        self.dicts[s].get(code)
    }

    /// The code of `v` in slot `s`.
    pub fn code(&mut self, s: usize, v: Value) -> u32 {
        self.dicts[s].code(v)
    }

    /// The code of an optional value in slot `s`; 0 for none.
    fn code_field(&mut self, s: usize, v: Option<Value>) -> u32 {
        v.map_or(0, |v| self.code(s, v))
    }
}

/// At most this many combinations are kept per rule; past it, new ones are computed each
/// time (the same results, without the memory).
const LIMIT: usize = 1 << 16;

/// What one rule gave (a `u32`: a code, a branch or a list's number), by the codes it read.
enum Memo {
    /// Up to four codes, padded with 0 (the number of codes is the rule's, always the same).
    Short(HashMap<[u32; 4], u32, FxBuild>),
    Long(HashMap<Box<[u32]>, u32, FxBuild>),
}

impl Memo {
    fn new(arity: usize) -> Memo {
        if arity <= 4 {
            Memo::Short(HashMap::default())
        } else {
            Memo::Long(HashMap::default())
        }
    }

    fn get(&self, key: &[u32]) -> Option<u32> {
        match self {
            Memo::Short(m) => m.get(&short(key)).copied(),
            Memo::Long(m) => m.get(key).copied(),
        }
    }

    fn put(&mut self, key: &[u32], r: u32) {
        match self {
            Memo::Short(m) if m.len() < LIMIT => {
                m.insert(short(key), r);
            }
            Memo::Long(m) if m.len() < LIMIT => {
                m.insert(key.into(), r);
            }
            _ => {}
        }
    }
}

/// Room in a row for slot `s` (a slot made after the row was started).
fn hold(row: &mut Vec<u32>, s: usize) {
    if s >= row.len() {
        row.resize(s + 1, 0);
    }
}

fn short(key: &[u32]) -> [u32; 4] {
    let mut k = [0; 4];
    k[..key.len()].copy_from_slice(key);
    k
}

/// What the coded events of one thread share: the values, the slots, and what each rule
/// gave. A [`Plan`] is only ever used with the `Coded` it was made with.
#[derive(Default)]
pub struct Coded {
    pub slots: Slots,
    memos: Vec<Memo>,
    /// A memo per rule, by the sourcetype and the rule's name: the plans of several
    /// projections of one sourcetype's knowledge share what each rule gave.
    memo_of: HashMap<String, usize, FxBuild>,
    /// Results that are several fields (`(slot, code)`) or several event types
    /// (`(index, 0)`), named in a memo by their number + 1.
    lists: Vec<Vec<(usize, u32)>>,
    /// Per alias, the code in its target's dictionary of each code of its source's.
    translations: Vec<Vec<u32>>,
    /// The slot of each index-time field, once asked for.
    index_slots: Vec<Option<usize>>,
    /// The walk over the current event's JSON ([`RowLeaves`]): its number, the number of
    /// the last walk that met each slot, the slots it met in order, and the multivalues
    /// it is making (a path met again).
    walk: u32,
    met: Vec<u32>,
    walked: Vec<usize>,
    multi: Vec<(usize, Vec<String>)>,
    /// The codes a rule reads, for its memo (kept to not allocate per event).
    key: Vec<u32>,
    /// An event's aliases' sources and calculated fields' results ([`Plan::apply`]), kept
    /// likewise.
    sources: Vec<u32>,
    results: Vec<(usize, u32)>,
}

impl Coded {
    fn memo(&mut self, name: String, arity: usize) -> usize {
        let memos = &mut self.memos;
        *self.memo_of.entry(name).or_insert_with(|| {
            memos.push(Memo::new(arity));
            memos.len() - 1
        })
    }

    fn translation(&mut self, name: String) -> usize {
        let translations = &mut self.translations;
        *self.memo_of.entry(name).or_insert_with(|| {
            translations.push(Vec::new());
            translations.len() - 1
        })
    }

    /// Code `c` of slot `from` as a code of slot `to`, by translation `t`.
    fn translate(&mut self, t: usize, from: usize, to: usize, c: u32) -> u32 {
        let known = self.translations[t].get(c as usize).copied().unwrap_or(0);
        if known != 0 {
            return known;
        }
        let v = self.slots.value(from, c).expect("a code of the source").clone();
        let code = self.slots.code(to, v);
        let t = &mut self.translations[t];
        if t.len() <= c as usize {
            t.resize(c as usize + 1, 0);
        }
        t[c as usize] = code;
        code
    }

    fn list(&mut self, list: Vec<(usize, u32)>) -> u32 {
        self.lists.push(list);
        self.lists.len() as u32
    }

    /// A rule's resulting fields as a list of `(slot, code)` ([`Coded::list`]); a null
    /// value is code 0 (the field removed).
    fn list_of(&mut self, fields: impl IntoIterator<Item = (String, Value)>) -> u32 {
        let list = fields
            .into_iter()
            .map(|(n, v)| {
                let s = self.slots.slot(&n);
                (s, if v.is_null() { 0 } else { self.slots.code(s, v) })
            })
            .collect();
        self.list(list)
    }

    /// Each slot's dictionary ([`Values::into_vec`]); what the rules gave is let go.
    pub fn into_dictionaries(self) -> Vec<Values> {
        self.slots.dicts
    }

    /// Starts an event's row: no field.
    pub fn start_row(&mut self, row: &mut Vec<u32>) {
        row.clear();
        row.resize(self.slots.len(), 0);
    }

    /// Index-time field `k` ([`crate::events::INDEX_TIME_FIELDS`]) of the event into its row.
    pub fn put_index_time(&mut self, row: &mut Vec<u32>, k: usize, v: String) {
        if self.index_slots.len() <= k {
            self.index_slots.resize(k + 1, None);
        }
        let s = match self.index_slots[k] {
            Some(s) => s,
            None => *self.index_slots[k].insert(self.slots.slot(crate::events::INDEX_TIME_FIELDS[k])),
        };
        hold(row, s);
        row[s] = self.slots.code(s, Value::Str(v));
    }

    /// A field into the event's row, unless the row has it.
    pub fn put_new(&mut self, row: &mut Vec<u32>, name: &str, v: Value) {
        let s = self.slots.slot(name);
        hold(row, s);
        if row[s] == 0 {
            row[s] = self.slots.code(s, v);
        }
    }

    /// The leaves of the event's JSON into its row, after the fields it has (which a leaf
    /// does not change); [`RowLeaves::finish`] when the walk is over.
    /// `paths`, when given, are the wanted paths and their slots: a leaf's path is then
    /// looked up once, for both.
    pub fn leaves<'c>(&'c mut self, row: &'c mut Vec<u32>, paths: Option<&'c PathSlots>) -> RowLeaves<'c> {
        self.walk = self.walk.wrapping_add(1);
        if self.walk == 0 {
            self.met.iter_mut().for_each(|m| *m = 0);
            self.walk = 1;
        }
        self.walked.clear();
        self.multi.clear();
        RowLeaves { coded: self, row, paths, next: None }
    }

    /// An event's fields (all but `_raw`, which rules read from the event) into a row.
    pub fn code_fields(&mut self, fields: Fields, row: &mut Vec<u32>) {
        self.start_row(row);
        for (name, v) in fields {
            if name == "_raw" {
                continue;
            }
            let s = self.slots.slot(&name);
            hold(row, s);
            row[s] = self.slots.code(s, v);
        }
    }

    /// One event's field, as a [`Row`] gives it.
    fn view<'r>(&'r self, row: &'r [u32], raw: Option<&'r Value>) -> View<'r> {
        View { row, slots: &self.slots, raw }
    }
}

/// A walk's leaves straight into an event's row: a leaf's path is looked up once, as a
/// slot, and a text the slot's dictionary has is not copied.
pub struct RowLeaves<'c> {
    coded: &'c mut Coded,
    row: &'c mut Vec<u32>,
    paths: Option<&'c PathSlots>,
    /// The slot of the path [`Leaves::wanted`] last accepted.
    next: Option<usize>,
}

/// Wanted paths and their slots in one [`Coded`].
/// The slot of each wanted path, behind the paths' [`NameFilter`] (most paths a walk
/// meets are not wanted).
#[derive(Default)]
pub struct PathSlots {
    slots: HashMap<String, usize, FxBuild>,
    filter: NameFilter,
    /// The slots of a [`crate::events::paths::PathTree`]'s leaves, by their number
    /// ([`PathSlots::with_leaves`]).
    by_leaf: Vec<Option<usize>>,
}

impl PathSlots {
    /// These slots, also by the number of each of `leaves` (a tree's, in its order): a
    /// walk that follows the tree gives a leaf's number, not its path to hash.
    pub fn with_leaves(mut self, leaves: &[String]) -> PathSlots {
        self.by_leaf = leaves.iter().map(|p| self.get(p)).collect();
        self
    }

    pub fn get(&self, path: &str) -> Option<usize> {
        if !self.filter.may_hold(path) {
            return None;
        }
        self.slots.get(path).copied()
    }
}

impl FromIterator<(String, usize)> for PathSlots {
    fn from_iter<I: IntoIterator<Item = (String, usize)>>(pairs: I) -> PathSlots {
        let mut out = PathSlots::default();
        for (path, slot) in pairs {
            out.filter.insert(&path);
            out.slots.insert(path, slot);
        }
        out
    }
}

impl RowLeaves<'_> {
    /// The multivalues made.
    pub fn finish(self) {
        let c = self.coded;
        for (s, values) in std::mem::take(&mut c.multi) {
            self.row[s] = c.slots.code(s, Value::Multi(values));
        }
    }
}

impl<'a> Leaves<'a> for RowLeaves<'_> {
    fn mark(&self) -> usize {
        self.coded.walked.len()
    }

    fn back_to(&mut self, mark: usize) {
        let c = &mut *self.coded;
        for s in c.walked.drain(mark..) {
            self.row[s] = 0;
            c.met[s] = 0;
        }
        let row = &*self.row;
        c.multi.retain(|(s, _)| row[*s] != 0);
    }

    fn wanted(&mut self, path: &str, wants: &dyn Fn(&str) -> bool) -> bool {
        self.next = match self.paths {
            Some(paths) => paths.get(path),
            None => wants(path).then(|| self.coded.slots.slot(path)),
        };
        self.next.is_some()
    }

    fn wanted_leaf(&mut self, k: usize, path: &str, wants: &dyn Fn(&str) -> bool) -> bool {
        match self.paths.and_then(|paths| paths.by_leaf.get(k)) {
            Some(&slot) => {
                self.next = slot;
                slot.is_some()
            }
            None => self.wanted(path, wants),
        }
    }

    fn leaf(&mut self, path: &str, text: std::borrow::Cow<'a, str>) {
        let c = &mut *self.coded;
        let s = match self.next.take() {
            Some(s) => s,
            None => c.slots.slot(path),
        };
        hold(self.row, s);
        if s >= c.met.len() {
            c.met.resize(s + 1, 0);
        }
        if c.met[s] == c.walk {
            // Met again: a multivalue, its values in document order.
            match c.multi.iter_mut().find(|(m, _)| *m == s) {
                Some((_, values)) => values.push(text.into_owned()),
                None => {
                    let first = c.slots.value(s, self.row[s]).map(|v| v.values()[0].clone()).unwrap_or_default();
                    c.multi.push((s, vec![first, text.into_owned()]));
                }
            }
            return;
        }
        if self.row[s] != 0 {
            // A field the event had before the walk stays as it was.
            return;
        }
        c.met[s] = c.walk;
        c.walked.push(s);
        self.row[s] = c.slots.dicts[s].code_str(&text);
    }
}

/// A row of codes read as an event's fields.
struct View<'r> {
    row: &'r [u32],
    slots: &'r Slots,
    /// `_raw`, for the event types that read it.
    raw: Option<&'r Value>,
}

impl Row for View<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        if name == "_raw" {
            return self.raw;
        }
        let s = self.slots.get(name)?;
        self.slots.value(s, self.row.get(s).copied().unwrap_or(0))
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        for (s, name) in self.slots.names.iter().enumerate() {
            if let Some(v) = self.slots.value(s, self.row.get(s).copied().unwrap_or(0)) {
                f(name, v);
            }
        }
        if let Some(raw) = self.raw {
            f("_raw", raw);
        }
    }
}

/// The fields `names` of a row, as an event's fields (for a rule computed by `apply.rs`).
fn fields_of(view: &View, names: &[String]) -> Fields {
    names.iter().filter_map(|n| view.field(n).map(|v| (n.clone(), v.clone()))).collect()
}

/// A rule's reads and memo.
struct Step {
    reads: Vec<usize>,
    memo: usize,
}

impl Step {
    fn new(st: &str, rule: &str, reads: &[String], coded: &mut Coded) -> Step {
        let reads: Vec<usize> = reads.iter().map(|n| coded.slots.slot(n)).collect();
        let memo = coded.memo(format!("{st}\0{rule}"), reads.len());
        Step { reads, memo }
    }

    /// What the rule gave for the row's codes, if remembered; the key is left in
    /// `coded.key` for [`Step::put`].
    fn get(&self, row: &[u32], coded: &mut Coded) -> Option<u32> {
        coded.key.clear();
        coded.key.extend(self.reads.iter().map(|&s| row.get(s).copied().unwrap_or(0)));
        coded.memos[self.memo].get(&coded.key)
    }

    fn put(&self, coded: &mut Coded, r: u32) -> u32 {
        let Coded { memos, key, .. } = coded;
        memos[self.memo].put(key, r);
        r
    }
}

/// How a calculated field is computed.
enum Calc {
    /// By the values the expression reads.
    Value(Step),
    /// A decision table: its branch by the values its conditions read, then the branch's
    /// value by the values that branch reads (one step per argument).
    Decides { on: Step, arms: Vec<Step> },
}

/// Event types: those that can be remembered, by the values they read together; which
/// event types matched, to the `eventtype` value.
struct EventTypes {
    remembered: Step,
    names: usize,
    out: usize,
}

/// A sourcetype's knowledge (as [`super::apply`] applies it) planned over coded rows.
pub struct Plan {
    extracts: Vec<Step>,
    /// Source and target slots, `ASNEW`, translation.
    aliases: Vec<(usize, usize, bool, usize)>,
    evals: Vec<(usize, Calc)>,
    lookups: Vec<Step>,
    eventtypes: Option<EventTypes>,
    tags: Option<(Step, Vec<String>)>,
}

impl Plan {
    /// `k` (the knowledge of sourcetype `st`) planned in `coded`; `None` when a rule
    /// reads `_raw` (besides event types' terms) or a wildcard field name.
    pub fn new(st: &str, k: &SourcetypeKnowledge, coded: &mut Coded) -> Option<Plan> {
        if k.reads_raw_besides_event_types() {
            return None;
        }
        let extracts = k
            .extracts
            .iter()
            .map(|x| Step::new(st, &format!("extract\0{}", x.class), std::slice::from_ref(&x.source), coded));
        let extracts = extracts.collect();
        let aliases = k
            .aliases
            .iter()
            .map(|a| {
                let translation = coded.translation(format!("{st}\0alias\0{}\0{}", a.from, a.to));
                (coded.slots.slot(&a.from), coded.slots.slot(&a.to), a.only_new, translation)
            })
            .collect();
        let mut evals = Vec::new();
        for c in &k.evals {
            let rule = format!("eval\0{}", c.field);
            let calc = match (&c.decides_on, &c.reads, &c.expr.kind) {
                (Some(on), _, ExprKind::Call { args, .. }) => {
                    let on = Step::new(st, &format!("{rule}\0branch"), on, coded);
                    let mut arms = Vec::new();
                    for (n, arg) in args.iter().enumerate() {
                        let reads = crate::eval::memo::reads([arg])?;
                        arms.push(Step::new(st, &format!("{rule}\0{n}"), &reads, coded));
                    }
                    Calc::Decides { on, arms }
                }
                (_, Some(reads), _) => Calc::Value(Step::new(st, &rule, reads, coded)),
                _ => return None,
            };
            evals.push((coded.slots.slot(&c.field), calc));
        }
        let lookups = k
            .lookups
            .iter()
            .map(|l| {
                let reads: Vec<String> = l.inputs.iter().map(|m| m.event_field().to_string()).collect();
                Step::new(st, &format!("lookup\0{}", l.class), &reads, coded)
            })
            .collect();
        let eventtypes = (!k.eventtypes.is_empty()).then(|| {
            let mut reads: Vec<String> = k.eventtypes.iter().flat_map(|t| t.reads.iter().flatten().cloned()).collect();
            reads.sort_unstable();
            reads.dedup();
            EventTypes {
                remembered: Step::new(st, "eventtypes", &reads, coded),
                names: coded.memo(format!("{st}\0eventtype names"), usize::MAX),
                out: coded.slots.slot("eventtype"),
            }
        });
        let tags = (!k.tags.is_empty()).then(|| {
            let mut fields: Vec<String> = Vec::new();
            for t in &k.tags {
                if !fields.contains(&t.field) {
                    fields.push(t.field.clone());
                }
            }
            (Step::new(st, "tags", &fields, coded), fields)
        });
        Some(Plan { extracts, aliases, evals, lookups, eventtypes, tags })
    }

    /// Applies `k` (the knowledge this plan was made from) to an event's row, in Splunk's
    /// order as [`super::apply`] does; `raw` is the event's text.
    pub fn apply(&self, k: &SourcetypeKnowledge, row: &mut Vec<u32>, raw: &str, coded: &mut Coded, ctx: &Context) {
        row.resize(row.len().max(coded.slots.len()), 0);
        // Regex extractions: a field that exists keeps its value.
        for (x, step) in k.extracts.iter().zip(&self.extracts) {
            if row[step.reads[0]] == 0 {
                continue;
            }
            let r = match step.get(row, coded) {
                Some(r) => r,
                None => {
                    let mut small = fields_of(&coded.view(row, None), std::slice::from_ref(&x.source));
                    apply::extract(x, &mut small);
                    let r = coded.list_of(small.into_iter().skip(1));
                    step.put(coded, r)
                }
            };
            set_each(row, &coded.lists[r as usize - 1], |old, _| old == 0);
        }
        // Aliases read the fields as extraction left them.
        let mut sources = std::mem::take(&mut coded.sources);
        sources.clear();
        sources.extend(self.aliases.iter().map(|&(from, _, _, _)| {
            let c = row[from];
            if coded.slots.value(from, c).is_some_and(|v| !v.is_null()) {
                c
            } else {
                0
            }
        }));
        for (&(from, to, only_new, t), &source) in self.aliases.iter().zip(&sources) {
            if source != 0 {
                if !(only_new && row[to] != 0) {
                    row[to] = coded.translate(t, from, to, source);
                }
            } else if !only_new {
                row[to] = 0;
            }
        }
        coded.sources = sources;
        // Calculated fields see the fields as the aliases left them.
        let mut results = std::mem::take(&mut coded.results);
        results.clear();
        results.extend(k.evals.iter().zip(&self.evals).map(|(c, (out, calc))| {
            let code = match calc {
                Calc::Value(step) => match step.get(row, coded) {
                    Some(r) => r,
                    None => {
                        let v = apply::calculated_value(eval(&c.expr, &coded.view(row, None), ctx));
                        let r = coded.slots.code_field(*out, v);
                        step.put(coded, r)
                    }
                },
                Calc::Decides { on, arms } => {
                    let ExprKind::Call { name, args } = &c.expr.kind else {
                        unreachable!("a decision table is a call")
                    };
                    let taken = match on.get(row, coded) {
                        Some(b) => b,
                        None => {
                            let b = crate::eval::functions::branch(name, args, &coded.view(row, None), ctx);
                            on.put(coded, b.ok().flatten().map_or(0, |k| k as u32 + 1))
                        }
                    };
                    match taken.checked_sub(1) {
                        None => 0,
                        Some(k) => {
                            let arm = &arms[k as usize];
                            match arm.get(row, coded) {
                                Some(r) => r,
                                None => {
                                    let v =
                                        apply::calculated_value(eval(&args[k as usize], &coded.view(row, None), ctx));
                                    let r = coded.slots.code_field(*out, v);
                                    arm.put(coded, r)
                                }
                            }
                        }
                    }
                }
            };
            (*out, code)
        }));
        for &(s, code) in &results {
            row[s] = code;
        }
        coded.results = results;
        // Automatic lookups: `OUTPUT` overwrites (no value removes), `OUTPUTNEW` fills.
        for (l, step) in k.lookups.iter().zip(&self.lookups) {
            let r = match step.get(row, coded) {
                Some(r) => r,
                None => {
                    let reads: Vec<String> = l.inputs.iter().map(|m| m.event_field().to_string()).collect();
                    let small = fields_of(&coded.view(row, None), &reads);
                    let r = match apply::lookup_values(l, &small) {
                        None => 0,
                        Some(values) => coded.list_of(values),
                    };
                    step.put(coded, r)
                }
            };
            if r != 0 {
                if l.only_new {
                    set_each(row, &coded.lists[r as usize - 1], |old, new| old == 0 && new != 0);
                } else {
                    set_each(row, &coded.lists[r as usize - 1], |_, _| true);
                }
            }
        }
        if let Some(et) = &self.eventtypes {
            self.event_types(k, et, row, raw, coded);
        }
        // Tags, by the values of the fields they name (`eventtype` among them).
        if let Some((step, fields)) = &self.tags {
            let r = match step.get(row, coded) {
                Some(r) => r,
                None => {
                    let mut small = fields_of(&coded.view(row, None), fields);
                    apply::tags(&k.tags, &mut small);
                    let r = coded.list_of(small.into_iter().filter(|(n, _)| n == "tag" || n.starts_with("tag::")));
                    step.put(coded, r)
                }
            };
            set_each(row, &coded.lists[r as usize - 1], |_, _| true);
        }
    }

    /// `eventtype`: the event types remembered by the values they read, and those whose
    /// search reads `_raw`, matched per event when its text may hold their terms.
    fn event_types(&self, k: &SourcetypeKnowledge, et: &EventTypes, row: &mut [u32], raw: &str, coded: &mut Coded) {
        let remembered = match et.remembered.get(row, coded) {
            Some(r) => r,
            None => {
                let view = coded.view(row, None);
                let matched: Vec<(usize, u32)> = k
                    .eventtypes
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.reads.is_some())
                    .filter(|(_, t)| crate::eval::search::matches(&t.search, &view).unwrap_or(false))
                    .map(|(n, _)| (n, 0))
                    .collect();
                let r = coded.list(matched);
                et.remembered.put(coded, r)
            }
        };
        // The matching event types' numbers, in list order.
        let mut matched: Vec<u32> = coded.lists[remembered as usize - 1].iter().map(|&(n, _)| n as u32).collect();
        let mut raw_value: Option<Value> = None;
        // The text checked and lowered once for all of them.
        let mut unreadable: Option<bool> = None;
        let mut lowered = crate::eval::needles::Lowered::new(raw);
        for (n, t) in k.eventtypes.iter().enumerate().filter(|(_, t)| t.reads.is_none()) {
            if let Some(f) = &t.filter {
                let unreadable = *unreadable.get_or_insert_with(|| crate::eval::needles::unreadable(raw));
                if !unreadable && !f.holds_literals(&mut lowered) {
                    continue;
                }
            }
            let raw = raw_value.get_or_insert_with(|| Value::Str(raw.to_string()));
            if crate::eval::search::matches(&t.search, &coded.view(row, Some(raw))).unwrap_or(false) {
                matched.push(n as u32);
            }
        }
        matched.sort_unstable();
        let names = &mut coded.memos[et.names];
        let code = match names.get(&matched) {
            Some(c) => c,
            None => {
                let names = matched.iter().map(|&n| k.eventtypes[n as usize].name.clone()).collect();
                let c = coded.slots.code_field(et.out, Some(Value::from_values(names)).filter(|v| !v.is_null()));
                coded.memos[et.names].put(&matched, c);
                c
            }
        };
        if code != 0 {
            row[et.out] = code;
        }
    }
}

/// Writes each `(slot, code)` of a rule's result where `write(old, new)` says so.
fn set_each(row: &mut Vec<u32>, list: &[(usize, u32)], write: impl Fn(u32, u32) -> bool) {
    for &(s, code) in list {
        hold(row, s);
        if write(row[s], code) {
            row[s] = code;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field's values find the codes of the values they have, by value or by text, and
    /// add a value they have not at the end, once, whatever their number (the table grows);
    /// values given at the start keep their codes.
    #[test]
    fn values_code_each_value_once() {
        let s = |t: String| Value::Str(t);
        let mut start: Vec<Value> = (0..50).map(|k| s(format!("v{k}"))).collect();
        start.push(Value::Multi(vec!["a".into(), "b".into()]));
        let mut values = Values::with_values(start.clone(), 2);
        assert_eq!(values.code(s("v7".into())), 8);
        assert_eq!(values.code_str("v7"), 8);
        assert_eq!(values.code(Value::Multi(vec!["a".into(), "b".into()])), 51);
        let mut codes = Vec::new();
        for k in (0..5000).chain(0..5000) {
            let text = format!("w{}", k % 3000);
            codes.push(if k % 2 == 0 { values.code(s(text)) } else { values.code_str(&text) });
        }
        assert_eq!(values.len(), 51 + 3000, "each new value added once");
        for (k, &c) in (0..5000).chain(0..5000).zip(&codes) {
            assert_eq!(values.get(c), Some(&s(format!("w{}", k % 3000))));
        }
        assert_eq!(values.code_str("v49"), 50);
        assert_eq!(values.get(0), None);
        let all = values.into_vec();
        assert_eq!(&all[..51], &start[..], "values given at the start keep their codes");
        assert_eq!(Values::default().code_str("x"), 1);
    }
}
