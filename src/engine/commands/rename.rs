//! `rename a AS b, x* AS y*` (docs/spl-semantics.md 5.1): pairs left to right; renaming
//! onto an existing field replaces it; a missing source removes the destination.
//!
//! A renamed field keeps its place among the fields (`stats count by a | rename a as b`
//! shows `b` first, as Splunk's tables do; section 11 leaves column order open, UNVERIFIED).

use std::collections::BTreeSet;

use crate::engine::EngineError;
use crate::eval::search::glob_captures;
use crate::frame::Frame;
use crate::syntax::RenamePair;

pub fn run(f: &mut Frame, pairs: &[RenamePair]) -> Result<(), EngineError> {
    for p in pairs {
        let (from, to) = (&p.from.name, &p.to.name);
        if from.contains('*') {
            let stars = |s: &str| s.matches('*').count();
            if stars(to) != 0 && stars(to) != stars(from) {
                return Err(EngineError::new(
                    "spelunk::rename",
                    format!("`{from}` and `{to}` must have the same number of `*`"),
                    p.to.span,
                    "here",
                ));
            }
            f.ensure_all();
            for name in f.names() {
                if let Some(caps) = glob_captures(from, &name) {
                    rename_one(f, &name, &crate::eval::search::glob_fill(to, caps));
                }
            }
        } else {
            f.ensure(&BTreeSet::from([from.clone(), to.clone()]));
            rename_one(f, from, to);
        }
    }
    Ok(())
}

fn rename_one(f: &mut Frame, from: &str, to: &str) {
    if from == to {
        return;
    }
    if f.has(from) {
        f.rename(from, to);
    } else {
        f.remove(to);
    }
}
