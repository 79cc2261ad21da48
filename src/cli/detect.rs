//! `spelunk detect`: the selected detections over the data (loaded once), each one's
//! results, then a summary; notables and risk events on request.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    /// used from 10,000 events) nor load records (where each event of a file of 8 MB or
    /// more lies, so the next run need not check every line again).
    #[arg(long)]
    no_cache: bool,
    /// Print to stderr where the time went: loading, the shared passes, each detection
    /// (slowest first).
    #[arg(long)]
    timings: bool,
}

/// What one detection's run gave.
pub struct Outcome<'c> {
    pub detection: &'c Detection,
    pub result: Result<Results, String>,
    /// How many risk events the results make, and their total score.
    pub risk_events: usize,
    pub risk_score: f64,
    /// The risk events themselves, when the run keeps them (`run_all`'s `keep_risk`): a
    /// 300,000-result detection's take hundreds of MB.
    pub risk: Vec<RiskEvent>,
    /// Wall time of this detection's search and risk events.
    pub elapsed: std::time::Duration,
}

/// Wall time of each phase of a run, in order, for `--timings`.
#[derive(Default)]
pub struct Phases(Vec<(&'static str, Duration, Option<Memory>)>);

/// The process's resident memory (Linux: /proc/self/status): its own (heap, stacks) and
/// the pages of mapped files (the inputs; the kernel can drop and reread those).
#[derive(Debug, Clone, Copy)]
struct Memory {
    own_kb: u64,
    files_kb: u64,
}

impl Memory {
    fn now() -> Option<Memory> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kb = |key: &str| {
            status.lines().find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        };
        Some(Memory { own_kb: kb("RssAnon:")?, files_kb: kb("RssFile:")? })
    }
}

impl Phases {
    /// Runs `f` and records its wall time as `name`, and the memory resident after it.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0.push((name, start.elapsed(), Memory::now()));
        out
    }

    /// A phase that ran beside the one recorded last (its time is within that one's).
    pub fn beside(&mut self, name: &'static str, took: Duration) {
        self.0.push((name, took, None));
    }

    /// The phases, then the detections slowest first, as lines for stderr.
    fn report(&self, outcomes: &[Outcome]) -> String {
        let mut out = String::from("timings (wall seconds; memory resident after each phase):\n");
        for (name, d, memory) in &self.0 {
            let memory = memory.map_or(String::new(), |m| {
                format!("  [{} MB own, {} MB mapped from files]", m.own_kb / 1024, m.files_kb / 1024)
            });
            out.push_str(&format!("{:>9.3}  {name}{memory}\n", d.as_secs_f64()));
        }
        // Detections run side by side, so their own times add up to more than the
        // "detections" phase.
        out.push_str(&format!(
            "each of the {} detections on its own (run side by side), slowest first:\n",
            outcomes.len()
        ));
        let mut slowest: Vec<&Outcome> = outcomes.iter().collect();
        slowest.sort_by_key(|o| std::cmp::Reverse(o.elapsed));
        for o in slowest {
            let rows = o.result.as_ref().map_or("error".to_string(), |r| format!("{} results", r.rows));
            out.push_str(&format!("{:>9.3}    {} ({rows})\n", o.elapsed.as_secs_f64(), o.detection.file.name));
        }
        out
    }
}

/// Each detection's search compiled, or why it could not be (rendered against its file).
pub type Compiled = Vec<Result<spelunk::Query, String>>;

/// Runs each detection (with its compiled search, [`load_inputs`]) over the data. The
/// detections reading one datamodel dataset share its events and fields through
/// `evaluations`.
#[allow(clippy::too_many_arguments)]
pub fn run_all<'c>(
    detections: &[&'c Detection],
    compiled: Compiled,
    content: &spelunk::content::load::Content,
    ds: &Dataset,
    evaluations: &spelunk::datamodel::Evaluations,
    all_types: bool,
    keep_risk: bool,
    now: f64,
    phases: &mut Phases,
) -> Vec<Outcome<'c>> {
    let render = |d: &Detection, e: spelunk::Diagnostic| e.render_plain(&d.file.name, &d.file.search);
    // The fields the detections read over many events are made in shared passes.
    let options = Options {
        lookups: Some(&content.lookups),
        datamodels: Some(&content.datamodels),
        evaluations: Some(evaluations),
        ..Options::default()
    };
    let plans: Vec<_> = compiled.iter().flatten().map(|q| engine::scan_plan(&q.pipeline, &options)).collect();
    phases.time("shared passes (fields most detections read)", || {
        spelunk::frame::prefetch_for(ds, &plans);
        // The passes read every event; the detections read few events' text again.
        ds.release_mapped();
    });
    // Detections run side by side, one per core, each taking the next not yet taken; the
    // outcomes keep the detections' order.
    let texts = ds.texts();
    let run_one = |d: &'c Detection, q: &Result<spelunk::Query, String>| {
        let start = Instant::now();
        let result = match q {
            Ok(q) => engine::run(q, ds, &options).map_err(|e| render(d, e)),
            Err(e) => Err(e.clone()),
        };
        // The pages of the input it read go back to the page cache (a search running
        // beside it reads its pages back in as it needs them).
        texts.iter().for_each(|t| t.release());
        // Risk events are made only when kept; otherwise counted.
        let (risk, (risk_events, risk_score)) = match &result {
            Ok(r) if all_types || rba::creates_risk(d) => {
                if keep_risk {
                    let risk = rba::risk_events(d, r, now);
                    let tally = (risk.len(), risk.iter().map(|e| e.risk_score).sum());
                    (risk, tally)
                } else {
                    (Vec::new(), rba::risk_tally(d, r))
                }
            }
            _ => (Vec::new(), (0, 0.0)),
        };
        Outcome { detection: d, result, risk_events, risk_score, risk, elapsed: start.elapsed() }
    };
    phases.time("detections", || {
        spelunk::work::map_in_turn(spelunk::work::cores(), detections.len(), |k| run_one(detections[k], &compiled[k]))
    })
}

/// The content (with the selected detections, and their searches compiled) and the data,
/// as `detect` and `risk` read them; `needs` says what to give when no data was given;
/// load records under `records`.
pub fn load_inputs(
    content: &ContentArgs,
    data: &DataArgs,
    now: f64,
    needs: &str,
    records: Option<PathBuf>,
) -> Result<(spelunk::content::load::Content, Vec<usize>, Compiled, Dataset), ExitCode> {
    let (content, chosen) = content.load()?;
    if data.data.is_empty() {
        eprintln!("error: give {needs}: the events to run the detections over");
        return Err(ExitCode::from(2));
    }
    let compiled: Compiled = chosen
        .iter()
        .map(|&k| {
            let d = &content.detections[k];
            spelunk::compile(&d.file.search, &content.macros).map_err(|e| e.render_plain(&d.file.name, &d.file.search))
        })
        .collect();
    // The detections' first searches, whose literals loading may look for as it reads.
    let options = Options { datamodels: Some(&content.datamodels), ..Options::default() };
    let first: Vec<spelunk::frame::ScanPlan> =
        compiled.iter().flatten().map(|q| engine::scan_plan(&q.pipeline, &options)).collect();
    let ds = data.load_with(now, records, &first)?;
    // Loading read every event's text; what comes next reads it again only where needed.
    ds.release_mapped();
    Ok((content, chosen, compiled, ds))
}

pub fn run(args: DetectArgs) -> ExitCode {
    let now = now();
    let mut phases = Phases::default();
    // Big files' load records are kept with the column cache.
    let records = spelunk::frame::cache::default_dir().filter(|_| !args.no_cache);
    let loaded =
        phases.time("load content and events", || load_inputs(&args.content, &args.data, now, "--data PATH", records));
    let (content, chosen, compiled, ds) = match loaded {
        Ok(x) => x,
        Err(code) => return code,
    };
    let detections: Vec<&Detection> = chosen.iter().map(|&k| &content.detections[k]).collect();
    let cache = phases.time("open the column cache", || {
        spelunk::frame::cache::default_dir()
            .filter(|_| !args.no_cache && spelunk::frame::cache::worth_it(&ds))
            .map(|dir| spelunk::frame::cache::Cache::open(&ds, &dir))
    });
    ds.release_mapped();
    let keep_risk = args.risk_events.is_some();
    // With a column cache, the datamodel fields made are kept in it too.
    let evaluations = match cache {
        Some(_) => spelunk::datamodel::Evaluations::kept_in_dataset(),
        None => spelunk::datamodel::Evaluations::default(),
    };
    let outcomes =
        run_all(&detections, compiled, &content, &ds, &evaluations, args.all_types, keep_risk, now, &mut phases);
    // The column cache is written while the results are printed (each takes a core).
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (saved, printed) = phases.time("print the results", || {
        std::thread::scope(|s| {
            let saving = s.spawn(|| {
                let start = Instant::now();
                (cache.as_ref().map(|c| c.save(&ds)), start.elapsed())
            });
            let printed = match args.format {
                Format::Table => print_tables(&outcomes, ds.len(), args.all_types, &mut out),
                other => {
                    let parts: Vec<(&str, &Results)> = outcomes
                        .iter()
                        .filter_map(|o| o.result.as_ref().ok().map(|r| (o.detection.file.name.as_str(), r)))
                        .collect();
                    output::write_labelled(Some("search_name"), &parts, other, &mut out)
                }
            };
            (saving.join().expect("writing the cache does not panic"), printed)
        })
    });
    let (saved, saving) = saved;
    phases.beside("write the column cache (beside printing)", saving);
    if let Some(Err(e)) = saved {
        eprintln!("warning: the column cache was not written: {e}");
    }
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
    if args.timings {
        eprint!("{}", phases.report(&outcomes));
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
    let code = if outcomes.iter().any(|o| o.result.is_err()) { ExitCode::from(1) } else { ExitCode::SUCCESS };
    leave_to_the_exit(outcomes);
    leave_to_the_exit((evaluations, cache, ds, content));
    code
}

/// Lets the process's exit give back what `big` holds, instead of freeing it piece by
/// piece first: the run is over (everything printed and flushed), and the kernel takes
/// the whole address space back at once. Freeing a cold run's events, columns and
/// dictionaries over 1 GB (millions of allocations, their pages handed back one range at a
/// time) took about 0.05 s of one core after the last result was written. Only the
/// command line's runs end so: the library frees what it makes.
fn leave_to_the_exit<T>(big: T) {
    std::mem::forget(big);
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
        rows.push(vec![
            o.detection.file.name.clone(),
            o.detection.kind.clone(),
            results,
            o.risk_events.to_string(),
            if o.risk_events == 0 { String::new() } else { spelunk::eval::value::format_number(o.risk_score) },
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
    let risk: usize = outcomes.iter().map(|o| o.risk_events).sum();
    format!(
        "{} detection{} over {events} events: {fired} fired ({results} result{}, {risk} risk event{}), {} silent, {failed} failed",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        if results == 1 { "" } else { "s" },
        if risk == 1 { "" } else { "s" },
        outcomes.len() - fired - failed
    )
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
