//! Which events a first search could match, found from their text before any field is
//! made (what Splunk's index lexicon does for it): `eventName=DeleteTrail` can only match
//! an event whose text contains `deletetrail` in some case, so over a million events the
//! search's fields are made for the few thousand that do.
//!
//! A search gives [`Needles`]: groups of literals, each group needing one of its literals in
//! the event's text (compared without ASCII case). They are necessary, never sufficient:
//! the events that pass are then searched as every event is, so the rule only has to be
//! sound. It is, because
//! - a literal comes from `field=value` (or `IN`) only when the field's values are the
//!   event's own JSON text ([`Dataset::json_only`]: no knowledge rule makes or changes the
//!   field, not an index-time field), and from a bare term (matched in `_raw` itself);
//! - a JSON string's value appears in the text as written unless escaped: a literal is
//!   printable ASCII without `"` or `\` (which JSON must escape), and an event whose text
//!   has `\u` or `\/` escapes, or any non-ASCII byte (case folding beyond ASCII), is kept
//!   whatever its text;
//! - a literal is the longest run between `*` wildcards of a value that is not a number
//!   (JSON numbers with exponents are rewritten) nor a CIDR range (matched as addresses);
//! - `NOT`, `!=`, `<`, `>` and time bounds need nothing; `A OR B` needs one of a group of A
//!   or one of a group of B.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::dataset::RELEASE_EVERY;
use super::Dataset;
use crate::syntax::{CmpOp, SearchExpr, SearchKind};

/// Literals shorter than this are not worth looking for (they are in most events).
const SHORTEST: usize = 3;

/// Up to this many distinct literals, each is looked for on its own, and only while it
/// can still decide something (a search for one literal skips ahead with SIMD); past it,
/// all at once in one automaton pass over the text.
const ONE_BY_ONE: usize = 8;

/// What an event's text must contain for a search to possibly match it: one literal of
/// every group (lowercase ASCII). Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needles {
    pub groups: Vec<Vec<String>>,
}

/// The needles of a search expression, `None` when it needs nothing of the text. `plain`
/// says whether a field's values are the event's own JSON text.
pub fn needles(e: &SearchExpr, plain: &dyn Fn(&str) -> bool) -> Option<Needles> {
    let groups = required(e, plain);
    (!groups.is_empty()).then_some(Needles { groups })
}

/// Groups that must all be met (empty: nothing is required).
fn required(e: &SearchExpr, plain: &dyn Fn(&str) -> bool) -> Vec<Vec<String>> {
    match &e.kind {
        SearchKind::And(items) => items.iter().flat_map(|i| required(i, plain)).collect(),
        SearchKind::Or(items) => {
            // One group from each branch (its most selective), any of them.
            let mut any = Vec::new();
            for i in items {
                let Some(best) = required(i, plain).into_iter().max_by_key(|g| selectivity(g)) else {
                    return Vec::new();
                };
                any.extend(best);
            }
            any.sort();
            any.dedup();
            vec![any]
        }
        SearchKind::Compare { field, op: CmpOp::Eq, value } if plain(&field.name) => {
            literal(value).map(|l| vec![vec![l]]).unwrap_or_default()
        }
        SearchKind::In { field, values } if plain(&field.name) => {
            let all: Option<Vec<String>> = values.iter().map(|v| literal(v)).collect();
            all.map(|g| vec![g]).unwrap_or_default()
        }
        SearchKind::Term { text, phrase } => {
            let text = crate::syntax::parser::search::term_text(text, *phrase);
            literal(&text).map(|l| vec![vec![l]]).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// A group's worth: its shortest literal (a short one is found in more events).
fn selectivity(group: &[String]) -> usize {
    group.iter().map(String::len).min().unwrap_or(0)
}

/// The literal a search value needs in the text, lowercased: its longest run between `*`
/// wildcards, when the rules of the module allow one.
fn literal(value: &str) -> Option<String> {
    if !value.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        return None;
    }
    if crate::eval::value::parse_number(value).is_some() || crate::eval::search::looks_like_cidr(value) {
        return None;
    }
    let run = value.split('*').max_by_key(|r| r.len())?;
    // A run that could be part of a number JSON writes otherwise (`1.5e3`) is not text.
    let numeric = run.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    (run.len() >= SHORTEST && !numeric).then(|| run.to_ascii_lowercase())
}

/// Whether the text may hold a value that is not written as itself: JSON escapes of
/// characters that need none, or bytes beyond ASCII.
fn unreadable(text: &str) -> bool {
    let b = text.as_bytes();
    !text.is_ascii() || memchr::memchr_iter(b'\\', b).any(|k| matches!(b.get(k + 1), Some(b'u' | b'/')))
}

/// For each set of needles, the events (a bitmap over all of `ds`'s events, bit `i % 64`
/// of word `i / 64`) whose text could match: one pass over the text for all of them, on
/// every core.
pub fn scan(ds: &Dataset, sets: &[&Needles]) -> Vec<Arc<Vec<u64>>> {
    let n = ds.events.len();
    let words = n.div_ceil(64);
    if sets.is_empty() {
        return Vec::new();
    }
    let mut patterns: Vec<&str> = sets.iter().flat_map(|s| s.groups.iter().flatten().map(String::as_str)).collect();
    patterns.sort();
    patterns.dedup();
    let id = |p: &str| patterns.binary_search(&p).expect("every literal is a pattern");
    // Per set, per group, the pattern ids that meet it.
    let plans: Vec<Vec<Vec<usize>>> =
        sets.iter().map(|s| s.groups.iter().map(|g| g.iter().map(|p| id(p)).collect()).collect()).collect();
    let ac: AhoCorasick = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .expect("literals make an automaton");
    let single: Vec<AhoCorasick> = if patterns.len() <= ONE_BY_ONE {
        let one = |p: &str| AhoCorasickBuilder::new().ascii_case_insensitive(true).build([p]);
        patterns.iter().map(|p| one(p).expect("a literal makes an automaton")).collect()
    } else {
        Vec::new()
    };
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).min(n.div_ceil(4096)).max(1);
    // Parts on 64-event boundaries, so each writes whole words.
    let per = words.div_ceil(threads).max(1) * 64;
    let parts: Vec<Vec<Vec<u64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let (ac, single, plans, count) = (&ac, &single, &plans, patterns.len());
                let end = (start + per).min(n);
                s.spawn(move || {
                    let mut bits = vec![vec![0u64; (end - start).div_ceil(64)]; plans.len()];
                    // Per literal: 0 not looked for yet, 1 absent, 2 present.
                    let mut found = vec![0u8; count];
                    let all: Vec<usize> = (start..end).collect();
                    for block in all.chunks(RELEASE_EVERY) {
                        for &i in block {
                            let text: &str = &ds.events[i].raw;
                            let keep_all = unreadable(text);
                            if !keep_all {
                                if single.is_empty() {
                                    found.iter_mut().for_each(|f| *f = 1);
                                    for m in ac.find_overlapping_iter(text) {
                                        found[m.pattern().as_usize()] = 2;
                                    }
                                } else {
                                    found.iter_mut().for_each(|f| *f = 0);
                                }
                            }
                            let mut present = |p: usize| {
                                if found[p] == 0 {
                                    found[p] = 1 + single[p].is_match(text) as u8;
                                }
                                found[p] == 2
                            };
                            for (k, groups) in plans.iter().enumerate() {
                                if keep_all || groups.iter().all(|g| g.iter().any(|&p| present(p))) {
                                    let j = i - start;
                                    bits[k][j / 64] |= 1 << (j % 64);
                                }
                            }
                        }
                        crate::events::release_span(block.iter().map(|&i| &ds.events[i]));
                    }
                    bits
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("scanning does not panic")).collect()
    });
    (0..sets.len()).map(|k| Arc::new(parts.iter().flat_map(|p| p[k].iter().copied()).collect::<Vec<u64>>())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(text: &str) -> SearchExpr {
        match crate::syntax::parse(text).unwrap().commands.remove(0).kind {
            crate::syntax::CommandKind::Search(Some(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    fn groups(text: &str) -> Vec<Vec<String>> {
        let plain = |f: &str| !f.starts_with('_') && f != "errorCode" && f != "sourcetype";
        needles(&search(text), &plain).map(|n| n.groups).unwrap_or_default()
    }

    fn g(groups: &[&[&str]]) -> Vec<Vec<String>> {
        groups.iter().map(|g| g.iter().map(|s| s.to_string()).collect()).collect()
    }

    #[test]
    fn values_of_plain_fields_and_terms_are_needed() {
        assert_eq!(groups("eventName=DeleteTrail"), g(&[&["deletetrail"]]));
        assert_eq!(
            groups("sourcetype=aws:cloudtrail eventName=Get* eventSource=*.amazonaws.com"),
            g(&[&["get"], &[".amazonaws.com"]])
        );
        assert_eq!(groups("eventName IN (StopLogging, DeleteTrail)"), g(&[&["stoplogging", "deletetrail"]]));
        assert_eq!(groups("eventName=ConsoleLogin OR eventName=*Password*"), g(&[&["consolelogin", "password"]]));
        assert_eq!(groups("*delete* failed"), g(&[&["delete"], &["failed"]]));
        assert_eq!(groups("\"access denied\""), g(&[&["access denied"]]));
    }

    #[test]
    fn nothing_is_needed_where_the_text_may_not_show_the_value() {
        for text in [
            "errorCode=success",                    // made by the add-on's knowledge
            "sourcetype=aws:cloudtrail",            // an index-time field
            "NOT eventName=DeleteTrail",            // absence
            "eventName!=DeleteTrail",               // absence of the value
            "eventName=* ",                         // any value
            "eventName=De*",                        // too short to be worth it
            "eventVersion=1.08",                    // a number (JSON may write it otherwise)
            "responseElements.n=1e3*",              // a number's run
            "sourceIPAddress=10.0.0.0/8",           // a range of addresses
            "eventName=\"a\\\\b\"",                 // JSON escapes backslashes
            "eventName=DeleteTrail OR errorCode=x", // one branch needs nothing
            "userAgent=é*é",                        // beyond ASCII
            "count>5",
        ] {
            assert_eq!(groups(text), Vec::<Vec<String>>::new(), "{text}");
        }
        // A branch needing nothing leaves the other conjuncts.
        assert_eq!(groups("eventName=DeleteTrail (errorCode=x OR userName=bob)"), g(&[&["deletetrail"]]));
    }

    #[test]
    fn text_that_may_hide_a_value_is_unreadable() {
        assert!(!unreadable(r#"{"a":"DeleteTrail","b":"x\"y\\z\n"}"#));
        assert!(unreadable(r#"{"a":"\u0044eleteTrail"}"#));
        assert!(unreadable(r#"{"a":"arn:aws:iam::1:role\/x"}"#));
        assert!(unreadable("{\"a\":\"Déjà\"}"));
    }
}
