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

/// Reading a detection with one parse of its YAML gives what parsing it twice (for the
/// file, then for its risk, annotations and tests) gives: for the project's detections,
/// for the corpus's when ../shared is there, and for files whose scalars YAML would type
/// as numbers or booleans (where the one parse falls back on the two).
#[test]
fn one_parse_of_a_detection_reads_what_two_read() {
    use spelunk::content::detection::{read, read_apart};
    let mut files =
        spelunk::content::find_yaml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("detections")).unwrap();
    if let Some(corpus) = common::security_content("one_parse_of_a_detection_reads_what_two_read") {
        files.extend(spelunk::content::find_yaml_files(&corpus.join("detections")).unwrap());
    }
    let dir = std::env::temp_dir().join(format!("spelunk-one-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (k, yaml) in [
        "name: 2024\nid: 12345\nstatus: yes\nsearch: '| makeresults'\ntags:\n  impact: '50'\n  confidence: 80\n",
        "name: Plain\nsearch: |\n  | makeresults\n  | eval x=1\ntype: TTP\nrba:\n  message: m $user$\n  risk_objects:\n  - field: user\n    type: user\n    score: 42\n",
        "name: No search\nid: x\n",
        "name: [not, a, string]\nsearch: x\n",
        "name: Bad shape\nsearch: x\ntests: 7\n",
        "search: x\nname: \"Quoted \\\"name\\\"\"\ntags:\n  mitre_attack_id:\n  - T1110\n",
    ]
    .iter()
    .enumerate()
    {
        let f = dir.join(format!("d{k}.yml"));
        std::fs::write(&f, yaml).unwrap();
        files.push(f);
    }
    assert!(files.len() > 6);
    for f in &files {
        let (one, two) = (read(f), read_apart(f));
        assert_eq!(format!("{one:?}"), format!("{two:?}"), "{}", f.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A name written plainly on its own line is the name the YAML holds: for the project's
/// detections and the corpus's when ../shared is there (a file whose line is not plain
/// enough is parsed instead). Loading by name reads only the files that may hold it, and
/// everything when none does.
#[test]
fn a_plainly_written_name_is_the_detections_name() {
    use spelunk::content::{detection::read, written_name};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = spelunk::content::find_yaml_files(&root.join("detections")).unwrap();
    if let Some(corpus) = common::security_content("a_plainly_written_name_is_the_detections_name") {
        files.extend(spelunk::content::find_yaml_files(&corpus.join("detections")).unwrap());
    }
    let mut plain = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if let Some(name) = written_name(&text) {
            plain += 1;
            assert_eq!(name, read(f).unwrap().file.name, "{}", f.display());
        }
    }
    assert!(plain * 10 >= files.len() * 9, "{plain} of {} plain", files.len());

    let dir = std::env::temp_dir().join(format!("spelunk-named-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("detections")).unwrap();
    let files = [
        ("a.yml", "name: AWS One\nsearch: '| makeresults'\n"),
        ("b.yml", "name: 'AWS Two'\nsearch: '| makeresults'\n"),
        ("c.yml", "name: Broken\nsearch: [unclosed\n"),
        ("d.yml", "name: >-\n  AWS Folded\nsearch: '| makeresults'\n"),
    ];
    for (f, text) in files {
        std::fs::write(dir.join("detections").join(f), text).unwrap();
    }
    let names = |c: &Content| c.detections.iter().map(|d| d.file.name.clone()).collect::<Vec<_>>();
    let every = load(&dir).unwrap();
    assert_eq!(
        (names(&every), every.problems.len()),
        (vec!["AWS One".into(), "AWS Two".into(), "AWS Folded".into()], 1)
    );
    // The folded name is not written plainly: that file is read.
    let two = spelunk::content::load::load_named(&dir, &["aws two".into()]).unwrap();
    assert_eq!((names(&two), two.problems.len()), (vec!["AWS Two".into(), "AWS Folded".into()], 0));
    let folded = spelunk::content::load::load_named(&dir, &["*folded".into()]).unwrap();
    assert_eq!(names(&folded), vec!["AWS Folded".to_string()]);
    // No file holds it: every file is read, and its problems reported.
    let none = spelunk::content::load::load_named(&dir, &["Nothing".into()]).unwrap();
    assert_eq!((none.detections.len(), none.problems.len()), (3, 1));
    std::fs::remove_dir_all(&dir).unwrap();
}
