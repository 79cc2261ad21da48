//! Which event fields a sourcetype's knowledge reads, so that extraction can leave every
//! other JSON field alone (see ARCHITECTURE.md, "The event frame").

use std::collections::BTreeSet;

use super::SourcetypeKnowledge;
use crate::syntax::fields::{expr_fields, search_fields};

impl SourcetypeKnowledge {
    /// The fields the rules read: alias sources, calculated fields' operands, regex
    /// sources, lookup inputs, event-type searches and tag fields. `None` when a rule
    /// reads a wildcard field name, so every field must be extracted.
    pub fn inputs(&self) -> Option<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for a in &self.aliases {
            out.insert(a.from.clone());
            if a.only_new {
                out.insert(a.to.clone());
            }
        }
        for x in &self.extracts {
            out.insert(x.source.clone());
        }
        for e in &self.evals {
            expr_fields(&e.expr, &mut out);
        }
        for l in &self.lookups {
            for m in &l.inputs {
                out.insert(m.alias.as_ref().unwrap_or(&m.field).name.clone());
            }
            if l.only_new {
                // OUTPUTNEW looks at whether the event already has the output fields.
                for m in &l.outputs {
                    out.insert(m.alias.as_ref().unwrap_or(&m.field).name.clone());
                }
            }
        }
        for t in &self.eventtypes {
            search_fields(&t.search, &mut out);
        }
        for t in &self.tags {
            out.insert(t.field.clone());
        }
        if out.iter().any(|f| f.contains('*')) {
            return None;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_builtin_knowledge_reads_a_bounded_set_of_fields() {
        let k = crate::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        let inputs = k.inputs().expect("no wildcard reads");
        for f in ["eventName", "userIdentity.arn", "errorCode", "sourceIPAddress", "userIdentity.type"] {
            assert!(inputs.contains(f), "{f} is read by the add-on rules");
        }
        assert!(!inputs.contains("responseElements.snapshotId"), "not read by any rule");
        assert!(inputs.len() < 200, "{} fields", inputs.len());
    }
}
