//! `spelunk risk`: risk per object, totalled over a window and flagged over a threshold,
//! from risk events `detect` wrote or from running the detections now.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::engine::Results;
use spelunk::events::Value;
use spelunk::output::Format;
use spelunk::rba::{self, RiskEvent};

use super::content::ContentArgs;
use super::data::{now, DataArgs};

/// Total risk per risk object, as Splunk ES's risk incident rules do.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk risk --data datasets/                  # run the project's detections, then total
  spelunk detect --content ../security_content --data trail/ --risk-events risk.ndjson
  spelunk risk --from risk.ndjson --window 7d --threshold 150

Per risk object: the highest total score within any window (default 24h), its distinct
detections and MITRE tactics, first and last seen; flagged when the total is over the
threshold (default 100).

Exit codes: 0 done (flagged or not); 1 a detection could not run; 2 usage or I/O error.")]
pub struct RiskArgs {
    /// Risk events written by `spelunk detect --risk-events FILE` (NDJSON) instead of
    /// running detections.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    #[command(flatten)]
    content: ContentArgs,
    #[command(flatten)]
    data: DataArgs,
    /// Window length: `24h`, `7d`, `90m`...
    #[arg(long, value_name = "SPAN", default_value = "24h")]
    window: String,
    /// Flag objects whose total is over this score.
    #[arg(long, value_name = "SCORE", default_value_t = 100.0)]
    threshold: f64,
    /// Make risk events for every detection type, not only TTP and Anomaly.
    #[arg(long)]
    all_types: bool,
    /// How to print the risk per object.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn run(args: RiskArgs) -> ExitCode {
    let now = now();
    let window = match spelunk::eval::reltime::relative_time(0.0, &format!("+{}", args.window)) {
        Ok(w) if w > 0.0 => w,
        _ => {
            eprintln!("error: --window `{}` is not a length of time like 24h or 7d", args.window);
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    let events: Vec<RiskEvent> = match &args.from {
        Some(path) => match read_events(path) {
            Ok(e) => e,
            Err(m) => {
                eprintln!("error: {m}");
                return ExitCode::from(2);
            }
        },
        None => {
            let needs = "--from FILE (risk events) or --data PATH";
            let (content, chosen, compiled, ds) =
                match super::detect::load_inputs(&args.content, &args.data, now, needs, None) {
                    Ok(x) => x,
                    Err(code) => return code,
                };
            let detections: Vec<_> = chosen.iter().map(|&k| &content.detections[k]).collect();
            let outcomes = super::detect::run_all(
                &detections,
                compiled,
                &content,
                &ds,
                &Default::default(),
                args.all_types,
                true,
                now,
                &mut Default::default(),
            );
            for o in &outcomes {
                if let Err(e) = &o.result {
                    eprint!("{e}");
                    failed = true;
                }
            }
            outcomes.into_iter().flat_map(|o| o.risk).collect()
        }
    };
    let objects = rba::aggregate(&events, window, args.threshold);
    let fields = [
        "risk_object",
        "risk_object_type",
        "risk_score",
        "risk_events",
        "detections",
        "mitre_tactics",
        "first_seen",
        "last_seen",
        "flagged",
    ];
    let num = |n: f64| Value::from(spelunk::eval::value::format_number(n).as_str());
    let time = |t: f64| Value::from(spelunk::events::time::render_time(t).as_str());
    let rows: Vec<Vec<Value>> = objects
        .iter()
        .map(|o| {
            vec![
                Value::from(o.risk_object.as_str()),
                Value::from(o.risk_object_type.as_str()),
                num(o.risk_score),
                Value::from(o.risk_event_count.to_string().as_str()),
                Value::from_values(o.detections.clone()),
                Value::from_values(o.mitre_tactics.clone()),
                time(o.first_seen),
                time(o.last_seen),
                Value::from(if o.flagged { "yes" } else { "no" }),
            ]
        })
        .collect();
    let results = Results::from_rows(&fields, rows);
    let mut out = std::io::stdout().lock();
    let written = super::term::write_results(&results, args.format, &mut out);
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let flagged = objects.iter().filter(|o| o.flagged).count();
    eprintln!(
        "{} risk events, {} risk objects, {flagged} over {} within {}",
        events.len(),
        objects.len(),
        spelunk::eval::value::format_number(args.threshold),
        args.window
    );
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn read_events(path: &PathBuf) -> Result<Vec<RiskEvent>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(k, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: not a risk event: {e}", path.display(), k + 1))
        })
        .collect()
}
