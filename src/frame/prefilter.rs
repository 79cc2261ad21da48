//! Which events a first search could match, found from their text before any field is
//! made (what Splunk's index lexicon does for it): `eventName=DeleteTrail` can only match
//! an event whose text contains `deletetrail` in some case, so over a million events the
//! search's fields are made for the few thousand that do. What a search needs of the text
//! is [`crate::eval::needles`]; here the needles of many searches are looked for in every
//! event's text in one pass.

use std::sync::Arc;

use super::dataset::RELEASE_EVERY;
use super::Dataset;
use crate::eval::needles::{NeedleSets, Needles};

/// For each set of needles, the events (a bitmap over all of `ds`'s events, bit `i % 64`
/// of word `i / 64`) whose text could match: one pass over the text for all of them, on
/// every core.
pub fn scan(ds: &Dataset, sets: &[&Needles]) -> Vec<Arc<Vec<u64>>> {
    let n = ds.events.len();
    let words = n.div_ceil(64);
    if sets.is_empty() {
        return Vec::new();
    }
    let needles = NeedleSets::new(sets);
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).min(n.div_ceil(4096)).max(1);
    // Parts on 64-event boundaries, so each writes whole words.
    let per = words.div_ceil(threads).max(1) * 64;
    let parts: Vec<Vec<Vec<u64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(per)
            .map(|start| {
                let needles = &needles;
                let end = (start + per).min(n);
                s.spawn(move || {
                    let mut bits = vec![vec![0u64; (end - start).div_ceil(64)]; needles.len()];
                    let mut search = needles.search();
                    let (mut copy, mut lower) = (Vec::new(), Vec::new());
                    for first in (start..end).step_by(RELEASE_EVERY) {
                        let events: Vec<&crate::events::Event> =
                            ds.events[first..(first + RELEASE_EVERY).min(end)].iter().collect();
                        // Texts with letters lowered (the literals are lowercase).
                        let each = |k: usize, text: &str, ascii: bool| {
                            let j = first + k - start;
                            search.matching(text, ascii, |set| bits[set][j / 64] |= 1 << (j % 64));
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
