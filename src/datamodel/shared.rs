//! A datamodel dataset evaluated once for a run of many searches.
//!
//! Many detections read the same dataset (`tstats ... from datamodel=Change` is a third of
//! the corpus's CloudTrail detections), each a few of its fields. [`Evaluations`] keeps,
//! for one run over one event set with one set of definitions, each dataset's events
//! (selected once) and each of its fields as it is first asked for (a dictionary-coded
//! column over those events), so the next search reads them instead of selecting the
//! events and making the fields again. The values are those [`evaluate`] gives: a field
//! does not depend on which other fields are asked for with it.
//!
//! Made with [`Evaluations::kept_in_dataset`] (a run with a column cache), the events and
//! fields are also kept in the dataset as a selection ([`Dataset::keep_selected`]) named
//! by the node's [`Node::fingerprint`], which the column cache keeps: the next run over
//! the same events with the same definitions takes them from there instead of selecting
//! and evaluating again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{evaluate_in, membership, Membership, Naming, Node, INHERITED};
use crate::engine::TimeRange;
use crate::eval::{Context, EvalError};
use crate::frame::{CachedColumn, Dataset, Frame};

/// A field of a dataset's events, coded over them in order.
pub type Field = (String, Arc<CachedColumn>);

/// The datasets evaluated so far in a run, by dataset, naming and time range.
#[derive(Default)]
pub struct Evaluations {
    nodes: Mutex<HashMap<String, Arc<Evaluated>>>,
    /// Whether the fields made also go into the dataset's columns.
    keep: bool,
}

/// One dataset's events and the fields made over them so far.
#[derive(Default)]
struct Evaluated {
    /// The events, in the order the selecting search gave them.
    events: OnceLock<Vec<usize>>,
    /// Which of them belong to each dataset in scope.
    member: OnceLock<Membership>,
    /// Fields by name; `None` for a name the dataset does not define. Held while fields
    /// are made, so two searches asking at once make them once.
    fields: Mutex<HashMap<String, Option<Arc<CachedColumn>>>>,
}

impl std::fmt::Debug for Evaluations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nodes = self.nodes.lock().map(|n| n.len()).unwrap_or(0);
        write!(f, "Evaluations({nodes} datasets)")
    }
}

/// The name of the dataset's selection that keeps the events and fields of the node with
/// `fingerprint`.
pub fn selection_name(fingerprint: &[u8; 16]) -> String {
    let hex: String = fingerprint.iter().map(|b| format!("{b:02x}")).collect();
    format!("datamodel {hex}")
}

impl Evaluations {
    /// Evaluations whose events and fields are also kept in the dataset (see the module
    /// documentation), for the column cache to keep.
    pub fn kept_in_dataset() -> Evaluations {
        Evaluations { keep: true, ..Evaluations::default() }
    }

    /// The named fields of `node`'s events (datamodel fields under `naming`, `nodename`,
    /// and the inherited event fields), each a column coded over the events in order, and
    /// how many events there are. Names the dataset does not define are left out. `select`
    /// gives a frame of the dataset's events (its constraints, in `range`); it runs the
    /// first time only, and not at all when an earlier run kept every field asked for.
    #[allow(clippy::too_many_arguments)]
    pub fn fields<'d, E: From<EvalError>>(
        &self,
        ds: &'d Dataset,
        node: &Node,
        naming: Naming,
        range: &TimeRange,
        names: &[String],
        ctx: &Context,
        select: impl FnOnce() -> Result<Frame<'d>, E>,
    ) -> Result<(usize, Vec<Field>), E> {
        let key = format!("{:p} {} {naming:?} {range:?}", ds as *const Dataset, node.display());
        let entry = Arc::clone(self.nodes.lock().expect("not poisoned").entry(key).or_default());
        let mut fields = entry.fields.lock().expect("not poisoned");
        // Kept in the dataset (whole time range only: a relative one moves between runs).
        let kept =
            if self.keep && range.is_all() { node.fingerprint(naming).map(|fp| selection_name(&fp)) } else { None };
        let mut missing: Vec<&String> = names.iter().filter(|n| !fields.contains_key(*n)).collect();
        if let Some(sel) = kept.as_ref().filter(|_| !missing.is_empty()).and_then(|k| ds.selected(k, &missing)) {
            if entry.events.get().is_none_or(|e| e[..] == sel.events[..]) {
                entry.events.get_or_init(|| sel.events.to_vec());
                for name in missing.drain(..) {
                    fields.insert(name.clone(), Some(Arc::clone(&sel.columns[name])));
                }
            }
        }
        // The selecting frame, when made now: it already holds the fields it selected by.
        let mut selected: Option<Frame<'d>> = None;
        if entry.events.get().is_none() {
            let f = select()?;
            let _ = entry.events.set(f.events().unwrap_or_default());
            selected = Some(f);
        }
        let events = entry.events.get().expect("set above");
        if !missing.is_empty() {
            let mut f = selected.unwrap_or_else(|| Frame::from_events(ds, events));
            let wanted = |n: &str| missing.iter().any(|m| *m == n);
            let member = match entry.member.get() {
                Some(m) => m,
                None => {
                    let m = membership(node, &mut f, naming)?;
                    entry.member.get_or_init(|| m)
                }
            };
            let mut made = evaluate_in(node, &mut f, naming, member, &wanted, ctx)?;
            let inherited: std::collections::BTreeSet<String> =
                INHERITED.iter().filter(|n| wanted(n)).map(|n| n.to_string()).collect();
            f.ensure(&inherited);
            // An inherited field the frame reads from the dataset's shared column is that
            // column for the selected events, its dictionary shared (at 10 GB the Change
            // selection's own `_time` dictionary was 148 MB of values the dataset has).
            let mut inherited_columns = std::collections::HashMap::new();
            for name in &inherited {
                match f.shared(name) {
                    Some((col, rows)) => {
                        inherited_columns.insert(name.as_str(), Arc::new(CachedColumn::rows_of(col, &rows)));
                    }
                    None => {
                        made.insert(name.clone(), f.values(name));
                    }
                }
            }
            for name in &missing {
                let column = inherited_columns
                    .remove(name.as_str())
                    .or_else(|| made.get(*name).map(|values| Arc::new(CachedColumn::from_values(values))));
                fields.insert((*name).clone(), column);
            }
            if let Some(k) = &kept {
                let made = missing.iter().filter_map(|n| Some(((*n).clone(), Arc::clone(fields[*n].as_ref()?))));
                ds.keep_selected(k, events, made.collect());
            }
        }
        let mut out = Vec::new();
        for name in names {
            if let Some(Some(col)) = fields.get(name) {
                out.push((name.clone(), Arc::clone(col)));
            }
        }
        Ok((events.len(), out))
    }
}
