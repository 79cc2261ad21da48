//! `table` and `fields` (docs/spl-semantics.md 5.2, 5.3, 11).

use std::collections::BTreeSet;

use crate::engine::EngineError;
use crate::eval::search::glob_matches;
use crate::frame::Frame;
use crate::syntax::Ident;

/// The present fields a list names, in list order; a wildcard expands to the matching
/// fields in alphabetical order; a field listed twice keeps its first place. Plain names
/// are kept even when absent (`table` shows them as empty columns).
fn expand(f: &mut Frame, list: &[Ident]) -> Vec<String> {
    let names: BTreeSet<String> = list.iter().map(|i| i.name.clone()).collect();
    f.ensure(&names);
    let present = f.names();
    let mut out: Vec<String> = Vec::new();
    for i in list {
        if i.name.contains('*') {
            let mut matched: Vec<&String> = present.iter().filter(|n| glob_matches(&i.name, n, false)).collect();
            matched.sort();
            for m in matched {
                if !out.contains(m) {
                    out.push(m.clone());
                }
            }
        } else if !out.contains(&i.name) {
            out.push(i.name.clone());
        }
    }
    out
}

/// `table f1 f2 wc*`: only the listed fields, in order; absent ones as empty columns.
pub fn table(f: &mut Frame, list: &[Ident]) -> Result<(), EngineError> {
    let names = expand(f, list);
    f.detach();
    f.select(&names);
    Ok(())
}

/// `fields [+] list` keeps the listed fields (and `_time`, `_raw`); `fields - list` removes them.
pub fn fields(f: &mut Frame, remove: bool, list: &[Ident]) -> Result<(), EngineError> {
    if remove {
        if list.iter().any(|i| i.name.contains('*')) {
            f.ensure_all();
        }
        for name in f.names() {
            if list.iter().any(|i| glob_matches(&i.name, &name, false)) {
                f.remove(&name);
            }
        }
        for i in list.iter().filter(|i| !i.name.contains('*')) {
            f.remove(&i.name);
        }
        return Ok(());
    }
    let mut names = expand(f, list);
    let internal: BTreeSet<String> = ["_time".to_string(), "_raw".to_string()].into();
    f.ensure(&internal);
    for i in ["_time", "_raw"] {
        if f.has(i) && !names.iter().any(|n| n == i) {
            names.push(i.to_string());
        }
    }
    names.retain(|n| f.has(n));
    f.detach();
    f.select(&names);
    Ok(())
}
