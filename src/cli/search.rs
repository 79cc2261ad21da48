//! `spelunk search`: one search over some data, results on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::compile;
use spelunk::engine::{self, parse_time, Lookups, Options, TimeRange};
use spelunk::macros::MacroTable;
use spelunk::output::Format;
use spelunk::syntax::CommandKind;

use super::data::{now, DataArgs};

/// Run one search over CloudTrail (or other JSON) events, as a script would.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk search 'sourcetype=aws:cloudtrail | table _time user_arn src_ip errorCode' -d logs/ -f csv
  spelunk search 'eventName=ConsoleLogin errorCode!=success | table _time user src_ip' -d t.json.gz
  zcat trail.json.gz | spelunk search 'eventSource=s3.amazonaws.com' --data - --format ndjson

Exit codes: 0 the search ran (with or without results); 1 the search or the data is wrong
(syntax error, unsupported command, a bad line with --strict); 2 usage or I/O error.")]
pub struct SearchArgs {
    /// The search, in SPL. Backtick macros are expanded (built-in ones, and --macros).
    search: String,
    #[command(flatten)]
    data: DataArgs,
    /// A directory of macro definitions (security_content *.yml or macros.conf); may be
    /// given several times, later ones win.
    #[arg(long = "macros", value_name = "DIR")]
    macros: Vec<PathBuf>,
    /// A directory of lookup tables for `lookup`/`inputlookup`: `*.csv` by file name and
    /// security_content `*.yml` definitions by name; may be given several times.
    #[arg(long = "lookups", value_name = "DIR")]
    lookups: Vec<PathBuf>,
    /// A MaxMind-format City database (GeoIP2 or GeoLite2 `.mmdb`) for `iplocation`.
    #[arg(long, value_name = "FILE")]
    geoip: Option<PathBuf>,
    /// The most results any command may make; a search that would make more stops with
    /// an error instead of exhausting memory.
    #[arg(long, value_name = "N", default_value_t = spelunk::engine::Limits::default().max_rows)]
    max_rows: usize,
    /// How to print the results.
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Only events at or after this time (epoch, ISO 8601, `now`, or relative like `-24h`).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    earliest: Option<String>,
    /// Only events before this time.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    latest: Option<String>,
}

pub fn run(args: SearchArgs) -> ExitCode {
    let now = now();
    let mut macros = MacroTable::builtin();
    for dir in &args.macros {
        if let Err(e) = macros.load_dir(dir) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let query = match compile(&args.search, &macros) {
        Ok(q) => q,
        Err(d) => {
            eprint!("{}", d.render("search", &args.search, super::stderr_color()));
            return ExitCode::from(1);
        }
    };
    let generates = matches!(
        query.pipeline.commands.first().map(|c| &c.kind),
        Some(CommandKind::Makeresults { .. } | CommandKind::Inputlookup(_))
    );
    if args.data.data.is_empty() && !generates {
        eprintln!("error: this search reads events: give them with --data PATH (a file, a directory, or - for standard input)");
        return ExitCode::from(2);
    }
    let mut range = TimeRange::default();
    for (text, slot) in [(&args.earliest, &mut range.earliest), (&args.latest, &mut range.latest)] {
        if let Some(t) = text {
            match parse_time(t, now) {
                Ok(v) => *slot = Some(v),
                Err(m) => {
                    eprintln!("error: {m}");
                    return ExitCode::from(2);
                }
            }
        }
    }
    let mut lookups = Lookups::new();
    for dir in &args.lookups {
        if let Err(e) = lookups.add_dir(dir) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let geoip = match &args.geoip {
        Some(path) => match maxminddb::Reader::open_readfile(path) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("error: {}: not a MaxMind database: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let ds = match args.data.load(now) {
        Ok(ds) => ds,
        Err(code) => return code,
    };
    let results = match engine::run(
        &query,
        &ds,
        &Options {
            range,
            lookups: Some(&lookups),
            geoip: geoip.as_ref(),
            limits: spelunk::engine::Limits { max_rows: args.max_rows },
            ..Options::default()
        },
    ) {
        Ok(r) => r,
        Err(d) => {
            eprint!("{}", d.render("search", &args.search, super::stderr_color()));
            return ExitCode::from(1);
        }
    };
    for w in &results.warnings {
        eprintln!("warning: {w}");
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = super::term::write_results(&results, args.format, &mut out);
    match written.and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write results: {e}");
            ExitCode::from(2)
        }
    }
}
