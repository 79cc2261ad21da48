//! `stats`, `eventstats` and `streamstats` (docs/spl-semantics.md 4.1, 4.3, 4.4): groups
//! by the by-fields, then the functions of `aggregate.rs` over each group.

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;

use super::{bool_option, count_option, known_options, Cx};
use crate::engine::aggregate::{aggregate, Func, Group};
use crate::engine::EngineError;
use crate::eval::eval;
use crate::eval::search::{glob_captures, glob_fill};
use crate::eval::value::parse_number;
use crate::events::hash::FxBuild;
use crate::events::Value;
use crate::frame::{FieldValues, Frame};
use crate::syntax::fields::expr_fields;
use crate::syntax::{AggArg, Aggregation, CmdOption, Stats};

/// One output column: its name, the function, and what it reads per result.
pub(super) struct Planned {
    pub(super) name: String,
    pub(super) func: Func,
    has_arg: bool,
    input: FieldValues,
}

/// Resolves each aggregation (wildcard arguments expand over the present fields) and
/// computes its argument for every row.
pub(super) fn plan(f: &mut Frame, aggs: &[Aggregation], by: &[String], cx: &Cx) -> Result<Vec<Planned>, EngineError> {
    let mut out: Vec<Planned> = Vec::new();
    for a in aggs {
        let func = Func::from_name(&a.func).ok_or_else(|| {
            EngineError::new(
                "spelunk::unsupported",
                format!("`{}` is not a stats function spelunk knows", a.func),
                a.span,
                "unknown function",
            )
        })?;
        let alias = a.alias.as_ref().map(|i| i.name.clone());
        match &a.arg {
            None => {
                if func != Func::Count {
                    return Err(EngineError::new(
                        "spelunk::stats",
                        format!("`{}` needs a field: `{}(field)`", a.func, a.func),
                        a.span,
                        "no field",
                    ));
                }
                let name = alias.unwrap_or_else(|| a.func.clone());
                out.push(Planned { name, func, has_arg: false, input: FieldValues::Owned(Vec::new()) });
            }
            Some(AggArg::Field(field)) if field.name.contains('*') => {
                f.ensure_all();
                for present in f.names() {
                    if by.contains(&present) {
                        continue;
                    }
                    let Some(caps) = glob_captures(&field.name, &present) else { continue };
                    let name = match &alias {
                        Some(pattern) => glob_fill(pattern, caps),
                        None => format!("{}({present})", a.func),
                    };
                    out.push(Planned { name, func, has_arg: true, input: f.read(&present) });
                }
            }
            Some(AggArg::Field(field)) => {
                f.ensure(&BTreeSet::from([field.name.clone()]));
                let name = alias.unwrap_or_else(|| format!("{}({})", a.func, field.name));
                out.push(Planned { name, func, has_arg: true, input: f.read(&field.name) });
            }
            Some(AggArg::Eval(e)) => {
                let Some(name) = alias else {
                    return Err(EngineError::new(
                        "spelunk::stats",
                        "an eval() aggregation needs a name: add `as <name>`",
                        a.span,
                        "no `as`",
                    ));
                };
                let mut names = BTreeSet::new();
                expr_fields(e, &mut names);
                f.ensure(&names);
                let cols = f.columns(&names);
                let mut input = Vec::with_capacity(f.height());
                for i in 0..f.height() {
                    // A true condition counts (`count(eval(x="y"))`); false and null do not.
                    let v = match eval(e, &cols.row(i), &cx.ctx).map_err(super::eval_error)? {
                        crate::eval::EvalValue::Bool(true) => Value::Str("1".into()),
                        crate::eval::EvalValue::Bool(false) => Value::Null,
                        other => other.into_field().unwrap_or(Value::Null),
                    };
                    input.push(v);
                }
                out.push(Planned { name, func, has_arg: true, input: FieldValues::Owned(input) });
            }
        }
    }
    Ok(out)
}

/// Each row's `_time`, when some function needs it.
pub(super) fn times(f: &mut Frame, planned: &[Planned]) -> Vec<Option<f64>> {
    if !planned.iter().any(|p| p.func.needs_time()) {
        return Vec::new();
    }
    f.ensure(&BTreeSet::from(["_time".to_string()]));
    let time = f.read("_time");
    (0..time.len()).map(|i| time.get(i).values().first().and_then(|s| parse_number(s))).collect()
}

/// The by-fields' values per row, to group by ([`groups`]).
fn by_values(f: &mut Frame, by: &[String]) -> Vec<FieldValues> {
    f.ensure(&by.iter().cloned().collect());
    by.iter().map(|b| f.read(b)).collect()
}

/// The groups: by-values (sorted, byte order) with their rows in input order. A row missing
/// a by-field is in no group; a multivalue by-field puts the row in one group per value
/// (each combination when several are multivalue). Keys borrow the values.
fn groups(cols: &[FieldValues], height: usize, dedup_splitvals: bool) -> Vec<(Vec<&str>, Vec<usize>)> {
    if let Some(groups) = coded_groups(cols, height) {
        return groups;
    }
    // Rows are gathered under borrowed keys (one lookup per row, no copy). Room for a
    // group per row from the start: growing the map hashed every key again at each
    // doubling (a seventh of a 257,000-group stats), and room not used is never touched.
    let mut index: HashMap<Vec<&str>, usize, FxBuild> =
        HashMap::with_capacity_and_hasher(height.min(1 << 24), FxBuild::default());
    let mut members: Vec<Vec<usize>> = Vec::new();
    fn add<'c>(
        index: &mut HashMap<Vec<&'c str>, usize, FxBuild>,
        members: &mut Vec<Vec<usize>>,
        key: &[&'c str],
        row: usize,
    ) {
        match index.get(key) {
            Some(&g) => members[g].push(row),
            None => {
                index.insert(key.to_vec(), members.len());
                members.push(vec![row]);
            }
        }
    }
    let mut key: Vec<&str> = Vec::with_capacity(cols.len());
    for row in 0..height {
        key.clear();
        let mut single = true;
        for c in cols {
            match c.get(row).values() {
                [one] => key.push(one),
                _ => {
                    single = false;
                    break;
                }
            }
        }
        if single {
            add(&mut index, &mut members, &key, row);
            continue;
        }
        // Absent or multivalue: every combination of the values (none when one is absent).
        let mut keys: Vec<Vec<&str>> = vec![Vec::new()];
        for c in cols {
            let mut vals: Vec<&str> = c.get(row).values().iter().map(String::as_str).collect();
            if dedup_splitvals {
                let mut seen = BTreeSet::new();
                vals.retain(|v| seen.insert(*v));
            }
            keys = keys
                .into_iter()
                .flat_map(|k| {
                    vals.iter().map(move |v| {
                        let mut k = k.clone();
                        k.push(v);
                        k
                    })
                })
                .collect();
        }
        for k in &keys {
            add(&mut index, &mut members, k, row);
        }
    }
    in_key_order(index.into_iter().map(|(k, g)| (k, std::mem::take(&mut members[g]))).collect())
}

/// Groups in byte order of their values, field by field (keys are distinct).
fn in_key_order(mut groups: Vec<(Vec<&str>, Vec<usize>)>) -> Vec<(Vec<&str>, Vec<usize>)> {
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// [`groups`] when every by-field is a dictionary-coded column of single strings: rows are
/// grouped by their codes packed into one integer (no key of strings made, hashed or
/// compared per row); a row with a code 0 (absent) is in no group. Distinct codes of a
/// column are distinct strings, so the groups are the ones the values make. `None` when
/// this does not apply (a column held as values, a multivalue or null in a dictionary,
/// codes that do not pack into 64 bits).
fn coded_groups(cols: &[FieldValues], height: usize) -> Option<Vec<(Vec<&str>, Vec<usize>)>> {
    let mut coded = Vec::with_capacity(cols.len());
    for c in cols {
        let FieldValues::Coded { col, events } = c else { return None };
        let strings: Option<Vec<&str>> = col
            .dict
            .iter()
            .map(|v| match v {
                Value::Str(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        coded.push((col, events, strings?));
    }
    let radix: Vec<u64> = coded.iter().map(|(col, _, _)| col.dict.len() as u64 + 1).collect();
    let combinations = radix.iter().try_fold(1u64, |all, &r| all.checked_mul(r))?;
    let room = (height as u64).min(combinations).min(1 << 24) as usize;
    let mut index: HashMap<u64, usize, FxBuild> = HashMap::with_capacity_and_hasher(room, FxBuild::default());
    let mut keys: Vec<u64> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    'rows: for row in 0..height {
        let mut key = 0u64;
        for ((col, events, _), &r) in coded.iter().zip(&radix) {
            match col.codes.get(events[row]) {
                0 => continue 'rows,
                code => key = key * r + code as u64,
            }
        }
        match index.entry(key) {
            std::collections::hash_map::Entry::Occupied(g) => members[*g.get()].push(row),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(members.len());
                keys.push(key);
                members.push(vec![row]);
            }
        }
    }
    let groups = keys
        .into_iter()
        .zip(members)
        .map(|(mut key, rows)| {
            let mut values = vec![""; coded.len()];
            for (k, ((_, _, strings), &r)) in coded.iter().zip(&radix).enumerate().rev() {
                values[k] = strings[(key % r) as usize - 1];
                key /= r;
            }
            (values, rows)
        })
        .collect();
    Some(in_key_order(groups))
}

pub(super) fn compute(p: &Planned, rows: &[usize], times: &[Option<f64>]) -> Value {
    let g = Group {
        values: if p.has_arg { rows.iter().map(|&r| p.input.get(r).values()).collect() } else { Vec::new() },
        times: if times.is_empty() { Vec::new() } else { rows.iter().map(|&r| times[r]).collect() },
        rows: rows.len(),
    };
    aggregate(p.func, &g, p.has_arg)
}

fn options(s: &Stats, command: &str) -> Result<bool, EngineError> {
    let all: Vec<CmdOption> = s.options.iter().chain(&s.by_options).cloned().collect();
    known_options(&all, &["allnum", "delim", "partitions", "dedup_splitvals"], command)?;
    bool_option(&all, "dedup_splitvals", false)
}

/// `stats`: one row per group (one row in all without `by`), by-fields then aggregations.
pub fn stats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let dedup_splitvals = options(s, "stats")?;
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let planned = plan(f, &s.aggs, &by, cx)?;
    let times = times(f, &planned);
    let cols = by_values(f, &by);
    let groups = if by.is_empty() {
        vec![(Vec::new(), (0..f.height()).collect())]
    } else {
        groups(&cols, f.height(), dedup_splitvals)
    };
    if groups.len() > cx.limits.max_rows {
        return Err(EngineError::new(
            "spelunk::limit",
            format!("`stats` would make {} rows, more than the limit of {}", groups.len(), cx.limits.max_rows),
            s.by.first().map_or(s.aggs[0].span, |i| i.span),
            "too many groups",
        ));
    }
    let height = groups.len();
    let mut aggregates: IndexMap<String, Vec<Value>> = IndexMap::new();
    for p in &planned {
        aggregates.insert(p.name.clone(), groups.iter().map(|(_, rows)| compute(p, rows, &times)).collect());
    }
    let distinct = by.iter().collect::<BTreeSet<_>>().len() == by.len();
    let frame = if distinct && !by.iter().any(|b| aggregates.contains_key(b)) {
        // The by-values go to their columns as the text they are (no value per cell).
        let text = by.iter().enumerate().map(|(k, b)| (b.clone(), groups.iter().map(|(key, _)| key[k]).collect()));
        Frame::from_text_and_columns(height, text.collect(), aggregates)
    } else {
        // A name given twice: the later column takes the earlier one's place.
        let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
        for (k, b) in by.iter().enumerate() {
            columns.insert(b.clone(), groups.iter().map(|(key, _)| Value::Str(key[k].to_string())).collect());
        }
        columns.extend(aggregates);
        Frame::from_columns(height, columns)
    };
    drop(groups);
    drop(cols);
    *f = frame;
    Ok(())
}

/// `eventstats`: every row keeps its place and gains its group's aggregates; a row in no
/// group gains nothing.
pub fn eventstats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let dedup_splitvals = options(s, "eventstats")?;
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let planned = plan(f, &s.aggs, &by, cx)?;
    let times = times(f, &planned);
    let cols = by_values(f, &by);
    let groups = if by.is_empty() {
        vec![(Vec::new(), (0..f.height()).collect::<Vec<usize>>())]
    } else {
        groups(&cols, f.height(), dedup_splitvals)
    };
    for p in &planned {
        let mut col = vec![Value::Null; f.height()];
        for (_, rows) in &groups {
            let v = compute(p, rows, &times);
            for &r in rows {
                // A row in several groups (multivalue by-field) keeps the first group's value.
                if col[r].is_null() {
                    col[r] = v.clone();
                }
            }
        }
        f.set(&p.name, &col);
    }
    Ok(())
}

/// `streamstats [current=bool] [window=N]`: each row gains the aggregates of the rows of its
/// group up to it (including it unless `current=false`; only the last N with `window`).
pub fn streamstats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let all: Vec<CmdOption> = s.options.iter().chain(&s.by_options).cloned().collect();
    known_options(&all, &["current", "window", "global"], "streamstats")?;
    let current = bool_option(&all, "current", true)?;
    let window = count_option(&all, "window")?.filter(|w| *w > 0).map(|w| w as usize);
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let planned = plan(f, &s.aggs, &by, cx)?;
    let times = times(f, &planned);
    f.ensure(&by.iter().cloned().collect());
    let by_cols: Vec<Vec<Value>> = by.iter().map(|b| f.values(b)).collect();
    let mut seen: std::collections::HashMap<Vec<Vec<String>>, Vec<usize>> = std::collections::HashMap::new();
    let mut out: Vec<Vec<Value>> = vec![vec![Value::Null; f.height()]; planned.len()];
    for row in 0..f.height() {
        let key: Vec<Vec<String>> = by_cols.iter().map(|c| c[row].values().to_vec()).collect();
        if key.iter().any(Vec::is_empty) {
            continue;
        }
        let rows = seen.entry(key).or_default();
        if current {
            rows.push(row);
        }
        let start = window.map_or(0, |w| rows.len().saturating_sub(w));
        for (k, p) in planned.iter().enumerate() {
            out[k][row] = compute(p, &rows[start..], &times);
        }
        if !current {
            rows.push(row);
        }
    }
    for (p, col) in planned.iter().zip(out) {
        f.set(&p.name, &col);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::CachedColumn;
    use std::sync::Arc;

    fn coded(values: &[Value], events: &[usize]) -> FieldValues {
        FieldValues::Coded { col: Arc::new(CachedColumn::from_values(values)), events: Arc::new(events.to_vec()) }
    }

    fn owned(values: &[Value], events: &[usize]) -> FieldValues {
        FieldValues::Owned(events.iter().map(|&e| values[e].clone()).collect())
    }

    /// Grouping by codes gives the groups grouping by values gives: the same keys in the same
    /// order, the same rows, absent values in no group; and a multivalue in a dictionary is
    /// left to the values.
    #[test]
    fn groups_by_codes_are_the_groups_by_values() {
        let s = |t: &str| Value::Str(t.to_string());
        let user: Vec<Value> =
            (0..60).map(|i| if i % 7 == 0 { Value::Null } else { s(["bo", "al", "", "cy"][i % 4]) }).collect();
        let ip: Vec<Value> = (0..60).map(|i| s(["10.0.0.2", "10.0.0.10", "192.168.1.1"][i % 3])).collect();
        let multi: Vec<Value> =
            (0..60).map(|i| if i % 5 == 0 { Value::Multi(vec!["al".into(), "x".into()]) } else { s("al") }).collect();
        // Rows are events in another order, some twice, some left out.
        let events: Vec<usize> = (0..60).rev().chain([3, 3, 17]).filter(|e| e % 11 != 4).collect();
        for columns in [vec![&user], vec![&user, &ip], vec![&ip, &user], vec![&multi, &ip]] {
            let by_codes: Vec<FieldValues> = columns.iter().map(|c| coded(c, &events)).collect();
            let by_values: Vec<FieldValues> = columns.iter().map(|c| owned(c, &events)).collect();
            let want = groups(&by_values, events.len(), false);
            assert!(want.len() > 3, "groups to compare");
            assert_eq!(groups(&by_codes, events.len(), false), want);
        }
        let by_codes: Vec<FieldValues> = [&user, &ip].iter().map(|c| coded(c, &events)).collect();
        assert!(coded_groups(&by_codes, events.len()).is_some(), "single strings group by codes");
        let by_codes: Vec<FieldValues> = [&multi].iter().map(|c| coded(c, &events)).collect();
        assert!(coded_groups(&by_codes, events.len()).is_none(), "a multivalue groups by values");
    }
}
