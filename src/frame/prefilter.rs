//! Which events a first search could match, found from their text before any field is
//! made (what Splunk's index lexicon does for it): `eventName=DeleteTrail` can only match
//! an event whose text contains `deletetrail` in some case, so over a million events the
//! search's fields are made for the few thousand that do. What a search needs of the text
//! is [`crate::eval::needles`]; here the needles of many searches are looked for in every
//! event's text in one pass.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::dataset::RELEASE_EVERY;
use super::Dataset;
use crate::eval::needles::{escapes_hide_values, Needles};
use crate::eval::search::FoldedNeedle;

/// Up to this many distinct literals, each is looked for on its own, and only while it
/// can still decide something (a substring search over the text lowered once,
/// `FoldedNeedle`); past it, all at once in one automaton pass over the text. Both search
/// the lowered text for the lowercase literals, so neither needs to ignore case (an
/// automaton ignoring ASCII case walks every byte, two to three times slower).
const ONE_BY_ONE: usize = 8;

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
        .ascii_case_insensitive(false)
        .match_kind(MatchKind::Standard)
        .build(&patterns)
        .expect("literals make an automaton");
    let single: Vec<FoldedNeedle> = if patterns.len() <= ONE_BY_ONE {
        patterns.iter().map(|p| FoldedNeedle::new(p.as_bytes())).collect()
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
                    let (mut copy, mut lower) = (Vec::new(), Vec::new());
                    for first in (start..end).step_by(RELEASE_EVERY) {
                        let events: Vec<&crate::events::Event> =
                            ds.events[first..(first + RELEASE_EVERY).min(end)].iter().collect();
                        // Texts with letters lowered (the literals are lowercase).
                        let each = |k: usize, text: &str, ascii: bool| {
                            let i = first + k;
                            let keep_all = !ascii || escapes_hide_values(text);
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
                            for (k, groups) in plans.iter().enumerate() {
                                let mut present = |p: usize| {
                                    if found[p] == 0 {
                                        found[p] = 1 + single[p].is_in(text.as_bytes()) as u8;
                                    }
                                    found[p] == 2
                                };
                                if keep_all || groups.iter().all(|g| g.iter().any(|&p| present(p))) {
                                    let j = i - start;
                                    bits[k][j / 64] |= 1 << (j % 64);
                                }
                            }
                        };
                        let mapped = crate::events::each_lowered_text(&events, &mut copy, &mut lower, each);
                        if mapped {
                            crate::events::release_span(events.into_iter());
                        }
                    }
                    bits
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("scanning does not panic")).collect()
    });
    (0..sets.len()).map(|k| Arc::new(parts.iter().flat_map(|p| p[k].iter().copied()).collect::<Vec<u64>>())).collect()
}
