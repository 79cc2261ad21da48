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
    knowledge: HashMap<String, Prepared>,
    pub ctx: Context,
}

struct Prepared {
    rules: SourcetypeKnowledge,
    /// The fields the rules read; `None` when they may read any field.
    inputs: Option<BTreeSet<String>>,
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
                let rules = app.for_sourcetype(&e.meta.sourcetype)?;
                let inputs = rules.inputs();
                knowledge.insert(e.meta.sourcetype.clone(), Prepared { rules, inputs });
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

    /// The fields of event `i` that `wanted` accepts, made as Splunk makes them at search
    /// time: index-time fields, JSON extraction, then the sourcetype's knowledge. Only the
    /// JSON fields that are wanted or that the knowledge reads are extracted.
    pub fn fields_of(&self, i: usize, wanted: Wanted) -> Fields {
        let e = &self.events[i];
        let prepared = self.knowledge.get(&e.meta.sourcetype);
        let need = |name: &str| {
            wanted.accepts(name) || prepared.is_some_and(|p| p.inputs.as_ref().is_none_or(|s| s.contains(name)))
        };
        let mut f = e.index_time_fields_only(&need);
        // A record that is not JSON (a CSV export's plain-text event) has no JSON fields; the
        // loader has already reported records that should have been JSON.
        if let Ok(j) = json::extract_only(&e.raw, &need) {
            for (k, v) in j {
                f.entry(k).or_insert(v);
            }
        }
        if let Some(p) = prepared {
            knowledge::apply(&p.rules, &mut f, &self.ctx);
        }
        f.retain(|k, _| wanted.accepts(k));
        f
    }
}
