//! The command line: `spelunk <subcommand>`.
//!
//! Exit codes: 0 success; 1 the input had problems (a search failed to parse, `lint`
//! found something, ...); 2 usage or I/O error.

mod content;
mod data;
mod detect;
mod lint;
mod parse;
mod repl;
mod risk;
mod search;
mod term;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "spelunk",
    version,
    about = "Run Splunk security detections offline over AWS CloudTrail logs",
    after_help = "Examples:
  spelunk test                   # the project's detections over their datasets
  spelunk detect --data trail/ --content ../security_content --risk-events risk.ndjson
  spelunk risk --from risk.ndjson
  spelunk lint --content ../security_content
  spelunk search '`cloudtrail` errorCode!=success | stats count by user_arn' --data trail/
  spelunk parse '`cloudtrail` eventName=ConsoleLogin | stats count by src_ip'
  spelunk repl --data trail/ --content ../security_content

`spelunk help COMMAND` or `spelunk COMMAND --help` shows each command's options, examples
and exit codes. Results go to stdout (table, csv, json or ndjson with --format), errors and
warnings to stderr; colour only on a terminal, never with NO_COLOR set.

Exit codes: 0 success; 1 the input had problems (a search that does not parse or run, a
failed test, lint findings); 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Test(Box<test::TestArgs>),
    Detect(Box<detect::DetectArgs>),
    Risk(Box<risk::RiskArgs>),
    Lint(lint::LintArgs),
    Search(Box<search::SearchArgs>),
    Parse(parse::ParseArgs),
    Repl(Box<repl::ReplArgs>),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Search(args) => search::run(*args),
        Command::Test(args) => test::run(*args),
        Command::Detect(args) => detect::run(*args),
        Command::Risk(args) => risk::run(*args),
        Command::Repl(args) => repl::run(*args),
    }
}

/// Colour on stderr only for a terminal, and never with NO_COLOR set.
pub fn stderr_color() -> bool {
    term::stderr_color()
}
