//! The REPL binary driven through a pseudo-terminal, as a person uses it: a search and its
//! table, a search over several lines, a syntax error with its caret and the prompt coming
//! back, a wide table fitted to the terminal, a field name completed with Tab, Ctrl-C during
//! a long search, `.fields`, then Ctrl-D, and the history file.
//!
//! Every wait is for text the REPL prints (with a generous time limit), never a measured
//! time; escape codes are stripped from what is read.

#![cfg(unix)]

mod common;

use std::process::Command;

use rexpect::reader::Options;
use rexpect::session::{spawn_with_options, PtySession};

const PROMPT: &str = "spelunk> ";

/// Generous: a debug build on a busy machine.
const TIMEOUT_MS: u64 = 120_000;

fn start(history: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spelunk"));
    cmd.args(["repl", "--data", "datasets/console_login_without_mfa/"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("TERM", "xterm")
        .env("SPELUNK_HISTORY", history);
    let opts = Options::new().timeout_ms(Some(TIMEOUT_MS)).strip_ansi_escape_codes(true);
    spawn_with_options(cmd, opts).expect("the REPL starts in a pseudo-terminal")
}

/// Types `text` and Enter (a carriage return, as a terminal sends it).
fn enter(p: &mut PtySession, text: &str) {
    p.send(text).unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
}

/// Everything up to the next prompt. (While a line is edited the editor redraws it with
/// its prompt, so each step first waits for what the step prints, with [`upto`].)
fn until_prompt(p: &mut PtySession) -> String {
    p.exp_string(PROMPT).unwrap_or_else(|e| panic!("no prompt: {e}"))
}

/// Everything up to `needle` (ASCII), and the needle, as text.
fn upto(p: &mut PtySession, needle: &str) -> String {
    let before = p.exp_string(needle).unwrap_or_else(|e| panic!("{needle:?} never came: {e}"));
    utf8(&(before + needle))
}

/// The reader keeps each byte as a char; the terminal's text is UTF-8 (`…`, the caret).
fn utf8(read: &str) -> String {
    let bytes: Vec<u8> = read.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn repl_session_through_a_pseudo_terminal() {
    let dir = common::scratch("repl_pty");
    let history = dir.join("history");
    let mut p = start(&history);
    let banner = until_prompt(&mut p);
    assert!(banner.contains("6 events loaded"), "{banner}");

    // A search and its table.
    enter(&mut p, "eventName=ConsoleLogin | stats count by sourceIPAddress");
    let out = upto(&mut p, "(3 results)");
    until_prompt(&mut p);
    assert!(out.contains("sourceIPAddress  count"), "{out}");
    assert!(out.contains("198.51.100.17    2"), "{out}");
    assert!(out.contains("203.0.113.201    3"), "{out}");
    assert!(out.contains("(3 results)"), "{out}");

    // A search over three lines: the first ends with `|`, the second leaves a quote open.
    p.send("| makeresults count=2 |\r").unwrap();
    p.send(" eval greeting=\"multi\r").unwrap();
    p.send("line\" | eval n=mvcount(split(greeting, \" \"))\r").unwrap();
    p.flush().unwrap();
    let out = upto(&mut p, "(2 results)");
    until_prompt(&mut p);
    assert!(out.contains("multi\\nline"), "the value with its line break, escaped: {out}");

    // A syntax error: the caret, then the prompt again.
    enter(&mut p, "eventName=X | stats count by");
    // The message, then the search quoted with the caret and its label under the `by`.
    upto(&mut p, "expected a field name after `by`");
    let out = upto(&mut p, "expected a field name after `by`");
    until_prompt(&mut p);
    assert!(out.contains("[search:1:29]"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let source = lines.iter().position(|l| l.contains("eventName=X | stats count by")).expect("the search is quoted");
    let caret = lines[source + 1];
    let column = |l: &str, c: char| l.chars().position(|x| x == c);
    assert_eq!(
        column(caret, '┬').map(|k| k as isize - column(lines[source], 'e').unwrap() as isize),
        Some(28),
        "the caret under the end of `by`: {out}"
    );

    // A wide table fits the terminal (COLUMNS=100): long cells are cut with `…`.
    enter(&mut p, "eventName=ConsoleLogin | table _time userIdentity.arn userAgent sourceIPAddress");
    let out = upto(&mut p, "(6 results)");
    until_prompt(&mut p);
    let table: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("_time")).collect();
    assert!(table.len() >= 8, "{out}");
    assert!(table.iter().all(|l| l.trim_end().chars().count() <= 100), "{out}");
    assert!(table[2].contains('…'), "a cut cell: {out}");

    // Tab completes a dotted field name of the loaded data.
    p.send("eventName=ConsoleLogin | stats count by additionalEventData.MF").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("MFAUsed").unwrap();
    enter(&mut p, "");
    let out = upto(&mut p, "(2 results)");
    until_prompt(&mut p);
    assert!(out.contains("additionalEventData.MFAUsed  count"), "{out}");

    // Ctrl-C during a long search cancels it and keeps the session.
    enter(
        &mut p,
        "| makeresults count=2000000 | streamstats count as n | eval y=n.\"-\".upper(tostring(n)), z=replace(y, \"1\", \"one\") | stats dc(z)",
    );
    // The spinner shows the search is running (it appears after a second).
    p.exp_string("searching").unwrap();
    p.send_control('c').unwrap();
    upto(&mut p, "cancelled");
    until_prompt(&mut p);
    enter(&mut p, "| makeresults | eval still=\"here\"");
    let out = upto(&mut p, "(1 result)");
    until_prompt(&mut p);
    assert!(out.contains("_time                          still"), "{out}");

    // .fields: events with the field, distinct values, the most common values.
    enter(&mut p, ".fields MFAUsed");
    let out = upto(&mut p, "(1 result)");
    until_prompt(&mut p);
    assert!(out.contains("field                        count  distinct_count  values"), "{out}");
    assert!(out.contains("additionalEventData.MFAUsed  6      2               No (4)"), "{out}");
    assert!(out.contains("Yes (2)"), "{out}");

    // Ctrl-D leaves, with exit code 0.
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(status.starts_with("Exited(") && status.ends_with(", 0)"), "{status}");

    // The history file has the searches, the multi-line one included.
    let h = std::fs::read_to_string(&history).expect("the history was written");
    assert!(h.contains("stats count by sourceIPAddress"), "{h}");
    assert!(h.contains("makeresults count=2"), "{h}");
    assert!(h.contains(".fields MFAUsed"), "{h}");
}
