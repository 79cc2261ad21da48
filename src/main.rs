// mimalloc: extraction makes and drops many small strings per event (bench/README.md,
// "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    spelunk_cli::run()
}

#[path = "cli/mod.rs"]
mod spelunk_cli;
