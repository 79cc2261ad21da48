//! `spelunk --help` and every subcommand's help, as snapshots (tests/snapshots/): the
//! options, the examples and the exit codes a user reads. Review changes with
//! `cargo insta review`.

mod common;

/// The help of `spelunk ARGS... --help` at a fixed width (clap wraps nothing without its
/// `wrap_help` feature; COLUMNS is fixed anyway so the text never depends on the terminal).
fn help(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("spelunk runs");
    assert!(out.status.success(), "{args:?} --help failed: {}", common::text(&out.stderr));
    assert!(out.stderr.is_empty(), "help goes to stdout: {}", common::text(&out.stderr));
    common::text(&out.stdout)
}

#[test]
fn top_level_help() {
    let h = help(&[]);
    for sub in ["test", "detect", "risk", "lint", "search", "parse", "repl"] {
        assert!(h.contains(&format!("\n  {sub} ")), "{sub} is listed: {h}");
        assert!(h.contains(&format!("  spelunk {sub}")), "an example of {sub}: {h}");
    }
    insta::assert_snapshot!("help", h);
}

macro_rules! subcommand_help {
    ($($test:ident: $sub:literal,)*) => {$(
        #[test]
        fn $test() {
            let h = help(&[$sub]);
            assert!(h.contains("Examples:\n  spelunk "), "{} has examples: {h}", $sub);
            assert!(h.contains("Exit codes: 0 "), "{} has its exit codes: {h}", $sub);
            insta::assert_snapshot!(concat!("help_", $sub), h);
        }
    )*};
}

subcommand_help! {
    test_help: "test",
    detect_help: "detect",
    risk_help: "risk",
    lint_help: "lint",
    search_help: "search",
    parse_help: "parse",
    repl_help: "repl",
}
