//! `spelunk repl` without a terminal: searches read from standard input one after another
//! (a search still goes on over lines while it ends with `|`), results on stdout, errors on
//! stderr, exit 0 at the end of the input. (tests/repl_pty.rs drives it through a terminal.)

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the REPL over `input`, its history in the scratch directory `name`.
fn repl(name: &str, args: &[&str], input: &str) -> std::process::Output {
    let history = common::scratch(name).join("history");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .arg("repl")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("SPELUNK_HISTORY", &history)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spelunk runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn searches_and_dot_commands_from_standard_input() {
    let input = "\
.format csv
eventName=ConsoleLogin |
  stats count by sourceIPAddress
.format table
.explain `cloudtrail` errorCode!=success | stats count by user_arn
eventName=X | stats count by
.fields MFAUsed
.nonsense
.rows 2
| makeresults count=5 | eval n=1 | table n
";
    let o = repl("cli_repl_stdin", &["--data", "datasets/console_login_without_mfa/"], input);
    let (out, err) = (common::text(&o.stdout), common::text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.starts_with("sourceIPAddress,count\n198.51.100.17,2\n198.51.100.44,1\n203.0.113.201,3\n"), "{out}");
    assert!(
        out.contains(
            "expanded: sourcetype=aws:cloudtrail errorCode!=success | stats count by user_arn\nplan:\n  \
             1. search sourcetype=aws:cloudtrail errorCode!=success\n  2. stats count by user_arn\n"
        ),
        "{out}"
    );
    assert!(out.contains("additionalEventData.MFAUsed  6      2               No (4)\n"), "{out}");
    assert!(err.contains("6 events loaded"), "{err}");
    assert!(err.contains("expected a field name after `by`"), "{err}");
    assert!(err.contains("error: unknown command .nonsense; .help lists them"), "{err}");
    assert!(!out.contains("spelunk> "), "no prompt without a terminal: {out}");
    assert!(out.ends_with("n\n-\n1\n1\n… 3 more rows (use .format csv or .save FILE)\n(5 results)\n"), "{out}");
}

#[test]
fn save_writes_the_last_results_by_extension() {
    let dir = common::scratch("cli_repl_save_files");
    let (csv, json) = (dir.join("r.csv"), dir.join("r.ndjson"));
    let input = format!(
        ".save {}\n| makeresults count=2 | eval n=1 | table n\n.save {}\n.save {}\n",
        csv.display(),
        csv.display(),
        json.display()
    );
    let o = repl("cli_repl_save", &[], &input);
    let (out, err) = (common::text(&o.stdout), common::text(&o.stderr));
    assert!(err.contains("error: no results yet: run a search first"), "{err}");
    assert!(err.contains("2 results saved to "), "{err}");
    assert_eq!(out, "n\n-\n1\n1\n(2 results)\n", "only results on stdout");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "n\n1\n1\n");
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "{\"n\":\"1\"}\n{\"n\":\"1\"}\n");
}

#[test]
fn standard_input_cannot_be_the_data() {
    let o = repl("cli_repl_dash", &["--data", "-"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(common::text(&o.stderr).contains("give the data as files or directories"));
}
