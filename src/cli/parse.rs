//! `spelunk parse`: expand and parse one search, or every detection of a content tree.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::content::{find_yaml_files, read_detection};
use spelunk::macros::MacroTable;
use spelunk::syntax::printer::print;
use spelunk::{compile, Diagnostic};

/// Parse SPL: print the expanded search, its canonical form or its syntax tree; or check
/// that every detection under a content directory parses.
#[derive(Args)]
#[command(after_help = "Examples:
  spelunk parse '`cloudtrail` eventName=ConsoleLogin | stats count by src_ip' --macros macros/
  spelunk parse '| makeresults | eval x=1+2*3' --ast
  spelunk parse --content ../security_content

Exit codes: 0 success; 1 the input had problems (a search failed to parse); 2 usage or I/O
error.")]
pub struct ParseArgs {
    /// The search to parse (SPL). Omit with --content.
    #[arg(required_unless_present = "content", conflicts_with = "content")]
    search: Option<String>,
    /// A directory of macro definitions (*.yml in security_content's format, *.conf in
    /// macros.conf format); may be given several times, later ones win.
    #[arg(long = "macros", value_name = "DIR")]
    macros: Vec<PathBuf>,
    /// Print the syntax tree too.
    #[arg(long)]
    ast: bool,
    /// Print the canonical form of the search (what the printer makes of the tree)
    /// instead of the expanded text.
    #[arg(long)]
    canonical: bool,
    /// Parse the `search:` of every detection under DIR/detections, with the macros of
    /// DIR/macros; print one line per failure and a summary.
    #[arg(long, value_name = "DIR")]
    content: Option<PathBuf>,
    /// With --content: show each failure in full, with its caret.
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: ParseArgs) -> ExitCode {
    let mut macros = MacroTable::builtin();
    if let Some(dir) = &args.content {
        let mdir = dir.join("macros");
        if mdir.is_dir() {
            if let Err(e) = macros.load_dir(&mdir) {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    for dir in &args.macros {
        if let Err(e) = macros.load_dir(dir) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    match (&args.content, &args.search) {
        (Some(dir), _) => content(dir, &macros, args.verbose),
        (None, Some(search)) => one(search, &macros, args.ast, args.canonical),
        (None, None) => unreachable!("clap requires one of them"),
    }
}

fn one(search: &str, macros: &MacroTable, ast: bool, canonical: bool) -> ExitCode {
    match compile(search, macros) {
        Ok(q) => {
            if canonical {
                println!("{}", print(&q.pipeline));
            } else {
                println!("{}", q.expansion.text);
            }
            if ast {
                println!("{:#?}", q.pipeline);
            }
            ExitCode::SUCCESS
        }
        Err(d) => {
            report(&d, "search", search);
            ExitCode::from(1)
        }
    }
}

fn report(d: &Diagnostic, name: &str, source: &str) {
    eprint!("{}", d.render(name, source, super::stderr_color()));
}

fn content(dir: &std::path::Path, macros: &MacroTable, verbose: bool) -> ExitCode {
    let det_dir = dir.join("detections");
    let files = match find_yaml_files(&det_dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", det_dir.display());
            return ExitCode::from(2);
        }
    };
    let (mut parsed, mut failed) = (0usize, 0usize);
    for path in files {
        let det = match read_detection(&path) {
            Ok(d) => d,
            Err(e) => {
                println!("{e}");
                failed += 1;
                continue;
            }
        };
        match compile(&det.search, macros) {
            Ok(_) => parsed += 1,
            Err(d) => {
                failed += 1;
                let (line, col) = det.search_position(d.span.start);
                println!("{}:{line}:{col}: {}", path.display(), d.message);
                if verbose {
                    report(&d, &det.name, &det.search);
                }
            }
        }
    }
    println!("{parsed} parsed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
