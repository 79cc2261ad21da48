//! Golden tests: each file in tests/golden/cases/ is a search over the project's own small
//! CloudTrail dataset (tests/golden/cloudtrail.ndjson) and the CSV `spelunk search` must
//! print for it, written so that a reviewer can read query and answer together.
//!
//! ```text
//! # what the case shows
//! query: <SPL>
//! args: <more command-line arguments>        (optional)
//! ---
//! <expected CSV>
//! ```
//!
//! `SPELUNK_BLESS=1 cargo test --test golden` rewrites the expected parts from what spelunk
//! prints now; review the diff before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    path: PathBuf,
    head: String,
    query: String,
    args: Vec<String>,
    expected: String,
}

fn read(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let (head, expected) = text.split_once("\n---\n").unwrap_or_else(|| panic!("{}: no `---` line", path.display()));
    let field = |name: &str| head.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()));
    let query = field("query:").unwrap_or_else(|| panic!("{}: no `query:` line", path.display()));
    let args = field("args:").map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    Case { path: path.to_path_buf(), head: head.to_string(), query, args, expected: expected.to_string() }
}

fn run(case: &Case) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .current_dir(root)
        .args(["search", &case.query, "--data", "tests/golden/cloudtrail.ndjson", "--format", "csv"])
        .args(["--lookups", "tests/golden/lookups"])
        .args(&case.args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        stdout
    } else {
        format!("exit {}\n{stderr}", out.status.code().unwrap_or(-1))
    }
}

#[test]
fn golden_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "t"));
    paths.sort();
    assert!(paths.len() >= 20, "{} cases", paths.len());
    let bless = std::env::var_os("SPELUNK_BLESS").is_some();
    let mut failures = Vec::new();
    for p in &paths {
        let case = read(p);
        let got = run(&case);
        if got == case.expected {
            continue;
        }
        if bless {
            std::fs::write(&case.path, format!("{}\n---\n{got}", case.head)).unwrap();
        } else {
            failures.push(format!(
                "{}\n  query: {}\n--- expected\n{}--- got\n{}",
                p.display(),
                case.query,
                case.expected,
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden cases differ:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
