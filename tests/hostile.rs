//! Hostile queries (issue 4): each one either finishes or stops with an error naming the
//! limit it hit, through the real binary. None hangs, none exhausts memory. No timings are
//! asserted; a regression would show as a test that never ends.

use std::path::PathBuf;
use std::process::{Command, Output};

fn spelunk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spelunk")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A data file in the test's scratch directory.
fn data(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn makeresults_of_a_hundred_million_stops_at_the_row_limit() {
    let o = spelunk(&["search", "| makeresults count=100000000"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("spelunk::limit") && err.contains("--max-rows"), "{err}");
    // The limit is configurable: within it, the search runs.
    let o = spelunk(&["search", "| makeresults count=1000 | stats count", "--max-rows", "1000", "-f", "csv"]);
    assert_eq!(text(&o).0, "count\n1000\n");
}

#[test]
fn a_backtracking_regex_runs_in_linear_time() {
    // `(a+)+$` against "aaaa...b" takes exponential time in a backtracking engine; spelunk's
    // regexes are finite automata (the `regex` crate), so this finishes at once.
    let long = "a".repeat(50_000) + "b";
    let path = data("redos.ndjson", &format!("{{\"eventTime\":\"2024-01-01T00:00:00Z\",\"s\":\"{long}\"}}\n"));
    let o = spelunk(&[
        "search",
        r#"* | rex field=s "(?<m>(a+)+$)" | eval matched=if(isnull(m), "no", "yes") | where match(s, "^(a|aa)+$") OR matched="no" | table matched"#,
        "--data",
        path.to_str().unwrap(),
        "-f",
        "csv",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out, "matched\nno\n");
}

#[test]
fn a_regex_too_large_to_compile_is_an_error_pointing_at_it() {
    let o = spelunk(&["search", r#"| makeresults | rex field=_raw "(?<x>(a{1000}){1000})""#]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("spelunk::regex") && err.contains("(?<x>(a{1000}){1000})"), "{err}");
}

#[test]
fn mvexpand_of_a_huge_field_stops_at_the_row_limit() {
    let values: Vec<String> = (0..200_000).map(|k| format!("\"v{k}\"")).collect();
    let path =
        data("huge.ndjson", &format!("{{\"eventTime\":\"2024-01-01T00:00:00Z\",\"f\":[{}]}}\n", values.join(",")));
    let p = path.to_str().unwrap();
    let o = spelunk(&["search", "* | mvexpand f{} | stats count", "--data", p, "--max-rows", "100000"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("200000 rows, more than the limit of 100000"), "{err}");
    // Under the default limit (ten million) it finishes.
    let o = spelunk(&["search", "* | mvexpand f{} | stats count", "--data", p, "-f", "csv"]);
    assert_eq!(text(&o).0, "count\n200000\n");
}

#[test]
fn a_join_of_the_data_with_itself_stops_at_the_row_limit() {
    // 400 events with one key: joining every match (max=0) would make 160,000 rows.
    let lines: String = (0..400)
        .map(|k| format!("{{\"eventTime\":\"2024-01-01T00:{:02}:{:02}Z\",\"k\":\"same\"}}\n", k / 60, k % 60))
        .collect();
    let path = data("self_join.ndjson", &lines);
    let p = path.to_str().unwrap();
    let o = spelunk(&["search", "* | join max=0 k [search *] | stats count", "--data", p, "--max-rows", "100000"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("`join` would make 160000 rows"), "{err}");
    // With Splunk's default max=1 each row joins once.
    let o = spelunk(&["search", "* | join k [search *] | stats count", "--data", p, "-f", "csv"]);
    assert_eq!(text(&o).0, "count\n400\n");
}
