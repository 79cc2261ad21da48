//! Risk per object, as Splunk ES's risk incident rules total it: for each risk object
//! (by type and value), the highest total score of its risk events within any window of
//! the given length (default 24 hours), with the distinct detections and MITRE tactics of
//! that window and its first and last event. An object whose total is over the threshold
//! (default 100; ES's "Risk Threshold Exceeded" rule flags `risk_score > 100`) is flagged.
//!
//! Windows slide: each window starts at one of the object's risk events (a choice that
//! finds the worst window; ES runs its rule over the last 24 hours each time it runs).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::events::RiskEvent;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectRisk {
    pub risk_object: String,
    pub risk_object_type: String,
    pub risk_score: f64,
    pub risk_event_count: usize,
    pub detections: Vec<String>,
    pub mitre_tactics: Vec<String>,
    pub first_seen: f64,
    pub last_seen: f64,
    pub flagged: bool,
}

/// Per object, its worst window; sorted by score (highest first), then object.
pub fn aggregate(events: &[RiskEvent], window: f64, threshold: f64) -> Vec<ObjectRisk> {
    let mut by_object: BTreeMap<(String, String), Vec<&RiskEvent>> = BTreeMap::new();
    for e in events {
        by_object.entry((e.risk_object_type.clone(), e.risk_object.clone())).or_default().push(e);
    }
    let mut out = Vec::new();
    for ((kind, object), mut evs) in by_object {
        evs.sort_by(|a, b| a._time.total_cmp(&b._time));
        let mut best: Option<(f64, usize, usize)> = None;
        let mut end = 0;
        let mut sum = 0.0;
        // Two pointers: the window [evs[start]._time, + window).
        for start in 0..evs.len() {
            while end < evs.len() && evs[end]._time < evs[start]._time + window {
                sum += evs[end].risk_score;
                end += 1;
            }
            if best.is_none_or(|(s, _, _)| sum > s) {
                best = Some((sum, start, end));
            }
            sum -= evs[start].risk_score;
        }
        let Some((score, start, end)) = best else { continue };
        let inside = &evs[start..end];
        let detections: BTreeSet<String> = inside.iter().map(|e| e.search_name.clone()).collect();
        let tactics: BTreeSet<String> =
            inside.iter().flat_map(|e| e.annotations.mitre_tactics.iter().cloned()).collect();
        out.push(ObjectRisk {
            risk_object: object,
            risk_object_type: kind,
            risk_score: score,
            risk_event_count: inside.len(),
            detections: detections.into_iter().collect(),
            mitre_tactics: tactics.into_iter().collect(),
            first_seen: inside[0]._time,
            last_seen: inside[inside.len() - 1]._time,
            flagged: score > threshold,
        });
    }
    out.sort_by(|a, b| b.risk_score.total_cmp(&a.risk_score).then_with(|| a.risk_object.cmp(&b.risk_object)));
    out
}

#[cfg(test)]
mod tests {
    use super::super::events::Annotations;
    use super::*;

    fn ev(object: &str, search: &str, time: f64, score: f64, tactic: &str) -> RiskEvent {
        RiskEvent {
            search_name: search.into(),
            _time: time,
            risk_object: object.into(),
            risk_object_type: "user".into(),
            risk_score: score,
            risk_message: String::new(),
            threat_object: Vec::new(),
            threat_object_type: Vec::new(),
            annotations: Annotations {
                mitre_attack: Vec::new(),
                mitre_tactics: vec![tactic.into()],
                analytic_story: Vec::new(),
                detection_type: "TTP".into(),
            },
        }
    }

    const H: f64 = 3600.0;

    #[test]
    fn the_worst_window_counts_and_over_the_threshold_is_flagged() {
        let events = [
            ev("bob", "A", 0.0, 40.0, "exfiltration"),
            ev("bob", "B", 10.0 * H, 48.0, "persistence"),
            ev("bob", "A", 20.0 * H, 40.0, "exfiltration"),
            // 25 hours after the first: outside its window, inside the second's.
            ev("bob", "C", 25.0 * H, 30.0, "impact"),
            ev("alice", "A", 0.0, 80.0, "exfiltration"),
        ];
        let r = aggregate(&events, 24.0 * H, 100.0);
        assert_eq!(r[0].risk_object, "bob");
        // [0, 24h): 40 + 48 + 40 = 128 beats [10h, 34h): 48 + 40 + 30 = 118.
        assert_eq!(r[0].risk_score, 128.0);
        assert_eq!(r[0].detections, ["A", "B"]);
        assert_eq!(r[0].mitre_tactics, ["exfiltration", "persistence"]);
        assert_eq!((r[0].first_seen, r[0].last_seen, r[0].risk_event_count), (0.0, 20.0 * H, 3));
        assert!(r[0].flagged);
        assert_eq!((r[1].risk_object.as_str(), r[1].risk_score, r[1].flagged), ("alice", 80.0, false));
    }

    #[test]
    fn exactly_the_threshold_is_not_flagged_and_windows_end_exclusive() {
        let events =
            [ev("x", "A", 0.0, 50.0, "t"), ev("x", "B", 24.0 * H, 50.0, "t"), ev("x", "B", 24.0 * H - 1.0, 50.0, "t")];
        let r = aggregate(&events, 24.0 * H, 100.0);
        assert_eq!(r[0].risk_score, 100.0);
        assert!(!r[0].flagged);
    }
}
