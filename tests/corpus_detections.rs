//! Splunk's active CloudTrail detections (../shared/corpus/security_content) run, unchanged,
//! over every CloudTrail record under ../shared/cloudtrail. Skipped, with a message, when
//! ../shared is absent.

mod common;

use spelunk::content::{find_yaml_files, read_detection, DetectionFile};
use spelunk::engine::{run, Lookups, Options};
use spelunk::eval::Context;
use spelunk::events::input::{load, LoadOptions};
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;

/// The active (not deprecated) detections under detections/cloud that read CloudTrail: the
/// ones using the `cloudtrail` macro, and the datamodel (tstats) ones whose data source is
/// AWS CloudTrail.
fn cloudtrail_detections(corpus: &std::path::Path) -> (Vec<DetectionFile>, Vec<DetectionFile>) {
    let files = find_yaml_files(&corpus.join("detections/cloud")).unwrap();
    let (mut raw, mut tstats) = (Vec::new(), Vec::new());
    for f in files {
        let d = read_detection(&f).unwrap();
        if d.status == "deprecated" {
            continue;
        }
        if d.search.contains("`cloudtrail`") {
            raw.push(d);
        } else if d.search.contains("tstats") && d.data_sources.iter().any(|s| s == "AWS CloudTrail") {
            tstats.push(d);
        }
    }
    (raw, tstats)
}

#[test]
fn every_active_cloudtrail_detection_runs_over_all_shared_records() {
    let Some(shared) = common::shared_or_skip("every_active_cloudtrail_detection_runs_over_all_shared_records") else {
        return;
    };
    let corpus = shared.join("corpus/security_content");
    let (raw, tstats) = cloudtrail_detections(&corpus);
    assert_eq!((raw.len(), tstats.len()), (55, 21), "76 active CloudTrail detections at the corpus's commit");

    let mut macros = MacroTable::builtin();
    macros.load_dir(&corpus.join("macros")).unwrap();
    let mut lookups = Lookups::new();
    lookups.add_dir(&corpus.join("lookups")).unwrap();
    let loaded = load(&[shared.join("cloudtrail")], &LoadOptions::default()).unwrap();
    let events = loaded.events.len();
    // A fixed "now" so that relative times are reproducible: the newest record's day.
    let ds = Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 1_750_000_000.0 }).unwrap();
    let opts = Options { lookups: Some(&lookups), ..Options::default() };

    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (kind, list) in [("raw", &raw), ("datamodel", &tstats)] {
        for d in list.iter() {
            let q = spelunk::compile(&d.search, &macros).unwrap();
            match run(&q, &ds, &opts) {
                Ok(r) => {
                    // Every datamodel field these detections name is defined in datamodels/.
                    for w in r.warnings.iter().filter(|w| w.contains("is not a field of the datamodel")) {
                        failures.push(format!("{}: {w}", d.name));
                    }
                    report.push(format!("{:>4}  {kind:<9}  {}", r.rows, d.name))
                }
                Err(e) => failures.push(format!("{}: {}", d.name, e.render_plain(&d.name, &d.search))),
            }
        }
    }
    use std::io::Write;
    let mut err = std::io::stderr();
    let _ = writeln!(err, "{} detections over {events} events (rows, kind, name):", raw.len() + tstats.len());
    for line in &report {
        let _ = writeln!(err, "{line}");
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), raw.len() + tstats.len(), failures.join("\n"));
}
