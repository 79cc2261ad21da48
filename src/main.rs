fn main() -> std::process::ExitCode {
    spelunk_cli::run()
}

#[path = "cli/mod.rs"]
mod spelunk_cli;
