//! Notables and risk events from a detection's results, in the shape of Splunk's notable
//! and risk indexes.
//!
//! One risk event per value of a (multivalue) risk-object field in each result; a result
//! without the field gives none for that object. Threat objects ride along on each risk
//! event (all their values). `$field$` tokens of the message are filled from the result
//! (multivalues joined with `, `; a missing field leaves the token empty).
//!
//! A risk event's `_time` (a choice, for replays of old data): the result's `_time` when
//! it is a number, else its `lastTime` or `firstTime` (epoch or as `security_content_ctime`
//! writes it), else the time the search ran.

use serde::{Deserialize, Serialize};

use crate::content::detection::Detection;
use crate::engine::Results;
use crate::events::Value;

/// Detection types that create risk in Splunk's default deployment.
pub const RISK_TYPES: &[&str] = &["TTP", "Anomaly"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEvent {
    pub search_name: String,
    pub _time: f64,
    pub risk_object: String,
    pub risk_object_type: String,
    pub risk_score: f64,
    pub risk_message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threat_object: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threat_object_type: Vec<String>,
    pub annotations: Annotations,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    pub mitre_attack: Vec<String>,
    pub mitre_tactics: Vec<String>,
    pub analytic_story: Vec<String>,
    pub detection_type: String,
}

/// A notable: the result's fields, with the detection's name and the time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notable {
    pub search_name: String,
    pub _time: f64,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// Whether a detection of this type makes risk events (unless told otherwise).
pub fn creates_risk(d: &Detection) -> bool {
    RISK_TYPES.iter().any(|t| t.eq_ignore_ascii_case(&d.kind))
}

pub fn annotations(d: &Detection) -> Annotations {
    let mut tactics: Vec<String> = Vec::new();
    for t in &d.mitre_ids {
        for tactic in super::mitre::tactics(t) {
            if !tactics.iter().any(|x| x == tactic) {
                tactics.push(tactic.to_string());
            }
        }
    }
    Annotations {
        mitre_attack: d.mitre_ids.clone(),
        mitre_tactics: tactics,
        analytic_story: d.analytic_stories.clone(),
        detection_type: d.kind.clone(),
    }
}

/// The risk events of one detection's results.
pub fn risk_events(d: &Detection, r: &Results, now: f64) -> Vec<RiskEvent> {
    let ann = annotations(d);
    let mut out = Vec::new();
    for row in 0..r.rows {
        let time = result_time(r, row).unwrap_or(now);
        let message = d.risk.message.as_deref().map(|m| fill_message(m, r, row)).unwrap_or_default();
        let (mut threat_object, mut threat_object_type) = (Vec::new(), Vec::new());
        for t in &d.risk.threats {
            for v in values(r, &t.field, row) {
                threat_object.push(v);
                threat_object_type.push(t.kind.clone());
            }
        }
        for o in &d.risk.objects {
            for v in values(r, &o.field, row) {
                out.push(RiskEvent {
                    search_name: d.file.name.clone(),
                    _time: time,
                    risk_object: v,
                    risk_object_type: o.kind.clone(),
                    risk_score: o.score,
                    risk_message: message.clone(),
                    threat_object: threat_object.clone(),
                    threat_object_type: threat_object_type.clone(),
                    annotations: ann.clone(),
                });
            }
        }
    }
    out
}

/// The notables of one detection's results.
pub fn notables(d: &Detection, r: &Results, now: f64) -> Vec<Notable> {
    (0..r.rows)
        .map(|row| {
            let mut fields = serde_json::Map::new();
            for (name, v) in r.row(row) {
                let json = match v {
                    Value::Multi(vs) => serde_json::Value::from(vs.clone()),
                    other => serde_json::Value::from(other.values().first().cloned().unwrap_or_default()),
                };
                fields.insert(name.to_string(), json);
            }
            Notable { search_name: d.file.name.clone(), _time: result_time(r, row).unwrap_or(now), fields }
        })
        .collect()
}

/// A field's non-empty values in one result.
pub fn values(r: &Results, field: &str, row: usize) -> Vec<String> {
    non_empty(r, field, row).cloned().collect()
}

fn non_empty<'r>(r: &'r Results, field: &str, row: usize) -> impl Iterator<Item = &'r String> {
    r.column(field).into_iter().flat_map(move |c| c[row].values().iter().filter(|v| !v.is_empty()))
}

/// How many risk events [`risk_events`] makes of these results, and their total score
/// (added in the same order), without making them.
pub fn risk_tally(d: &Detection, r: &Results) -> (usize, f64) {
    let (mut events, mut score) = (0, 0.0);
    for row in 0..r.rows {
        for o in &d.risk.objects {
            for _ in non_empty(r, &o.field, row) {
                events += 1;
                score += o.score;
            }
        }
    }
    (events, score)
}

/// `message` with each `$field$` replaced by the result's value(s).
pub fn fill_message(message: &str, r: &Results, row: usize) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(a) = rest.find('$') {
        let after = &rest[a + 1..];
        match after.find('$') {
            Some(b) if b > 0 && !after[..b].contains(char::is_whitespace) => {
                out.push_str(&rest[..a]);
                out.push_str(&values(r, &after[..b], row).join(", "));
                rest = &after[b + 1..];
            }
            _ => {
                out.push_str(&rest[..=a]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The time a result stands for (see the module documentation).
fn result_time(r: &Results, row: usize) -> Option<f64> {
    for field in ["_time", "lastTime", "firstTime"] {
        let Some(text) = values(r, field, row).into_iter().next() else { continue };
        if let Some(t) = crate::eval::value::parse_number(&text) {
            return Some(t);
        }
        for format in ["%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S"] {
            if let Some(t) = crate::eval::timefmt::strptime(&text, format) {
                return Some(t);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(fields: &[&str], rows: Vec<Vec<Value>>) -> Results {
        Results::from_rows(fields, rows)
    }

    #[test]
    fn messages_fill_tokens_and_keep_lone_dollars() {
        let r = results(
            &["user", "ips"],
            vec![vec![Value::from("bob"), Value::Multi(vec!["1.1.1.1".into(), "2.2.2.2".into()])]],
        );
        assert_eq!(
            fill_message("$user$ from $ips$ paid $5, $missing$.", &r, 0),
            "bob from 1.1.1.1, 2.2.2.2 paid $5, ."
        );
    }

    #[test]
    fn result_time_prefers_time_then_last_then_first() {
        let r = results(
            &["firstTime", "lastTime"],
            vec![vec![Value::from("2024-06-01T08:00:00"), Value::from("1717229000")]],
        );
        assert_eq!(result_time(&r, 0), Some(1717229000.0));
        let r = results(&["firstTime"], vec![vec![Value::from("2024-06-01T08:00:00")]]);
        assert_eq!(result_time(&r, 0), Some(1717228800.0));
        let r = results(&["x"], vec![vec![Value::from("1")]]);
        assert_eq!(result_time(&r, 0), None);
    }

    #[test]
    fn one_risk_event_per_value_of_a_multivalue_risk_object() {
        let path = std::env::temp_dir().join(format!("spelunk-rba-{}.yml", std::process::id()));
        std::fs::write(
            &path,
            "name: Multi\ntype: TTP\nsearch: '*'\nrba:\n  message: $user$ via $ip$\n  risk_objects:\n  - field: user\n    type: user\n    score: 20\n  threat_objects:\n  - field: ip\n    type: ip_address\n",
        )
        .unwrap();
        let d = crate::content::detection::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let r = results(
            &["user", "ip"],
            vec![
                vec![Value::Multi(vec!["a".into(), "b".into()]), Value::from("1.1.1.1")],
                vec![Value::Null, Value::from("2.2.2.2")],
            ],
        );
        let ev = risk_events(&d, &r, 5.0);
        assert_eq!(ev.iter().map(|e| e.risk_object.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(ev.iter().all(|e| e.risk_score == 20.0 && e._time == 5.0 && e.threat_object == ["1.1.1.1"]));
        assert_eq!(ev[0].risk_message, "a, b via 1.1.1.1");
        assert_eq!(risk_tally(&d, &r), (2, 40.0), "counted as made");
        let r = results(
            &["user"],
            vec![
                vec![Value::Multi(vec!["a".into(), "".into(), "c".into()])],
                vec![Value::from("")],
                vec![Value::from("d")],
            ],
        );
        let made = risk_events(&d, &r, 5.0);
        assert_eq!(made.len(), 3, "empty values make no risk object");
        assert_eq!(risk_tally(&d, &r), (made.len(), made.iter().map(|e| e.risk_score).sum()));
    }
}
