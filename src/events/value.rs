//! A field's value, as Splunk has it (docs/spl-semantics.md 1.1): absent (null), one
//! string, or an ordered list of strings (a multivalue). Numbers are strings that look
//! numeric; each operation decides how to read them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// The field is absent.
    #[default]
    Null,
    Str(String),
    /// Two or more values, in order; duplicates allowed.
    Multi(Vec<String>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The values in order: none for null, one for a string.
    pub fn values(&self) -> &[String] {
        match self {
            Value::Null => &[],
            Value::Str(s) => std::slice::from_ref(s),
            Value::Multi(v) => v,
        }
    }

    /// Appends a value, turning a single value into a multivalue.
    pub fn push(&mut self, v: String) {
        *self = match std::mem::take(self) {
            Value::Null => Value::Str(v),
            Value::Str(s) => Value::Multi(vec![s, v]),
            Value::Multi(mut all) => {
                all.push(v);
                Value::Multi(all)
            }
        };
    }

    /// Builds a value from a list: none is null, one is a string.
    pub fn from_values(mut v: Vec<String>) -> Value {
        match v.len() {
            0 => Value::Null,
            1 => Value::Str(v.pop().expect("one")),
            _ => Value::Multi(v),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

/// Written out (not derived) so that [`StrValue`] hashes as the `Str` it equals.
impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        match self {
            Value::Null => h.write_u8(0),
            Value::Str(s) => StrValue(s).hash(h),
            Value::Multi(v) => {
                h.write_u8(2);
                v.hash(h);
            }
        }
    }
}

/// A text looked up, without a copy, among `Value`s (as the `Value::Str` of it) in a
/// hashed set or map.
#[derive(Debug, Clone, Copy)]
pub struct StrValue<'s>(pub &'s str);

impl std::hash::Hash for StrValue<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u8(1);
        self.0.hash(h);
    }
}

impl indexmap::Equivalent<Value> for StrValue<'_> {
    fn equivalent(&self, v: &Value) -> bool {
        matches!(v, Value::Str(s) if s == self.0)
    }
}

/// Multivalues are shown one value per line, as Splunk's CSV export writes them.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.values().join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s1_1_push_grows_null_to_string_to_multivalue() {
        let mut v = Value::Null;
        v.push("a".into());
        assert_eq!(v, Value::Str("a".into()));
        v.push("b".into());
        v.push("a".into());
        assert_eq!(v.values(), ["a", "b", "a"]);
    }

    #[test]
    fn a_text_is_found_among_values_as_its_str_and_only_as_it() {
        let set: indexmap::IndexSet<Value, crate::events::hash::FxBuild> =
            [Value::Str("a".into()), Value::Multi(vec!["b".into(), "c".into()]), Value::Null, Value::Str("".into())]
                .into_iter()
                .collect();
        assert_eq!(set.get_index_of(&StrValue("a")), Some(0));
        assert_eq!(set.get_index_of(&StrValue("")), Some(3));
        assert_eq!(set.get_index_of(&StrValue("b")), None, "a multivalue is not one of its values");
        assert_eq!(set.get_index_of(&StrValue("null")), None);
    }

    #[test]
    fn s1_1_from_values_normalises_small_lists() {
        assert_eq!(Value::from_values(vec![]), Value::Null);
        assert_eq!(Value::from_values(vec!["x".into()]), Value::Str("x".into()));
        assert_eq!(Value::from_values(vec!["x".into(), "y".into()]).to_string(), "x\ny");
    }
}
