//! What a search expression needs of an event's text to possibly match it, found before
//! any field is made (what Splunk's index lexicon does for a search): `eventName=DeleteTrail`
//! can only match an event whose text contains `deletetrail` in some case.
//!
//! A search gives [`Needles`]: groups of literals, each group needing one of its literals in
//! the event's text (compared without ASCII case). They are necessary, never sufficient:
//! the events that pass are then searched as every event is, so the rule only has to be
//! sound. It is, because
//! - a literal comes from `field=value` (or `IN`) only when the field's values are the
//!   event's own JSON text (the caller's `plain`: no knowledge rule makes or changes the
//!   field, not an index-time field), and from a bare term (matched in `_raw` itself);
//! - a JSON string's value appears in the text as written unless escaped: a literal is
//!   printable ASCII without `"` or `\` (which JSON must escape), and an event whose text
//!   has `\u` or `\/` escapes, or any non-ASCII byte (case folding beyond ASCII), is kept
//!   whatever its text ([`unreadable`]);
//! - a literal is the longest run between `*` wildcards of a value that is not a number
//!   (JSON numbers with exponents are rewritten) nor a CIDR range (matched as addresses);
//! - `NOT`, `!=`, `<`, `>` and time bounds need nothing; `A OR B` needs one of a group of A
//!   or one of a group of B.
//!
//! Two users: the first searches of a run (`frame::prefilter` looks for many searches'
//! needles in every event's text in one pass), and event types whose search has terms
//! ([`TextFilter`]: an event whose `_raw` lacks them is not searched).

use crate::eval::search::FoldedNeedle;
use crate::syntax::{CmpOp, SearchExpr, SearchKind};

/// Literals shorter than this are not worth looking for (they are in most events).
const SHORTEST: usize = 3;

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
pub fn unreadable(text: &str) -> bool {
    !text.is_ascii() || escapes_hide_values(text)
}

/// Whether the text has JSON escapes of characters that need none (`\u`, `\/`), which
/// hide what they stand for from a search of the text; `\U` too, so that the text lowered
/// or as it is gives the same answer.
pub fn escapes_hide_values(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\\', b).any(|k| matches!(b.get(k + 1), Some(b'u' | b'U' | b'/')))
}

/// A text with its ASCII letters lowercased, made the first time a literal is looked for
/// in it (several filters over one text lower it once).
pub struct Lowered<'t> {
    text: &'t [u8],
    lowered: Vec<u8>,
    done: bool,
}

impl<'t> Lowered<'t> {
    pub fn new(text: &'t str) -> Lowered<'t> {
        Lowered { text: text.as_bytes(), lowered: Vec::new(), done: false }
    }

    /// The lowered text.
    pub fn get(&mut self) -> &[u8] {
        if !self.done {
            self.lowered.extend_from_slice(self.text);
            self.lowered.make_ascii_lowercase();
            self.done = true;
        }
        &self.lowered
    }
}

/// One search's needles, ready to test texts one at a time.
#[derive(Debug, Clone)]
pub struct TextFilter {
    /// Per group, its literals.
    groups: Vec<Vec<FoldedNeedle>>,
}

impl TextFilter {
    pub fn new(needles: &Needles) -> TextFilter {
        let groups =
            needles.groups.iter().map(|g| g.iter().map(|l| FoldedNeedle::new(l.as_bytes())).collect()).collect();
        TextFilter { groups }
    }

    /// Whether the search could match an event with this text: false only when some group
    /// has none of its literals in it (and the text shows every value as written).
    pub fn may_match(&self, text: &str) -> bool {
        unreadable(text) || self.holds_literals(&mut Lowered::new(text))
    }

    /// Whether the text holds a literal of every group (for a text already known not to
    /// be [`unreadable`]: several filters over one text check that once).
    pub fn holds_literals(&self, text: &mut Lowered) -> bool {
        let lowered = text.get();
        self.groups.iter().all(|g| g.iter().any(|l| l.is_in(lowered)))
    }
}

/// Up to this many distinct literals, [`NeedleSets`] looks for each on its own, and only
/// while it can still decide something (a substring search over the lowered text,
/// [`FoldedNeedle`]); past it, for all at once in one automaton pass over the text. Both
/// search the lowered text for the lowercase literals, so neither needs to ignore case (an
/// automaton ignoring ASCII case walks every byte, two to three times slower).
const ONE_BY_ONE: usize = 8;

/// The needles of many searches, to look for in texts one at a time: each distinct literal
/// is looked for at most once per text, whichever searches need it. One rule for which
/// texts could match, for the scan of loaded events (`frame::prefilter`) and the scan
/// while loading (`events::input`).
#[derive(Debug, Clone)]
pub struct NeedleSets {
    /// Per set, per group, the literals (their places in `patterns`) that meet it.
    plans: Vec<Vec<Vec<usize>>>,
    patterns: usize,
    automaton: aho_corasick::AhoCorasick,
    /// Each literal's searcher, when there are at most [`ONE_BY_ONE`].
    single: Vec<FoldedNeedle>,
}

/// A [`NeedleSets`] with what it found of the current text (per literal: 0 not looked for
/// yet, 1 absent, 2 present).
pub struct SetSearch<'n> {
    sets: &'n NeedleSets,
    found: Vec<u8>,
}

impl NeedleSets {
    pub fn new(sets: &[&Needles]) -> NeedleSets {
        let mut patterns: Vec<&str> = sets.iter().flat_map(|s| s.groups.iter().flatten().map(String::as_str)).collect();
        patterns.sort();
        patterns.dedup();
        let id = |p: &str| patterns.binary_search(&p).expect("every literal is a pattern");
        let plans = sets.iter().map(|s| s.groups.iter().map(|g| g.iter().map(|p| id(p)).collect()).collect()).collect();
        let automaton = aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(false)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&patterns)
            .expect("literals make an automaton");
        let single = if patterns.len() <= ONE_BY_ONE {
            patterns.iter().map(|p| FoldedNeedle::new(p.as_bytes())).collect()
        } else {
            Vec::new()
        };
        NeedleSets { plans, patterns: patterns.len(), automaton, single }
    }

    /// How many sets of needles.
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// Whether [`SetSearch::matching`] reads a text as it is (a few literals, each looked
    /// for without ASCII case), so the text need not be lowered first.
    pub fn reads_text_as_is(&self) -> bool {
        !self.single.is_empty()
    }

    /// A search of texts for these needles, one text at a time.
    pub fn search(&self) -> SetSearch<'_> {
        SetSearch { sets: self, found: vec![0; self.patterns] }
    }
}

impl SetSearch<'_> {
    /// Calls `hit(k)` for each set `k` whose search could match an event with this text:
    /// `text` is its text with ASCII letters lowercased (or as it is, when
    /// [`NeedleSets::reads_text_as_is`]), `ascii` whether it is all ASCII. A text that may
    /// hide a value (not all ASCII, or with escapes that need none, [`unreadable`]) could
    /// match every search.
    pub fn matching(&mut self, text: &str, ascii: bool, mut hit: impl FnMut(usize)) {
        let sets = self.sets;
        let keep_all = !ascii || escapes_hide_values(text);
        let found = &mut self.found;
        if !keep_all {
            if sets.single.is_empty() {
                found.iter_mut().for_each(|f| *f = 1);
                for m in sets.automaton.find_overlapping_iter(text) {
                    found[m.pattern().as_usize()] = 2;
                }
            } else {
                found.iter_mut().for_each(|f| *f = 0);
            }
        }
        for (k, groups) in sets.plans.iter().enumerate() {
            let mut present = |p: usize| {
                if found[p] == 0 {
                    found[p] = 1 + sets.single[p].is_in_text(text.as_bytes()) as u8;
                }
                found[p] == 2
            };
            if keep_all || groups.iter().all(|g| g.iter().any(|&p| present(p))) {
                hit(k);
            }
        }
    }
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
    fn a_text_filter_lets_through_what_could_match() {
        let filter = |text: &str| TextFilter::new(&needles(&search(text), &|_| false).unwrap());
        let f = filter("sourcetype=aws:cloudtrail (*delete* OR *remove* OR *reboot*)");
        assert!(f.may_match(r#"{"eventName":"DeleteBucket"}"#));
        assert!(f.may_match(r#"{"eventName":"RebootInstances"}"#));
        assert!(!f.may_match(r#"{"eventName":"GetObject"}"#));
        // Necessary, not sufficient: `errorCode` holds `error`, though the term is not there.
        let f = filter("error OR failed");
        assert!(f.may_match(r#"{"errorCode":"x"}"#) && !f.may_match(r#"{"eventName":"GetObject"}"#));
        // Two groups: one literal of each.
        let f = filter("*delete* failed");
        assert!(!f.may_match("DeleteBucket") && !f.may_match("failed") && f.may_match("DeleteBucket FAILED"));
        // Text that may hide a value is always let through.
        assert!(f.may_match(r#"{"a":"\u0044eleteBucket"}"#) && f.may_match("Déjà"));
    }

    #[test]
    fn text_that_may_hide_a_value_is_unreadable() {
        assert!(!unreadable(r#"{"a":"DeleteTrail","b":"x\"y\\z\n"}"#));
        assert!(unreadable(r#"{"a":"\u0044eleteTrail"}"#));
        assert!(unreadable(r#"{"a":"arn:aws:iam::1:role\/x"}"#));
        assert!(unreadable("{\"a\":\"Déjà\"}"));
    }
}
