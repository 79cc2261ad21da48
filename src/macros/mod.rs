//! Search macros: definitions (security_content YAML, Splunk's `macros.conf`) and their
//! expansion (`expand.rs`).
//!
//! A macro is keyed by name and argument count, as in `macros.conf`: `name` takes no
//! arguments, `name(2)` takes two, and the two are different macros
//! (docs/spl-semantics.md 9.1).

mod expand;
mod load;

pub use expand::{expand, Expansion, MacroError, MacroErrorKind, Origin};
pub use load::LoadError;

use std::collections::BTreeMap;

/// One macro definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDef {
    pub name: String,
    /// Argument names, in order; `$name$` in the definition is replaced by the argument.
    pub args: Vec<String>,
    pub definition: String,
    /// `iseval = true` in macros.conf: the definition is an eval expression. Not supported.
    pub iseval: bool,
    /// Where it was defined (a file, or `built-in`), for messages.
    pub origin: String,
}

impl MacroDef {
    /// `name` or `name(N)`, the key macros.conf uses.
    pub fn key(&self) -> String {
        key(&self.name, self.args.len())
    }
}

/// The macros.conf stanza name of a macro with `arity` arguments.
pub fn key(name: &str, arity: usize) -> String {
    if arity == 0 {
        name.to_string()
    } else {
        format!("{name}({arity})")
    }
}

/// What a missing `<detection>_filter` macro stands for: Splunk's content build defines
/// each as `search *` (docs/spl-semantics.md 9.2). The one place that decides it.
pub fn implicit_definition(name: &str, arity: usize) -> Option<&'static str> {
    (arity == 0 && name.ends_with("_filter")).then_some("search *")
}

/// Macros by key. Later definitions replace earlier ones with the same key, so a user's
/// directory can override the built-in ones.
#[derive(Debug, Clone, Default)]
pub struct MacroTable {
    defs: BTreeMap<String, MacroDef>,
}

/// The project's own macros (`macros/` at the top of the repository), built into the
/// binary: the ones Splunk content needs but does not ship (`drop_dm_object_name(1)` and
/// `cim_corporate_web_domain_search(1)` from Splunk's CIM app, `get_asset(1)` from
/// Splunk ES), and the two CloudTrail searches need most (`cloudtrail`,
/// `security_content_ctime(1)`). A test checks that every file in `macros/` is listed here.
const BUILTIN: &[(&str, &str)] = &[
    ("macros/cim_corporate_web_domain_search.yml", include_str!("../../macros/cim_corporate_web_domain_search.yml")),
    ("macros/cloudtrail.yml", include_str!("../../macros/cloudtrail.yml")),
    ("macros/drop_dm_object_name.yml", include_str!("../../macros/drop_dm_object_name.yml")),
    ("macros/get_asset.yml", include_str!("../../macros/get_asset.yml")),
    ("macros/security_content_ctime.yml", include_str!("../../macros/security_content_ctime.yml")),
];

impl MacroTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A table holding the built-in macros.
    pub fn builtin() -> Self {
        let mut t = Self::new();
        for (path, text) in BUILTIN {
            t.load_yaml_str(text, &format!("built-in {path}"))
                .unwrap_or_else(|e| panic!("built-in macro file {path} is invalid: {e}"));
        }
        t
    }

    pub fn insert(&mut self, def: MacroDef) {
        self.defs.insert(def.key(), def);
    }

    pub fn get(&self, name: &str, arity: usize) -> Option<&MacroDef> {
        self.defs.get(&key(name, arity))
    }

    /// The argument counts `name` is defined with.
    pub fn arities(&self, name: &str) -> Vec<usize> {
        self.defs.values().filter(|d| d.name == name).map(|d| d.args.len()).collect()
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &MacroDef> {
        self.defs.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_macros_dir_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("macros");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| format!("macros/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = BUILTIN.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(listed, on_disk);
        assert_eq!(MacroTable::builtin().len(), BUILTIN.len());
    }
}
