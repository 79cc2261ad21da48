//! `spelunk detect`: the selected detections over the data (loaded once), each one's
//! results, then a summary; notables and risk events on request.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::content::detection::Detection;
use spelunk::engine::{self, Options, Results};
use spelunk::frame::Dataset;
use spelunk::output::{self, Format};
use spelunk::rba::{self, Notable, RiskEvent};

use super::content::{risk_summary, ContentArgs};
use super::data::{now, DataArgs};

/// Run detection content over CloudTrail data: which detections fire, on what, with which risk.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk detect --data datasets/                               # the project's own detections
  spelunk detect --content ../security_content --data trail/ --type TTP --risk-events risk.ndjson
  spelunk detect --content ../security_content --data trail/ --mitre T1537 --format ndjson

Only TTP and Anomaly detections make risk events (as in Splunk's default deployment) unless
--all-types is given.

Exit codes: 0 every selected detection ran (fired or not); 1 a detection could not run
(syntax error, unsupported command); 2 usage or I/O error.")]
pub struct DetectArgs {
    #[command(flatten)]
    content: ContentArgs,
    #[command(flatten)]
    data: DataArgs,
    /// How to print results: a table per detection, or every result as CSV/JSON/NDJSON
    /// with its detection's name in `search_name`.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the notables (one per result) to this file as NDJSON.
    #[arg(long, value_name = "FILE")]
    notables: Option<PathBuf>,
    /// Write the risk events (one per risk-object value) to this file as NDJSON.
    #[arg(long = "risk-events", value_name = "FILE")]
    risk_events: Option<PathBuf>,
    /// Make risk events for every detection type, not only TTP and Anomaly.
    #[arg(long)]
    all_types: bool,
    /// Neither read nor write the column cache (extracted fields kept between runs in
    /// $SPELUNK_CACHE_DIR, else $XDG_CACHE_HOME/spelunk, keyed by the data's content;
    /// used from 10,000 events).
    #[arg(long)]
    no_cache: bool,
}

/// What one detection's run gave.
pub struct Outcome<'c> {
    pub detection: &'c Detection,
    pub result: Result<Results, String>,
    pub risk: Vec<RiskEvent>,
}

/// Runs each detection over the data.
pub fn run_all<'c>(
    detections: &[&'c Detection],
    content: &spelunk::content::load::Content,
    ds: &Dataset,
    all_types: bool,
    now: f64,
) -> Vec<Outcome<'c>> {
    let render = |d: &Detection, e: spelunk::Diagnostic| e.render_plain(&d.file.name, &d.file.search);
    let compiled: Vec<Result<_, String>> = detections
        .iter()
        .map(|d| spelunk::compile(&d.file.search, &content.macros).map_err(|e| render(d, e)))
        .collect();
    // The fields the detections read over many events are made in shared passes.
    let pipelines: Vec<_> = compiled.iter().flatten().map(|q| &q.pipeline).collect();
    spelunk::frame::prefetch_for(ds, &pipelines);
    detections
        .iter()
        .zip(compiled)
        .map(|(d, q)| {
            let result = q.and_then(|q| {
                let options = Options {
                    lookups: Some(&content.lookups),
                    datamodels: Some(&content.datamodels),
                    ..Options::default()
                };
                engine::run(&q, ds, &options).map_err(|e| render(d, e))
            });
            let risk = match &result {
                Ok(r) if all_types || rba::creates_risk(d) => rba::risk_events(d, r, now),
                _ => Vec::new(),
            };
            Outcome { detection: d, result, risk }
        })
        .collect()
}

/// The content (with the selected detections) and the data, as `detect` and `risk` read
/// them; `needs` says what to give when no data was given.
pub fn load_inputs(
    content: &ContentArgs,
    data: &DataArgs,
    now: f64,
    needs: &str,
) -> Result<(spelunk::content::load::Content, Vec<usize>, Dataset), ExitCode> {
    let (content, chosen) = content.load()?;
    if data.data.is_empty() {
        eprintln!("error: give {needs}: the events to run the detections over");
        return Err(ExitCode::from(2));
    }
    let ds = data.load(now)?;
    Ok((content, chosen, ds))
}

pub fn run(args: DetectArgs) -> ExitCode {
    let now = now();
    let (content, chosen, ds) = match load_inputs(&args.content, &args.data, now, "--data PATH") {
        Ok(x) => x,
        Err(code) => return code,
    };
    let detections: Vec<&Detection> = chosen.iter().map(|&k| &content.detections[k]).collect();
    let cache = spelunk::frame::cache::default_dir()
        .filter(|_| !args.no_cache && spelunk::frame::cache::worth_it(&ds))
        .map(|dir| spelunk::frame::cache::Cache::open(&ds, &dir));
    let outcomes = run_all(&detections, &content, &ds, args.all_types, now);
    if let Some(Err(e)) = cache.as_ref().map(|c| c.save(&ds)) {
        eprintln!("warning: the column cache was not written: {e}");
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let printed = match args.format {
        Format::Table => print_tables(&outcomes, ds.len(), args.all_types, &mut out),
        other => output::write(&combined(&outcomes), other, &mut out),
    };
    if let Err(e) = printed.and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    if args.format != Format::Table {
        eprintln!("{}", summary_line(&outcomes, ds.len()));
    }
    for o in &outcomes {
        if let Err(e) = &o.result {
            eprint!("{e}");
        }
    }
    if let Some(path) = &args.notables {
        let all: Vec<Notable> = outcomes
            .iter()
            .filter_map(|o| o.result.as_ref().ok().map(|r| rba::notables(o.detection, r, now)))
            .flatten()
            .collect();
        if let Err(code) = write_ndjson(path, &all) {
            return code;
        }
    }
    if let Some(path) = &args.risk_events {
        let all: Vec<&RiskEvent> = outcomes.iter().flat_map(|o| &o.risk).collect();
        if let Err(code) = write_ndjson(path, &all) {
            return code;
        }
    }
    if outcomes.iter().any(|o| o.result.is_err()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One heading and table per detection that fired, then the summary table.
fn print_tables(outcomes: &[Outcome], events: usize, all_types: bool, out: &mut dyn Write) -> std::io::Result<()> {
    for o in outcomes {
        let Ok(r) = &o.result else { continue };
        if r.rows == 0 {
            continue;
        }
        let d = o.detection;
        let risk =
            if all_types || rba::creates_risk(d) { risk_summary(d) } else { "no risk events for this type".into() };
        writeln!(out, "== {} ({}, {risk})", d.file.name, if d.kind.is_empty() { "no type" } else { &d.kind })?;
        table(r, out)?;
        writeln!(out)?;
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for o in outcomes {
        let (results, status) = match &o.result {
            Ok(r) if r.rows > 0 => (r.rows.to_string(), "fired"),
            Ok(_) => ("0".into(), "silent"),
            Err(_) => ("-".into(), "error"),
        };
        let score: f64 = o.risk.iter().map(|e| e.risk_score).sum();
        rows.push(vec![
            o.detection.file.name.clone(),
            o.detection.kind.clone(),
            results,
            o.risk.len().to_string(),
            if o.risk.is_empty() { String::new() } else { spelunk::eval::value::format_number(score) },
            status.into(),
        ]);
    }
    let rows = rows.into_iter().map(|r| r.iter().map(|c| spelunk::events::Value::from(c.as_str())).collect()).collect();
    let summary = Results::from_rows(&["detection", "type", "results", "risk events", "risk score", "status"], rows);
    table(&summary, out)?;
    writeln!(out, "{}", summary_line(outcomes, events))
}

/// A table, fitted to the terminal when stdout is one.
fn table(r: &Results, out: &mut dyn Write) -> std::io::Result<()> {
    super::term::write_results(r, Format::Table, out)
}

fn summary_line(outcomes: &[Outcome], events: usize) -> String {
    let fired = outcomes.iter().filter(|o| o.result.as_ref().is_ok_and(|r| r.rows > 0)).count();
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let results: usize = outcomes.iter().filter_map(|o| o.result.as_ref().ok()).map(|r| r.rows).sum();
    let risk: usize = outcomes.iter().map(|o| o.risk.len()).sum();
    format!(
        "{} detection{} over {events} events: {fired} fired ({results} result{}, {risk} risk event{}), {} silent, {failed} failed",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        if results == 1 { "" } else { "s" },
        if risk == 1 { "" } else { "s" },
        outcomes.len() - fired - failed
    )
}

/// Every result of every detection, with `search_name` first, fields in order of first
/// appearance.
fn combined(outcomes: &[Outcome]) -> Results {
    let mut fields: Vec<String> = vec!["search_name".into()];
    for o in outcomes {
        if let Ok(r) = &o.result {
            for f in &r.fields {
                if !fields.contains(f) {
                    fields.push(f.clone());
                }
            }
        }
    }
    let mut columns: Vec<Vec<spelunk::events::Value>> = vec![Vec::new(); fields.len()];
    let mut rows = 0;
    for o in outcomes {
        let Ok(r) = &o.result else { continue };
        for i in 0..r.rows {
            columns[0].push(spelunk::events::Value::from(o.detection.file.name.as_str()));
            for (k, f) in fields.iter().enumerate().skip(1) {
                columns[k].push(r.column(f).map_or(spelunk::events::Value::Null, |c| c[i].clone()));
            }
            rows += 1;
        }
    }
    Results { fields, columns, rows, warnings: Vec::new() }
}

pub fn write_ndjson<T: serde::Serialize>(path: &PathBuf, items: &[T]) -> Result<(), ExitCode> {
    let write = || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for item in items {
            serde_json::to_writer(&mut f, item)?;
            f.write_all(b"\n")?;
        }
        f.flush()
    };
    write().map_err(|e| {
        eprintln!("error: {}: {e}", path.display());
        ExitCode::from(2)
    })
}
