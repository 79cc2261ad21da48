//! `spelunk lint`, run as a user runs it: the real binary over a content tree written by
//! the test, its output lines and exit code.

mod common;

use std::path::PathBuf;

use common::{scratch, spelunk, text, write};

/// A v4 detection (security_content's format at the corpus's commit).
fn detection(name: &str, search: &str, message: &str, risk_score: u32) -> String {
    format!(
        "name: {name}
id: 00000000-0000-0000-0000-000000000000
status: production
type: TTP
search: '{search}'
tags:
  confidence: 80
  impact: 70
  message: {message}
  observable:
  - name: user_arn
    type: User
    role:
    - Victim
  - name: src_ip
    type: IP Address
    role:
    - Attacker
  risk_score: {risk_score}
"
    )
}

const CLEAN_SEARCH: &str = "`cloudtrail` eventName=DeleteTrail | stats count min(_time) as firstTime by user_arn src_ip | `security_content_ctime(firstTime)` | `my_rename` | `clean_filter`";

fn content_with_clean_detection(name: &str) -> PathBuf {
    let dir = scratch(name);
    write(&dir.join("macros/my_rename.yml"), "name: my_rename\ndefinition: rename count as n\n");
    write(
        &dir.join("detections/cloud/clean.yml"),
        &detection("Clean", CLEAN_SEARCH, "Trail deleted by $user_arn$ from $src_ip$ ($n$ times)", 56),
    );
    dir
}

#[test]
fn a_clean_content_tree_exits_0() {
    let dir = content_with_clean_detection("lint_clean");
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout), "1 detection, 0 findings (0 macros, 0 risk-score, 0 fields, 0 risk-objects)\n");
}

#[test]
fn each_kind_of_finding_is_one_line_with_file_and_line_then_a_summary() {
    let dir = content_with_clean_detection("lint_faulty");
    let det = dir.join("detections");
    // Line 5 is `search:`; the unknown macros are written on it.
    write(
        &det.join("cloud/bad_macro.yml"),
        &detection(
            "Bad Macro",
            "`cloudtrail_typo` eventName=X | `enrich(user_arn)` | stats count by user_arn src_ip | `bad_macro_filter`",
            "by $user_arn$",
            56,
        ),
    );
    // Line 19 is `risk_score:`.
    write(&det.join("cloud/bad_score.yml"), &detection("Bad Score", CLEAN_SEARCH, "by $user_arn$", 80));
    // Line 9 is `message:`: $eventName$ is not kept by stats; `count` was renamed to `n`.
    write(
        &det.join("endpoint/bad_token.yml"),
        &detection("Bad Token", CLEAN_SEARCH, "$eventName$ by $user_arn$, $count$ times", 56),
    );
    // Line 15 is the src_ip observable, which the table drops.
    write(
        &det.join("endpoint/bad_object.yml"),
        &detection("Bad Object", "`cloudtrail` | stats count by user_arn src_ip | table user_arn count", "m", 56),
    );
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let d = det.display();
    assert_eq!(
        lines,
        [
            format!("{d}/cloud/bad_macro.yml:5: [macros] unknown macro `cloudtrail_typo`"),
            format!("{d}/cloud/bad_macro.yml:5: [macros] unknown macro `enrich(1)`"),
            format!(
                "{d}/cloud/bad_score.yml:19: [risk-score] `risk_score` is 80, but impact x confidence / 100 = 70 x 80 / 100 = 56"
            ),
            format!(
                "{d}/endpoint/bad_object.yml:15: [fields] threat object field `src_ip` is not among the search's final fields (user_arn, count)"
            ),
            format!(
                "{d}/endpoint/bad_token.yml:9: [fields] message token `$eventName$` is not among the search's final fields (user_arn, src_ip, firstTime, n)"
            ),
            format!(
                "{d}/endpoint/bad_token.yml:9: [fields] message token `$count$` is not among the search's final fields (user_arn, src_ip, firstTime, n)"
            ),
            "5 detections, 6 findings (2 macros, 1 risk-score, 3 fields, 0 risk-objects)".to_string(),
        ]
    );
}

#[test]
fn csv_and_ndjson_have_one_row_per_finding() {
    let dir = content_with_clean_detection("lint_csv");
    write(&dir.join("detections/bad.yml"), &detection("Bad", CLEAN_SEARCH, "by $user_arn$", 10));
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "path,line,detection,check,message");
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains("detections/bad.yml,19,Bad,risk-score,"), "{csv}");
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap(), "--format", "ndjson"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!((v["check"].as_str(), v["line"].as_str()), (Some("risk-score"), Some("19")));
}

#[test]
fn json_output_has_the_findings_and_counts() {
    let dir = content_with_clean_detection("lint_json");
    write(&dir.join("detections/bad.yml"), &detection("Bad", CLEAN_SEARCH, "by $user_arn$", 10));
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["detections"], 2);
    assert_eq!(v["counts"]["risk-score"], 1);
    assert_eq!(v["counts"]["fields"], 0);
    let f = &v["findings"][0];
    assert_eq!(f["check"], "risk-score");
    assert_eq!(f["detection"], "Bad");
    assert_eq!(f["line"], 19);
    assert!(f["path"].as_str().unwrap().ends_with("detections/bad.yml"));
}

#[test]
fn a_file_that_is_not_a_detection_is_a_parse_finding() {
    let dir = content_with_clean_detection("lint_unreadable");
    write(&dir.join("detections/no_search.yml"), "name: NoSearch\n");
    let out = spelunk(&["lint", "--content", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let p = dir.join("detections/no_search.yml");
    assert_eq!(
        lines,
        [
            format!("{}:1: [parse] no `search:` in this detection", p.display()),
            "2 detections, 1 finding (0 macros, 0 risk-score, 0 fields, 0 risk-objects, 1 parse)".to_string(),
        ]
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lint_no_such_dir");
    let out = spelunk(&["lint", "--content", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read"), "{}", text(&out.stderr));
    assert_eq!(spelunk(&["lint"]).status.code(), Some(2), "--content is required");
}

#[test]
fn the_projects_own_content_is_clean() {
    let out = spelunk(&["lint", "--content", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
