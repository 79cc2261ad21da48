//! The project's own content (detections/, macros/, datasets/): each detection fires on
//! its true-positive dataset with every risk object filled, stays silent on the benign
//! dataset beside it, and scores as its file says. Splunk's two detections keep Splunk's
//! search unchanged (checked against the corpus when ../shared is there).

mod common;

use std::path::Path;

use spelunk::content::detection::{Detection, RiskSchema};
use spelunk::content::load::{load, Content};
use spelunk::content::testrun::{judge, Verdict};
use spelunk::engine::{run, Options, Results};
use spelunk::eval::Context;
use spelunk::events::input::{load as load_events, LoadOptions};
use spelunk::frame::Dataset;

fn content() -> Content {
    load(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn run_over(c: &Content, d: &Detection, file: &Path) -> Results {
    let loaded = load_events(&[file.to_path_buf()], &LoadOptions::default()).unwrap();
    assert!(loaded.problems.is_empty(), "{}: {:?}", file.display(), loaded.problems);
    let ds = Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 1_800_000_000.0 }).unwrap();
    let q = spelunk::compile(&d.file.search, &c.macros).unwrap();
    run(&q, &ds, &Options { lookups: Some(&c.lookups), ..Options::default() })
        .unwrap_or_else(|e| panic!("{}: {}", d.file.name, e.render_plain(&d.file.name, &d.file.search)))
}

#[test]
fn every_detection_fires_on_its_dataset_and_is_silent_on_the_benign_one() {
    let c = content();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.detections.len() >= 7, "{}", c.detections.len());
    for d in &c.detections {
        let data = &d.tests.first().unwrap_or_else(|| panic!("{} has no test", d.file.name)).attack_data[0].data;
        let tp = c.root.join(data);
        match judge(d, &run_over(&c, d, &tp)) {
            Verdict::Pass { .. } => {}
            other => panic!("{} on {}: {other:?}", d.file.name, tp.display()),
        }
        let benign = tp.with_file_name("benign.ndjson");
        assert!(benign.exists(), "{}: no {}", d.file.name, benign.display());
        let r = run_over(&c, d, &benign);
        assert_eq!(r.rows, 0, "{} fires on {}: {:?}", d.file.name, benign.display(), r.column("user_arn"));
    }
}

#[test]
fn risk_scores_are_impact_times_confidence_or_the_rba_blocks() {
    let c = content();
    let by_name = |n: &str| c.detections.iter().find(|d| d.file.name == n).unwrap_or_else(|| panic!("no {n}"));
    let ami = by_name("AWS AMI Attribute Modification for Exfiltration");
    assert_eq!(
        (ami.risk.schema, ami.risk.computed_score(), ami.risk.stored_score),
        (RiskSchema::V4, Some(80.0), Some(80.0))
    );
    let snap = by_name("Detect shared ec2 snapshot");
    assert_eq!(
        (snap.risk.schema, snap.risk.computed_score(), snap.risk.stored_score),
        (RiskSchema::V4, Some(48.0), Some(48.0))
    );
    for d in &c.detections {
        match d.risk.schema {
            RiskSchema::V4 => assert_eq!(d.risk.computed_score(), d.risk.stored_score, "{}", d.file.name),
            RiskSchema::Rba => assert!(d.risk.objects.iter().all(|o| o.score > 0.0), "{}", d.file.name),
            other => panic!("{}: risk schema {other:?}", d.file.name),
        }
        assert!(!d.risk.objects.is_empty(), "{} has no risk object", d.file.name);
    }
}

#[test]
fn splunks_two_searches_are_unchanged() {
    let Some(corpus) = common::security_content("splunks_two_searches_are_unchanged") else { return };
    let c = content();
    for (ours, theirs) in [
        ("AWS AMI Attribute Modification for Exfiltration", "aws_ami_attribute_modification_for_exfiltration.yml"),
        ("Detect shared ec2 snapshot", "aws_ec2_snapshot_shared_externally.yml"),
    ] {
        let d = c.detections.iter().find(|d| d.file.name == ours).unwrap();
        let splunk = spelunk::content::read_detection(&corpus.join("detections/cloud").join(theirs)).unwrap();
        assert_eq!(d.file.search, splunk.search, "{ours}");
    }
}
