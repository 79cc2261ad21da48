//! Front-end throughput over Splunk's detection corpus: macro expansion, parsing and
//! printing of all 1,711 searches, repeated, in a release build.
//!
//!     cargo bench --bench frontend            # needs ../shared beside the checkout
//!     SPELUNK_CONTENT=/path/to/security_content cargo bench --bench frontend
//!
//! Prints the minimum and median wall time of one pass over the corpus for each stage.
//! Figures go in notes, never in assertions.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use spelunk::content::{find_yaml_files, read_detection};
use spelunk::macros::{expand, MacroTable};
use spelunk::syntax::{parse, print};

fn main() {
    let dir = std::env::var_os("SPELUNK_CONTENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/security_content"));
    if !dir.is_dir() {
        println!("SKIPPED: no content at {} (set SPELUNK_CONTENT)", dir.display());
        return;
    }
    let t0 = Instant::now();
    let mut macros = MacroTable::builtin();
    macros.load_dir(&dir.join("macros")).expect("macros");
    let files = find_yaml_files(&dir.join("detections")).expect("detections");
    let searches: Vec<String> = files.iter().map(|p| read_detection(p).expect("detection").search).collect();
    let load = t0.elapsed();
    let bytes: usize = searches.iter().map(String::len).sum();
    println!(
        "corpus: {} searches, {} KiB of SPL; reading the YAML took {:.1} ms",
        searches.len(),
        bytes / 1024,
        ms(load)
    );

    let expanded: Vec<String> = searches.iter().map(|s| expand(s, &macros).expect("expands").text).collect();
    let trees: Vec<_> = expanded.iter().map(|s| parse(s).expect("parses")).collect();
    let ex_bytes: usize = expanded.iter().map(String::len).sum();

    let runs = 30;
    report("expand", runs, || {
        for s in &searches {
            std::hint::black_box(expand(s, &macros).ok());
        }
    });
    report("parse (expanded text)", runs, || {
        for s in &expanded {
            std::hint::black_box(parse(s).ok());
        }
    });
    let whole = report("expand + parse", runs, || {
        for s in &searches {
            std::hint::black_box(spelunk::compile(s, &macros).ok());
        }
    });
    report("print", runs, || {
        for t in &trees {
            std::hint::black_box(print(t));
        }
    });
    let per_search = whole.as_secs_f64() * 1e6 / searches.len() as f64;
    let mib_s = ex_bytes as f64 / whole.as_secs_f64() / (1 << 20) as f64;
    println!("expand + parse: {per_search:.1} us per search, {mib_s:.1} MiB/s of expanded SPL");
}

/// Runs `f` `runs` times and prints min and median; returns the median.
fn report(name: &str, runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = times[runs / 2];
    println!(
        "{name:<24} min {:>8.2} ms   median {:>8.2} ms   ({runs} passes over the corpus)",
        ms(times[0]),
        ms(median)
    );
    median
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
