//! `lint` over Splunk's own content (../shared/corpus/security_content): it reads every
//! detection without error or panic, and the risk-score check holds for every active
//! CloudTrail detection. Counts per check go to stderr. Skipped, with a message, when
//! ../shared is absent.

mod common;

use std::io::Write;

use spelunk::content::detection::{self, Detection};
use spelunk::content::find_yaml_files;
use spelunk::content::lint::{counts, lint, Check};
use spelunk::macros::MacroTable;
use spelunk::syntax::output_fields::output_fields;

fn corpus_macros(corpus: &std::path::Path) -> MacroTable {
    let mut macros = MacroTable::builtin();
    macros.load_dir(&corpus.join("macros")).unwrap();
    macros
}

/// The active (not deprecated) detections under detections/cloud that read CloudTrail, as
/// tests/corpus_detections.rs selects them: the `cloudtrail` macro ones and the tstats ones
/// whose data source is AWS CloudTrail.
fn cloudtrail_detections(corpus: &std::path::Path) -> Vec<Detection> {
    let mut out = Vec::new();
    for f in find_yaml_files(&corpus.join("detections/cloud")).unwrap() {
        let d = detection::read(&f).unwrap();
        let file = &d.file;
        if file.status == "deprecated" {
            continue;
        }
        if file.search.contains("`cloudtrail`")
            || (file.search.contains("tstats") && file.data_sources.iter().any(|s| s == "AWS CloudTrail"))
        {
            out.push(d);
        }
    }
    out
}

#[test]
fn lint_reads_the_whole_corpus_and_counts_findings_per_check() {
    let Some(corpus) = common::security_content("lint_reads_the_whole_corpus_and_counts_findings_per_check") else {
        return;
    };
    let macros = corpus_macros(&corpus);
    let files = find_yaml_files(&corpus.join("detections")).unwrap();
    let detections: Vec<Detection> = files.iter().map(|f| detection::read(f).unwrap()).collect();
    assert_eq!(detections.len(), 1711);
    let findings = lint(&detections, &macros);

    let mut err = std::io::stderr();
    let per = counts(&findings);
    let _ = writeln!(err, "lint over {} detections: {} findings", detections.len(), findings.len());
    for (check, n) in &per {
        let deprecated = findings
            .iter()
            .filter(|f| f.check == *check && f.path.components().any(|c| c.as_os_str() == "deprecated"))
            .count();
        let _ = writeln!(err, "  {:<13} {n:>3} ({deprecated} in detections/deprecated)", check.name());
    }
    // How much of the field check is exact: detections whose final fields are closed.
    let closed = detections
        .iter()
        .filter(|d| spelunk::compile(&d.file.search, &macros).is_ok_and(|q| !output_fields(&q.pipeline).is_open()))
        .count();
    let _ = writeln!(err, "  final fields closed (every risk field checked exactly) in {closed} detections");

    // Every search parses and every macro is defined (with the built-in stand-ins).
    let count = |c: Check| per.iter().find(|(k, _)| *k == c).map_or(0, |(_, n)| *n);
    assert_eq!(count(Check::Parse), 0, "{findings:#?}");
    assert_eq!(count(Check::Macros), 0, "{findings:#?}");
    // What this commit of the corpus holds (reviewed; see README.md `spelunk lint`).
    assert_eq!(count(Check::RiskScore), 6);
    assert!(count(Check::Fields) > 0);
}

#[test]
fn the_risk_score_check_holds_for_every_cloudtrail_detection() {
    let Some(corpus) = common::security_content("the_risk_score_check_holds_for_every_cloudtrail_detection") else {
        return;
    };
    let macros = corpus_macros(&corpus);
    let detections = cloudtrail_detections(&corpus);
    assert_eq!(detections.len(), 76, "55 `cloudtrail` + 21 tstats at the corpus's commit");
    let findings = lint(&detections, &macros);
    let score: Vec<String> = findings.iter().filter(|f| f.check == Check::RiskScore).map(|f| f.to_string()).collect();
    assert!(score.is_empty(), "{}", score.join("\n"));
    for d in &detections {
        let (i, c, s) = (d.risk.impact.unwrap(), d.risk.confidence.unwrap(), d.risk.stored_score.unwrap());
        assert_eq!(s, i * c / 100.0, "{}", d.file.name);
    }
    let mut err = std::io::stderr();
    let _ = writeln!(err, "{} CloudTrail detections: {} findings", detections.len(), findings.len());
    for f in &findings {
        let _ = writeln!(err, "  {f}");
    }
}
