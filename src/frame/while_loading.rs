//! A run's one broad search has the fields it reads made while its events are loaded.
//!
//! A search that selects many events reads its fields over them in the run's second shared
//! pass ([`super::prefetch_for`]): a second copy of each selected event's text, read from
//! the file again and walked. When the run is one search whose first search selects by the
//! decision key (`eventName`, read while loading) and the events' metadata alone, whether
//! it selects an event is known as the event is loaded; its fields are then made on the
//! core loading it, its text just checked and still in the processor's cache, and the
//! second pass finds them made.
//!
//! The columns made are the pass's own, made by the same extractor (given the event's key
//! value, as the pass gives it), for the events the search selects: an event left out here
//! (its key not read, another sourcetype) is made by the pass, so what the run gives never
//! depends on what was made while loading.

use std::collections::{BTreeSet, HashMap};

use super::dataset::{cacheable, no_rule_makes, thread_codes, FxBuild, Growing, PassEvents, ThreadCodes};
use super::scan::{ScanPlan, Selects};
use super::{Dataset, Extractor, Wanted};
use crate::eval::given::Given;
use crate::eval::search::matches;
use crate::eval::{Context, Row};
use crate::events::input::{KeyRead, LoadingThread, MadeWhileLoading, WhileLoading};
use crate::events::{Event, Meta, Value};
use crate::knowledge::coded::Coded;
use crate::knowledge::SourcetypeKnowledge;
use crate::syntax::{SearchExpr, SearchKind};

/// A thread makes at most this many extractors (one per value of the key its events have,
/// as the shared pass does, [`super::dataset::MAX_KEY_VALUES`]); events with other values
/// are left to the pass.
const MAX_EXTRACTORS: usize = 4096;

/// The fields a run's one search reads over the events it selects, made while they are
/// loaded (`events::input::LoadOptions::while_loading`).
pub struct PassWhileLoading {
    /// The events' knowledge, over no events: what the extractors read.
    ds: Dataset,
    /// The fields made.
    names: BTreeSet<String>,
    search: SearchExpr,
    key: String,
    sourcetype: String,
}

impl std::fmt::Debug for PassWhileLoading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassWhileLoading").field("names", &self.names).field("key", &self.key).finish()
    }
}

impl PassWhileLoading {
    /// The pass for a run of `plans` over events of `sourcetype` (with its `knowledge`),
    /// whose decision key `key` is read while loading: when the run is one search whose
    /// first search reads only the key and metadata no rule changes, and which reads other
    /// fields later. `None` otherwise.
    pub fn of(
        plans: &[ScanPlan],
        key: &str,
        sourcetype: &str,
        knowledge: &SourcetypeKnowledge,
        ctx: Context,
    ) -> Option<PassWhileLoading> {
        let [plan] = plans else { return None };
        let Selects::Matching(search) = &plan.selects else { return None };
        let meta = |n: &str| Meta::NAMES.contains(&n) && no_rule_makes(knowledge, n);
        let known = |n: &str| n == key || meta(n);
        if !reads_only(search, &known) || !plan.first.iter().all(|n| known(n)) {
            return None;
        }
        // `_time` is made from the events' times, the key and metadata without a pass.
        let names: BTreeSet<String> =
            plan.later.iter().filter(|n| !known(n) && *n != "_time" && cacheable(n)).cloned().collect();
        if names.is_empty() {
            return None;
        }
        let ds = Dataset::knowledge_only(vec![(sourcetype.to_string(), knowledge.clone())], ctx);
        Some(PassWhileLoading {
            ds,
            names,
            search: search.clone(),
            key: key.to_string(),
            sourcetype: sourcetype.to_string(),
        })
    }

    /// The fields it makes.
    pub fn names(&self) -> &BTreeSet<String> {
        &self.names
    }
}

/// Whether a search expression reads no field but those `known` says, by name (no text
/// term, no time bound, no subsearch).
fn reads_only(e: &SearchExpr, known: &dyn Fn(&str) -> bool) -> bool {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().all(|i| reads_only(i, known)),
        SearchKind::Not(inner) => reads_only(inner, known),
        SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => known(&field.name),
        SearchKind::Term { text, phrase } => !phrase && text == "*",
        SearchKind::TimeModifier { .. } | SearchKind::Subsearch(_) => false,
    }
}

impl WhileLoading for PassWhileLoading {
    fn thread(&self) -> Box<dyn LoadingThread + '_> {
        let mut coded = Coded::default();
        let out = self.names.iter().map(|n| coded.slots.slot(n)).collect();
        Box::new(PassThread {
            pass: self,
            coded,
            out,
            meta: None,
            by_value: HashMap::default(),
            absent: None,
            extractors: Vec::new(),
            by_code: Vec::new(),
            row: Vec::new(),
            parts: Vec::new(),
        })
    }
}

/// What an event's key value says: not asked yet, not selected, else selected and made
/// by this extractor (its number).
const UNASKED: u32 = 0;
const NOT_SELECTED: u32 = u32::MAX;

/// One loading thread's share of a [`PassWhileLoading`].
struct PassThread<'p> {
    pass: &'p PassWhileLoading,
    coded: Coded,
    /// Each field's slot in `coded`.
    out: Vec<usize>,
    /// The metadata of the events the decisions below are for (those of one input).
    meta: Option<std::sync::Arc<Meta>>,
    /// Per value of the key, and for no value: [`UNASKED`] never here, else as `by_code`.
    by_value: HashMap<String, u32, FxBuild>,
    absent: Option<u32>,
    extractors: Vec<Extractor<'p>>,
    /// In the part being read, per code of the key (the part's), what its value says.
    by_code: Vec<u32>,
    row: Vec<u32>,
    /// Per part taken: its number, the events made (their place in it), each field's codes.
    parts: Vec<(usize, Vec<u32>, Vec<Growing>)>,
}

/// What a [`PassThread`] made: its [`ThreadCodes`] per field (pieces numbered by part),
/// and per part it took, the events made.
struct ThreadMade {
    fields: Vec<ThreadCodes>,
    parts: Vec<(usize, Vec<u32>)>,
}

/// One event as a first search over the key and the metadata reads it.
struct KeyRow<'r> {
    key: &'r str,
    value: Option<Value>,
    /// Each of [`Meta::NAMES`], as the event's index-time field.
    meta: [Option<Value>; 4],
}

impl Row for KeyRow<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        if name == self.key {
            return self.value.as_ref();
        }
        Meta::NAMES.iter().position(|m| *m == name).and_then(|k| self.meta[k].as_ref())
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        if let Some(v) = &self.value {
            f(self.key, v);
        }
        Meta::NAMES.iter().zip(&self.meta).for_each(|(n, v)| v.iter().for_each(|v| f(n, v)));
    }
}

impl<'p> PassThread<'p> {
    /// What the search says of events of the current metadata with this value of the key
    /// (`None`: absent): [`NOT_SELECTED`], or 1 + the number of the extractor making them.
    fn decide(&mut self, value: Option<&str>) -> u32 {
        let pass = self.pass;
        let Some(meta) = self.meta.as_deref() else { return NOT_SELECTED };
        let value = value.map(Value::from);
        let row = KeyRow {
            key: &pass.key,
            value: value.clone(),
            meta: std::array::from_fn(|k| meta.field(k).map(Value::from)),
        };
        if !matches(&pass.search, &row).unwrap_or(false) || self.extractors.len() >= MAX_EXTRACTORS {
            return NOT_SELECTED;
        }
        let given = Given { field: &pass.key, value: value.as_ref() };
        self.extractors.push(pass.ds.extractor_given(Wanted::Names(&pass.names), Some(given)));
        self.extractors.len() as u32
    }
}

impl LoadingThread for PassThread<'_> {
    fn part(&mut self, part: usize) {
        self.by_code.clear();
        let codes = self.out.iter().map(|_| Growing::with_capacity(0)).collect();
        self.parts.push((part, Vec::new(), codes));
    }

    fn event(&mut self, k: usize, event: &Event, raw: &str, key: KeyRead<'_>, own: Option<&[u32]>) {
        // Decisions hold for one metadata (an input's): another's starts them again, and
        // only events of the pass's sourcetype are made here.
        if !self.meta.as_ref().is_some_and(|m| std::sync::Arc::ptr_eq(m, &event.meta)) {
            self.by_value.clear();
            self.absent = None;
            self.by_code.clear();
            let ours = event.meta.sourcetype == self.pass.sourcetype;
            self.meta = ours.then(|| std::sync::Arc::clone(&event.meta));
        }
        if self.meta.is_none() {
            return;
        }
        let Ok(k) = u32::try_from(k) else { return };
        let says = match key {
            KeyRead::NotRead => return,
            KeyRead::Absent => match self.absent {
                Some(s) => s,
                None => {
                    let s = self.decide(None);
                    self.absent = Some(s);
                    s
                }
            },
            KeyRead::Value { code, text } => {
                let c = code as usize;
                if self.by_code.len() <= c {
                    self.by_code.resize(c + 1, UNASKED);
                }
                if self.by_code[c] == UNASKED {
                    self.by_code[c] = match self.by_value.get(text) {
                        Some(&s) => s,
                        None => {
                            let s = self.decide(Some(text));
                            self.by_value.insert(text.to_string(), s);
                            s
                        }
                    };
                }
                self.by_code[c]
            }
        };
        if says == NOT_SELECTED {
            return;
        }
        let ex = &self.extractors[says as usize - 1];
        if !ex.coded_row_of_event(event, raw, own, &mut self.coded, &mut self.row) {
            return;
        }
        let Some((_, events, codes)) = self.parts.last_mut() else { return };
        events.push(k);
        for (c, &slot) in codes.iter_mut().zip(&self.out) {
            c.push(self.row.get(slot).copied().unwrap_or(0));
        }
    }

    fn done(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        let PassThread { coded, out, extractors, parts, .. } = *self;
        drop(extractors);
        let mut events = Vec::with_capacity(parts.len());
        let made = parts
            .into_iter()
            .map(|(part, made, codes)| {
                events.push((part, made));
                (part, codes)
            })
            .collect();
        Box::new(ThreadMade { fields: thread_codes(coded, &out, made), parts: events })
    }
}

impl Dataset {
    /// Takes in the columns `pass` made while these events were loaded (`made`, per input
    /// read by lines, in the order read): each made for the events it selected.
    pub fn insert_made_while_loading(&self, pass: &PassWhileLoading, made: Vec<MadeWhileLoading>) {
        let names: Vec<&String> = pass.names.iter().collect();
        let mut todo: Vec<usize> = Vec::new();
        let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
        let mut by_field: Vec<Vec<ThreadCodes>> = names.iter().map(|_| Vec::new()).collect();
        for input in made {
            // This input's parts are pieces numbered after the inputs' before.
            let first = pieces.len();
            let mut events: Vec<Vec<u32>> = input.part_starts.iter().map(|_| Vec::new()).collect();
            for thread in input.threads {
                let Ok(thread) = thread.downcast::<ThreadMade>() else { continue };
                let ThreadMade { fields, parts } = *thread;
                for (part, made) in parts {
                    events[part] = made;
                }
                for (field, (values, mut taken)) in by_field.iter_mut().zip(fields) {
                    taken.iter_mut().for_each(|(p, _)| *p += first);
                    field.push((values, taken));
                }
            }
            for (made, start) in events.into_iter().zip(&input.part_starts) {
                let from = todo.len();
                todo.extend(made.into_iter().map(|k| start + k as usize));
                pieces.push(from..todo.len());
            }
        }
        if todo.is_empty() || todo.last().is_some_and(|&i| i >= self.len()) {
            return;
        }
        let kind_of = vec![0u32; todo.len()];
        let kind_has = vec![vec![true; names.len()]];
        let events = PassEvents { pieces: &pieces, todo: &todo, kind_of: &kind_of, kind_has: &kind_has };
        self.merge_pass(&names, by_field, &events);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::events::input::{load_bytes, KeyWhileLoading, LoadOptions, Loaded};
    use crate::knowledge;

    const BROAD: &str = "sourcetype=aws:cloudtrail (eventName=Describe* OR eventName=List* OR eventName=Get*) \
        | stats dc(eventName) as n values(src) as src values(userAgent) as agent by user userIdentity.arn";

    fn plan(spl: &str) -> ScanPlan {
        ScanPlan::of(&crate::syntax::parse(spl).unwrap())
    }

    fn pass_for(plans: &[ScanPlan]) -> Option<PassWhileLoading> {
        let k = knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        PassWhileLoading::of(plans, "eventName", "aws:cloudtrail", &k, Context { now: 0.0 })
    }

    /// Made only for one search selecting by the key and metadata alone, which reads
    /// other fields later: the fields it reads but `_time`, the key and the metadata.
    #[test]
    fn only_a_lone_search_selecting_by_the_key_has_a_pass_while_loading() {
        let pass = pass_for(&[plan(BROAD)]).expect("a pass");
        let names: Vec<&str> = pass.names().iter().map(String::as_str).collect();
        for name in ["src", "user", "userAgent", "userIdentity.arn"] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        for name in ["_time", "eventName", "sourcetype"] {
            assert!(!names.contains(&name), "{name} in {names:?}");
        }
        let none = [
            // Another field, a word of the text, a time bound in the first search.
            "eventName=GetObject errorCode=AccessDenied | stats count by user",
            "eventName=GetObject denied | stats count by user",
            "eventName=GetObject earliest=-1d | stats count by user",
            // Another field filtered on right after it (read over every event).
            "eventName=GetObject | where errorCode=\"x\" | stats count by user",
            // Nothing read later.
            "eventName=GetObject",
            "| makeresults",
        ];
        for spl in none {
            assert!(pass_for(&[plan(spl)]).is_none(), "{spl}");
        }
        assert!(pass_for(&[plan(BROAD), plan(BROAD)]).is_none(), "two searches");
    }

    /// The project's CloudTrail records, repeated to `bytes`, with lines the pass leaves to
    /// the shared pass: no `eventName`, one written with an escape, one not JSON.
    fn ndjson(bytes: usize) -> String {
        let lines = crate::events::dataset_lines();
        let mut text = String::new();
        let odd = [
            r#"{"eventTime":"2025-01-01T00:00:00Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","userName":"a"}}"#,
            r#"{"eventTime":"2025-01-01T00:00:01Z","eventName":"List\u0042uckets","userAgent":"x","sourceIPAddress":"10.0.0.1"}"#,
            r#"{"eventTime":"2025-01-01T00:00:02Z","eventName":"GetObject","userAgent":"Déjà","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"}}"#,
            "not json, failed",
        ];
        while text.len() < bytes {
            for l in odd.iter().copied().chain(lines.iter().map(String::as_str)) {
                text.push_str(l);
                text.push('\n');
            }
        }
        text
    }

    /// Loads `text` as the command line does for the search `spl` (its key read and, when
    /// `with_pass`, its fields made while loading).
    fn loaded(text: &str, spl: &str, with_pass: bool) -> (Dataset, Option<Arc<PassWhileLoading>>) {
        let app = knowledge::builtin();
        let k = app.for_sourcetype("aws:cloudtrail").unwrap();
        let pass = if with_pass { pass_for(&[plan(spl)]).map(Arc::new) } else { None };
        let opts = LoadOptions {
            sourcetype: Some("aws:cloudtrail".into()),
            key: KeyWhileLoading::new("eventName").map(Arc::new),
            while_loading: pass.clone().map(|p| p as Arc<dyn WhileLoading>),
            ..LoadOptions::default()
        };
        let mut out = Loaded::default();
        load_bytes("f", text.as_bytes(), &opts, &mut out).unwrap();
        let key = out.key_values();
        let made = std::mem::take(&mut out.made_while_loading);
        assert_eq!(made.is_empty(), pass.is_none());
        let ds = Dataset::with_knowledge(out.events, &app, Context { now: 0.0 }, vec![("aws:cloudtrail".into(), k)])
            .unwrap()
            .with_checked_json();
        if let Some((values, codes)) = key {
            ds.insert_read_while_loading("eventName", values, codes);
        }
        if let Some(p) = &pass {
            ds.insert_made_while_loading(p, made);
        }
        (ds, pass)
    }

    /// Every event the search selects whose key was read is made, with what its own
    /// extraction gives; no other event is. Over an input read as one part, and one read
    /// in parts on all cores.
    #[test]
    fn fields_made_while_loading_are_each_selected_events_own() {
        for bytes in [50_000, 6 << 20] {
            let text = ndjson(bytes);
            let (ds, pass) = loaded(&text, BROAD, true);
            let pass = pass.expect("a pass");
            let names = pass.names().clone();
            let key = ds.cached("eventName").expect("read while loading");
            let Selects::Matching(search) = &plan(BROAD).selects else { panic!("a search") };
            let (mut made, mut selected) = (0, 0);
            for i in 0..ds.len() {
                let own = ds.fields_of(i, Wanted::Names(&names));
                // The search decided by the event's own extraction of what it reads.
                let read: BTreeSet<String> =
                    ["eventName", "sourcetype", "source", "host", "index"].map(String::from).into();
                let row = ds.fields_of(i, Wanted::Names(&read));
                let selects = matches(search, &row).unwrap();
                selected += usize::from(selects);
                for n in &names {
                    let col = ds.cached(n).expect("made");
                    assert_eq!(col.is_made(i), selects && key.is_made(i), "{n} of event {i}, {bytes} bytes");
                    if col.is_made(i) {
                        made += 1;
                        assert_eq!(col.get(i), own.get(n.as_str()).unwrap_or(&Value::Null), "{n} of event {i}");
                    }
                }
            }
            assert!(selected * 5 > ds.len() && selected < ds.len(), "{selected} of {}", ds.len());
            assert!(made > selected * names.len() * 9 / 10, "{made} made, {selected} selected, {bytes} bytes");
        }
    }

    /// A search over a dataset whose fields were made while it was loaded gives what it
    /// gives over one loaded without.
    #[test]
    fn a_search_gives_the_same_with_or_without_its_fields_made_while_loading() {
        let text = ndjson(6 << 20);
        let query = crate::compile(BROAD, &crate::macros::MacroTable::default()).unwrap();
        let mut printed = Vec::new();
        for with_pass in [true, false] {
            let (ds, _) = loaded(&text, BROAD, with_pass);
            let plans = [ScanPlan::of(&query.pipeline)];
            super::super::prefetch_for(&ds, &plans);
            let r = crate::engine::run(&query, &ds, &crate::engine::Options::default()).unwrap();
            let mut out = Vec::new();
            crate::output::write(&r, crate::output::Format::Csv, &mut out).unwrap();
            printed.push(String::from_utf8(out).unwrap());
        }
        assert!(printed[0].lines().count() > 5, "{}", printed[0]);
        assert_eq!(printed[0], printed[1]);
    }
}
