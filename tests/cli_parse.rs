//! `spelunk parse`, run as a user runs it: the real binary, its output and exit code.

mod common;

use common::{scratch, spelunk, text, write};

#[test]
fn prints_the_expanded_search_with_built_in_macros() {
    let out = spelunk(&["parse", "`cloudtrail` eventName=ConsoleLogin | stats count by src_ip | `x_filter`"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "sourcetype=aws:cloudtrail eventName=ConsoleLogin | stats count by src_ip | search *\n"
    );
}

#[test]
fn canonical_form_and_ast() {
    let out = spelunk(&["parse", "--canonical", "--ast", "a=1   b=2 OR c=3 | EVAL x = 1+2*3 | bucket _time span=1h"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("a=1 b=2 OR c=3 | eval x=1 + 2 * 3 | bin span=1h _time"));
    assert!(stdout.contains("Tstats") || stdout.contains("Bin("), "the tree is printed:\n{stdout}");
}

#[test]
fn a_syntax_error_is_shown_with_a_caret_on_stderr_and_exit_1() {
    let out = spelunk(&["parse", "eventName=X | stats count by"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("spelunk::syntax"), "{err}");
    assert!(err.contains("expected a field name after `by`"), "{err}");
    assert!(err.contains("eventName=X | stats count by"), "the search is quoted:\n{err}");
    assert!(!err.contains('\u{1b}'), "no colour with NO_COLOR:\n{err}");
}

#[test]
fn macros_from_a_macros_conf_directory() {
    let dir = scratch("macros_conf");
    write(&dir.join("macros.conf"), "[my_index]\ndefinition = index=aws sourcetype=aws:cloudtrail\n\n[by_user(1)]\nargs = f\ndefinition = stats count by $f$\n");
    let out = spelunk(&["parse", "`my_index` | `by_user(user_arn)`", "--macros", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "index=aws sourcetype=aws:cloudtrail | stats count by user_arn\n");
}

#[test]
fn unknown_macro_names_itself() {
    let out = spelunk(&["parse", "`no_such_macro(1)` | stats count"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("unknown macro `no_such_macro(1)`"), "{err}");
}

#[test]
fn content_mode_over_the_projects_own_detections() {
    let out = spelunk(&["parse", "--content", "."]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let stdout = text(&out.stdout);
    let n = std::fs::read_dir("detections/cloud").map(|d| d.count()).unwrap_or(0);
    assert_eq!(stdout.trim_end().lines().last(), Some(format!("{n} parsed, 0 failed").as_str()));
}

#[test]
fn content_mode_reports_file_line_col_and_counts() {
    let dir = scratch("content");
    write(&dir.join("macros/cloudtrail.yml"), "name: cloudtrail\ndefinition: sourcetype=aws:cloudtrail\n");
    write(&dir.join("detections/cloud/good.yml"), "name: Good\nsearch: '`cloudtrail` | stats count by user'\n");
    // Line 3, column 28: the first `|` of `| |`, which has no command after it.
    write(
        &dir.join("detections/cloud/bad.yml"),
        "name: Bad\nsearch: >-\n  `cloudtrail` eventName=X | |\n  stats count\n",
    );
    write(&dir.join("detections/cloud/no_search.yml"), "name: NoSearch\n");
    write(&dir.join("detections/endpoint/unknown.yml"), "name: Unknown\nsearch: 'a=1 | `undefined_macro`'\n");
    let out = spelunk(&["parse", "--content", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let root = dir.join("detections");
    let root = root.display();
    assert_eq!(
        lines,
        [
            format!("{root}/cloud/bad.yml:3:28: expected a command after `|`"),
            format!("{root}/cloud/no_search.yml: no `search:` in this detection"),
            format!("{root}/endpoint/unknown.yml:2:16: unknown macro `undefined_macro`"),
            "1 parsed, 3 failed".to_string(),
        ]
    );
}
