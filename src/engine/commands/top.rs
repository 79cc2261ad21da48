//! `top` and `rare` (docs/spl-semantics.md 8): the most (least) frequent value tuples, with
//! `count` and `percent`.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::{bool_option, count_option, known_options, option};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::Top;

/// Every combination of one value per field (a multivalue contributes each value); none
/// when a field is absent.
fn combinations(cols: &[Vec<Value>], row: usize) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = vec![Vec::new()];
    for c in cols {
        let vals = c[row].values();
        keys = keys
            .into_iter()
            .flat_map(|k| {
                vals.iter().map(move |v| {
                    let mut k = k.clone();
                    k.push(v.clone());
                    k
                })
            })
            .collect();
    }
    keys
}

/// One by-group's tuples with their counts (in order of first appearance), and its total.
type Counts = (IndexMap<Vec<String>, usize>, usize);

pub fn run(f: &mut Frame, t: &Top, rare: bool) -> Result<(), EngineError> {
    let name = if rare { "rare" } else { "top" };
    known_options(
        &t.options,
        &["limit", "countfield", "percentfield", "showcount", "showperc", "useother", "otherstr"],
        name,
    )?;
    let limit = t.count.or(count_option(&t.options, "limit")?).unwrap_or(10) as usize;
    let limit = if limit == 0 { usize::MAX } else { limit };
    let countfield = option(&t.options, "countfield").map_or("count".to_string(), |o| o.value.text.clone());
    let percentfield = option(&t.options, "percentfield").map_or("percent".to_string(), |o| o.value.text.clone());
    let showcount = bool_option(&t.options, "showcount", true)?;
    let showperc = bool_option(&t.options, "showperc", true)?;
    let useother = bool_option(&t.options, "useother", false)?;
    let otherstr = option(&t.options, "otherstr").map_or("OTHER".to_string(), |o| o.value.text.clone());

    let by: Vec<String> = t.by.iter().map(|i| i.name.clone()).collect();
    let fields: Vec<String> = t.fields.iter().map(|i| i.name.clone()).collect();
    f.ensure(&by.iter().chain(&fields).cloned().collect());
    let by_cols: Vec<Vec<Value>> = by.iter().map(|n| f.values(n)).collect();
    let cols: Vec<Vec<Value>> = fields.iter().map(|n| f.values(n)).collect();

    // Per by-group (byte order, as stats): tuples with their count and first appearance.
    let mut groups: BTreeMap<Vec<String>, Counts> = BTreeMap::new();
    for row in 0..f.height() {
        for g in combinations(&by_cols, row) {
            let (counts, total) = groups.entry(g).or_default();
            for k in combinations(&cols, row) {
                *counts.entry(k).or_insert(0) += 1;
                *total += 1;
            }
        }
    }
    let mut out: IndexMap<String, Vec<Value>> = IndexMap::new();
    for n in by.iter().chain(&fields) {
        out.insert(n.clone(), Vec::new());
    }
    let mut counts_col = Vec::new();
    let mut percents = Vec::new();
    let mut height = 0;
    for (g, (counts, total)) in groups {
        let mut list: Vec<(Vec<String>, usize)> = counts.into_iter().collect();
        // Most frequent first (least for rare); ties keep first appearance (UNVERIFIED).
        list.sort_by(|a, b| if rare { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) });
        let other: usize = list.iter().skip(limit).map(|(_, c)| c).sum();
        list.truncate(limit);
        if useother && other > 0 {
            list.push((vec![otherstr.clone(); fields.len()], other));
        }
        for (k, c) in list {
            for (n, v) in by.iter().zip(&g) {
                out[n].push(Value::Str(v.clone()));
            }
            for (n, v) in fields.iter().zip(k) {
                out[n].push(Value::Str(v));
            }
            counts_col.push(Value::Str(c.to_string()));
            // Six decimals, as the docs show (`33.333333`; UNVERIFIED).
            percents.push(Value::Str(format!("{:.6}", c as f64 * 100.0 / total as f64)));
            height += 1;
        }
    }
    if showcount {
        out.insert(countfield, counts_col);
    }
    if showperc {
        out.insert(percentfield, percents);
    }
    *f = Frame::from_columns(height, out);
    Ok(())
}
