//! Which event fields a sourcetype's knowledge reads, and which of its rules a search needs,
//! so that extraction can leave every other JSON field and rule alone (see ARCHITECTURE.md,
//! "The event frame").

use std::collections::BTreeSet;

use super::{AutoLookup, Extraction, SourcetypeKnowledge};
use crate::eval::given::Given;
use crate::eval::Context;
use crate::syntax::fields::{expr_fields, search_fields};

fn lookup_outputs(l: &AutoLookup) -> Vec<String> {
    if l.outputs.is_empty() {
        let inputs: Vec<&str> = l.inputs.iter().map(|m| m.field.name.as_str()).collect();
        return l.table.columns.iter().filter(|c| !inputs.contains(&c.as_str())).cloned().collect();
    }
    l.outputs.iter().map(|m| m.event_field().to_string()).collect()
}

fn extraction_outputs(x: &Extraction) -> Vec<String> {
    match &x.format {
        Some(f) => f.iter().map(|(name, _)| name.clone()).collect(),
        None => x.regex.capture_names().flatten().map(str::to_string).collect(),
    }
}

impl SourcetypeKnowledge {
    /// Whether there is no rule at all.
    pub fn is_empty(&self) -> bool {
        self.extracts.is_empty()
            && self.aliases.is_empty()
            && self.evals.is_empty()
            && self.lookups.is_empty()
            && self.eventtypes.is_empty()
            && self.tags.is_empty()
    }

    /// Whether a rule other than the event types reads `_raw` (or may: a calculated field
    /// reading a wildcard name). When none does, an event whose text holds none of the
    /// event types' literals can be given to the rules without its `_raw`
    /// ([`SourcetypeKnowledge::needs_raw`]).
    pub fn reads_raw_besides_event_types(&self) -> bool {
        let raw = |name: &str| name == "_raw";
        self.extracts.iter().any(|x| raw(&x.source))
            || self.aliases.iter().any(|a| raw(&a.from))
            || self.evals.iter().any(|c| {
                let mut read = BTreeSet::new();
                expr_fields(&c.expr, &mut read);
                read.iter().any(|n| raw(n) || n.contains('*'))
            })
            || self.lookups.iter().any(|l| l.inputs.iter().any(|m| raw(m.event_field())))
            || self.tags.iter().any(|t| raw(&t.field))
    }

    /// Whether the event types need this event's `_raw` (its text): some event type's
    /// search reads it and may match it. A search with terms matches only text that holds
    /// their literals ([`crate::eval::needles`]); without `_raw` its terms match nothing,
    /// which is then what they would have matched.
    pub fn needs_raw(&self, text: &str) -> bool {
        let unreadable = crate::eval::needles::unreadable(text);
        let mut lowered = crate::eval::needles::Lowered::new(text);
        self.eventtypes.iter().any(|t| {
            t.reads.is_none() && t.filter.as_ref().is_none_or(|f| unreadable || f.holds_literals(&mut lowered))
        })
    }

    /// The fields the rules read: alias sources, calculated fields' operands, regex
    /// sources, lookup inputs, event-type searches and tag fields. `None` when a rule
    /// reads a wildcard field name, so every field must be extracted.
    pub fn inputs(&self) -> Option<BTreeSet<String>> {
        let mut all = BTreeSet::new();
        all.insert("eventtype".to_string());
        all.insert("tag".to_string());
        for k in &self.evals {
            all.insert(k.field.clone());
        }
        for a in &self.aliases {
            all.insert(a.to.clone());
        }
        for l in &self.lookups {
            all.extend(lookup_outputs(l));
        }
        for x in &self.extracts {
            all.extend(extraction_outputs(x));
        }
        self.projected(&all).1
    }

    /// Only the rules that make `wanted` (directly or through other rules), and every field
    /// those rules read (`None`: a rule reads a wildcard field name, extract everything).
    ///
    /// Walks the steps backwards from tags to extractions: a step is kept when it makes a
    /// needed field, and then what it reads is needed too. Calculated fields read the event
    /// as aliases left it, so they never need each other.
    pub fn projected(&self, wanted: &BTreeSet<String>) -> (SourcetypeKnowledge, Option<BTreeSet<String>>) {
        self.projected_given(wanted, None)
    }

    /// [`SourcetypeKnowledge::projected`] for events whose value of one field is known
    /// (given with the search's context): a calculated field that is a decision table
    /// reads only what the branches that value leaves open read ([`crate::eval::given`]).
    /// The known field must be one no rule makes or changes (`frame::json_only_in`): the
    /// tables read it as the event has it.
    pub fn projected_given(
        &self,
        wanted: &BTreeSet<String>,
        given: Option<(&Given, &Context)>,
    ) -> (SourcetypeKnowledge, Option<BTreeSet<String>>) {
        let mut needed = wanted.clone();
        let mut out = SourcetypeKnowledge::default();
        if needed.contains("tag") || needed.iter().any(|n| n.starts_with("tag::")) {
            out.tags = self.tags.clone();
            for t in &self.tags {
                needed.insert(t.field.clone());
            }
        }
        if needed.contains("eventtype") {
            out.eventtypes = self.eventtypes.clone();
            for t in &self.eventtypes {
                search_fields(&t.search, &mut needed);
            }
        }
        for l in self.lookups.iter().rev() {
            let outputs = lookup_outputs(l);
            if outputs.iter().any(|o| needed.contains(o)) {
                out.lookups.insert(0, l.clone());
                for m in &l.inputs {
                    needed.insert(m.event_field().to_string());
                }
                // OUTPUTNEW looks at whether the event already has the output fields.
                if l.only_new {
                    needed.extend(outputs);
                }
            }
        }
        for e in &self.evals {
            if needed.contains(&e.field) {
                out.evals.push(e.clone());
            }
        }
        for e in &out.evals {
            match given {
                Some((given, ctx)) => crate::eval::given::reads_given(&e.expr, given, ctx, &mut needed),
                None => expr_fields(&e.expr, &mut needed),
            }
        }
        for a in &self.aliases {
            if needed.contains(&a.to) {
                out.aliases.push(a.clone());
            }
        }
        for a in &out.aliases {
            needed.insert(a.from.clone());
        }
        for x in &self.extracts {
            if extraction_outputs(x).iter().any(|o| needed.contains(o)) {
                out.extracts.push(x.clone());
                needed.insert(x.source.clone());
            }
        }
        let inputs = if needed.iter().any(|f| f.contains('*')) { None } else { Some(needed) };
        (out, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

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

    #[test]
    fn rules_reading_raw_besides_event_types_are_found() {
        let reads = |props: &str| {
            let app = crate::knowledge::App::from_text(&format!("[st]\n{props}\n"), "", None).unwrap();
            app.for_sourcetype("st").unwrap().reads_raw_besides_event_types()
        };
        assert!(reads("EXTRACT-a = code=(?<code>\\d+)"), "an extraction reads _raw by default");
        assert!(!reads("EXTRACT-a = code=(?<code>\\d+) in message"));
        assert!(reads("FIELDALIAS-a = _raw AS text"));
        assert!(reads("EVAL-n = len(_raw)"));
        assert!(!reads("EVAL-n = len(message)\nFIELDALIAS-a = message AS text"));
        let k = crate::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        assert!(!k.reads_raw_besides_event_types(), "the add-on reads _raw for event types' terms only");
        assert!(k.needs_raw(r#"{"eventName":"DeleteBucket"}"#) && !k.needs_raw(r#"{"eventName":"GetObject"}"#));
    }

    #[test]
    fn a_search_gets_only_the_rules_it_needs() {
        let k = crate::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
        let (none, inputs) = k.projected(&names(&["eventName", "sourcetype"]));
        assert!(none.evals.is_empty() && none.lookups.is_empty() && none.eventtypes.is_empty());
        assert_eq!(inputs, Some(names(&["eventName", "sourcetype"])));

        let (arn, inputs) = k.projected(&names(&["user_arn"]));
        assert_eq!(arn.evals.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["user_arn"]);
        let inputs = inputs.unwrap();
        assert!(inputs.contains("userIdentity.arn") && inputs.contains("requestParameters.roleArn"));

        // action comes from a lookup keyed by the calculated errorCode.
        let (action, _) = k.projected(&names(&["action"]));
        assert!(action.lookups.iter().any(|l| l.class.contains("action")));
        assert!(action.evals.iter().any(|e| e.field == "errorCode"));

        // tags need event types, and event types need what their searches read.
        let (tags, _) = k.projected(&names(&["tag"]));
        assert!(!tags.tags.is_empty() && !tags.eventtypes.is_empty());
    }
}
