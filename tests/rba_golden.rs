//! Golden tests of risk-based alerting, through the binary: the four detections of
//! tests/golden/rba/detections (one per risk schema: v4 tags, an rba block, the older
//! risk_object form, and a Hunting detection that makes no risk) over the golden events.
//! Expected files in tests/golden/rba/expected/ were reviewed by hand:
//! - detect.csv: every result with its detection's name;
//! - risk_events.ndjson: one risk event per risk-object value, scores 80 (100 x 80 / 100),
//!   70 and 30 (the rba block's own), 35 (risk_object form); none for the Hunting one;
//! - risk.csv: bob's two events within 24 hours total 115, over 100, flagged.
//!
//! `SPELUNK_BLESS=1 cargo test --test rba_golden` rewrites them; review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn spelunk(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn check(name: &str, got: &str) {
    let path = root().join("tests/golden/rba/expected").join(name);
    if std::env::var_os("SPELUNK_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{} differs (SPELUNK_BLESS=1 rewrites it)", path.display());
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rba_golden");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn detect_risk_events_and_risk_per_object() {
    let events = scratch("risk_events.ndjson");
    let notables = scratch("notables.ndjson");
    let content = ["--content", "tests/golden/rba", "--data", "tests/golden/cloudtrail.ndjson"];
    let (ev, no) = (events.to_str().unwrap(), notables.to_str().unwrap());
    let detect = spelunk(&[&["detect"], &content[..], &["-f", "csv", "--risk-events", ev, "--notables", no]].concat());
    check("detect.csv", &detect);
    let risk_events = std::fs::read_to_string(&events).unwrap();
    check("risk_events.ndjson", &risk_events);
    // One notable per result (four detections, one result each).
    assert_eq!(std::fs::read_to_string(&notables).unwrap().lines().count(), 4);

    let risk = spelunk(&["risk", "--from", events.to_str().unwrap(), "-f", "csv"]);
    check("risk.csv", &risk);
    // Running the detections directly gives the same totals.
    assert_eq!(spelunk(&[&["risk"], &content[..], &["-f", "csv"]].concat()), risk);
    // A lower threshold flags more; a one-minute window splits bob's events.
    let low = spelunk(&["risk", "--from", events.to_str().unwrap(), "-f", "csv", "--threshold", "50"]);
    assert_eq!(low.lines().filter(|l| l.ends_with(",yes")).count(), 2, "{low}");
    let short = spelunk(&["risk", "--from", events.to_str().unwrap(), "-f", "csv", "--window", "1m"]);
    assert!(short.lines().any(|l| l.starts_with("arn:aws:iam::111122223333:user/bob,user,80,1,")), "{short}");
}

#[test]
fn every_type_makes_risk_when_asked() {
    let events = scratch("all_types.ndjson");
    spelunk(&[
        "detect",
        "--content",
        "tests/golden/rba",
        "--data",
        "tests/golden/cloudtrail.ndjson",
        "--all-types",
        "--risk-events",
        events.to_str().unwrap(),
        "-f",
        "json",
    ]);
    let text = std::fs::read_to_string(&events).unwrap();
    assert_eq!(text.lines().count(), 5, "the Hunting detection adds one: {text}");
    assert!(text.contains(r#""search_name":"Golden Describe Hunting""#) && text.contains(r#""risk_score":1.0"#));
}

#[test]
fn detect_json_and_ndjson_hold_the_csv_rows_in_the_same_order() {
    let content = ["detect", "--content", "tests/golden/rba", "--data", "tests/golden/cloudtrail.ndjson"];
    let csv = spelunk(&[&content[..], &["-f", "csv"]].concat());
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let name_at = header.iter().position(|h| *h == "search_name").unwrap();
    let csv_names: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(name_at).unwrap()).collect();
    assert_eq!(csv_names.len(), 4, "{csv}");

    let json: serde_json::Value = serde_json::from_str(&spelunk(&[&content[..], &["-f", "json"]].concat())).unwrap();
    let rows = json.as_array().unwrap();
    let ndjson = spelunk(&[&content[..], &["-f", "ndjson"]].concat());
    let lines: Vec<serde_json::Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows, &lines, "the JSON array holds the NDJSON lines");
    let json_names: Vec<&str> = rows.iter().map(|r| r["search_name"].as_str().unwrap()).collect();
    assert_eq!(json_names, csv_names);
}

#[test]
fn risk_events_are_counted_whether_kept_or_not_and_timings_name_each_phase() {
    let kept = scratch("counted.ndjson");
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
            .current_dir(root())
            .args(["detect", "--content", "tests/golden/rba", "--data", "tests/golden/cloudtrail.ndjson", "-f", "csv"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let with_file = run(&["--risk-events", kept.to_str().unwrap()]);
    let written = std::fs::read_to_string(&kept).unwrap().lines().count();
    assert_eq!(written, 4);
    let summary = "4 detections over 11 events: 4 fired (4 results, 4 risk events), 0 silent, 0 failed";
    assert!(with_file.contains(summary), "{with_file}");
    // Not asked to write them, the run does not keep them, but still counts them.
    let timed = run(&["--timings"]);
    assert!(timed.contains(summary), "{timed}");
    let phases = ["load content and events", "shared passes", "detections", "print the results"];
    for p in phases {
        assert!(timed.lines().any(|l| l.contains(p)), "{p}: {timed}");
    }
    assert!(timed.contains("each of the 4 detections on its own"), "{timed}");
    if cfg!(target_os = "linux") {
        let load = timed.lines().find(|l| l.contains("load content and events")).unwrap();
        assert!(load.contains(" MB own, ") && load.ends_with(" MB mapped from files]"), "{load}");
    }
}
