//! What a detection says besides its search: its type, annotations, risk (every schema
//! generation of security_content) and tests. Read from the same YAML as
//! [`DetectionFile`](super::DetectionFile).
//!
//! Risk, by schema generation (one function each, [`Risk::from_yaml`] picks):
//! - `rba:` block (contentctl 5): `message`, `risk_objects` (`field`, `type`, `score`),
//!   `threat_objects` (`field`, `type`); each risk object has its own score.
//! - v4 `tags`: `impact`, `confidence`, `risk_score`, `message`, `observable` (`name`,
//!   `type`, `role`). The score is impact x confidence / 100 (the stored `risk_score` is
//!   what `lint` compares). Observables become risk and threat objects as contentctl 4
//!   turned them into `action.risk.param._risk` ([`from_observables`], a choice recorded
//!   there).
//! - the older form: `tags.risk_object`, `tags.risk_object_type`, `tags.risk_score`.

use std::path::Path;

use serde::Deserialize;

use super::{ContentError, DetectionFile};

/// A detection with everything `detect`, `test`, `risk` and `lint` use.
#[derive(Debug, Clone)]
pub struct Detection {
    pub file: DetectionFile,
    pub id: String,
    /// `TTP`, `Anomaly`, `Hunting`, `Correlation`, ... (empty when not given).
    pub kind: String,
    pub analytic_stories: Vec<String>,
    /// MITRE ATT&CK technique ids (`T1537`).
    pub mitre_ids: Vec<String>,
    pub risk: Risk,
    pub tests: Vec<TestSpec>,
}

/// Which schema generation the risk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskSchema {
    Rba,
    V4,
    Legacy,
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub schema: RiskSchema,
    /// The risk message with `$field$` tokens.
    pub message: Option<String>,
    pub objects: Vec<RiskObject>,
    pub threats: Vec<ThreatObject>,
    /// v4: the stored `risk_score`, `impact`, `confidence` as written.
    pub stored_score: Option<f64>,
    pub impact: Option<f64>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RiskObject {
    pub field: String,
    /// `user`, `system`, `other`.
    pub kind: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreatObject {
    pub field: String,
    pub kind: String,
}

/// One entry of `tests:`: datasets to load, each with its sourcetype and source.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSpec {
    pub name: String,
    pub attack_data: Vec<AttackData>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AttackData {
    pub data: String,
    #[serde(default)]
    pub sourcetype: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawDetection {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    tags: RawTags,
    #[serde(default)]
    rba: Option<RawRba>,
    #[serde(default)]
    tests: Vec<RawTest>,
}

#[derive(Deserialize, Default)]
struct RawTags {
    #[serde(default)]
    analytic_story: Vec<String>,
    #[serde(default)]
    mitre_attack_id: Vec<String>,
    #[serde(default)]
    impact: Option<f64>,
    #[serde(default)]
    confidence: Option<f64>,
    #[serde(default)]
    risk_score: Option<f64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    observable: Vec<RawObservable>,
    #[serde(default)]
    risk_object: Option<String>,
    #[serde(default)]
    risk_object_type: Option<String>,
}

#[derive(Deserialize)]
struct RawObservable {
    name: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    role: Vec<String>,
}

#[derive(Deserialize)]
struct RawRba {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    risk_objects: Vec<RawRbaObject>,
    #[serde(default)]
    threat_objects: Vec<RawRbaObject>,
}

#[derive(Deserialize)]
struct RawRbaObject {
    field: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    score: Option<f64>,
}

#[derive(Deserialize)]
struct RawTest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    attack_data: Vec<AttackData>,
}

/// Reads a detection file with its risk, annotations and tests.
pub fn read(path: &Path) -> Result<Detection, ContentError> {
    read_from(path, super::read_text(path)?)
}

/// [`read`] of the file at `path` whose text is `text`.
pub(crate) fn read_from(path: &Path, text: String) -> Result<Detection, ContentError> {
    // What the file and its risk need, from one parse of the YAML (two parses, one for
    // each, were most of the time a run took to read its content). When that fails, the
    // file is read as before, so the error is the one that says what is wrong: YAML that
    // does not parse or lacks a search, else a risk or test of the wrong shape.
    let (file, raw) = match serde_saphyr::from_str::<RawWhole>(&text) {
        Ok(whole) => (super::DetectionFile::of(path, text, whole.file)?, whole.detection),
        Err(_) => return apart(path, text),
    };
    Ok(detection_of(file, raw))
}

/// [`read`] with the YAML parsed once for the file and once more for its risk,
/// annotations and tests: what `read` falls back on when its one parse fails (so the error
/// says what is wrong), and what the tests compare it with over every detection at hand.
#[doc(hidden)]
pub fn read_apart(path: &Path) -> Result<Detection, ContentError> {
    apart(path, super::read_text(path)?)
}

/// [`read_apart`] of the file at `path` whose text is `text`.
fn apart(path: &Path, text: String) -> Result<Detection, ContentError> {
    let file = super::detection_from_text(path, text)?;
    let raw = shaped(path, &file.text)?;
    Ok(detection_of(file, raw))
}

/// A detection file's YAML as both [`super::DetectionFile`] and [`Detection`] take it.
#[derive(Deserialize)]
struct RawWhole {
    #[serde(flatten)]
    file: super::RawDetection,
    #[serde(flatten)]
    detection: RawDetection,
}

/// The risk, annotations and tests of a detection file's text.
fn shaped(path: &Path, text: &str) -> Result<RawDetection, ContentError> {
    serde_saphyr::from_str(text).map_err(|e| ContentError {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line() as usize),
        column: e.location().map(|l| l.column() as usize),
        message: format!("unexpected shape: {e}"),
    })
}

/// The detection of a file and its risk, annotations and tests.
fn detection_of(file: super::DetectionFile, raw: RawDetection) -> Detection {
    Detection {
        id: raw.id.unwrap_or_default(),
        kind: raw.kind.unwrap_or_default(),
        analytic_stories: raw.tags.analytic_story.clone(),
        mitre_ids: raw.tags.mitre_attack_id.clone(),
        risk: Risk::from_yaml(raw.rba, &raw.tags),
        tests: raw
            .tests
            .into_iter()
            .map(|t| TestSpec { name: t.name.unwrap_or_default(), attack_data: t.attack_data })
            .collect(),
        file,
    }
}

impl Risk {
    fn from_yaml(rba: Option<RawRba>, tags: &RawTags) -> Risk {
        let mut risk = if let Some(rba) = rba {
            from_rba(rba)
        } else if !tags.observable.is_empty() {
            from_observables(tags)
        } else if let Some(field) = &tags.risk_object {
            Risk {
                schema: RiskSchema::Legacy,
                message: tags.message.clone(),
                objects: vec![RiskObject {
                    field: field.clone(),
                    kind: tags.risk_object_type.clone().unwrap_or_else(|| "other".into()),
                    score: tags.risk_score.unwrap_or(0.0),
                }],
                threats: Vec::new(),
                stored_score: tags.risk_score,
                impact: None,
                confidence: None,
            }
        } else {
            Risk {
                schema: RiskSchema::None,
                message: tags.message.clone(),
                objects: Vec::new(),
                threats: Vec::new(),
                stored_score: None,
                impact: None,
                confidence: None,
            }
        };
        risk.impact = risk.impact.or(tags.impact);
        risk.confidence = risk.confidence.or(tags.confidence);
        risk.stored_score = risk.stored_score.or(tags.risk_score);
        risk
    }

    /// impact x confidence / 100, when both are given (v4 content).
    pub fn computed_score(&self) -> Option<f64> {
        Some(self.impact? * self.confidence? / 100.0)
    }

    /// Every field the risk needs from a result: risk and threat objects and the message's
    /// `$tokens$`.
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self.objects.iter().map(|o| o.field.clone()).collect();
        out.extend(self.threats.iter().map(|t| t.field.clone()));
        if let Some(m) = &self.message {
            out.extend(message_tokens(m));
        }
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|f| seen.insert(f.clone()));
        out
    }
}

fn from_rba(rba: RawRba) -> Risk {
    Risk {
        schema: RiskSchema::Rba,
        message: rba.message,
        objects: rba
            .risk_objects
            .into_iter()
            .map(|o| RiskObject { field: o.field, kind: o.kind, score: o.score.unwrap_or(0.0) })
            .collect(),
        threats: rba.threat_objects.into_iter().map(|t| ThreatObject { field: t.field, kind: t.kind }).collect(),
        stored_score: None,
        impact: None,
        confidence: None,
    }
}

/// v4 observables as contentctl 4 made them into risk parameters. Choice (not documented
/// by Splunk outside contentctl's code): a Victim of a user type (User, Username, Email
/// Address) is a `user` risk object and of a system type (Device, Endpoint, Hostname, IP
/// Address) a `system` risk object; an Attacker of a process, file, URL or IP type is a
/// threat object; every other observable is an `other` risk object. Each risk object
/// scores impact x confidence / 100 (or the stored risk_score when those are missing).
fn from_observables(tags: &RawTags) -> Risk {
    let score = match (tags.impact, tags.confidence) {
        (Some(i), Some(c)) => i * c / 100.0,
        _ => tags.risk_score.unwrap_or(0.0),
    };
    let mut objects = Vec::new();
    let mut threats = Vec::new();
    for o in &tags.observable {
        let t = o.kind.to_ascii_lowercase();
        let victim = o.role.iter().any(|r| r.eq_ignore_ascii_case("victim"));
        let attacker = o.role.iter().any(|r| r.eq_ignore_ascii_case("attacker"));
        let threat_kind = match t.as_str() {
            "process" | "process name" => Some("process"),
            "file" | "file name" | "file hash" => Some("file_name"),
            "url" | "url string" => Some("url"),
            "ip address" => Some("ip_address"),
            _ => None,
        };
        let object_kind = if victim && matches!(t.as_str(), "user" | "username" | "email address") {
            Some("user")
        } else if victim && matches!(t.as_str(), "device" | "endpoint" | "hostname" | "ip address") {
            Some("system")
        } else {
            None
        };
        match (object_kind, threat_kind) {
            (Some(k), _) => objects.push(RiskObject { field: o.name.clone(), kind: k.into(), score }),
            (None, Some(k)) if attacker => threats.push(ThreatObject { field: o.name.clone(), kind: k.into() }),
            _ => objects.push(RiskObject { field: o.name.clone(), kind: "other".into(), score }),
        }
    }
    Risk {
        schema: RiskSchema::V4,
        message: tags.message.clone(),
        objects,
        threats,
        stored_score: tags.risk_score,
        impact: tags.impact,
        confidence: tags.confidence,
    }
}

/// The field names of a message's `$field$` tokens, in order.
pub fn message_tokens(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(a) = rest.find('$') {
        let after = &rest[a + 1..];
        let Some(b) = after.find('$') else { break };
        let name = &after[..b];
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            out.push(name.to_string());
            rest = &after[b + 1..];
        } else {
            rest = after;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk(yaml: &str) -> Risk {
        let raw: RawDetection = serde_saphyr::from_str(yaml).unwrap();
        Risk::from_yaml(raw.rba, &raw.tags)
    }

    #[test]
    fn v4_observables_score_impact_times_confidence() {
        let r = risk(
            "tags:\n  impact: 100\n  confidence: 80\n  risk_score: 80\n  message: AMI shared by $user_arn$\n  observable:\n  - name: user_arn\n    type: User\n    role: [Attacker]\n  - name: src_ip\n    type: IP Address\n    role: [Attacker]\n  - name: aws_account_id\n    type: Other\n    role: [Victim]\n",
        );
        assert_eq!(r.schema, RiskSchema::V4);
        assert_eq!(r.computed_score(), Some(80.0));
        assert_eq!(
            r.objects,
            [
                RiskObject { field: "user_arn".into(), kind: "other".into(), score: 80.0 },
                RiskObject { field: "aws_account_id".into(), kind: "other".into(), score: 80.0 }
            ]
        );
        assert_eq!(r.threats, [ThreatObject { field: "src_ip".into(), kind: "ip_address".into() }]);
        assert_eq!(r.fields(), ["user_arn", "aws_account_id", "src_ip"]);
    }

    #[test]
    fn v4_victims_of_user_and_system_types() {
        let r = risk("tags:\n  impact: 60\n  confidence: 80\n  observable:\n  - name: user\n    type: User\n    role: [Victim]\n  - name: dest\n    type: Hostname\n    role: [Victim]\n");
        assert_eq!(
            r.objects.iter().map(|o| (o.kind.as_str(), o.score)).collect::<Vec<_>>(),
            [("user", 48.0), ("system", 48.0)]
        );
    }

    #[test]
    fn rba_block_objects_keep_their_own_scores() {
        let r = risk("rba:\n  message: $user$ did it from $src$\n  risk_objects:\n  - field: user\n    type: user\n    score: 56\n  - field: dest\n    type: system\n    score: 30\n  threat_objects:\n  - field: src\n    type: ip_address\n");
        assert_eq!(r.schema, RiskSchema::Rba);
        assert_eq!(r.objects.iter().map(|o| o.score).collect::<Vec<_>>(), [56.0, 30.0]);
        assert_eq!(r.threats.len(), 1);
        assert_eq!(r.fields(), ["user", "dest", "src"]);
    }

    #[test]
    fn legacy_risk_object_form() {
        let r = risk("tags:\n  risk_object: dest\n  risk_object_type: system\n  risk_score: 25\n");
        assert_eq!(r.schema, RiskSchema::Legacy);
        assert_eq!(r.objects, [RiskObject { field: "dest".into(), kind: "system".into(), score: 25.0 }]);
        assert_eq!(risk("name: x\n").schema, RiskSchema::None);
    }

    #[test]
    fn message_tokens_are_dollar_delimited_names() {
        assert_eq!(message_tokens("a $x$ b $y.z$ and $ 5 $"), ["x", "y.z"]);
        assert_eq!(message_tokens("costs $5 only"), Vec::<String>::new());
    }
}
