//! Times the ways spelunk can turn an NDJSON file's events into fields, on one core, to
//! choose the extraction path by measurement (bench/README.md, "JSON parser"):
//!
//! - `serde_json Value + flatten`: the document tree (`preserve_order`,
//!   `arbitrary_precision`), then the tree walk (what extraction did before issue 8);
//! - `flat walker`: `events::flat`, one walk over the text making only the wanted leaves;
//! - `serde_json IgnoredAny`: parsing without building anything, a floor for any
//!   serde_json-based path;
//! - `flat walker checking only`: `flat::is_json`, what loading asks of a line the
//!   structural check is not sure of;
//! - `structural check`: `check::is_object`, what loading asks first of each line.
//!
//! ```text
//! cargo run --release --example json_parsers -- FILE.ndjson
//! ```

use std::time::Instant;

use spelunk::events::{check, flat, json};

fn main() {
    let path = std::env::args().nth(1).expect("usage: json_parsers FILE.ndjson");
    let text = std::fs::read_to_string(&path).expect("a readable UTF-8 file");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mb = text.len() as f64 / (1 << 20) as f64;
    println!("{path}: {} events, {mb:.0} MB, one core", lines.len());

    let wanted_few = |p: &str| matches!(p, "eventName" | "eventSource" | "errorCode" | "userIdentity.arn");
    let all = |_: &str| true;
    let mut rows: Vec<(&str, f64)> = Vec::new();
    let mut time = |name: &'static str, f: &dyn Fn(&str) -> usize| {
        let t = Instant::now();
        let n: usize = lines.iter().map(|l| f(l)).sum();
        let s = t.elapsed().as_secs_f64();
        println!("{name:<48} {s:>7.2} s  {:>7.0} MB/s  ({n} leaves)", mb / s);
        rows.push((name, s));
    };
    time("serde_json IgnoredAny (floor, no fields)", &|l| {
        serde_json::from_str::<serde::de::IgnoredAny>(l).map_or(0, |_| 1)
    });
    time("flat walker checking only", &|l| usize::from(flat::is_json(l)));
    time("structural check (what loading uses)", &|l| usize::from(check::is_object(l.as_bytes())));
    time("serde_json Value + flatten, every field", &|l| {
        let v = json::parse(l).unwrap();
        let mut out = json::Fields::default();
        json::flatten(&v, &mut String::new(), &mut out, &all);
        out.len()
    });
    time("flat walker, every field", &|l| flat::flatten_object(l, &all).map_or(0, |f| f.len()));
    time("serde_json Value + flatten, 4 fields", &|l| {
        let v = json::parse(l).unwrap();
        let mut out = json::Fields::default();
        json::flatten(&v, &mut String::new(), &mut out, &wanted_few);
        out.len()
    });
    time("flat walker, 4 fields", &|l| flat::flatten_object(l, &wanted_few).map_or(0, |f| f.len()));
}
