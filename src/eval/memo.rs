//! Remembering what a pure computation gave for the values it read: a calculated field, the
//! event types or a datamodel field over a million CloudTrail events see few distinct
//! combinations of their inputs (eventName, errorCode, eventSource...), so each combination
//! is computed once.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::events::hash::FxBuild;
use crate::events::Value;

/// The fields the expressions read, when each is named (no wildcard): what they give
/// depends on those fields' values alone (eval functions are pure; `now()` is the search's
/// start), so those values are the key to remember it by.
pub fn reads<'e>(exprs: impl IntoIterator<Item = &'e crate::syntax::Expr>) -> Option<Vec<String>> {
    let mut names = std::collections::BTreeSet::new();
    exprs.into_iter().for_each(|e| crate::syntax::fields::expr_fields(e, &mut names));
    names.iter().all(|n| !n.contains('*')).then(|| names.into_iter().collect())
}

/// The fields a search expression reads, when its answer depends only on their values (no
/// `_raw` term, no wildcard field name, no time bound, no subsearch).
pub fn search_reads(e: &crate::syntax::SearchExpr) -> Option<Vec<String>> {
    use crate::syntax::{SearchExpr, SearchKind};
    fn pure(e: &SearchExpr) -> bool {
        match &e.kind {
            SearchKind::And(items) | SearchKind::Or(items) => items.iter().all(pure),
            SearchKind::Not(inner) => pure(inner),
            SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => !field.name.contains('*'),
            SearchKind::Term { text, phrase } => !*phrase && text == "*",
            SearchKind::TimeModifier { .. } | SearchKind::Subsearch(_) => false,
        }
    }
    let mut names = std::collections::BTreeSet::new();
    crate::syntax::fields::search_fields(e, &mut names);
    pure(e).then(|| names.into_iter().collect())
}

/// The values of `reads` in `row`: what a remembered result is kept under.
pub fn key<'r, R: crate::eval::Row + ?Sized>(row: &'r R, reads: &[String]) -> Vec<Option<&'r Value>> {
    reads.iter().map(|n| row.field(n)).collect()
}

/// At most this many combinations are kept per computation; past it, new ones are computed
/// every time (inputs that are nearly unique, such as an ARN, gain nothing from memory).
const LIMIT: usize = 1 << 14;

/// The values one computation read (`None` for an absent field).
type Key = Vec<Option<Value>>;

/// Results by the values read, in buckets by their hash.
pub struct Memo<R> {
    buckets: HashMap<u64, Vec<(Key, R)>, FxBuild>,
    entries: usize,
}

impl<R> Default for Memo<R> {
    fn default() -> Self {
        Memo { buckets: HashMap::default(), entries: 0 }
    }
}

impl<R: Clone> Memo<R> {
    /// What `make` gave for these values, computing it the first time.
    pub fn get_or(&mut self, key: &[Option<&Value>], make: impl FnOnce() -> R) -> R {
        let h = FxBuild::default().hash_one(key);
        if let Some(bucket) = self.buckets.get(&h) {
            let same = |k: &[Option<Value>]| k.len() == key.len() && k.iter().zip(key).all(|(a, b)| a.as_ref() == *b);
            if let Some((_, r)) = bucket.iter().find(|(k, _)| same(k)) {
                return r.clone();
            }
        }
        let r = make();
        if self.entries < LIMIT {
            self.entries += 1;
            let owned = key.iter().map(|v| v.cloned()).collect();
            self.buckets.entry(h).or_default().push((owned, r.clone()));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_distinct_values_and_tells_absent_from_empty() {
        let mut m: Memo<usize> = Memo::default();
        let mut calls = 0;
        let (a, empty) = (Value::from("a"), Value::from(""));
        for key in [[Some(&a), None], [Some(&a), None], [Some(&a), Some(&empty)], [None, Some(&a)]] {
            m.get_or(&key, || {
                calls += 1;
                calls
            });
        }
        assert_eq!(calls, 3);
        assert_eq!(m.get_or(&[Some(&a), None], || 99), 1);
        assert_eq!(m.get_or(&[Some(&a), Some(&empty)], || 99), 2);
    }

    #[test]
    fn past_the_limit_new_values_are_computed_each_time() {
        let mut m: Memo<usize> = Memo::default();
        let values: Vec<Value> = (0..=LIMIT).map(|i| Value::from(i.to_string())).collect();
        for (i, v) in values.iter().enumerate() {
            m.get_or(&[Some(v)], || i);
        }
        let last = values.last().unwrap();
        assert_eq!(m.get_or(&[Some(last)], || 7), 7, "not kept");
        assert_eq!(m.get_or(&[Some(&values[0])], || 7), 0, "kept");
    }
}
