//! `spelunk test`, contentctl's unit test offline, through the binary: PASS, FAIL and SKIP
//! with their reasons, the closing line, exit codes and the JUnit report; and the corpus
//! without an attack_data checkout (needs ../shared).

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const EVENTS: &str = r#"{"eventTime":"2024-06-01T08:00:00Z","eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com","sourceIPAddress":"203.0.113.9","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"}}
"#;

/// A detection file whose search and risk are given, testing with `data` (sourcetype aws:cloudtrail).
fn detection(name: &str, search: &str, observables: &str, data: &str) -> String {
    format!(
        "name: {name}\nid: x\ntype: TTP\nstatus: production\nsearch: '{search}'\ntags:\n  impact: 50\n  confidence: 50\n  risk_score: 25\n  observable:\n{observables}tests:\n- name: True Positive Test\n  attack_data:\n  - data: {data}\n    sourcetype: aws:cloudtrail\n    source: aws_cloudtrail\n"
    )
}

const USER_VICTIM: &str = "  - name: user_arn\n    type: User\n    role: [Victim]\n  - name: src_ip\n    type: IP Address\n    role: [Attacker]\n";

/// A content directory with one detection per outcome, and a fake attack_data checkout
/// holding a Git LFS pointer, under a directory of the test's own (tests run side by side).
fn content(test: &str) -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test_runner").join(test);
    let _ = std::fs::remove_dir_all(&root);
    let det = root.join("content/detections/cloud");
    std::fs::create_dir_all(&det).unwrap();
    std::fs::create_dir_all(root.join("content/data")).unwrap();
    std::fs::write(root.join("content/data/trail.ndjson"), EVENTS).unwrap();
    let lfs = root.join("attack_data/datasets/attack_techniques/T1562/trail");
    std::fs::create_dir_all(&lfs).unwrap();
    std::fs::write(
        lfs.join("cloudtrail.json"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 42\n",
    )
    .unwrap();
    let url = "https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/attack_techniques/T1562/trail/cloudtrail.json";
    let files = [
        (
            "a_pass.yml",
            detection(
                "A Pass",
                "`cloudtrail` eventName=DeleteTrail | table _time user_arn src_ip",
                USER_VICTIM,
                "data/trail.ndjson",
            ),
        ),
        (
            "b_no_results.yml",
            detection(
                "B No Results",
                "`cloudtrail` eventName=StopLogging | table user_arn src_ip",
                USER_VICTIM,
                "data/trail.ndjson",
            ),
        ),
        (
            "c_risk_field_missing.yml",
            detection(
                "C Risk Field Missing",
                "`cloudtrail` eventName=DeleteTrail | table src_ip",
                USER_VICTIM,
                "data/trail.ndjson",
            ),
        ),
        (
            "d_lfs.yml",
            detection("D LFS", "`cloudtrail` eventName=DeleteTrail | table user_arn src_ip", USER_VICTIM, url),
        ),
        (
            "e_unsupported.yml",
            detection(
                "E Unsupported",
                "`cloudtrail` | transaction user_arn | table user_arn src_ip",
                USER_VICTIM,
                "data/trail.ndjson",
            ),
        ),
        (
            "f_missing.yml",
            detection("F Missing", "`cloudtrail` | table user_arn src_ip", USER_VICTIM, "data/nothing.ndjson"),
        ),
    ];
    for (f, text) in files {
        std::fs::write(det.join(f), text).unwrap();
    }
    (root.join("content"), root.join("attack_data"))
}

#[test]
fn pass_fail_and_skip_with_reasons_junit_and_exit_code() {
    let (content, attack) = content("pass_fail_and_skip");
    let junit = content.join("../report.xml");
    let o = spelunk(&[
        "test",
        "--content",
        content.to_str().unwrap(),
        "--attack-data",
        attack.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "PASS  A Pass (1 result)");
    assert_eq!(lines[1], "FAIL  B No Results: no results");
    assert_eq!(lines[2], "FAIL  C Risk Field Missing: risk object field `user_arn` is empty in 1 of 1 results");
    assert!(
        lines[3].starts_with("SKIP  D LFS: dataset is a Git LFS pointer: ") && lines[3].contains("git lfs pull"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with("SKIP  E Unsupported: unsupported: ") && lines[4].contains("transaction"),
        "{}",
        lines[4]
    );
    assert!(
        lines[5].starts_with("SKIP  F Missing: dataset missing: ") && lines[5].ends_with("not found"),
        "{}",
        lines[5]
    );
    assert_eq!(lines[6], "1 passed, 2 failed, 3 skipped");
    assert_eq!(o.status.code(), Some(1), "a failure is exit 1");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"tests="6" failures="2" skipped="3""#), "{xml}");
    assert!(xml.contains(r#"<testcase classname="TTP" name="A Pass"/>"#));

    // Only the passing one: exit 0. Without the checkout, the URL dataset is missing.
    let o = spelunk(&["test", "--content", content.to_str().unwrap(), "--name", "a *"]);
    assert_eq!((stdout(&o).lines().last().unwrap(), o.status.code()), ("1 passed, 0 failed, 0 skipped", Some(0)));
    let o = spelunk(&["test", "--content", content.to_str().unwrap(), "--name", "D*"]);
    assert!(stdout(&o).contains("SKIP  D LFS: dataset missing: https://") && stdout(&o).contains("--attack-data DIR"));
    assert_eq!(o.status.code(), Some(0), "skips are not failures");
}

#[test]
fn verdicts_as_csv_and_ndjson_rows_with_the_counts_on_stderr() {
    let (content, attack) = content("verdicts_as_csv_and_ndjson");
    let args = ["test", "--content", content.to_str().unwrap(), "--attack-data", attack.to_str().unwrap()];
    let o = spelunk(&[&args[..], &["--format", "csv", "--name", "A*", "--name", "B*"]].concat());
    assert_eq!(stdout(&o), "detection,verdict,results,reason\nA Pass,pass,1,\nB No Results,fail,,no results\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end(), "1 passed, 1 failed, 0 skipped");
    assert_eq!(o.status.code(), Some(1), "the exit code does not depend on the format");
    let o = spelunk(&[&args[..], &["-f", "ndjson", "--name", "A*"]].concat());
    assert_eq!(stdout(&o), "{\"detection\":\"A Pass\",\"verdict\":\"pass\",\"results\":\"1\"}\n");
}

#[test]
fn data_given_on_the_command_line_replaces_the_tests_datasets() {
    let (content, _) = content("data_on_the_command_line");
    let data = content.join("data/trail.ndjson");
    let o =
        spelunk(&["test", "--content", content.to_str().unwrap(), "--name", "D*", "--data", data.to_str().unwrap()]);
    assert_eq!(stdout(&o).lines().next().unwrap(), "PASS  D LFS (1 result)");
}

#[test]
fn the_corpus_without_attack_data_skips_every_cloudtrail_detection() {
    let Some(corpus) = common::security_content("the_corpus_without_attack_data_skips_every_cloudtrail_detection")
    else {
        return;
    };
    // The 76 active CloudTrail detections, selected as tests/corpus_detections.rs does.
    let mut names = Vec::new();
    for f in spelunk::content::find_yaml_files(&corpus.join("detections/cloud")).unwrap() {
        let d = spelunk::content::read_detection(&f).unwrap();
        let tstats = d.search.contains("tstats") && d.data_sources.iter().any(|s| s == "AWS CloudTrail");
        if d.status != "deprecated" && (d.search.contains("`cloudtrail`") || tstats) {
            names.push(d.name);
        }
    }
    assert_eq!(names.len(), 76);
    let o = spelunk(&["test", "--content", corpus.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let (mut missing, mut untested) = (0, 0);
    for name in &names {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("SKIP  {name}: ")))
            .unwrap_or_else(|| panic!("no SKIP line for {name}"));
        if line.ends_with(": no tests with datasets") {
            untested += 1;
        } else {
            assert!(line.contains(": dataset missing: https://") && line.contains("--attack-data DIR"), "{line}");
            missing += 1;
        }
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "76 CloudTrail detections: {missing} skipped for a missing dataset, {untested} without tests"
    );
    assert!(missing >= 60, "{missing}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("0 passed, 0 failed, ") && last.ends_with(" skipped"), "{last}");
}
