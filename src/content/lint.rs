//! `spelunk lint`: static checks of detection content that Splunk itself does not make.
//!
//! | check | what |
//! |---|---|
//! | `macros` | every macro the search uses is defined (a missing `<name>_filter` is `search *`) |
//! | `risk-score` | v4 content: the stored `tags.risk_score` is impact x confidence / 100 |
//! | `fields` | every risk object, threat object and `$token$` of the risk message is among the search's final fields ([`output_fields`]) |
//! | `risk-objects` | a detection whose type creates risk (TTP, Anomaly) names a risk object |
//! | `parse` | the file reads and its search parses (what `spelunk parse --content` checks) |
//!
//! The field check is conservative: when the search's final fields are open (its results
//! may hold any event field), a field counts as made unless the search removed it by
//! name. A search with an unknown macro is not field-checked (the macro could make
//! anything).

use std::fmt;
use std::path::PathBuf;

use super::detection::Detection;
use super::ContentError;
use crate::macros::{MacroDef, MacroTable};
use crate::syntax::output_fields::{output_fields, FieldSet};

/// The kinds of finding, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    Parse,
    Macros,
    RiskScore,
    Fields,
    RiskObjects,
}

impl Check {
    pub const ALL: [Check; 5] = [Check::Macros, Check::RiskScore, Check::Fields, Check::RiskObjects, Check::Parse];

    /// The name shown in brackets: `macros`, `risk-score`, `fields`, `risk-objects`, `parse`.
    pub fn name(self) -> &'static str {
        match self {
            Check::Parse => "parse",
            Check::Macros => "macros",
            Check::RiskScore => "risk-score",
            Check::Fields => "fields",
            Check::RiskObjects => "risk-objects",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem in one detection file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: PathBuf,
    /// 1-based line in the file: of the macro invocation, the key concerned (`risk_score:`,
    /// the risk object's `name:`/`field:`, `message:`, `type:`), or of `search:`.
    pub line: usize,
    /// The detection's name (the file stem when the file could not be read).
    pub detection: String,
    pub check: Check,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: [{}] {}", self.path.display(), self.line, self.check, self.message)
    }
}

/// A file that could not be read as a detection, as a `parse` finding.
pub fn read_error(e: &ContentError) -> Finding {
    Finding {
        path: e.path.clone(),
        line: e.line.unwrap_or(1),
        detection: e.path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        check: Check::Parse,
        message: e.message.clone(),
    }
}

/// Every finding of every detection, grouped by detection in the order given.
pub fn lint(detections: &[Detection], macros: &MacroTable) -> Vec<Finding> {
    detections.iter().flat_map(|d| lint_detection(d, macros)).collect()
}

/// The findings of one detection, by line.
pub fn lint_detection(d: &Detection, macros: &MacroTable) -> Vec<Finding> {
    let text = &d.file.text;
    let finding = |line: usize, check: Check, message: String| Finding {
        path: d.file.path.clone(),
        line,
        detection: d.file.name.clone(),
        check,
        message,
    };
    let mut out = Vec::new();
    let search_line = key_line(text, "search", 0).unwrap_or(1);

    // macros (and parse): compile; each unknown macro is reported and stood in for by
    // `search *` so that the rest of the search is still read.
    let mut table: Option<MacroTable> = None;
    let mut compiled = None;
    for _ in 0..64 {
        match crate::compile(&d.file.search, table.as_ref().unwrap_or(macros)) {
            Ok(q) => {
                compiled = Some(q);
                break;
            }
            Err(diag) => {
                let (line, _) = d.file.search_position(diag.span.start);
                if diag.code == "spelunk::macro::unknown" {
                    out.push(finding(line, Check::Macros, diag.message.clone()));
                    if let Some((name, arity)) = first_quoted(&diag.message).and_then(parse_key) {
                        let t = table.get_or_insert_with(|| macros.clone());
                        t.insert(MacroDef {
                            name,
                            args: (1..=arity).map(|k| format!("arg{k}")).collect(),
                            definition: "search *".into(),
                            iseval: false,
                            origin: "lint stand-in".into(),
                        });
                        continue;
                    }
                } else if diag.code.starts_with("spelunk::macro::") {
                    out.push(finding(line, Check::Macros, diag.message.clone()));
                } else if table.is_none() {
                    // A syntax error that is not caused by a stand-in.
                    out.push(finding(line, Check::Parse, diag.message.clone()));
                }
                break;
            }
        }
    }

    // risk-score (v4 content).
    let risk = &d.risk;
    if let (Some(impact), Some(confidence)) = (risk.impact, risk.confidence) {
        let want = impact * confidence / 100.0;
        let line = key_line(text, "risk_score", 2).or_else(|| key_line(text, "impact", 2)).unwrap_or(1);
        match risk.stored_score {
            None => out.push(finding(
                line,
                Check::RiskScore,
                format!("no `risk_score`; impact x confidence / 100 = {impact} x {confidence} / 100 = {want}"),
            )),
            Some(stored) if (stored - want).abs() > 1e-9 => out.push(finding(
                line,
                Check::RiskScore,
                format!(
                    "`risk_score` is {stored}, but impact x confidence / 100 = {impact} x {confidence} / 100 = {want}"
                ),
            )),
            Some(_) => {}
        }
    }

    // fields: only over the real search (no stand-ins).
    if let (Some(q), None) = (&compiled, &table) {
        let set = output_fields(&q.pipeline);
        let tokens = risk.message.as_deref().map(super::detection::message_tokens).unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        let roles = risk
            .objects
            .iter()
            .map(|o| (o.field.as_str(), "risk object field"))
            .chain(risk.threats.iter().map(|t| (t.field.as_str(), "threat object field")))
            .chain(tokens.iter().map(|t| (t.as_str(), "message token")));
        for (field, role) in roles {
            if !seen.insert(field.to_string()) || set.contains(field) {
                continue;
            }
            let in_message = role != "message token" && tokens.iter().any(|t| t == field);
            let (what, line) = if role == "message token" {
                (format!("message token `${field}$`"), key_line(text, "message", 2))
            } else {
                let also = if in_message { " (also in the message)" } else { "" };
                (format!("{role} `{field}`{also}"), item_line(text, field))
            };
            out.push(finding(
                line.unwrap_or(search_line),
                Check::Fields,
                format!("{what} is not among the search's final fields ({})", describe(&set)),
            ));
        }
    }

    // risk-objects.
    if ["TTP", "Anomaly"].iter().any(|k| d.kind.eq_ignore_ascii_case(k)) && risk.objects.is_empty() {
        let line = key_line(text, "type", 0).unwrap_or(1);
        let threats = if risk.threats.is_empty() {
            String::new()
        } else {
            format!(
                " (only threat objects: {})",
                risk.threats.iter().map(|t| t.field.as_str()).collect::<Vec<_>>().join(", ")
            )
        };
        out.push(finding(
            line,
            Check::RiskObjects,
            format!("type `{}` creates risk, but the detection names no risk object{threats}", d.kind),
        ));
    }

    out.sort_by_key(|f| f.line);
    out
}

/// The final fields for a message: the names, then the patterns; long lists cut.
fn describe(set: &FieldSet) -> String {
    const MAX: usize = 24;
    let mut items: Vec<String> = set.names().map(str::to_string).collect();
    items.extend(set.patterns().map(|p| format!("{p} (any matching name)")));
    if items.is_empty() {
        return "none".into();
    }
    let more = items.len().saturating_sub(MAX);
    items.truncate(MAX);
    let mut s = items.join(", ");
    if more > 0 {
        s.push_str(&format!(", and {more} more"));
    }
    s
}

/// The text between the first pair of backticks.
fn first_quoted(message: &str) -> Option<&str> {
    let a = message.find('`')?;
    let b = message[a + 1..].find('`')?;
    Some(&message[a + 1..a + 1 + b])
}

/// `name` or `name(N)` to name and argument count.
fn parse_key(key: &str) -> Option<(String, usize)> {
    match key.strip_suffix(')').and_then(|k| k.rsplit_once('(')) {
        Some((name, n)) => Some((name.to_string(), n.parse().ok()?)),
        None => Some((key.to_string(), 0)),
    }
}

/// 1-based line of the first `key:` indented by exactly `indent` spaces.
fn key_line(text: &str, key: &str, indent: usize) -> Option<usize> {
    text.lines()
        .position(|l| {
            let body = l.trim_start_matches(' ');
            l.len() - body.len() == indent && body.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
        })
        .map(|k| k + 1)
}

/// 1-based line of the list item naming `field` as a risk/threat object: `- name: field`
/// (v4 observables), `field: field` (rba), `risk_object: field` (the older form).
fn item_line(text: &str, field: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let body = l.trim_start().trim_start_matches("- ").trim_start();
            ["name:", "field:", "risk_object:"]
                .iter()
                .any(|k| body.strip_prefix(k).is_some_and(|v| v.trim().trim_matches(['\'', '"']) == field))
        })
        .map(|k| k + 1)
}

/// Counts per check, in [`Check::ALL`] order.
pub fn counts(findings: &[Finding]) -> Vec<(Check, usize)> {
    Check::ALL.iter().map(|c| (*c, findings.iter().filter(|f| f.check == *c).count())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A detection from YAML text, written to a temporary file (the reader takes a path),
    /// which is removed once read.
    fn det(name: &str, yaml: &str) -> Detection {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("spelunk-lint-unit-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.yml"));
        std::fs::write(&path, yaml).unwrap();
        let d = crate::content::detection::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        d
    }

    fn v4(search: &str, message: &str, score: &str, observables: &[(&str, &str, &str)]) -> String {
        let mut s = format!(
            "name: Test\nid: x\ntype: TTP\nsearch: '{}'\ntags:\n  confidence: 80\n  impact: 70\n  message: {message}\n  observable:{}\n",
            search.replace('\'', "''"),
            if observables.is_empty() { " []" } else { "" }
        );
        for (n, t, r) in observables {
            s.push_str(&format!("  - name: {n}\n    type: {t}\n    role:\n    - {r}\n"));
        }
        s.push_str(score);
        s
    }

    fn checks(f: &[Finding]) -> Vec<(Check, usize)> {
        f.iter().map(|f| (f.check, f.line)).collect()
    }

    const CLEAN: &str = "`cloudtrail` eventName=X | stats count min(_time) as firstTime by user_arn src_ip | `security_content_ctime(firstTime)` | `test_filter`";

    #[test]
    fn a_clean_detection_has_no_finding() {
        let y = v4(CLEAN, "User $user_arn$ from $src_ip$", "  risk_score: 56\n", &[("user_arn", "User", "Victim")]);
        assert_eq!(lint_detection(&det("clean", &y), &MacroTable::builtin()), []);
    }

    #[test]
    fn unknown_macros_are_each_named() {
        let y = v4(
            "`nope` eventName=X | `also_missing(a, b)` | stats count by user | `test_filter`",
            "m",
            "  risk_score: 56\n",
            &[("user", "User", "Victim")],
        );
        let f = lint_detection(&det("macros", &y), &MacroTable::builtin());
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs, ["unknown macro `nope`", "unknown macro `also_missing(2)`"]);
        assert!(f.iter().all(|f| f.check == Check::Macros && f.line == 4));
    }

    #[test]
    fn risk_score_must_be_impact_times_confidence_over_100() {
        let y = v4(CLEAN, "m", "  risk_score: 50\n", &[("user_arn", "User", "Victim")]);
        let f = lint_detection(&det("score", &y), &MacroTable::builtin());
        assert_eq!(checks(&f), [(Check::RiskScore, 14)]);
        assert_eq!(f[0].message, "`risk_score` is 50, but impact x confidence / 100 = 70 x 80 / 100 = 56");
        let y = v4(CLEAN, "m", "", &[("user_arn", "User", "Victim")]);
        let f = lint_detection(&det("noscore", &y), &MacroTable::builtin());
        assert_eq!(checks(&f), [(Check::RiskScore, 7)], "reported at `impact:`");
        assert!(f[0].message.starts_with("no `risk_score`"), "{}", f[0].message);
    }

    #[test]
    fn fields_not_made_by_the_search_are_reported_with_the_final_fields() {
        let y = v4(
            CLEAN,
            "User $user_arn$ did $eventName$",
            "  risk_score: 56\n",
            &[("user_arn", "User", "Victim"), ("dest", "Hostname", "Victim"), ("src_ip", "IP Address", "Attacker")],
        );
        let f = lint_detection(&det("fields", &y), &MacroTable::builtin());
        assert_eq!(checks(&f), [(Check::Fields, 8), (Check::Fields, 14)]);
        assert_eq!(
            f[0].message,
            "message token `$eventName$` is not among the search's final fields (user_arn, src_ip, count, firstTime)"
        );
        assert!(f[1].message.starts_with("risk object field `dest` is not among"), "{}", f[1].message);
    }

    #[test]
    fn an_open_search_makes_every_field_except_removed_ones() {
        let y = v4(
            "`cloudtrail` eventName=X | fields - src_ip | eval n=1",
            "$anything$ $src_ip$",
            "  risk_score: 56\n",
            &[("user_arn", "User", "Victim")],
        );
        let f = lint_detection(&det("open", &y), &MacroTable::builtin());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.starts_with("message token `$src_ip$`"), "{}", f[0].message);
    }

    #[test]
    fn rba_threat_objects_and_risk_objects_check() {
        let y = "name: R\ntype: Anomaly\nsearch: x | stats count by user\nrba:\n  message: $user$\n  risk_objects: []\n  threat_objects:\n  - field: src\n    type: ip_address\n";
        let f = lint_detection(&det("rba", y), &MacroTable::builtin());
        assert_eq!(checks(&f), [(Check::RiskObjects, 2), (Check::Fields, 8)]);
        assert_eq!(
            f[0].message,
            "type `Anomaly` creates risk, but the detection names no risk object (only threat objects: src)"
        );
        assert!(f[1].message.starts_with("threat object field `src`"), "{}", f[1].message);
        let hunting = y.replace("type: Anomaly", "type: Hunting");
        assert_eq!(checks(&lint_detection(&det("hunting", &hunting), &MacroTable::builtin())), [(Check::Fields, 8)]);
    }

    #[test]
    fn a_syntax_error_is_a_parse_finding() {
        let y = v4("x | stats count by", "m", "  risk_score: 56\n", &[]);
        let f = lint_detection(&det("syntax", &y), &MacroTable::builtin());
        assert_eq!(checks(&f), [(Check::RiskObjects, 3), (Check::Parse, 4)], "by line");
    }
}
