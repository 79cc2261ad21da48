//! The first search over many events, decided from the dataset's shared columns: a search
//! expression's result depends only on the values of the fields it reads, so it is
//! evaluated once per distinct combination of those values (dictionary codes), not once
//! per event; and the fields every search of a run filters on first are known in advance,
//! so one pass over the events makes them all ([`scan_fields`], [`Dataset::prefetch`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::dataset::{cacheable, Column, FxBuild};
use super::{Dataset, Frame, PREFETCH_SHARE};
use crate::eval::search::matches;
use crate::eval::{EvalError, Row};
use crate::events::Value;
use crate::syntax::fields::{expr_fields, search_fields};
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

/// Makes, in two passes over the events, the fields a set of searches will read over many
/// events: first the fields each filters on first ([`scan_fields`]); then, for the searches
/// whose first search keeps at least 1/`PREFETCH_SHARE` of the events (decided from the
/// columns the first pass made), every field they mention.
pub fn prefetch_for(ds: &Dataset, pipelines: &[&Pipeline]) {
    let first: BTreeSet<String> = pipelines.iter().flat_map(|p| scan_fields(p)).collect();
    ds.prefetch(&first);
    let order = ds.newest_first();
    let mut broad = BTreeSet::new();
    for p in pipelines {
        let kept = match p.commands.first().map(|c| &c.kind) {
            Some(CommandKind::Search(Some(e))) => match Frame::matching_events(ds, &order, e) {
                Some(Ok(f)) => f.height(),
                _ => 0,
            },
            Some(CommandKind::Search(None)) => order.len(),
            _ => 0,
        };
        if kept > 0 && kept * PREFETCH_SHARE >= ds.len() {
            broad.extend(pipeline_fields(p));
        }
    }
    ds.prefetch(&broad);
}

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

impl<'d> Frame<'d> {
    /// The events of `order` that match `expr`, as a frame holding the fields the search
    /// read, exactly as [`Frame::from_events`] then filtering would make it. `None` when this
    /// way does not apply (few events, a field that is not kept per event such as `_raw`).
    pub fn matching_events(
        ds: &'d Dataset,
        order: &[usize],
        expr: &SearchExpr,
    ) -> Option<Result<Frame<'d>, EvalError>> {
        let mut names = BTreeSet::new();
        search_fields(expr, &mut names);
        if order.is_empty() || order.len() * PREFETCH_SHARE < ds.len() || !names.iter().all(|n| cacheable(n)) {
            return None;
        }
        ds.prefetch(&names);
        let names: Vec<String> = names.into_iter().collect();
        let cols: Vec<Arc<Column>> = names.iter().map(|n| ds.cached(n)).collect::<Option<_>>()?;
        // As extraction over `order` would make them: a column when any of those events
        // has the field, a list column when any has several values.
        let shape: Vec<(bool, bool)> = cols
            .iter()
            .map(|col| {
                let (mut present, mut multi) = (false, false);
                for &e in order {
                    match col.get(e) {
                        Value::Null => {}
                        Value::Str(_) => present = true,
                        Value::Multi(_) => {
                            multi = true;
                            break;
                        }
                    }
                }
                (present || multi, multi)
            })
            .collect();
        let row_names: Vec<&String> = names.iter().zip(&shape).filter(|(_, s)| s.0).map(|(n, _)| n).collect();
        let row_cols: Vec<&Arc<Column>> = cols.iter().zip(&shape).filter(|(_, s)| s.0).map(|(c, _)| c).collect();
        let mut memo: HashMap<Vec<u32>, bool, FxBuild> = HashMap::default();
        let mut key: Vec<u32> = vec![0; cols.len()];
        let mut kept = Vec::new();
        for &e in order {
            for (k, c) in cols.iter().enumerate() {
                key[k] = c.codes.get(e);
            }
            let keep = match memo.get(key.as_slice()) {
                Some(&b) => b,
                None => {
                    let row = CodedRow { names: &row_names, values: row_cols.iter().map(|c| c.get(e)).collect() };
                    let b = match matches(expr, &row) {
                        Ok(b) => b,
                        Err(err) => return Some(Err(err)),
                    };
                    memo.insert(key.clone(), b);
                    b
                }
            };
            if keep {
                kept.push(e);
            }
        }
        let mut f = Frame::from_events(ds, &kept);
        for ((name, col), &(present, multi)) in names.iter().zip(&cols).zip(&shape) {
            f.known.insert(name.clone());
            if present {
                let values: Vec<Value> = kept.iter().map(|&e| col.get(e).clone()).collect();
                f.df.with_column(super::to_column_as(name, &values, multi)).expect("a column of the frame's height");
            }
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
}
