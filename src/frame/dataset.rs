//! The loaded events and the knowledge that turns each into fields.

use std::collections::{BTreeSet, HashMap};

use crate::eval::Context;
use crate::events::{json, Event, Fields};
use crate::knowledge::{self, App, KnowledgeError, SourcetypeKnowledge};

/// Events as loaded (raw text, time, metadata), and each sourcetype's search-time
/// knowledge, prepared once. Fields are made from an event on demand: the frame asks for
/// the ones a search uses ([`Dataset::fields_of`]).
pub struct Dataset {
    pub events: Vec<Event>,
    knowledge: HashMap<String, SourcetypeKnowledge>,
    pub ctx: Context,
}

/// Makes the wanted fields of events: per sourcetype, only the knowledge rules those fields
/// need, and the JSON fields those rules and the wanted fields read.
pub struct Extractor<'a> {
    ds: &'a Dataset,
    wanted: Wanted<'a>,
    plans: HashMap<&'a str, (SourcetypeKnowledge, Option<BTreeSet<String>>)>,
}

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
        let mut knowledge = HashMap::new();
        for e in &events {
            if !knowledge.contains_key(&e.meta.sourcetype) {
                knowledge.insert(e.meta.sourcetype.clone(), app.for_sourcetype(&e.meta.sourcetype)?);
            }
        }
        Ok(Dataset { events, knowledge, ctx })
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
        let mut order: Vec<usize> = (0..self.events.len()).rev().collect();
        let t = |i: usize| self.events[i].time.as_ref().map_or(f64::NEG_INFINITY, |t| t.epoch);
        order.sort_by(|&a, &b| t(b).total_cmp(&t(a)));
        order
    }

    /// The fields of event `i` that `wanted` accepts (see [`Extractor::fields_of`]).
    pub fn fields_of(&self, i: usize, wanted: Wanted) -> Fields {
        self.extractor(wanted).fields_of(i)
    }

    /// An extractor for `wanted`, planned once for many events.
    pub fn extractor<'a>(&'a self, wanted: Wanted<'a>) -> Extractor<'a> {
        let plans = self
            .knowledge
            .iter()
            .map(|(st, rules)| {
                let plan = match wanted {
                    Wanted::Names(names) => rules.projected(names),
                    Wanted::AllBut(_) => (rules.clone(), None),
                };
                (st.as_str(), plan)
            })
            .collect();
        Extractor { ds: self, wanted, plans }
    }
}

impl Extractor<'_> {
    /// The wanted fields of event `i`, made as Splunk makes them at search time:
    /// index-time fields, JSON extraction, then the sourcetype's knowledge.
    pub fn fields_of(&self, i: usize) -> Fields {
        let e = &self.ds.events[i];
        let wanted = self.wanted;
        let plan = self.plans.get(e.meta.sourcetype.as_str());
        let need = |name: &str| {
            wanted.accepts(name) || plan.is_some_and(|(_, inputs)| inputs.as_ref().is_none_or(|s| s.contains(name)))
        };
        let mut f = e.index_time_fields_only(&need);
        // A record that is not JSON (a CSV export's plain-text event) has no JSON fields; the
        // loader has already reported records that should have been JSON.
        if let Ok(j) = json::extract_only(&e.raw, &need) {
            for (k, v) in j {
                f.entry(k).or_insert(v);
            }
        }
        if let Some((rules, _)) = plan {
            knowledge::apply(rules, &mut f, &self.ds.ctx);
        }
        f.retain(|k, _| wanted.accepts(k));
        f
    }
}
