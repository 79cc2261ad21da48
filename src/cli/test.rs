//! `spelunk test`: each selected detection's `tests` run offline, as contentctl's unit test.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::content::detection::Detection;
use spelunk::content::testrun::{is_lfs_pointer, judge, locate, Verdict};
use spelunk::engine::{self, Options, Results};
use spelunk::eval::Context;
use spelunk::events::input::{load, LoadOptions};
use spelunk::events::Value;
use spelunk::frame::Dataset;
use spelunk::output::Format;

use super::content::ContentArgs;
use super::data::now;

/// Run each detection's tests offline: load its datasets, search all time, judge the results.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk test                   # the project's own detections and datasets
  spelunk test --content ../security_content --attack-data ../attack_data --name 'AWS *'
  spelunk test --content ../security_content --data my_trail/ --junit report.xml
  spelunk test --format csv > verdicts.csv

A test passes when its search has at least one result, every risk-object field is non-null
in every result, and every threat-object field is non-null in at least one. It is skipped
(with the reason) when a dataset is missing or is a Git LFS pointer, or the search uses a
command spelunk does not support yet.

Exit codes: 0 no test failed (skips allowed); 1 a test failed; 2 usage or I/O error.")]
pub struct TestArgs {
    #[command(flatten)]
    content: ContentArgs,
    /// A local checkout of splunk/attack_data: the tests' dataset URLs map into it.
    #[arg(long, value_name = "DIR")]
    attack_data: Option<PathBuf>,
    /// Run every selected detection over these events instead of its tests' datasets.
    #[arg(long = "data", short = 'd', value_name = "PATH")]
    data: Vec<PathBuf>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// `text`: one PASS/FAIL/SKIP line per detection and the counts; `table`, `csv`,
    /// `json`, `ndjson`: one row per detection (detection, verdict, results, reason), the
    /// counts on stderr.
    #[arg(long, short, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TestFormat {
    Text,
    Table,
    Csv,
    Json,
    Ndjson,
}

/// A loaded dataset, shared by the detections whose tests name the same files.
type Cache = HashMap<(Vec<PathBuf>, Option<String>, Option<String>), Result<Vec<spelunk::events::Event>, String>>;

pub fn run(args: TestArgs) -> ExitCode {
    let now = now();
    let (content, chosen) = match args.content.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut cache: Cache = HashMap::new();
    let mut verdicts: Vec<(&Detection, Verdict)> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let progress = super::term::Progress::bar(chosen.len() as u64, "");
    // PASS green, FAIL red, SKIP yellow: only on a terminal, never with NO_COLOR.
    let paint = |word: &str, colour: u8| {
        if super::term::stdout_color() {
            format!("\x1b[{colour}m{word}\x1b[0m")
        } else {
            word.to_string()
        }
    };
    for &k in &chosen {
        let d = &content.detections[k];
        progress.set_message(d.file.name.clone());
        let v = test_one(d, &content, &args, &mut cache, now);
        let line = match &v {
            Verdict::Pass { results } => {
                format!(
                    "{}  {} ({results} result{})",
                    paint("PASS", 32),
                    d.file.name,
                    if *results == 1 { "" } else { "s" }
                )
            }
            Verdict::Fail(why) => format!("{}  {}: {why}", paint("FAIL", 31), d.file.name),
            Verdict::Skip(why) => format!("{}  {}: {why}", paint("SKIP", 33), d.file.name),
        };
        if args.format == TestFormat::Text && progress.suspend(|| writeln!(out, "{line}")).is_err() {
            break;
        }
        progress.inc();
        verdicts.push((d, v));
    }
    progress.finish();
    let count = |f: fn(&Verdict) -> bool| verdicts.iter().filter(|(_, v)| f(v)).count();
    let (passed, failed, skipped) = (
        count(|v| matches!(v, Verdict::Pass { .. })),
        count(|v| matches!(v, Verdict::Fail(_))),
        count(|v| matches!(v, Verdict::Skip(_))),
    );
    let counts = format!("{passed} passed, {failed} failed, {skipped} skipped");
    let format = match args.format {
        TestFormat::Text => None,
        TestFormat::Table => Some(Format::Table),
        TestFormat::Csv => Some(Format::Csv),
        TestFormat::Json => Some(Format::Json),
        TestFormat::Ndjson => Some(Format::Ndjson),
    };
    match format {
        None => {
            let _ = writeln!(out, "{counts}");
        }
        Some(format) => {
            let r = verdict_results(&verdicts);
            let written = super::term::write_results(&r, format, &mut out);
            if let Err(e) = written {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
            eprintln!("{counts}");
        }
    }
    if let Some(path) = &args.junit {
        if let Err(e) = std::fs::write(path, junit(&verdicts)) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One row per detection: detection, verdict, results, reason.
fn verdict_results(verdicts: &[(&Detection, Verdict)]) -> Results {
    let rows = verdicts
        .iter()
        .map(|(d, v)| {
            let (verdict, results, reason) = match v {
                Verdict::Pass { results } => ("pass", Value::from(results.to_string()), Value::Null),
                Verdict::Fail(why) => ("fail", Value::Null, Value::from(why.as_str())),
                Verdict::Skip(why) => ("skip", Value::Null, Value::from(why.as_str())),
            };
            vec![Value::from(d.file.name.as_str()), Value::from(verdict), results, reason]
        })
        .collect();
    Results::from_rows(&["detection", "verdict", "results", "reason"], rows)
}

fn test_one(
    d: &Detection,
    content: &spelunk::content::load::Content,
    args: &TestArgs,
    cache: &mut Cache,
    now: f64,
) -> Verdict {
    // The datasets of each test (searched together, as contentctl replays a test's
    // datasets into one index), or --data for all.
    type Set = (Vec<PathBuf>, Option<String>, Option<String>);
    let mut tests: Vec<Vec<Set>> = Vec::new();
    if !args.data.is_empty() {
        tests.push(vec![(args.data.clone(), None, None)]);
    } else {
        if d.tests.iter().all(|t| t.attack_data.is_empty()) {
            return Verdict::Skip("no tests with datasets".into());
        }
        for t in d.tests.iter().filter(|t| !t.attack_data.is_empty()) {
            let mut sets = Vec::new();
            for a in &t.attack_data {
                let path = match locate(&a.data, &content.root, args.attack_data.as_deref()) {
                    Ok(p) => p,
                    Err(why) => return Verdict::Skip(why),
                };
                if is_lfs_pointer(&path) {
                    return Verdict::Skip(format!(
                        "dataset is a Git LFS pointer: {} (run `git lfs pull` in the attack_data checkout)",
                        path.display()
                    ));
                }
                sets.push((vec![path], a.sourcetype.clone(), a.source.clone()));
            }
            tests.push(sets);
        }
    }
    let query = match spelunk::compile(&d.file.search, &content.macros) {
        Ok(q) => q,
        Err(e) => return Verdict::Fail(format!("the search does not compile: {}", e.message)),
    };
    let mut total = 0;
    for sets in tests {
        let mut events = Vec::new();
        for key in sets {
            let loaded = cache.entry(key.clone()).or_insert_with(|| {
                let opts = LoadOptions { sourcetype: key.1.clone(), source: key.2.clone(), ..LoadOptions::default() };
                load(&key.0, &opts).map(|l| l.events).map_err(|p| p.to_string())
            });
            match loaded {
                Ok(evs) => events.extend(evs.iter().cloned()),
                Err(e) => return Verdict::Fail(format!("dataset unreadable: {e}")),
            }
        }
        // Every event loaded was checked to be JSON (`input::load`), or its line skipped.
        let ds = match Dataset::new(events, &spelunk::knowledge::builtin(), Context { now }) {
            Ok(ds) => ds.with_checked_json(),
            Err(e) => return Verdict::Fail(e.to_string()),
        };
        match engine::run(
            &query,
            &ds,
            &Options { lookups: Some(&content.lookups), datamodels: Some(&content.datamodels), ..Options::default() },
        ) {
            Ok(r) => match judge(d, &r) {
                Verdict::Pass { results } => total += results,
                other => return other,
            },
            Err(e) if e.code == "spelunk::unsupported" => return Verdict::Skip(format!("unsupported: {}", e.message)),
            Err(e) => return Verdict::Fail(e.message),
        }
    }
    Verdict::Pass { results: total }
}

/// A JUnit XML report: one test case per detection.
fn junit(verdicts: &[(&Detection, Verdict)]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let failures = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Fail(_))).count();
    let skipped = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Skip(_))).count();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"spelunk test\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        verdicts.len()
    );
    for (d, v) in verdicts {
        x.push_str(&format!("  <testcase classname=\"{}\" name=\"{}\"", esc(&d.kind), esc(&d.file.name)));
        match v {
            Verdict::Pass { .. } => x.push_str("/>\n"),
            Verdict::Fail(why) => x.push_str(&format!(">\n    <failure message=\"{}\"/>\n  </testcase>\n", esc(why))),
            Verdict::Skip(why) => x.push_str(&format!(">\n    <skipped message=\"{}\"/>\n  </testcase>\n", esc(why))),
        }
    }
    x.push_str("</testsuite>\n");
    x
}
