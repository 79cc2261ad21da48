//! Rows into groups by the values of their by-fields, for `stats` and `eventstats`
//! (docs/spl-semantics.md 4.1): a group per distinct combination of values, the groups in
//! byte order of their values field by field, each group's rows in input order. A row
//! missing a by-field is in no group; a multivalue by-field puts the row in one group per
//! value (each combination when several are multivalue).
//!
//! Two ways to the same groups:
//! - [`keyed`], when every by-field has at most one value per row (nearly always): rows are
//!   grouped by codes, and a group keeps no copy of its values (they are its first row's);
//! - [`by_values`], for multivalues: each group keeps its values.

use std::collections::{BTreeSet, HashMap};

use crate::events::hash::FxBuild;
use crate::frame::{FieldValues, RowCodes};

/// Groups made by [`keyed`]: group `g`'s rows are `rows[starts[g]..starts[g + 1]]`.
#[derive(Debug)]
pub struct Keyed {
    first: Vec<usize>,
    starts: Vec<usize>,
    rows: Vec<usize>,
}

impl Keyed {
    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Group `g`'s rows, in input order.
    pub fn rows(&self, g: usize) -> &[usize] {
        &self.rows[self.starts[g]..self.starts[g + 1]]
    }

    /// Each group's first row, group by group: its by-values are the group's.
    pub fn first_rows(&self) -> &[usize] {
        &self.first
    }
}

/// The groups of `height` rows whose by-fields are given as codes. Each code is first
/// replaced by its value's rank among the values the field has (so that numbers sort as
/// the values do), then a row's ranks are packed into one integer: no key of strings is
/// made, hashed or compared per row, and none is kept per group.
pub fn keyed(fields: &[RowCodes], height: usize) -> Keyed {
    keyed_below(fields, height, u64::MAX)
}

/// [`keyed`], with keys kept below `limit` (tests make it small).
fn keyed_below(fields: &[RowCodes], height: usize, limit: u64) -> Keyed {
    keyed_in(fields, height, limit, DENSE_ROOM)
}

/// How many slots per row a table indexed by key may have ([`keyed_in`]).
const DENSE_ROOM: usize = 4;

/// [`keyed_below`], looking groups up in a table with a slot per possible key when there
/// are at most `dense_room` slots per row (tests choose), else in a hash map.
fn keyed_in(fields: &[RowCodes], height: usize, limit: u64, dense_room: usize) -> Keyed {
    // Each field's code per row, read once, the fields side by side (a shared column's codes
    // are read by each row's event, at random: reading them twice, for the ranks and for
    // the keys, on one core was most of a broad `stats`'s grouping).
    let cores = if height >= 1 << 16 { crate::work::cores() } else { 1 };
    let codes: Vec<std::borrow::Cow<'_, [u32]>> =
        crate::work::map_in_turn(cores, fields.len(), |k| fields[k].codes(height));
    let ranks: Vec<Vec<u32>> = fields.iter().zip(&codes).map(|(f, c)| ranks(f.dict(), c)).collect();
    let mut keys = vec![0u64; height];
    // Keys are below `bound` (so `NONE` is never one).
    let mut bound = 1u64;
    for (codes, rank) in codes.iter().zip(&ranks) {
        let radix = rank.iter().copied().max().unwrap_or(0) as u64 + 1;
        if bound.checked_mul(radix).is_none_or(|b| b > limit) {
            // Too many combinations for 64 bits: the keys so far are replaced by their
            // rank among themselves, which keeps their order (at most one per row).
            bound = renumber(&mut keys);
        }
        bound *= radix;
        for (key, &code) in keys.iter_mut().zip(codes.iter()) {
            if *key != NONE {
                *key = match rank[code as usize] {
                    0 => NONE,
                    k => *key * radix + k as u64,
                };
            }
        }
    }
    drop(ranks);
    drop(codes);
    // Groups numbered as they first appear, then put in key order.
    let mut group_keys: Vec<u64> = Vec::new();
    let mut first: Vec<usize> = Vec::new();
    let mut group_of: Vec<u32> = Vec::with_capacity(height);
    let mut number = |row: usize, key: u64, g: &mut u32| {
        if *g == u32::MAX {
            group_keys.push(key);
            first.push(row);
            *g = group_keys.len() as u32 - 1;
        }
        *g
    };
    if bound <= (dense_room * height) as u64 {
        // Few possible keys for the rows (a user and an ARN: some thousands): a slot each.
        let mut table = vec![u32::MAX; bound as usize];
        for (row, &key) in keys.iter().enumerate() {
            group_of.push(if key == NONE { u32::MAX } else { number(row, key, &mut table[key as usize]) });
        }
    } else {
        let room = (height as u64).min(bound).min(1 << 24) as usize;
        let mut index: HashMap<u64, u32, FxBuild> = HashMap::with_capacity_and_hasher(room, FxBuild::default());
        for (row, &key) in keys.iter().enumerate() {
            group_of.push(if key == NONE { u32::MAX } else { number(row, key, index.entry(key).or_insert(u32::MAX)) });
        }
    }
    drop(keys);
    let mut order: Vec<u32> = (0..group_keys.len() as u32).collect();
    order.sort_unstable_by_key(|&g| group_keys[g as usize]);
    let mut place = vec![0u32; order.len()];
    for (p, &g) in order.iter().enumerate() {
        place[g as usize] = p as u32;
    }
    // Each group's rows, in input order, one after another.
    let mut starts = vec![0usize; order.len() + 1];
    for &g in group_of.iter().filter(|&&g| g != u32::MAX) {
        starts[place[g as usize] as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut next = starts.clone();
    let mut rows = vec![0usize; starts[order.len()]];
    for (row, &g) in group_of.iter().enumerate().filter(|(_, &g)| g != u32::MAX) {
        let p = place[g as usize] as usize;
        rows[next[p]] = row;
        next[p] += 1;
    }
    let first = order.iter().map(|&g| first[g as usize]).collect();
    Keyed { first, starts, rows }
}

/// A row in no group (missing a by-field).
const NONE: u64 = u64::MAX;

/// Replaces each key but [`NONE`] by its rank among the distinct keys, from 0; gives their
/// number.
fn renumber(keys: &mut [u64]) -> u64 {
    let mut distinct: Vec<u64> = keys.iter().copied().filter(|&k| k != NONE).collect();
    distinct.sort_unstable();
    distinct.dedup();
    for key in keys.iter_mut().filter(|k| **k != NONE) {
        *key = distinct.binary_search(key).expect("a key among the keys") as u64;
    }
    distinct.len() as u64
}

/// Each code's rank among the values of the field (`dict`) that the rows have (`codes`),
/// counting from 1 in byte order; 0 for code 0 (no value) and for values no row has.
fn ranks(dict: &[&str], codes: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; dict.len() + 1];
    for &code in codes {
        rank[code as usize] = 1;
    }
    let mut used: Vec<u32> = (1..=dict.len() as u32).filter(|&c| rank[c as usize] != 0).collect();
    used.sort_unstable_by_key(|&c| dict[c as usize - 1]);
    rank[0] = 0;
    for (k, &c) in used.iter().enumerate() {
        rank[c as usize] = k as u32 + 1;
    }
    rank
}

/// The groups, each with its by-values (borrowed), for by-fields given as values: the
/// way for multivalues (`dedup_splitvals` counts a value repeated in one row once).
pub fn by_values(cols: &[FieldValues], height: usize, dedup_splitvals: bool) -> Vec<(Vec<&str>, Vec<usize>)> {
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
    let mut groups: Vec<(Vec<&str>, Vec<usize>)> =
        index.into_iter().map(|(k, g)| (k, std::mem::take(&mut members[g]))).collect();
    // Keys are distinct: an unstable sort is the order.
    groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Value;
    use crate::frame::CachedColumn;
    use std::sync::Arc;

    /// Grouping by codes gives the groups grouping by values gives: the same groups in the
    /// same order, the same rows, rows missing a value in none; for fields read from a
    /// shared column (by each row's event) and for text given codes row by row alike. A
    /// shared column holding a multivalue is left to the values.
    #[test]
    fn groups_by_codes_are_the_groups_by_values() {
        let s = |t: &str| Value::Str(t.to_string());
        // "bo" < "cy" as bytes but not as codes (first seen first), "10.0.0.10" before
        // "10.0.0.2": ranks, not codes, order the groups.
        let user: Vec<Value> =
            (0..60).map(|i| if i % 7 == 0 { Value::Null } else { s(["cy", "al", "", "bo"][i % 4]) }).collect();
        let ip: Vec<Value> = (0..60).map(|i| s(["10.0.0.2", "10.0.0.10", "192.168.1.1"][i % 3])).collect();
        let multi: Vec<Value> =
            (0..60).map(|i| if i % 5 == 0 { Value::Multi(vec!["al".into(), "x".into()]) } else { s("al") }).collect();
        // Rows are events in another order, some twice, some left out.
        let events: Vec<usize> = (0..60).rev().chain([3, 3, 17]).filter(|e| e % 11 != 4).collect();
        let shared: Vec<(Arc<CachedColumn>, &Vec<Value>)> =
            [&user, &ip].iter().map(|c| (Arc::new(CachedColumn::from_values(c)), *c)).collect();
        let events = Arc::new(events);
        let texts: Vec<Vec<Option<&str>>> = [&user, &ip]
            .iter()
            .map(|c| events.iter().map(|&e| c[e].values().first().map(String::as_str)).collect())
            .collect();
        let codes = |k: usize, text: bool| match text {
            true => RowCodes::interned(texts[k].iter().copied()),
            false => RowCodes::shared(&shared[k].0, Arc::clone(&events)).unwrap(),
        };
        let two_ways = [vec![(0, false), (1, true)], vec![(1, true), (0, false)]];
        for fields in [
            vec![(0, false)],
            vec![(0, true)],
            two_ways[0].clone(),
            two_ways[1].clone(),
            vec![(1, false), (0, true), (1, true)],
        ] {
            let values: Vec<FieldValues> = fields
                .iter()
                .map(|&(k, _)| FieldValues::Owned(events.iter().map(|&e| shared[k].1[e].clone()).collect()))
                .collect();
            let want = by_values(&values, events.len(), false);
            assert!(want.len() > 3, "groups to compare");
            let by_codes: Vec<RowCodes> = fields.iter().map(|&(k, text)| codes(k, text)).collect();
            // Keys packed as they come, and renumbered before each field after the first.
            // A table of every key, or a hash map.
            for (limit, dense_room) in
                [(u64::MAX, DENSE_ROOM), (4, DENSE_ROOM), (u64::MAX, 0), (4, 0), (u64::MAX, 1 << 20)]
            {
                let got = keyed_in(&by_codes, events.len(), limit, dense_room);
                let got: Vec<(Vec<&str>, Vec<usize>)> = (0..got.len())
                    .map(|g| {
                        let row = got.first_rows()[g];
                        let key = by_codes.iter().map(|c| c.dict()[c.code(row) as usize - 1]).collect();
                        (key, got.rows(g).to_vec())
                    })
                    .collect();
                assert_eq!(got, want, "{fields:?}, keys below {limit}, {dense_room} slots a row");
            }
        }
        let multi = CachedColumn::from_values(&multi);
        assert!(RowCodes::shared(&multi, events).is_none(), "a multivalue groups by values");
    }
}
