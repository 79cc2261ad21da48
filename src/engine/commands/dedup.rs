//! `dedup [N] fields [keepempty=] [consecutive=] [keepevents=] [sortby ...]`
//! (docs/spl-semantics.md 5.5).

use std::collections::{BTreeSet, HashMap};

use super::{bool_option, known_options, sort::sorted_rows};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::Dedup;

pub fn run(f: &mut Frame, d: &Dedup) -> Result<(), EngineError> {
    known_options(&d.options, &["keepempty", "consecutive", "keepevents"], "dedup")?;
    let keepempty = bool_option(&d.options, "keepempty", false)?;
    let consecutive = bool_option(&d.options, "consecutive", false)?;
    let keepevents = bool_option(&d.options, "keepevents", false)?;
    let n = d.count.unwrap_or(1).max(1) as usize;
    if !d.sortby.is_empty() {
        let order = sorted_rows(f, &d.sortby, false);
        f.take(&order);
    }
    let names: BTreeSet<String> = d.fields.iter().map(|i| i.name.clone()).collect();
    f.ensure(&names);
    let columns: Vec<Vec<Value>> = d.fields.iter().map(|i| f.values(&i.name)).collect();
    let mut seen: HashMap<Vec<&[String]>, usize> = HashMap::new();
    let mut previous: Option<Vec<&[String]>> = None;
    let mut keep = vec![true; f.height()];
    let mut duplicate = vec![false; f.height()];
    for (row, k) in keep.iter_mut().enumerate() {
        // Multivalues must agree on every value; comparison is exact (UNVERIFIED for case).
        let key: Vec<&[String]> = columns.iter().map(|c| c[row].values()).collect();
        if key.iter().any(|v| v.is_empty()) {
            *k = keepempty;
            continue;
        }
        let dup = if consecutive {
            let same = previous.as_ref() == Some(&key);
            previous = Some(key);
            same
        } else {
            let count = seen.entry(key).or_insert(0);
            *count += 1;
            *count > n
        };
        if dup {
            duplicate[row] = true;
            *k = keepevents;
        }
    }
    if keepevents {
        // Duplicates stay, without the dedup fields.
        for (c, ident) in d.fields.iter().enumerate() {
            let mut v = columns[c].clone();
            for (row, dup) in duplicate.iter().enumerate() {
                if *dup {
                    v[row] = Value::Null;
                }
            }
            f.set(&ident.name, &v);
        }
    }
    f.filter(&keep);
    Ok(())
}
