//! `spath [input=f] [output=g] [path=p | p]` (docs/spl-semantics.md 6.2): JSON in a field
//! (default `_raw`) read at a path, or, with no path, every leaf extracted with the naming
//! rules of `KV_MODE = json` (`events::json`).
//!
//! Choices where the docs are silent (UNVERIFIED, each made here):
//! - a path ending on an object or array gives its compact JSON text, keys in document order;
//! - a path not found, a missing input or invalid JSON leave the output field as it was;
//! - `{}` or `{N}` on something that is not an array gives nothing;
//! - without a path, extracted fields overwrite existing ones of the same name, and all of
//!   the input is read (the 5000-character `extraction_cutoff` is not applied, as for
//!   `KV_MODE = json` in `events::json`);
//! - a multivalue input is read from its first value.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::{known_options, option};
use crate::engine::EngineError;
use crate::events::json;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::Spath;

pub fn run(f: &mut Frame, s: &Spath) -> Result<(), EngineError> {
    known_options(&s.options, &["input", "output", "path"], "spath")?;
    let input = option(&s.options, "input").map_or("_raw", |o| o.value.text.as_str()).to_string();
    let path = option(&s.options, "path").map(|o| &o.value).or(s.path.as_ref());
    f.ensure(&BTreeSet::from([input.clone()]));
    let docs: Vec<Option<Json>> =
        f.values(&input).iter().map(|v| v.values().first().and_then(|t| json::parse(t).ok())).collect();
    let Some(path) = path else {
        if let Some(o) = option(&s.options, "output") {
            return Err(EngineError::new(
                "spelunk::unsupported",
                "`spath` without a path extracts every field; `output=` needs a path",
                o.span,
                "not supported without a path",
            ));
        }
        return extract_all(f, &docs);
    };
    let steps = parse_path(&path.text);
    let output = option(&s.options, "output").map_or(path.text.as_str(), |o| o.value.text.as_str()).to_string();
    f.ensure(&BTreeSet::from([output.clone()]));
    let mut out = f.values(&output);
    for (row, doc) in docs.iter().enumerate() {
        if let Some(doc) = doc {
            let found = at_path(doc, &steps);
            if !found.is_empty() {
                out[row] = Value::from_values(found);
            }
        }
    }
    f.set(&output, &out);
    Ok(())
}

/// Every leaf of each row's document, as `KV_MODE = json` names them.
fn extract_all(f: &mut Frame, docs: &[Option<Json>]) -> Result<(), EngineError> {
    let per_row: Vec<json::Fields> = docs
        .iter()
        .map(|d| {
            let mut out = json::Fields::default();
            if let Some(d) = d {
                json::flatten(d, &mut String::new(), &mut out, &|_| true);
            }
            out
        })
        .collect();
    let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
    let names: BTreeSet<String> = per_row.iter().flat_map(|r| r.keys().cloned()).collect();
    f.ensure(&names);
    for (row, fields) in per_row.into_iter().enumerate() {
        for (name, v) in fields {
            columns.entry(name).or_insert_with_key(|n| f.values(n))[row] = v;
        }
    }
    for (name, values) in columns {
        f.set(&name, &values);
    }
    Ok(())
}

/// One step of a path.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    All,
}

/// `a.b{}.c{0}` as steps; `{...}` that is not `{}` or `{N}` is part of the key.
fn parse_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for segment in path.split('.') {
        let mut rest = segment;
        let mut suffixes = Vec::new();
        // Peel `{}` / `{N}` suffixes off the end of the segment.
        while rest.ends_with('}') {
            let Some(open) = rest.rfind('{') else { break };
            let inner = &rest[open + 1..rest.len() - 1];
            let step = if inner.is_empty() {
                Step::All
            } else if let Ok(n) = inner.parse() {
                Step::Index(n)
            } else {
                break;
            };
            suffixes.push(step);
            rest = &rest[..open];
        }
        if !rest.is_empty() {
            steps.push(Step::Key(rest.to_string()));
        }
        steps.extend(suffixes.into_iter().rev());
    }
    steps
}

/// The values at `steps` below `doc`: scalars as field values, containers as JSON text.
fn at_path(doc: &Json, steps: &[Step]) -> Vec<String> {
    let mut here: Vec<&Json> = vec![doc];
    for step in steps {
        here = here
            .into_iter()
            .flat_map(|j| -> Vec<&Json> {
                match (step, j) {
                    (Step::Key(k), Json::Object(m)) => m.get(k).into_iter().collect(),
                    (Step::Index(n), Json::Array(a)) => a.get(*n).into_iter().collect(),
                    (Step::All, Json::Array(a)) => a.iter().collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    here.into_iter()
        .map(|j| match j {
            Json::Array(_) | Json::Object(_) => serde_json::to_string(j).unwrap_or_default(),
            scalar => json::scalar_text(scalar),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        use Step::*;
        assert_eq!(parse_path("Statement{}"), [Key("Statement".into()), All]);
        assert_eq!(parse_path("a.b{1}{}.c"), [Key("a".into()), Key("b".into()), Index(1), All, Key("c".into())]);
        assert_eq!(parse_path("{0}.x{y}"), [Index(0), Key("x{y}".into())]);
        let doc: Json = serde_json::from_str(r#"{"a":[{"b":1},{"b":[2,3]},{"c":null}],"s":"t"}"#).unwrap();
        assert_eq!(at_path(&doc, &parse_path("a{}.b")), ["1", "[2,3]"]);
        assert_eq!(at_path(&doc, &parse_path("a{}.b{}")), ["2", "3"]);
        assert_eq!(at_path(&doc, &parse_path("a{2}.c")), ["null"]);
        assert_eq!(at_path(&doc, &parse_path("s{}")), Vec::<String>::new());
    }
}
