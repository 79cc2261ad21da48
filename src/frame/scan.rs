//! The first search over many events, decided from the dataset's shared columns: a search
//! expression's result depends only on the values of the fields it reads, so it is
//! evaluated once per distinct combination of those values (dictionary codes), not once
//! per event; and the fields every search of a run filters on first are known in advance,
//! so one pass over the events makes them all ([`scan_fields`], [`Dataset::prefetch`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::dataset::{cacheable, Column, FxBuild};
use super::{Dataset, Frame, KEEP_SHARE, PREFETCH_SHARE};
use crate::eval::search::matches;
use crate::eval::{EvalError, Row};
use crate::events::Value;
use crate::syntax::fields::{deferred_aggregations, expr_fields, search_fields};
use crate::syntax::{CommandKind, Pipeline, SearchExpr};

/// The fields a search reads over all its events before anything reduces them: the first
/// search's, and those of the `search` and `where` commands right after it. Running a set
/// of searches, [`Dataset::prefetch`] of the union makes them in one pass.
pub fn scan_fields(p: &Pipeline) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cmds = p.commands.iter();
    if let Some(CommandKind::Search(Some(e))) = cmds.next().map(|c| &c.kind) {
        search_fields(e, &mut out);
    }
    for c in cmds {
        match &c.kind {
            CommandKind::Search(Some(e)) => search_fields(e, &mut out),
            CommandKind::Where(e) => expr_fields(e, &mut out),
            _ => break,
        }
    }
    out.retain(|n| cacheable(n));
    out
}

/// Every field name a pipeline mentions (read or made), found in its syntax tree: an
/// over-approximation of what it reads, for prefetching only (a name no event has costs
/// an empty column).
pub fn pipeline_fields(p: &Pipeline) -> BTreeSet<String> {
    static NAMES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = NAMES
        .get_or_init(|| regex::Regex::new(r#"(?:Ident \{ name: |Field\()"((?:[^"\\]|\\.)*)""#).expect("a valid regex"));
    let text = format!("{p:?}");
    re.captures_iter(&text).map(|c| c[1].to_string()).filter(|n| !n.contains('\\') && cacheable(n)).collect()
}

/// What one search of a run reads before anything reduces its events: the run's shared
/// passes ([`prefetch_for`]) make these fields for many searches at once.
#[derive(Debug, Clone)]
pub struct ScanPlan {
    /// How the search selects its events.
    pub selects: Selects,
    /// The fields it reads over all events ([`scan_fields`]).
    pub first: BTreeSet<String>,
    /// The fields it may read over the events it selects ([`pipeline_fields`]).
    pub later: BTreeSet<String>,
}

/// How a search selects the events the rest of it reads.
#[derive(Debug, Clone)]
pub enum Selects {
    /// Every event (a bare `search`).
    All,
    /// The events a search expression matches.
    Matching(SearchExpr),
    /// Not by a search of the events (a generating command, `inputlookup`, ...).
    Other,
}

impl ScanPlan {
    /// A pipeline's plan as its syntax shows it: its first search selects its events. The
    /// engine knows more for some first commands (`tstats` over a datamodel).
    pub fn of(p: &Pipeline) -> ScanPlan {
        let selects = match p.commands.first().map(|c| &c.kind) {
            Some(CommandKind::Search(Some(e))) => Selects::Matching(e.clone()),
            Some(CommandKind::Search(None)) => Selects::All,
            _ => Selects::Other,
        };
        ScanPlan { selects, first: scan_fields(p), later: pipeline_fields(&without_deferred(p)) }
    }
}

/// `p` without the aggregations of a `stats` that the `where` right after it does not read
/// ([`deferred_aggregations`]): the `stats` makes them only for the groups the `where`
/// keeps, reading their fields for those groups' events alone, so they are not made for
/// every event the search selects.
fn without_deferred(p: &Pipeline) -> Pipeline {
    let mut p = p.clone();
    for k in 1..p.commands.len() {
        let Some(CommandKind::Where(then)) = p.commands.get(k + 1).map(|c| c.kind.clone()) else { continue };
        if let CommandKind::Stats(s) = &mut p.commands[k].kind {
            let deferred = deferred_aggregations(s, &then);
            let mut d = deferred.into_iter();
            s.aggs.retain(|_| !d.next().unwrap_or(false));
        }
    }
    p
}

/// The needles [`prefetch_for`] would look for in the events' text, to look for while
/// they are loaded (`events::input::ScanWhileLoading`), with the share of the events a
/// search's literals may be in for it to look: when every plan selects its events by a
/// search that needs literals, their needles as a dataset of events with this knowledge
/// (their sourcetype's) finds them. The dataset uses what was found only for needles equal
/// to those it finds itself ([`Dataset::with_scanned`]), so a guess that turns out wrong
/// costs the scan while loading, never a result.
pub fn needles_to_load(
    plans: &[ScanPlan],
    knowledge: &crate::knowledge::SourcetypeKnowledge,
) -> Option<(Vec<crate::eval::needles::Needles>, f64)> {
    let plain = |n: &str| super::dataset::json_only_in([knowledge], n);
    let mut all: Vec<crate::eval::needles::Needles> = Vec::new();
    for p in plans {
        let Selects::Matching(e) = &p.selects else { return None };
        let n = crate::eval::needles::needles(e, &plain)?;
        if !all.contains(&n) {
            all.push(n);
        }
    }
    (!all.is_empty()).then(|| (all, 1.0 / (2 * PREFETCH_SHARE) as f64))
}

/// How many events [`prefetch_for`] looks at to tell whether a search's literals are rare.
const SAMPLE: usize = 2048;

/// Makes, in two passes over the events, the fields a set of searches will read over many
/// events: first the fields each filters on first ([`ScanPlan::first`]); then, for the
/// searches that select at least 1/`KEEP_SHARE` of the events (decided from the columns
/// the first pass made, the searches side by side, one per core), every field they may
/// read ([`ScanPlan::later`]), for the events they select, one pass per distinct selection.
pub fn prefetch_for(ds: &Dataset, plans: &[ScanPlan]) {
    // When every search whose first fields are still to make needs literals in the text
    // (super::prefilter), one pass over the text finds the events each could match, and a
    // search narrowed to few events has its first fields made for those events only.
    // Otherwise a pass over every event's JSON is needed anyway and makes them all.
    fn selecting(p: &ScanPlan) -> Option<&SearchExpr> {
        match &p.selects {
            Selects::Matching(e) => Some(e),
            _ => None,
        }
    }
    let pending: Vec<&ScanPlan> =
        plans.iter().filter(|p| !p.first.iter().all(|n| ds.cached(n).is_some_and(|c| c.is_complete()))).collect();
    // A search whose literals are in a good share of the events (estimated from a sample)
    // needs the pass over every event's JSON anyway: the text is not scanned for it, nor
    // then for the others, whose first fields that pass makes too.
    let likely_few =
        |e: &SearchExpr| ds.candidate_share(e, SAMPLE).is_some_and(|share| share * (2 * PREFETCH_SHARE) as f64 <= 1.0);
    let narrows = pending.iter().all(|p| selecting(p).is_some_and(likely_few));
    let narrowed: Vec<Option<Arc<Vec<u64>>>> = if narrows {
        ds.find_candidates(&pending.iter().filter_map(|p| selecting(p)).collect::<Vec<_>>());
        let few = |bits: &Arc<Vec<u64>>| {
            bits.iter().map(|w| w.count_ones() as usize).sum::<usize>() * PREFETCH_SHARE < ds.len()
        };
        let is_pending = |p: &ScanPlan| pending.iter().any(|q| std::ptr::eq(*q, p));
        plans
            .iter()
            .map(|p| selecting(p).filter(|_| is_pending(p)).and_then(|e| ds.candidates(e)).filter(few))
            .collect()
    } else {
        vec![None; plans.len()]
    };
    let first: BTreeSet<String> =
        plans.iter().zip(&narrowed).filter(|(_, n)| n.is_none()).flat_map(|(p, _)| p.first.iter().cloned()).collect();
    // `_time` for every event, on a thread of its own while the first fields are made and
    // the events chosen (one core's work for a single search), when a search not narrowed
    // to few events reads it over the events it selects and none reads it first: the
    // second pass makes it for every event when they select half of them or more (when
    // they select fewer, it was made for nothing).
    let time_later = plans
        .iter()
        .zip(&narrowed)
        .any(|(p, n)| n.is_none() && !matches!(p.selects, Selects::Other) && p.later.contains("_time"))
        && !plans.iter().any(|p| p.first.contains("_time"));
    let wanted = std::thread::scope(|s| {
        let time = time_later.then(|| s.spawn(|| ds.make_time_column()));
        ds.prefetch(&first);
        let mut union = vec![0u64; ds.len().div_ceil(64)];
        let mut first_few = BTreeSet::new();
        // A lone search narrowed to a few events: what it may read later over them too,
        // in the same reading of each one's text (its commands asked for those one after
        // another, reading the text of the events it kept each time). With other searches
        // beside it, not: each would have the others' made for its events, and kept in the
        // dataset for the whole run.
        let lone = plans.len() == 1;
        for (p, bits) in plans.iter().zip(&narrowed) {
            if let Some(bits) = bits {
                union.iter_mut().zip(bits.iter()).for_each(|(u, b)| *u |= b);
                first_few.extend(p.first.iter().cloned());
                if lone {
                    first_few.extend(p.later.iter().cloned());
                }
            }
        }
        let events: Vec<usize> = (0..ds.len()).filter(|&i| super::bit(&union, i)).collect();
        if !events.is_empty() {
            ds.prefetch_events(&first_few, Some(&events));
        }
        // Every event's order, made only when a search that selects many events needs it.
        let order = || ds.newest_first_ref();
        // The events each search selects, when they are at least 1/`KEEP_SHARE` of them (`None`:
        // fewer, or not by a search).
        let selected = |(p, narrowed): (&ScanPlan, &Option<Arc<Vec<u64>>>)| -> Option<Vec<usize>> {
            let kept = match &p.selects {
                // Fewer than a share of the events could match.
                _ if narrowed.is_some() => return None,
                Selects::Matching(e) => match Matched::decide(ds, order(), e) {
                    Some(Ok(m)) => {
                        // The search that runs it need not decide it again.
                        ds.remember_kept(e, &m.kept);
                        m.kept
                    }
                    _ => return None,
                },
                Selects::All => order().to_vec(),
                Selects::Other => return None,
            };
            (!kept.is_empty() && kept.len() * KEEP_SHARE >= ds.len()).then_some(kept)
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(plans.len()).max(1);
        let per = plans.len().div_ceil(threads).max(1);
        let selections: Vec<Option<Vec<usize>>> = std::thread::scope(|s| {
            let handles: Vec<_> = plans
                .chunks(per)
                .zip(narrowed.chunks(per))
                .map(|(part, n)| s.spawn(move || part.iter().zip(n).map(&selected).collect::<Vec<_>>()))
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("deciding does not panic")).collect()
        });
        // Pass 2: what the searches that select many events may read, for the events they
        // select, in one pass over the events any of them selects (searches that select the
        // same events, as the detections over one datamodel dataset do, ask once).
        let wanted = by_selection(plans, selections);
        if let Some(t) = time {
            t.join().expect("making `_time` does not panic");
        }
        wanted
    });
    let requests: Vec<(&BTreeSet<String>, Option<&[usize]>)> =
        wanted.iter().map(|(events, fields)| (fields, Some(events.as_slice()))).collect();
    ds.prefetch_requests(&requests);
}

/// The distinct selections of events (in event order) and, for each, the union of the
/// [`ScanPlan::later`] fields of the searches that make it; in the order first made.
fn by_selection(plans: &[ScanPlan], selected: Vec<Option<Vec<usize>>>) -> Vec<(Vec<usize>, BTreeSet<String>)> {
    let mut out: Vec<(Vec<usize>, BTreeSet<String>)> = Vec::new();
    for (p, kept) in plans.iter().zip(selected) {
        let Some(mut kept) = kept else { continue };
        kept.sort_unstable();
        match out.iter_mut().find(|(events, _)| *events == kept) {
            Some((_, fields)) => fields.extend(p.later.iter().cloned()),
            None => out.push((kept, p.later.clone())),
        }
    }
    out
}

/// The rows of coded columns (one code per row: a datamodel dataset's fields for its
/// events) that `expr` matches, decided once per distinct combination of the codes of the
/// fields it reads: the rows [`crate::engine`]'s filter would keep of the frame made of all
/// of them ([`Frame::from_coded`]), without making that frame. `None` when the search
/// names fields by wildcard (every field of a row is read).
pub fn rows_matching(
    expr: &SearchExpr,
    columns: &[(String, Arc<Column>)],
    height: usize,
) -> Option<Result<Vec<usize>, EvalError>> {
    let mut names = BTreeSet::new();
    search_fields(expr, &mut names);
    if names.iter().any(|n| n.contains('*')) {
        return None;
    }
    // A field the columns do not have is absent from every row, as from the frame.
    let (names, cols): (Vec<&String>, Vec<Arc<Column>>) =
        columns.iter().filter(|(n, _)| names.contains(n)).map(|(n, c)| (n, Arc::clone(c))).unzip();
    Some(decided(expr, &names, &cols, 0..height))
}

/// Which of `rows` (indexes into `cols`, the columns of the fields `names`) `expr` matches,
/// in their order, each decided once per distinct combination of their codes.
fn decided(
    expr: &SearchExpr,
    names: &[&String],
    cols: &[Arc<Column>],
    mut rows: impl Iterator<Item = usize>,
) -> Result<Vec<usize>, EvalError> {
    let decide = |row: usize| matches(expr, &CodedRow { names, values: cols.iter().map(|c| c.get(row)).collect() });
    // Room for every row at once (grown by doubling, a broad search's million rows were
    // copied over and over; room not used is never touched).
    let mut kept = Vec::with_capacity(rows.size_hint().0);
    // When the combinations of codes are few, a table indexed by the packed codes, made a
    // block of rows at a time, a column at a time (no per-row dispatch on the codes' width).
    let radix: Vec<u32> = cols.iter().map(|c| c.dict.len() as u32 + 1).collect();
    if let Some(size) = radix.iter().try_fold(1usize, |all, &r| all.checked_mul(r as usize)).filter(|&n| n <= DENSE) {
        let mut table = vec![0u8; size];
        let mut keys = vec![0u32; BLOCK];
        // The rows a block at a time, not gathered first (a copy of a million rows).
        let mut block = Vec::with_capacity(BLOCK);
        loop {
            block.clear();
            block.extend(rows.by_ref().take(BLOCK));
            if block.is_empty() {
                break;
            }
            let block = &block[..];
            let keys = &mut keys[..block.len()];
            keys.fill(0);
            for (c, &r) in cols.iter().zip(&radix) {
                c.codes.pack_into(block, r, keys);
            }
            for (&row, &key) in block.iter().zip(keys.iter()) {
                let slot = &mut table[key as usize];
                if *slot == 0 {
                    *slot = 1 + decide(row)? as u8;
                }
                if *slot == 2 {
                    kept.push(row);
                }
            }
        }
        return Ok(kept);
    }
    let mut decisions = Decisions::for_columns(cols);
    for row in rows {
        if decisions.get(cols, row, || decide(row))? {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// Up to this many combinations of codes, [`decided`] keeps its decisions in a table (a
/// byte each).
const DENSE: usize = 1 << 20;

/// Rows packed at a time by [`decided`].
const BLOCK: usize = 4096;

/// One event as the values of the fields a search reads that are columns (as the frame's
/// [`super::RowRef`] shows them: a column's null cell is a null value).
struct CodedRow<'a> {
    names: &'a [&'a String],
    values: Vec<&'a Value>,
}

impl Row for CodedRow<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        let k = self.names.iter().position(|n| *n == name)?;
        Some(self.values[k])
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        for (n, v) in self.names.iter().zip(&self.values) {
            f(n, v);
        }
    }
}

/// A search's result remembered per combination of the dictionary codes of the fields it
/// reads, in the cheapest way the codes allow.
enum Decisions {
    /// One field: a table indexed by its code (0 undecided, 1 no, 2 yes).
    One(Vec<u8>),
    /// Several fields whose codes pack into one integer (mixed radix, each field's radix its
    /// dictionary's size + 1).
    Packed { radix: Vec<u64>, seen: HashMap<u64, bool, FxBuild> },
    /// Otherwise, keyed by the codes themselves.
    Wide(HashMap<Vec<u32>, bool, FxBuild>),
}

impl Decisions {
    fn for_columns(cols: &[Arc<Column>]) -> Decisions {
        if let [one] = cols {
            return Decisions::One(vec![0; one.dict.len() + 1]);
        }
        let radix: Vec<u64> = cols.iter().map(|c| c.dict.len() as u64 + 1).collect();
        match radix.iter().try_fold(1u64, |all, r| all.checked_mul(*r)) {
            Some(_) => Decisions::Packed { radix, seen: HashMap::default() },
            None => Decisions::Wide(HashMap::default()),
        }
    }

    /// Event `e`'s result: remembered, or `decide`d and remembered.
    fn get(
        &mut self,
        cols: &[Arc<Column>],
        e: usize,
        decide: impl FnOnce() -> Result<bool, EvalError>,
    ) -> Result<bool, EvalError> {
        match self {
            Decisions::One(table) => {
                let slot = &mut table[cols[0].codes.get(e) as usize];
                if *slot == 0 {
                    *slot = 1 + decide()? as u8;
                }
                Ok(*slot == 2)
            }
            Decisions::Packed { radix, seen } => {
                let key = cols.iter().zip(radix.iter()).fold(0u64, |k, (c, r)| k * r + c.codes.get(e) as u64);
                remembered(seen, key, decide)
            }
            Decisions::Wide(seen) => remembered(seen, cols.iter().map(|c| c.codes.get(e)).collect(), decide),
        }
    }
}

/// What `seen` holds for `key`, or `decide`d and kept there.
fn remembered<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, bool, FxBuild>,
    key: K,
    decide: impl FnOnce() -> Result<bool, EvalError>,
) -> Result<bool, EvalError> {
    if let Some(&b) = seen.get(&key) {
        return Ok(b);
    }
    let b = decide()?;
    seen.insert(key, b);
    Ok(b)
}

/// The events of an order that match a search expression, decided from the dataset's
/// columns, with those columns.
struct Matched {
    names: Vec<String>,
    cols: Vec<Arc<Column>>,
    kept: Vec<usize>,
}

impl Matched {
    /// `None` when this way does not apply (few events, a field that is not kept per event
    /// such as `_raw`).
    fn decide(ds: &Dataset, order: &[usize], expr: &SearchExpr) -> Option<Result<Matched, EvalError>> {
        let mut names = BTreeSet::new();
        search_fields(expr, &mut names);
        if order.is_empty() || order.len() * PREFETCH_SHARE < ds.len() || !names.iter().all(|n| cacheable(n)) {
            return None;
        }
        ds.prefetch(&names);
        let names: Vec<String> = names.into_iter().collect();
        let cols: Vec<Arc<Column>> = names.iter().map(|n| ds.cached(n)).collect::<Option<_>>()?;
        // Over the whole order, a shared pass or an earlier run (through the column cache)
        // may have decided it already.
        let every = order.len() == ds.len() && {
            // Most often the order itself (then not compared a million events long).
            let all = ds.newest_first_ref();
            std::ptr::eq(order, all) || order == all
        };
        if every {
            if let Some(kept) = ds.take_kept(expr).or_else(|| ds.decision(expr)) {
                return Some(Ok(Matched { names, cols, kept }));
            }
        }
        // A field absent from an event reads as null, as a column's null cell does.
        let all_names: Vec<&String> = names.iter().collect();
        let kept = decided(expr, &all_names, &cols, order.iter().copied());
        if let (true, Ok(kept)) = (every, &kept) {
            ds.keep_decision(expr, kept);
        }
        Some(kept.map(|kept| Matched { names, cols, kept }))
    }
}

impl<'d> Frame<'d> {
    /// Whether every field `expr` reads is already made for every event: deciding it from
    /// the columns is then cheaper than looking at the events' text.
    pub fn decided_from_columns(ds: &Dataset, expr: &SearchExpr) -> bool {
        let mut names = BTreeSet::new();
        search_fields(expr, &mut names);
        names.iter().all(|n| cacheable(n) && ds.cached(n).is_some_and(|c| c.is_complete()))
    }

    /// The events of `order` that match `expr`, as a frame holding the fields the search
    /// read, exactly as [`Frame::from_events`] then filtering would make it. `None` when this
    /// way does not apply (few events, a field that is not kept per event such as `_raw`).
    pub fn matching_events(
        ds: &'d Dataset,
        order: &[usize],
        expr: &SearchExpr,
    ) -> Option<Result<Frame<'d>, EvalError>> {
        let m = match Matched::decide(ds, order, expr)? {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        let mut f = Frame::from_events(ds, &m.kept);
        for (name, col) in m.names.iter().zip(&m.cols) {
            // As extraction over the kept events would make it (none when none has it).
            f.add_coded(name.clone(), Arc::clone(col), &m.kept);
        }
        Some(Ok(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_a_pipeline_mentions() {
        let p = crate::syntax::parse(
            r#"eventName=Get* | where isnotnull('userIdentity.arn') | stats count by user src | rename user as who"#,
        )
        .unwrap();
        let f = pipeline_fields(&p);
        for n in ["eventName", "userIdentity.arn", "user", "src", "who"] {
            assert!(f.contains(n), "{n} in {f:?}");
        }
        assert_eq!(scan_fields(&p).into_iter().collect::<Vec<_>>(), ["eventName", "userIdentity.arn"]);
    }

    fn dataset() -> Dataset {
        let names = ["alice", "bob", "carol", ""];
        let events = (0..400)
            .map(|k| {
                let user = names[k % 4];
                let line = format!(
                    r#"{{"eventTime":"2025-01-01T00:{:02}:{:02}Z","eventName":"{}","who":"{user}","n":{},"tags":["a","b{}"]}}"#,
                    k / 60,
                    k % 60,
                    ["GetObject", "PutObject", "DeleteBucket"][k % 3],
                    k % 7,
                    k % 2
                );
                crate::events::Event::new(line.as_str(), crate::events::Meta::default())
            })
            .collect();
        Dataset::new(events, &crate::knowledge::builtin(), crate::eval::Context { now: 1_750_000_000.0 }).unwrap()
    }

    /// What evaluating the search on each event's own fields keeps.
    fn one_by_one(ds: &Dataset, order: &[usize], expr: &SearchExpr) -> Vec<usize> {
        let mut names = BTreeSet::new();
        search_fields(expr, &mut names);
        let wanted = super::super::dataset::Wanted::Names(&names);
        order.iter().copied().filter(|&e| matches(expr, &ds.fields_of(e, wanted)).unwrap()).collect()
    }

    fn search(text: &str) -> SearchExpr {
        match crate::syntax::parse(text).unwrap().commands.remove(0).kind {
            CommandKind::Search(Some(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn searches_decided_per_distinct_codes_keep_what_each_event_would() {
        let ds = dataset();
        let order = ds.newest_first();
        for text in [
            "eventName=Get*",
            "eventName=*Object who!=bob",
            "who=* NOT n<3",
            "tags=b1 OR (n=4 eventName=DeleteBucket)",
            "nosuchfield=x OR eventName=PutObject",
        ] {
            let expr = search(text);
            let m = Matched::decide(&ds, &order, &expr).expect("applies").unwrap();
            let want = one_by_one(&ds, &order, &expr);
            assert!(!want.is_empty() && want.len() < order.len(), "{text}: a search that decides something");
            assert_eq!(m.kept, want, "{text}");
        }
    }

    /// The text is scanned for a search's literals only when a sample says they are rare:
    /// a rare one has its first fields made for the events holding them; a common one
    /// goes straight to the pass over every event's JSON (the scan would keep most).
    #[test]
    fn the_text_is_scanned_only_for_literals_a_sample_finds_rare() {
        let events: Vec<crate::events::Event> = (0..1000)
            .map(|k| {
                let name = if k % 100 == 7 { "DeleteTrail" } else { "GetObject" };
                let line = format!(r#"{{"eventTime":"2025-01-01T00:00:00Z","eventName":"{name}","n":{k}}}"#);
                crate::events::Event::new(line.as_str(), crate::events::Meta::default())
            })
            .collect();
        let ds =
            || Dataset::new(events.clone(), &crate::knowledge::builtin(), crate::eval::Context { now: 0.0 }).unwrap();
        let rare = search("eventName=DeleteTrail");
        let common = search("eventName=Get*");
        let narrow = ds();
        let share = narrow.candidate_share(&rare, SAMPLE).unwrap();
        assert!((0.005..0.02).contains(&share), "{share}");
        assert!(narrow.candidate_share(&common, SAMPLE).unwrap() > 0.9);
        assert_eq!(narrow.candidate_share(&search("n>3"), SAMPLE), None, "no literal");
        prefetch_for(&narrow, &[ScanPlan::of(&crate::syntax::parse("eventName=DeleteTrail").unwrap())]);
        assert!(narrow.scanned_for(&rare), "scanned");
        assert!(!narrow.cached("eventName").is_some_and(|c| c.is_complete()), "made for the candidates only");
        let broad = ds();
        prefetch_for(&broad, &[ScanPlan::of(&crate::syntax::parse("eventName=Get*").unwrap())]);
        assert!(!broad.scanned_for(&common), "not scanned");
        assert!(broad.cached("eventName").unwrap().is_complete(), "made for every event");
    }

    /// Needles looked for while loading are what the dataset finds for its searches
    /// (`needles_to_load`, only when every plan selects by literals), and the events found
    /// for them are taken as they are, for those needles only: the text is not scanned
    /// again, and the share is counted, not sampled.
    #[test]
    fn what_loading_found_for_a_searchs_needles_is_taken_for_them_only() {
        let plan = |text: &str| ScanPlan::of(&crate::syntax::parse(text).unwrap());
        let knowledge = crate::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        let (needles, share) = needles_to_load(
            &[plan("eventName=DeleteTrail"), plan("eventName=Put* who=alice | stats count")],
            &knowledge,
        )
        .unwrap();
        assert_eq!(share, 1.0 / (2 * PREFETCH_SHARE) as f64);
        let plain = |n: &str| dataset().json_only(n);
        let want: Vec<_> = ["eventName=DeleteTrail", "eventName=Put* who=alice"]
            .iter()
            .map(|t| crate::eval::needles::needles(&search(t), &plain).unwrap())
            .collect();
        assert_eq!(needles, want);
        // A plan that selects every event, or not by a search, or a search with no
        // literal: the run would not scan the text.
        for other in ["| makeresults", "*", "n>3"] {
            assert_eq!(needles_to_load(&[plan("eventName=DeleteTrail"), plan(other)], &knowledge), None, "{other}");
        }
        // `errorCode` is made by the add-on's knowledge: no literal of it.
        assert_eq!(needles_to_load(&[plan("errorCode=success")], &knowledge), None);

        // Found while loading: every 3rd event, whatever its text holds.
        let ds = dataset();
        let words = ds.len().div_ceil(64);
        let mut every_third = vec![0u64; words];
        (0..ds.len()).step_by(3).for_each(|i| every_third[i / 64] |= 1 << (i % 64));
        let ds = ds.with_scanned(vec![(want[1].clone(), every_third.clone())]);
        let put = search("eventName=Put* who=alice");
        assert_eq!(ds.candidate_share(&put, SAMPLE), Some(134.0 / 400.0));
        assert_eq!(ds.candidates(&put).as_deref(), Some(&every_third));
        // Other needles: scanned from the text.
        let get = search("eventName=Get*");
        let got = ds.candidates(&get).unwrap();
        let filter = crate::eval::needles::TextFilter::new(&crate::eval::needles::needles(&get, &plain).unwrap());
        for i in 0..ds.len() {
            assert_eq!(got[i / 64] >> (i % 64) & 1 == 1, filter.may_match(&ds.events[i].raw), "event {i}");
        }
        // A bitmap of another length is not taken.
        let ds = dataset().with_scanned(vec![(want[0].clone(), vec![!0u64; words + 1])]);
        assert!(ds.candidate_share(&search("eventName=DeleteTrail"), SAMPLE).unwrap() < 0.5);
    }

    /// A search's other fields are made in the second pass for the events it
    /// selects, not for every event.
    #[test]
    fn the_second_pass_makes_a_searchs_fields_for_its_events() {
        let ds = dataset();
        let plan = |spl: &str| ScanPlan::of(&crate::syntax::parse(spl).unwrap());
        prefetch_for(
            &ds,
            &[
                plan("eventName=GetObject | stats count by who"),
                plan("eventName=Nope | stats count by nosuch"),
                // 1 event in 21 (more than 1/KEEP_SHARE of them).
                plan("eventName=DeleteBucket n=4 | stats count by tags"),
                // No literal to look for in the text: every event's fields are read.
                plan("n>100 | stats count"),
            ],
        );
        assert!(ds.cached("eventName").unwrap().is_complete(), "the first pass is over every event");
        let who = ds.cached("who").expect("made in the second pass");
        let tags = ds.cached("tags").expect("made in the second pass");
        let event_name = ds.cached("eventName").unwrap();
        for e in 0..ds.len() {
            let name = event_name.get(e).values();
            assert_eq!(who.is_made(e), name == ["GetObject"], "event {e}");
            assert_eq!(tags.is_made(e), e % 21 == 11, "event {e}");
        }
        assert!(ds.cached("nosuch").is_none(), "a search selecting too few events has its own fields");
    }

    /// Requests whose events overlap, made in one pass, give the columns the same requests
    /// made one after another give: each field made (with its value) for the events of the
    /// requests naming it, and only those, including over a column already partly made.
    #[test]
    fn requests_made_in_one_pass_equal_them_made_one_by_one() {
        let names = |ns: &[&str]| ns.iter().map(|n| n.to_string()).collect::<BTreeSet<String>>();
        let (a, b, c) = (names(&["who", "n"]), names(&["n", "tags{}"]), names(&["eventName", "nosuch"]));
        let evens: Vec<usize> = (0..400).step_by(2).collect();
        let threes: Vec<usize> = (0..400).step_by(3).collect();
        let late: Vec<usize> = (300..400).collect();
        let early: Vec<usize> = (0..50).collect();
        let requests: Vec<(&BTreeSet<String>, Option<&[usize]>)> =
            vec![(&a, Some(&evens)), (&b, Some(&threes)), (&c, Some(&late)), (&a, Some(&late))];
        let (together, apart) = (dataset(), dataset());
        for ds in [&together, &apart] {
            // Made before for some events: they keep their value, the others are added.
            ds.prefetch_events(&names(&["n"]), Some(&early));
        }
        together.prefetch_requests(&requests);
        for (fields, events) in &requests {
            apart.prefetch_events(fields, *events);
        }
        for field in ["who", "n", "tags{}", "eventName", "nosuch"] {
            let (t, p) = (together.cached(field).unwrap(), apart.cached(field).unwrap());
            for e in 0..400 {
                assert_eq!(t.is_made(e), p.is_made(e), "{field} of event {e}");
                if p.is_made(e) {
                    assert_eq!(t.get(e), p.get(e), "{field} of event {e}");
                }
            }
        }
        let who = together.cached("who").unwrap();
        assert!(who.is_made(2) && who.is_made(301) && !who.is_made(3), "each field only for its requests' events");
        assert_eq!(who.get(6).values(), ["carol"]);
        assert_eq!(together.cached("tags{}").unwrap().get(9).values(), ["a", "b1"]);
    }

    /// A first search the shared pass decided is given to the search that runs it: as a
    /// decision kept (a bit per event) when it reads field values alone, with no list of
    /// its events beside it; else as that list, once. It equals what deciding it again
    /// keeps; an order that is not the whole one decides.
    #[test]
    fn a_first_search_decided_in_the_shared_pass_is_kept_for_its_run() {
        let ds = dataset();
        let text = "eventName=*Object who!=bob";
        let expr = search(text);
        assert_eq!(ds.take_kept(&expr), None, "nothing decided yet");
        prefetch_for(&ds, &[ScanPlan::of(&crate::syntax::parse(text).unwrap())]);
        let order = ds.newest_first();
        let want = one_by_one(&ds, &order, &expr);
        assert!(!want.is_empty() && want.len() < order.len());
        assert_eq!(ds.decision(&expr).as_ref(), Some(&want));
        assert_eq!(ds.take_kept(&expr), None, "no list beside the decision");
        ds.remember_kept(&expr, &want);
        assert_eq!(ds.take_kept(&expr), None, "still none");
        let f = Frame::matching_events(&ds, &order, &expr).unwrap().unwrap();
        assert_eq!(f.height(), want.len());

        // Without a decision (a search not kept as one), the list, given once.
        let other = dataset();
        other.remember_kept(&expr, &want);
        assert_eq!(other.take_kept(&expr).as_ref(), Some(&want));
        assert_eq!(other.take_kept(&expr), None, "given once");
        // Remembered again, it is what the run's frame keeps; a part of the order ignores it.
        other.remember_kept(&expr, &want);
        let part = &order[..order.len() / 2];
        let m = Matched::decide(&other, part, &expr).unwrap().unwrap();
        assert_eq!(m.kept, one_by_one(&other, part, &expr));
        let f = Frame::matching_events(&other, &order, &expr).unwrap().unwrap();
        assert_eq!(f.height(), want.len());
        assert_eq!(other.take_kept(&expr), None, "the run took it");
    }

    /// A `where` over coded columns keeps the rows the filter of the frame made of them
    /// keeps: null cells, multivalues, numbers, a field the columns lack, `NOT`, `OR`.
    #[test]
    fn rows_matching_coded_columns_are_the_rows_their_frame_keeps() {
        let v = |s: &str| match s {
            "" => Value::Null,
            s if s.contains('|') => Value::from_values(s.split('|').map(String::from).collect()),
            s => Value::from(s),
        };
        let action = ["created", "deleted", "", "deleted", "modified", "created|deleted", "deleted", ""];
        let user = ["alice", "bob", "alice", "", "carol", "bob", "alice", "dave"];
        let n = ["1", "10", "2", "", "7", "3", "100", "x"];
        let columns: Vec<(String, Arc<Column>)> = [("action", &action), ("user", &user), ("n", &n)]
            .into_iter()
            .map(|(name, vals)| (name.to_string(), Arc::new(Column::from_values(&vals.map(v)))))
            .collect();
        let height = action.len();
        for text in [
            "action=deleted",
            "action=deleted user=alice",
            "action!=deleted",
            "NOT action=deleted",
            "action=* OR user=dave",
            "n>5",
            "n<5 OR user=bob",
            "nosuch=x OR action=created",
            "nosuch!=x",
            "user IN (alice, carol) NOT n=1",
        ] {
            let expr = search(text);
            let got = rows_matching(&expr, &columns, height).expect("no wildcard names").unwrap();
            let frame = Frame::from_coded(height, &columns);
            let mut names = BTreeSet::new();
            search_fields(&expr, &mut names);
            let cols = frame.columns(&names);
            let want: Vec<usize> = (0..height).filter(|&i| matches(&expr, &cols.row(i)).unwrap()).collect();
            assert_eq!(got, want, "{text}");
            let kept = Frame::from_coded_rows(&got, &columns);
            assert_eq!(kept.height(), want.len());
        }
        assert!(rows_matching(&search("act*=deleted"), &columns, height).is_none(), "wildcard names read every field");
    }

    /// Searches that select the same events share one pass, which makes all their fields.
    #[test]
    fn searches_selecting_the_same_events_share_a_pass() {
        let plan = |later: &[&str]| ScanPlan {
            selects: Selects::All,
            first: BTreeSet::new(),
            later: later.iter().map(|s| s.to_string()).collect(),
        };
        let plans = [plan(&["a", "b"]), plan(&["x"]), plan(&["c"]), plan(&["d"])];
        let groups = by_selection(&plans, vec![Some(vec![3, 1, 2]), None, Some(vec![1, 2, 3]), Some(vec![1, 2])]);
        let fields = |g: &(Vec<usize>, BTreeSet<String>)| g.1.iter().cloned().collect::<Vec<_>>();
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (groups[0].0.clone(), fields(&groups[0])),
            (vec![1, 2, 3], vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!((groups[1].0.clone(), fields(&groups[1])), (vec![1, 2], vec!["d".to_string()]));
    }

    #[test]
    fn every_way_of_remembering_decides_alike() {
        let ds = dataset();
        let order = ds.newest_first();
        let expr = search("eventName=*Object who!=bob n>2");
        let mut names = BTreeSet::new();
        search_fields(&expr, &mut names);
        ds.prefetch(&names);
        let cols: Vec<Arc<Column>> = names.iter().map(|n| ds.cached(n).unwrap()).collect();
        let wide = Decisions::Wide(HashMap::default());
        let packed = Decisions::for_columns(&cols);
        assert!(matches!(packed, Decisions::Packed { .. }));
        let names: Vec<&String> = names.iter().collect();
        let kept = |mut d: Decisions| -> Vec<usize> {
            let mut calls = 0;
            let out = order
                .iter()
                .copied()
                .filter(|&e| {
                    d.get(&cols, e, || {
                        calls += 1;
                        let row = CodedRow { names: &names, values: cols.iter().map(|c| c.get(e)).collect() };
                        matches(&expr, &row)
                    })
                    .unwrap()
                })
                .collect();
            assert!(calls <= 3 * 4 * 7, "decided once per combination, not per event ({calls})");
            out
        };
        let want = one_by_one(&ds, &order, &expr);
        assert_eq!(kept(wide), want);
        assert_eq!(kept(packed), want);
        // The table of packed codes (few combinations here), over rows in any order.
        assert_eq!(decided(&expr, &names, &cols, order.iter().copied()).unwrap(), want);
        let mut shuffled = order.clone();
        shuffled.reverse();
        let mut back = decided(&expr, &names, &cols, shuffled.iter().copied()).unwrap();
        back.reverse();
        assert_eq!(back, want);
        let one = Decisions::for_columns(&cols[..1]);
        assert!(matches!(one, Decisions::One(_)));
    }
}
