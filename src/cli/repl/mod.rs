//! `spelunk repl`: the analyst's prompt. The data is loaded once; each search runs on a
//! worker thread so that Ctrl-C can cancel it and keep the session.

mod complete;
mod summary;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use clap::Args;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

use spelunk::content::load::Content;
use spelunk::datamodel::DataModels;
use spelunk::engine::{self, Limits, Lookups, Options, Results};
use spelunk::eval::search::glob_matches;
use spelunk::events::Value;
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;
use spelunk::output::{self, Fit, Format};
use spelunk::syntax::printer::print;
use spelunk::syntax::{CommandKind, Pipeline};
use spelunk::Diagnostic;

use super::content::risk_summary;
use super::data::{now, DataArgs};
use super::term::{self, Progress};
use complete::{incomplete, Names, ReplHelper};
use summary::Summary;

/// An interactive prompt over CloudTrail data: searches, field summaries, macro expansion,
/// detection content.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk repl --data datasets/                      # the project's datasets
  spelunk repl -d trail/ --content ../security_content
  spelunk repl                                       # no data yet: `.load PATH` at the prompt

At the prompt: an SPL search, or a dot-command (.help lists them). A search goes on to the
next line while a quote or bracket is open or the line ends with `|`. Tab completes
commands, functions, `macros` and the data's field names; Ctrl-R searches the history;
Ctrl-C cancels a running search (or clears the line); Ctrl-D leaves.

History: $SPELUNK_HISTORY, else spelunk/history in the user's data directory
(e.g. ~/.local/share/spelunk/history).

Exit codes: 0 the session ended (a search that failed does not count); 1 the data given at
start has a bad line and --strict was given; 2 usage or I/O error (unreadable data or
content at start).")]
pub struct ReplArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Detection content in security_content's layout: its macros and lookups are used,
    /// `.detections` lists its detections and `.run NAME` runs one.
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// More macro definitions (security_content *.yml or macros.conf); later ones win.
    #[arg(long = "macros", value_name = "DIR")]
    macros: Vec<PathBuf>,
    /// More lookup tables (*.csv, security_content *.yml definitions).
    #[arg(long = "lookups", value_name = "DIR")]
    lookups: Vec<PathBuf>,
    /// The most results any command may make.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rows)]
    max_rows: usize,
    /// How results are printed at first (`.format` changes it).
    #[arg(long, short, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Set by the Ctrl-C handler while a search runs.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

const HELP: &str = "\
An SPL search runs over the loaded data; it goes on to the next line while a quote or
bracket is open or the line ends with `|`.

  .help                 this list
  .fields [PATTERN]     per field of the loaded events: events with it, distinct values,
                        the most common values (PATTERN: `*` wildcards, or a part of the name)
  .macros [PATTERN]     the macros a search can use
  .load PATH...         read other data instead (files, directories)
  .format FORMAT        table, csv, json or ndjson
  .rows N               most rows a table shows (the rest are counted)
  .timer on|off         how long each search took
  .explain SEARCH       the search with its macros expanded, and its commands in order
  .save FILE            the last results: .csv, .json, .ndjson by the name, else CSV
  .detections [PATTERN] the loaded content's detections (--content DIR)
  .run NAME             run a detection of the loaded content, with its risk
  .quit                 leave (or Ctrl-D)

Tab completes; Ctrl-R searches the history; Ctrl-C cancels a running search.";

/// The session: what is loaded and how results are shown.
struct Session {
    args: ReplArgs,
    ds: Arc<Dataset>,
    /// The field summary of `ds`, made in the background after each load.
    summary: Arc<OnceLock<Summary>>,
    /// Stops the summary of data that was replaced.
    summary_cancel: Arc<AtomicBool>,
    macros: Arc<MacroTable>,
    lookups: Arc<Lookups>,
    /// The datamodels `tstats` reads: the built-in ones, and the content's.
    datamodels: Arc<DataModels>,
    content: Option<Content>,
    names: Arc<RwLock<Names>>,
    format: Format,
    /// `.rows N`; about a screenful when not given.
    rows: Option<usize>,
    timer: bool,
    last: Option<Results>,
}

pub fn run(args: ReplArgs) -> ExitCode {
    let now = now();
    if args.data.data.iter().any(|p| p.as_os_str() == "-") {
        eprintln!("error: the REPL reads its searches from standard input: give the data as files or directories");
        return ExitCode::from(2);
    }
    let (macros, lookups, datamodels, content) = match load_content(&args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let ds = match args.data.load(now) {
        Ok(ds) => ds,
        Err(code) => return code,
    };
    let names = Arc::new(RwLock::new(Names {
        fields: vec!["_raw".into(), "_time".into()],
        macros: macros.iter().map(|m| (m.name.clone(), m.args.len())).collect(),
        detections: content
            .as_ref()
            .map_or_else(Vec::new, |c| c.detections.iter().map(|d| d.file.name.clone()).collect()),
    }));
    let format = args.format;
    let mut s = Session {
        args,
        ds: Arc::new(ds),
        summary: Arc::new(OnceLock::new()),
        summary_cancel: Arc::new(AtomicBool::new(false)),
        macros: Arc::new(macros),
        lookups: Arc::new(lookups),
        datamodels: Arc::new(datamodels),
        content,
        names: names.clone(),
        format,
        rows: None,
        timer: false,
        last: None,
    };
    s.summarise();
    if let Err(e) = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst)) {
        eprintln!("warning: Ctrl-C will end the session, not cancel a search: {e}");
    }

    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(2);
        }
    };
    rl.set_helper(Some(ReplHelper::new(names)));
    let history = history_path();
    if let Some(path) = &history {
        if path.exists() {
            if let Err(e) = rl.load_history(path) {
                eprintln!("warning: cannot read the history {}: {e}", path.display());
            }
        }
    }
    eprintln!(
        "spelunk {}: {} event{} loaded; .help for help, Ctrl-D to leave",
        env!("CARGO_PKG_VERSION"),
        s.ds.len(),
        if s.ds.len() == 1 { "" } else { "s" }
    );
    loop {
        let mut text = match rl.readline("spelunk> ") {
            Ok(t) => t,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        // Without a terminal the editor reads a line at a time: gather the rest here.
        while incomplete(&text) {
            match rl.readline("") {
                Ok(more) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                Err(_) => break,
            }
        }
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if rl.add_history_entry(text).unwrap_or(false) {
            if let Some(path) = &history {
                save_history(&mut rl, path);
            }
        }
        if !s.line(text) {
            break;
        }
    }
    s.summary_cancel.store(true, Ordering::Relaxed);
    ExitCode::SUCCESS
}

/// Most table rows shown: about a screenful (the terminal's height when the results come).
fn default_rows() -> usize {
    term::height().saturating_sub(6).max(10)
}

/// `$SPELUNK_HISTORY`, else `spelunk/history` in the user's data directory.
fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SPELUNK_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("spelunk").join("history"))
}

fn save_history(rl: &mut Editor<ReplHelper, FileHistory>, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = rl.append_history(path) {
        eprintln!("warning: cannot write the history {}: {e}", path.display());
    }
}

/// What the content gives besides its detections.
type Loaded = (MacroTable, Lookups, DataModels, Option<Content>);

/// Macros (built-in, the content's, --macros), lookups, datamodels and the content, if given.
fn load_content(args: &ReplArgs) -> Result<Loaded, ExitCode> {
    let fail = |e: String| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    };
    let (mut macros, mut lookups, datamodels, content) = match &args.content {
        Some(dir) => {
            let mut c = spelunk::content::load::load(dir).map_err(fail)?;
            for p in &c.problems {
                eprintln!("warning: skipped {p}");
            }
            let macros = std::mem::take(&mut c.macros);
            let lookups = std::mem::take(&mut c.lookups);
            let datamodels = std::mem::take(&mut c.datamodels);
            (macros, lookups, datamodels, Some(c))
        }
        None => (MacroTable::builtin(), Lookups::new(), DataModels::new(), None),
    };
    for dir in &args.macros {
        macros.load_dir(dir).map_err(|e| fail(e.to_string()))?;
    }
    for dir in &args.lookups {
        lookups.add_dir(dir).map_err(|e| fail(e.to_string()))?;
    }
    Ok((macros, lookups, datamodels, content))
}

/// What a search on the worker thread gives back.
type Outcome = Result<Results, Diagnostic>;

impl Session {
    /// Makes the field summary of the data in the background.
    fn summarise(&mut self) {
        self.summary_cancel.store(true, Ordering::Relaxed);
        let cancel = Arc::new(AtomicBool::new(false));
        self.summary_cancel = cancel.clone();
        self.summary = Arc::new(OnceLock::new());
        let (ds, slot, names) = (self.ds.clone(), self.summary.clone(), self.names.clone());
        std::thread::spawn(move || {
            if let Some(s) = Summary::of(&ds, &cancel) {
                if let Ok(mut n) = names.write() {
                    n.fields = s.names();
                }
                let _ = slot.set(s);
            }
        });
    }

    /// Handles one input; false to leave.
    fn line(&mut self, text: &str) -> bool {
        if let Some(dot) = text.strip_prefix('.') {
            let (command, rest) = dot.split_once(char::is_whitespace).unwrap_or((dot, ""));
            return self.dot(command, rest.trim());
        }
        self.search(text, None);
        true
    }

    fn dot(&mut self, command: &str, arg: &str) -> bool {
        match command {
            "help" | "h" | "?" => println!("{HELP}"),
            "quit" | "exit" | "q" => return false,
            "fields" => self.fields(arg),
            "macros" => self.list_macros(arg),
            "load" => self.load(arg),
            "format" => match arg {
                "table" => self.format = Format::Table,
                "csv" => self.format = Format::Csv,
                "json" => self.format = Format::Json,
                "ndjson" => self.format = Format::Ndjson,
                _ => eprintln!("error: .format takes table, csv, json or ndjson"),
            },
            "rows" => match arg.parse::<usize>() {
                Ok(n) if n > 0 => self.rows = Some(n),
                _ => eprintln!("error: .rows takes a number of rows, e.g. .rows 100"),
            },
            "timer" => match arg {
                "on" => self.timer = true,
                "off" => self.timer = false,
                _ => eprintln!("error: .timer takes on or off"),
            },
            "explain" => self.explain(arg),
            "save" => self.save(arg),
            "detections" => self.detections(arg),
            "run" => self.run_detection(arg),
            _ => eprintln!("error: unknown command .{command}; .help lists them"),
        }
        true
    }

    /// Compiles and runs `text`; `name` is how errors call it.
    fn search(&mut self, text: &str, detection: Option<&spelunk::content::detection::Detection>) {
        let name = detection.map_or("search", |d| d.file.name.as_str());
        let query = match spelunk::compile(text, &self.macros) {
            Ok(q) => q,
            Err(d) => {
                eprint!("{}", d.render(name, text, term::stderr_color()));
                return;
            }
        };
        let started = Instant::now();
        let Some(outcome) = self.run_cancellable(query) else {
            eprintln!("cancelled");
            return;
        };
        let elapsed = started.elapsed();
        match outcome {
            Ok(r) => {
                for w in &r.warnings {
                    eprintln!("warning: {w}");
                }
                self.show(&r);
                if let Some(d) = detection {
                    let risk = spelunk::rba::risk_events(d, &r, now());
                    let score: f64 = risk.iter().map(|e| e.risk_score).sum();
                    let kind = if d.kind.is_empty() { "no type" } else { &d.kind };
                    if spelunk::rba::creates_risk(d) {
                        println!(
                            "{} risk event{}, total score {} ({kind}, {})",
                            risk.len(),
                            if risk.len() == 1 { "" } else { "s" },
                            spelunk::eval::value::format_number(score),
                            risk_summary(d)
                        );
                    } else {
                        println!("no risk events: {kind} detections do not make them");
                    }
                }
                self.last = Some(r);
            }
            Err(d) => eprint!("{}", d.render(name, text, term::stderr_color())),
        }
        if self.timer {
            eprintln!("time: {:.3}s", elapsed.as_secs_f64());
        }
    }

    /// Runs the search on a worker thread; `None` when Ctrl-C cancelled it. A cancelled
    /// search stops at the engine's next check and its results are dropped.
    fn run_cancellable(&self, query: spelunk::Query) -> Option<Outcome> {
        INTERRUPTED.store(false, Ordering::SeqCst);
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let (ds, lookups, models, flag) =
            (self.ds.clone(), self.lookups.clone(), self.datamodels.clone(), cancel.clone());
        let limits = Limits { max_rows: self.args.max_rows };
        let worker = std::thread::Builder::new().name("search".into()).spawn(move || {
            let opts = Options {
                lookups: Some(&lookups),
                datamodels: Some(&models),
                limits,
                cancel: Some(&flag),
                ..Options::default()
            };
            let _ = tx.send(engine::run(&query, &ds, &opts));
        });
        if let Err(e) = worker {
            eprintln!("error: cannot start the search: {e}");
            return None;
        }
        let progress = Progress::spinner("searching (Ctrl-C cancels)");
        loop {
            match rx.recv_timeout(Duration::from_millis(25)) {
                Ok(outcome) => return Some(outcome),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if INTERRUPTED.swap(false, Ordering::SeqCst) {
                        cancel.store(true, Ordering::SeqCst);
                        progress.finish();
                        return None;
                    }
                }
                // The worker panicked: say so and keep the session.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    eprintln!("error: the search stopped unexpectedly (a bug in spelunk)");
                    return None;
                }
            }
        }
    }

    /// Prints results in the session's format; tables fitted to the terminal.
    fn show(&self, r: &Results) {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let written = match self.format {
            Format::Table => {
                let rows = self.rows.unwrap_or_else(default_rows);
                let fit = Fit { width: term::width(), max_rows: rows, max_values: 10 };
                output::table_fitted(r, fit, "use .format csv or .save FILE", &mut out)
            }
            other => output::write(r, other, &mut out),
        };
        if let Err(e) = written.and_then(|_| out.flush()) {
            eprintln!("error: cannot write results: {e}");
        }
    }

    /// Prints a listing (always as a fitted table, whatever the format).
    fn show_listing(&self, r: &Results) {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let fit = Fit { width: term::width(), max_rows: usize::MAX, max_values: 10 };
        let _ = output::table_fitted(r, fit, "", &mut out).and_then(|_| out.flush());
    }

    fn fields(&mut self, pattern: &str) {
        if self.summary.get().is_none() {
            INTERRUPTED.store(false, Ordering::SeqCst);
            let progress = Progress::spinner("reading every field of the data");
            while self.summary.get().is_none() {
                std::thread::sleep(Duration::from_millis(20));
                if INTERRUPTED.swap(false, Ordering::SeqCst) {
                    progress.finish();
                    eprintln!("cancelled");
                    return;
                }
            }
        }
        let Some(summary) = self.summary.get() else { return };
        let r = summary.results(|name| name_matches(pattern, name));
        if r.rows == 0 {
            if pattern.is_empty() {
                eprintln!("no fields: no events are loaded (.load PATH)");
            } else {
                eprintln!("no field matches {pattern}");
            }
            return;
        }
        self.show_listing(&r);
        self.last = Some(r);
    }

    fn list_macros(&self, pattern: &str) {
        let rows: Vec<Vec<Value>> = self
            .macros
            .iter()
            .filter(|m| name_matches(pattern, &m.name))
            .map(|m| {
                vec![
                    Value::from(m.key().as_str()),
                    Value::from(m.args.join(", ").as_str()),
                    Value::from(m.definition.replace('\n', " ").as_str()),
                    Value::from(m.origin.as_str()),
                ]
            })
            .collect();
        self.show_listing(&Results::from_rows(&["macro", "arguments", "definition", "from"], rows));
    }

    fn load(&mut self, arg: &str) {
        if arg.is_empty() {
            eprintln!("error: .load takes the data to read: files or directories");
            return;
        }
        let mut data = self.args.data.clone();
        data.data = arg.split_whitespace().map(PathBuf::from).collect();
        if data.data.iter().any(|p| p.as_os_str() == "-") {
            eprintln!("error: .load reads files and directories (standard input is where searches come from)");
            return;
        }
        if let Ok(ds) = data.load(now()) {
            eprintln!("{} event{} loaded", ds.len(), if ds.len() == 1 { "" } else { "s" });
            self.args.data = data;
            self.ds = Arc::new(ds);
            self.summarise();
        }
    }

    fn explain(&self, text: &str) {
        if text.is_empty() {
            eprintln!("error: .explain takes a search");
            return;
        }
        match spelunk::compile(text, &self.macros) {
            Ok(q) => {
                if q.expansion.used_macros() {
                    println!("expanded: {}", q.expansion.text);
                } else {
                    println!("expanded: (no macros)");
                }
                println!("plan:");
                for (k, c) in q.pipeline.commands.iter().enumerate() {
                    let one = Pipeline { commands: vec![c.clone()], span: c.span };
                    let mut shown = print(&one);
                    shown = shown.trim_start_matches("| ").to_string();
                    if matches!(c.kind, CommandKind::Search(_)) && !shown.starts_with("search") {
                        shown = format!("search {shown}");
                    }
                    println!("  {}. {shown}", k + 1);
                }
            }
            Err(d) => eprint!("{}", d.render("search", text, term::stderr_color())),
        }
    }

    fn save(&self, file: &str) {
        let Some(r) = &self.last else {
            eprintln!("error: no results yet: run a search first");
            return;
        };
        if file.is_empty() {
            eprintln!("error: .save takes a file name (.csv, .json or .ndjson)");
            return;
        }
        let path = Path::new(file);
        let format = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Format::Json,
            Some("ndjson" | "jsonl") => Format::Ndjson,
            _ => Format::Csv,
        };
        let written = std::fs::File::create(path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            output::write(r, format, &mut w)?;
            w.flush()
        });
        match written {
            Ok(()) => eprintln!("{} result{} saved to {file}", r.rows, if r.rows == 1 { "" } else { "s" }),
            Err(e) => eprintln!("error: {file}: {e}"),
        }
    }

    fn detections(&self, pattern: &str) {
        let Some(content) = &self.content else {
            eprintln!("error: no content loaded: start with --content DIR");
            return;
        };
        let rows: Vec<Vec<Value>> = content
            .detections
            .iter()
            .filter(|d| name_matches(pattern, &d.file.name))
            .map(|d| {
                vec![
                    Value::from(d.file.name.as_str()),
                    Value::from(d.kind.as_str()),
                    Value::from(d.file.status.as_str()),
                    Value::from(risk_summary(d).as_str()),
                ]
            })
            .collect();
        self.show_listing(&Results::from_rows(&["detection", "type", "status", "risk"], rows));
    }

    fn run_detection(&mut self, name: &str) {
        let Some(content) = self.content.take() else {
            eprintln!("error: no content loaded: start with --content DIR");
            return;
        };
        let exact: Vec<_> = content.detections.iter().filter(|d| d.file.name.eq_ignore_ascii_case(name)).collect();
        let found: Vec<_> = if exact.is_empty() {
            content.detections.iter().filter(|d| !name.is_empty() && name_matches(name, &d.file.name)).collect()
        } else {
            exact
        };
        match found.as_slice() {
            [] => eprintln!("error: no detection is called {name:?}; .detections lists them"),
            [d] => {
                println!("== {}", d.file.name);
                let search = d.file.search.clone();
                self.search(&search, Some(d));
            }
            more => {
                eprintln!("error: {} detections match {name:?}:", more.len());
                for d in more.iter().take(10) {
                    eprintln!("  {}", d.file.name);
                }
            }
        }
        self.content = Some(content);
    }
}

/// A dot-command's PATTERN: `*` wildcards (any case), or without one a part of the name;
/// empty matches everything.
fn name_matches(pattern: &str, name: &str) -> bool {
    if pattern.is_empty() {
        true
    } else if pattern.contains('*') {
        glob_matches(pattern, name, true)
    } else {
        name.to_ascii_lowercase().contains(&pattern.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_wildcards_or_parts_of_names() {
        assert!(name_matches("", "x"));
        assert!(name_matches("request*", "requestParameters.bucketName"));
        assert!(!name_matches("request*", "x.requestParameters"));
        assert!(name_matches("bucket", "requestParameters.bucketName"));
        assert!(name_matches("BUCKET", "requestParameters.bucketName"));
    }
}
