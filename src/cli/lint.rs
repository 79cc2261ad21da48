//! `spelunk lint`: static checks of a content tree's detections (`content::lint`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use spelunk::content::detection;
use spelunk::content::find_yaml_files;
use spelunk::content::lint::{counts, lint_detection, read_error, Finding};
use spelunk::engine::Results;
use spelunk::events::Value;
use spelunk::macros::MacroTable;
use spelunk::output;

/// Check every detection of a content tree for what Splunk does not check: macros that
/// are not defined, a risk_score that is not impact x confidence / 100, risk objects and
/// message tokens the search does not make, risk-creating detections without risk objects.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk lint --content ../security_content
  spelunk lint --content . --macros ../my_macros --format json
  spelunk lint --content ../security_content --format csv > findings.csv

Exit codes: 0 no findings; 1 findings; 2 usage or I/O error (the content directory cannot
be read, a macro file is invalid).")]
pub struct LintArgs {
    /// The content tree: every DIR/detections/**/*.yml, with the macros of DIR/macros.
    #[arg(long, value_name = "DIR")]
    content: PathBuf,
    /// More macro definitions (*.yml, *.conf); may be given several times, later ones win.
    #[arg(long = "macros", value_name = "DIR")]
    macros: Vec<PathBuf>,
    /// `text`: one `path:line: [check] message` line per finding and a summary;
    /// `json`: one object with the findings and the counts; `csv`, `ndjson`: one row per
    /// finding (path, line, detection, check, message).
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
    Ndjson,
}

pub fn run(args: LintArgs) -> ExitCode {
    let mut macros = MacroTable::builtin();
    let mdir = args.content.join("macros");
    let dirs = mdir.is_dir().then_some(&mdir).into_iter().chain(&args.macros);
    for dir in dirs {
        if let Err(e) = macros.load_dir(dir) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let det_dir = args.content.join("detections");
    let files = match find_yaml_files(&det_dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", det_dir.display());
            return ExitCode::from(2);
        }
    };
    let mut findings: Vec<Finding> = Vec::new();
    for path in &files {
        match detection::read(path) {
            Ok(d) => findings.extend(lint_detection(&d, &macros)),
            Err(e) => findings.push(read_error(&e)),
        }
    }
    let counts = counts(&findings);
    match args.format {
        Format::Text => {
            for f in &findings {
                println!("{f}");
            }
            let per: Vec<String> =
                counts.iter().filter(|(c, n)| *n > 0 || c.name() != "parse").map(|(c, n)| format!("{n} {c}")).collect();
            println!(
                "{}, {} ({})",
                plural(files.len(), "detection"),
                plural(findings.len(), "finding"),
                per.join(", ")
            );
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "path": f.path.display().to_string(),
                        "line": f.line,
                        "detection": f.detection,
                        "check": f.check.name(),
                        "message": f.message,
                    })
                })
                .collect();
            let by_check: serde_json::Map<String, serde_json::Value> =
                counts.iter().map(|(c, n)| (c.name().to_string(), (*n).into())).collect();
            let doc = serde_json::json!({
                "detections": files.len(),
                "findings": list,
                "counts": by_check,
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("JSON of strings and numbers"));
        }
        Format::Csv | Format::Ndjson => {
            let rows = findings
                .iter()
                .map(|f| {
                    vec![
                        Value::from(f.path.display().to_string()),
                        Value::from(f.line.to_string()),
                        Value::from(f.detection.as_str()),
                        Value::from(f.check.name()),
                        Value::from(f.message.as_str()),
                    ]
                })
                .collect();
            let r = Results::from_rows(&["path", "line", "detection", "check", "message"], rows);
            let format = if matches!(args.format, Format::Csv) { output::Format::Csv } else { output::Format::Ndjson };
            let stdout = std::io::stdout();
            if let Err(e) = output::write(&r, format, &mut stdout.lock()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
