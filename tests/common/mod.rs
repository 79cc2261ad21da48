//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the checkout, when it is there. Tests that need it call
/// [`shared_or_skip`] and print a SKIPPED line when it is absent, so a skip is never silent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.is_dir().then_some(dir)
}

/// The shared directory, or `None` after printing why the test is skipped.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.is_none() {
        // Written to the stderr handle itself: the test harness captures print macros,
        // and a skip must be seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: ../shared is not beside the checkout (the corpus tests need it)"
        );
    }
    dir
}

pub fn security_content(test: &str) -> Option<PathBuf> {
    let dir = shared_or_skip(test)?.join("corpus/security_content");
    dir.is_dir().then_some(dir)
}

/// An event's fields from `name=value` pairs; a value with `|` is a multivalue.
pub fn fields(pairs: &[(&str, &str)]) -> spelunk::events::Fields {
    use spelunk::events::Value;
    pairs
        .iter()
        .map(|(k, v)| {
            let value =
                if v.contains('|') { Value::Multi(v.split('|').map(String::from).collect()) } else { Value::from(*v) };
            (k.to_string(), value)
        })
        .collect()
}

/// The spelunk binary run from the checkout, without colour.
pub fn spelunk(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("spelunk runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch directory under the target dir, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a file, making its directory.
pub fn write(path: &std::path::Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// What a search reads over all events before anything reduces them, as `detect` plans it
/// for its shared passes (built-in macros and datamodels).
pub fn scan_plan(spl: &str) -> spelunk::frame::ScanPlan {
    let q = spelunk::compile(spl, &spelunk::macros::MacroTable::builtin()).unwrap();
    spelunk::engine::scan_plan(&q.pipeline, &spelunk::engine::Options::default())
}
