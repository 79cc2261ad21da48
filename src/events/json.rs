//! Search-time JSON field extraction, as Splunk's `KV_MODE = json` does it
//! (docs/aws-cloudtrail-fields.md 1.1, 1.2):
//!
//! - only leaves become fields; object keys join with `.`;
//! - an array adds `{}` to the path of everything below it, and the values of a path are
//!   collected in document order into a multivalue (alignment between sibling paths is lost);
//! - strings are decoded; numbers keep their JSON text; `true`/`false`/`null` become the
//!   strings `"true"`, `"false"`, `"null"`; empty objects and arrays give no field.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::value::Value;

/// The fields of one event, in the order they first appear in the JSON.
pub type Fields = IndexMap<String, Value, super::hash::FxBuild>;

/// Why a line is not a JSON event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    /// 1-based column in the text where the parser stopped, when known.
    pub column: Option<usize>,
}

/// Parses `raw` and extracts every field.
pub fn extract(raw: &str) -> Result<Fields, JsonError> {
    if let Some(f) = super::flat::flatten_object(raw, &|_| true) {
        return Ok(f);
    }
    let json = parse(raw)?;
    let mut out = Fields::default();
    flatten(&json, &mut String::new(), &mut out, &|_| true);
    Ok(out)
}

/// Extracts only the fields `wanted` accepts (the engine asks for the ones a search uses).
/// A fast walk over the text ([`super::flat`]) makes them when it can; the tree walk below
/// decides every case it declines.
pub fn extract_only(raw: &str, wanted: &dyn Fn(&str) -> bool) -> Result<Fields, JsonError> {
    let mut out = Fields::default();
    extract_into(raw, super::flat::Wants { leaf: wanted, below: &|_| true }, &mut out)?;
    Ok(out)
}

/// [`extract_only`] into `out`, after the fields already there (an event's index-time
/// fields), which a JSON field of the same name does not change; `wants.below` lets the
/// fast walk pass over parts of the document holding no wanted leaf. On an error `out` is
/// as it was.
pub fn extract_into(raw: &str, wants: super::flat::Wants, out: &mut Fields) -> Result<(), JsonError> {
    if super::flat::flatten_into(raw, wants, out) {
        return Ok(());
    }
    let json = parse(raw)?;
    let mut made = Fields::default();
    flatten(&json, &mut String::new(), &mut made, wants.leaf);
    for (k, v) in made {
        out.entry(k).or_insert(v);
    }
    Ok(())
}

/// How deeply arrays and objects may nest (serde_json's own limit).
pub const MAX_DEPTH: usize = 128;

/// Parses one JSON document (serde_json stops nesting at 128 levels with an error).
pub fn parse(raw: &str) -> Result<Json, JsonError> {
    serde_json::from_str(raw).map_err(|e| JsonError { message: e.to_string(), column: Some(e.column()) })
}

/// Walks `json` below `path`, adding each leaf to `out`.
pub fn flatten(json: &Json, path: &mut String, out: &mut Fields, wanted: &dyn Fn(&str) -> bool) {
    match json {
        Json::Object(map) => {
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                flatten(child, path, out, wanted);
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            let len = path.len();
            path.push_str("{}");
            for child in items {
                flatten(child, path, out, wanted);
            }
            path.truncate(len);
        }
        scalar => {
            if wanted(path) {
                let text = scalar_text(scalar);
                match out.get_mut(path.as_str()) {
                    Some(v) => v.push(text),
                    None => {
                        out.insert(path.clone(), Value::Str(text));
                    }
                }
            }
        }
    }
}

/// A JSON scalar as Splunk's field value.
pub fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => "null".to_string(),
        Json::Bool(b) => b.to_string(),
        // With `arbitrary_precision`, a number displays as its source text.
        Json::Number(n) => n.to_string(),
        Json::Array(_) | Json::Object(_) => unreachable!("containers are not scalars"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(raw: &str) -> Vec<(String, String)> {
        extract(raw).unwrap().into_iter().map(|(k, v)| (k, v.values().join("|"))).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn s1_3_nested_objects_join_with_dots() {
        assert_eq!(
            fields(
                r#"{"userIdentity":{"type":"IAMUser","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}}}"#
            ),
            pairs(&[
                ("userIdentity.type", "IAMUser"),
                ("userIdentity.sessionContext.attributes.mfaAuthenticated", "false")
            ])
        );
    }

    #[test]
    fn s1_3_arrays_of_objects_collect_each_leaf_path_and_lose_alignment() {
        assert_eq!(
            fields(r#"{"resources":[{"ARN":"a1","type":"T"},{"ARN":"a2"}]}"#),
            pairs(&[("resources{}.ARN", "a1|a2"), ("resources{}.type", "T")])
        );
        let f = extract(r#"{"resources":[{"ARN":"a1"}]}"#).unwrap();
        assert_eq!(f["resources{}.ARN"], Value::Str("a1".into()), "one element is a single value");
    }

    #[test]
    fn s1_3_scalars_null_bool_numbers_and_empty_containers() {
        assert_eq!(
            fields(
                r#"{"requestParameters":null,"readOnly":false,"n":284,"f":1.50,"e":1e3,"big":12345678901234567890123,"p":"","tags":{},"l":[]}"#
            ),
            pairs(&[
                ("requestParameters", "null"),
                ("readOnly", "false"),
                ("n", "284"),
                ("f", "1.50"),
                // serde_json writes an exponent with its sign; CloudTrail has none.
                ("e", "1e+3"),
                ("big", "12345678901234567890123"),
                ("p", "")
            ])
        );
    }

    #[test]
    fn s1_3_arrays_of_scalars_and_nested_arrays() {
        assert_eq!(
            fields(
                r#"{"a":{"names":["x","y"]},"rs":{"items":[{"nis":{"items":[{"ip":"1"},{"ip":"2"}]}},{"nis":{"items":[{"ip":"3"}]}}]}}"#
            ),
            pairs(&[("a.names{}", "x|y"), ("rs.items{}.nis.items{}.ip", "1|2|3")])
        );
        assert_eq!(fields(r#"{"m":[[1,2],[3]]}"#), pairs(&[("m{}{}", "1|2|3")]));
    }

    #[test]
    fn s1_3_keys_are_kept_verbatim_and_strings_decoded() {
        assert_eq!(
            fields(r#"{"aed":{"x-amz-id-2":"q\"\u00e9\n"},"tags":{"lambda-console:blueprint":"b"}}"#),
            pairs(&[("aed.x-amz-id-2", "q\"é\n"), ("tags.lambda-console:blueprint", "b")])
        );
    }

    #[test]
    fn only_wanted_fields_are_kept() {
        let f = extract_only(r#"{"a":1,"b":{"c":2},"d":[3]}"#, &|p| p.starts_with('b')).unwrap();
        assert_eq!(f.keys().collect::<Vec<_>>(), ["b.c"]);
    }

    #[test]
    fn bad_json_and_deep_nesting_are_errors_not_panics() {
        assert!(extract(r#"{"a": "#).is_err());
        assert!(extract("\u{0}\u{1}garbage").is_err());
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        let e = extract(&deep).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{}", e.message);
    }
}
