//! `.fields`: a summary of every field of the loaded events, as Splunk's `fieldsummary`
//! gives one (per field: events with it, distinct values, the most common values).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use spelunk::engine::Results;
use spelunk::events::Value;
use spelunk::frame::Dataset;
use spelunk::frame::Wanted;

/// Most common values shown per field.
const TOP_VALUES: usize = 5;

/// One field's counts.
#[derive(Default)]
struct FieldCounts {
    /// Events with the field.
    events: usize,
    /// Each value and how many times it was seen (each value of a multivalue counts).
    values: HashMap<String, usize>,
}

/// Every field of the loaded events and its counts.
#[derive(Default)]
pub struct Summary {
    fields: BTreeMap<String, FieldCounts>,
}

/// Fields left out of the summary: `_raw` is every event's own text.
fn summarised(name: &str) -> bool {
    name != "_raw"
}

impl Summary {
    /// Reads every field of every event (the JSON fields, the metadata and the
    /// sourcetype's knowledge). `None` when `cancel` was set before it finished.
    pub fn of(ds: &Dataset, cancel: &AtomicBool) -> Option<Summary> {
        let none = BTreeSet::new();
        let ex = ds.extractor(Wanted::AllBut(&none));
        let mut s = Summary::default();
        for i in 0..ds.len() {
            if i % 1024 == 0 && cancel.load(Ordering::Relaxed) {
                return None;
            }
            for (name, value) in ex.fields_of(i) {
                if !summarised(&name) || value.is_null() {
                    continue;
                }
                let c = s.fields.entry(name).or_default();
                c.events += 1;
                for v in value.values() {
                    *c.values.entry(v.clone()).or_default() += 1;
                }
            }
        }
        Some(s)
    }

    /// The field names, in byte order, with `_raw` (which the summary leaves out).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.fields.keys().cloned().collect();
        names.push("_raw".into());
        names.sort();
        names
    }

    /// The summary of the fields `keep` accepts: field, count, distinct_count, values
    /// (the most common first, as `value (count)`).
    pub fn results(&self, keep: impl Fn(&str) -> bool) -> Results {
        let mut rows = Vec::new();
        for (name, c) in self.fields.iter().filter(|(n, _)| keep(n)) {
            let mut top: Vec<(&String, &usize)> = c.values.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let mut shown: Vec<String> = top.iter().take(TOP_VALUES).map(|(v, n)| format!("{v} ({n})")).collect();
            if top.len() > TOP_VALUES {
                shown.push(format!("… {} more", top.len() - TOP_VALUES));
            }
            let values = if shown.len() == 1 { Value::Str(shown.remove(0)) } else { Value::Multi(shown) };
            rows.push(vec![
                Value::from(name.as_str()),
                Value::from(c.events.to_string()),
                Value::from(c.values.len().to_string()),
                values,
            ]);
        }
        Results::from_rows(&["field", "count", "distinct_count", "values"], rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spelunk::eval::Context;
    use spelunk::events::input::{load_bytes, LoadOptions, Loaded};

    #[test]
    fn counts_events_distinct_values_and_the_most_common() {
        let mut loaded = Loaded::default();
        let text = br#"{"eventTime":"2024-01-01T00:00:00Z","eventName":"A","tags":["x","y"]}
{"eventTime":"2024-01-01T00:00:01Z","eventName":"A"}
{"eventTime":"2024-01-01T00:00:02Z","eventName":"B","tags":["x"]}
"#;
        load_bytes("t.ndjson", text, &LoadOptions::default(), &mut loaded).unwrap();
        let ds = Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 0.0 }).unwrap();
        let s = Summary::of(&ds, &AtomicBool::new(false)).unwrap();
        assert!(s.names().contains(&"tags{}".to_string()));
        let r = s.results(|n| n == "eventName" || n == "tags{}");
        assert_eq!(r.fields, ["field", "count", "distinct_count", "values"]);
        assert_eq!(r.column("field").unwrap().to_vec(), [Value::from("eventName"), Value::from("tags{}")]);
        assert_eq!(r.column("count").unwrap().to_vec(), [Value::from("3"), Value::from("2")]);
        assert_eq!(r.column("distinct_count").unwrap().to_vec(), [Value::from("2"), Value::from("2")]);
        assert_eq!(r.column("values").unwrap()[1], Value::Multi(vec!["x (2)".into(), "y (1)".into()]));
        assert!(Summary::of(&ds, &AtomicBool::new(true)).is_none());
    }
}
