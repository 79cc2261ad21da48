//! The command line: `spelunk <subcommand>`.
//!
//! Exit codes: 0 success; 1 the input had problems (a search failed to parse, ...);
//! 2 usage or I/O error.

mod data;
mod parse;
mod search;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "spelunk", version, about = "Run Splunk security detections offline over AWS CloudTrail logs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Parse(parse::ParseArgs),
    Search(Box<search::SearchArgs>),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Search(args) => search::run(*args),
    }
}

/// Colour on stderr only for a terminal, and never with NO_COLOR set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
