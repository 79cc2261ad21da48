//! Every input format, and every kind of bad input: events come out with `_raw` exactly as
//! written; problems name the file and line; nothing panics; nothing is modified.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use spelunk::events::input::{load, load_bytes, LoadOptions, Loaded};

const E1: &str =
    r#"{"eventVersion":"1.08","eventTime":"2021-07-20T12:34:56Z","eventName":"CreateKey","awsRegion":"us-east-1"}"#;
const E2: &str =
    r#"{"eventVersion":"1.08","eventTime":"2021-07-20T12:35:00Z","eventName":"PutKeyPolicy","awsRegion":"us-east-1"}"#;

fn from_bytes(bytes: &[u8]) -> Loaded {
    let mut out = Loaded::default();
    load_bytes("input", bytes, &LoadOptions::default(), &mut out).expect("not strict");
    out
}

fn raws(l: &Loaded) -> Vec<&str> {
    l.events.iter().map(|e| e.raw.as_str()).collect()
}

fn problems(l: &Loaded) -> Vec<String> {
    l.problems.iter().map(|p| p.to_string()).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ndjson_one_event_per_line() {
    let l = from_bytes(format!("{E1}\n\n{E2}\r\n").as_bytes());
    assert_eq!(raws(&l), [E1, E2]);
    assert!(l.problems.is_empty());
    assert_eq!(l.events[0].time.unwrap().epoch, 1626784496.0);
    assert_eq!(l.events[0].meta.sourcetype, "aws:cloudtrail");
}

#[test]
fn cloudtrail_records_file_keeps_each_record_text() {
    let file = format!("{{\"Records\": [\n  {E1},\n  {E2}\n]}}");
    let l = from_bytes(file.as_bytes());
    assert_eq!(raws(&l), [E1, E2]);
    // On one line too.
    let l = from_bytes(format!("{{\"Records\":[{E1},{E2}]}}").as_bytes());
    assert_eq!(raws(&l), [E1, E2]);
}

#[test]
fn json_array_and_single_pretty_object() {
    assert_eq!(raws(&from_bytes(format!("[{E1}, {E2}]").as_bytes())), [E1, E2]);
    let pretty = "{\n  \"eventTime\": \"2021-07-20T12:34:56Z\",\n  \"eventName\": \"X\"\n}\n";
    let l = from_bytes(pretty.as_bytes());
    assert_eq!(l.events.len(), 1);
    assert_eq!(l.events[0].raw, pretty.trim_end());
}

#[test]
fn gzip_detected_by_magic_bytes() {
    let l = from_bytes(&gzip(format!("{E1}\n{E2}\n").as_bytes()));
    assert_eq!(raws(&l), [E1, E2]);
    let l = from_bytes(&gzip(format!("{{\"Records\":[{E1}]}}").as_bytes()));
    assert_eq!(raws(&l), [E1]);
}

#[test]
fn splunk_csv_export_reads_raw_and_metadata() {
    let csv = format!(
        "\"_raw\",\"_time\",host,index,source\n\"{}\",\"2021-07-20T12:34:56.000+00:00\",h1,aws,s3://b/k.json.gz\n",
        E1.replace('"', "\"\"")
    );
    let l = from_bytes(csv.as_bytes());
    assert_eq!(raws(&l), [E1]);
    let m = &l.events[0].meta;
    assert_eq!((m.host.as_str(), m.index.as_str(), m.source.as_str()), ("h1", "aws", "s3://b/k.json.gz"));
}

#[test]
fn splunk_json_export_lines() {
    let line = serde_json::json!({"preview": false, "result": {"_raw": E1, "host": "h"}}).to_string();
    assert_eq!(raws(&from_bytes(line.as_bytes())), [E1]);
}

#[test]
fn bad_lines_are_reported_with_line_numbers_and_skipped() {
    let mut input = Vec::new();
    input.extend_from_slice(format!("{E1}\n").as_bytes());
    input.extend_from_slice(b"{\"eventTime\": \"2021-07-20T12:3\n"); // truncated
    input.extend_from_slice(b"not json at all\n");
    input.extend_from_slice(b"\xff\xfe\x00garbage\n"); // binary, not UTF-8
    input.extend_from_slice(b"{\"eventName\":\"NoTime\"}\n");
    input.extend_from_slice(b"{\"eventTime\":\"yesterday\"}\n");
    // JSON in its structure, but a string is not UTF-8.
    input.extend_from_slice(b"{\"eventTime\":\"2021-07-20T12:30:00Z\",\"a\":\"\xc3\x28\"}\n");
    input.extend_from_slice(format!("{E2}\n").as_bytes());
    let l = from_bytes(&input);
    assert_eq!(raws(&l), [E1, E2]);
    let p = problems(&l);
    assert_eq!(p.len(), 6, "{p:#?}");
    assert!(p[0].starts_with("input:2: not JSON"), "{}", p[0]);
    assert!(p[1].starts_with("input:3: not JSON"), "{}", p[1]);
    assert_eq!(p[2], "input:4: not UTF-8 text");
    assert_eq!(p[3], "input:5: no eventTime; the event has no _time and is skipped");
    assert_eq!(p[4], "input:6: eventTime is not a timestamp; the event has no _time and is skipped");
    assert_eq!(p[5], "input:7: not UTF-8 text");
}

#[test]
fn strict_stops_at_the_first_problem() {
    let mut out = Loaded::default();
    let opts = LoadOptions { strict: true, ..Default::default() };
    let err = load_bytes("f.json", format!("{E1}\nnope\n{E2}\n").as_bytes(), &opts, &mut out).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("f.json", Some(2)));
}

#[test]
fn empty_files_lfs_pointers_and_broken_gzip() {
    assert_eq!(problems(&from_bytes(b"")), ["input: empty file: no events"]);
    assert_eq!(problems(&from_bytes(b"  \n\n")), ["input: empty file: no events"]);
    let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n";
    let p = problems(&from_bytes(lfs));
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("Git LFS pointer") && p[0].contains("git lfs pull"), "{}", p[0]);
    let mut gz = gzip(E1.as_bytes());
    gz.truncate(gz.len() / 2);
    assert!(problems(&from_bytes(&gz))[0].contains("not a valid gzip file"));
}

#[test]
fn huge_events_and_deep_nesting_do_not_panic() {
    // A 10 MB single event.
    let big = format!(r#"{{"eventTime":"2021-07-20T12:34:56Z","blob":"{}"}}"#, "x".repeat(10 << 20));
    let l = from_bytes(big.as_bytes());
    assert_eq!(l.events.len(), 1);
    assert_eq!(l.events[0].raw.len(), big.len());
    // 1,000-deep nesting: reported, not a crash.
    let deep = format!(r#"{{"eventTime":"2021-07-20T12:34:56Z","d":{}{}}}"#, "[".repeat(1000), "]".repeat(1000));
    let l = from_bytes(format!("{deep}\n{E1}\n").as_bytes());
    assert_eq!(raws(&l), [E1]);
    assert!(problems(&l)[0].starts_with("input:1: not JSON: recursion limit exceeded"), "{:?}", problems(&l));

    // The limit is extraction's: 128 levels are read, 129 are not, wherever the openers lie
    // (many openers that do not nest, more than a byte can count, are not depth).
    let nested =
        |n: usize| format!(r#"{{"eventTime":"2021-07-20T12:34:56Z","d":{}{}}}"#, "[".repeat(n - 1), "]".repeat(n - 1));
    assert!(problems(&from_bytes(nested(128).as_bytes())).is_empty());
    assert!(problems(&from_bytes(nested(129).as_bytes()))[0].contains("recursion limit exceeded at line 1 column"));
    let wide = format!(r#"{{"eventTime":"2021-07-20T12:34:56Z","d":[{}[]]}}"#, "[],".repeat(700));
    assert!(problems(&from_bytes(wide.as_bytes())).is_empty(), "{:?}", problems(&from_bytes(wide.as_bytes())));
    let wide_then_deep = format!(
        r#"{{"eventTime":"2021-07-20T12:34:56Z","w":[{}[]],"d":{}{}}}"#,
        "{},".repeat(300),
        "[".repeat(128),
        "]".repeat(128)
    );
    assert!(problems(&from_bytes(wide_then_deep.as_bytes()))[0].contains("recursion limit exceeded"));
}

#[test]
fn metadata_options_override_defaults() {
    let opts = LoadOptions {
        sourcetype: Some("aws:cloudtrail:custom".into()),
        source: Some("s3://bucket/key".into()),
        host: Some("h".into()),
        index: Some("aws".into()),
        strict: false,
        records: None,
        scan: None,
        key: None,
        while_loading: None,
    };
    let mut out = Loaded::default();
    load_bytes("f", b"{\"a\":1}\n", &opts, &mut out).unwrap();
    let m = &out.events[0].meta;
    assert_eq!(
        (m.sourcetype.as_str(), m.source.as_str(), m.host.as_str(), m.index.as_str()),
        ("aws:cloudtrail:custom", "s3://bucket/key", "h", "aws")
    );
    assert!(out.events[0].time.is_none(), "no eventTime is allowed outside aws:cloudtrail");
}

#[test]
fn directories_are_read_recursively_and_files_are_not_modified() {
    let dir = scratch("input_dir");
    let write = |p: &Path, b: &[u8]| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b).unwrap();
    };
    write(&dir.join("a/one.json"), format!("{E1}\n").as_bytes());
    write(&dir.join("b/c/two.json.gz"), &gzip(format!("{{\"Records\":[{E2}]}}").as_bytes()));
    write(&dir.join("notes.md"), b"not data");
    write(&dir.join(".hidden.json"), b"garbage");
    let before: Vec<(PathBuf, Vec<u8>)> =
        ["a/one.json", "b/c/two.json.gz"].iter().map(|p| (dir.join(p), std::fs::read(dir.join(p)).unwrap())).collect();
    let l = load(std::slice::from_ref(&dir), &LoadOptions::default()).unwrap();
    assert_eq!(raws(&l), [E1, E2]);
    assert_eq!(l.files, 2);
    assert!(l.problems.is_empty(), "{:?}", problems(&l));
    assert_eq!(l.events[1].meta.source, dir.join("b/c/two.json.gz").display().to_string());
    for (p, bytes) in before {
        assert_eq!(std::fs::read(&p).unwrap(), bytes, "{} changed", p.display());
    }
    let missing = load(&[dir.join("nope.json")], &LoadOptions::default()).unwrap_err();
    assert!(missing.message.starts_with("cannot read"), "{missing}");
}

#[test]
fn every_shared_cloudtrail_file_loads_without_problems() {
    let Some(shared) = common::shared_or_skip("every_shared_cloudtrail_file_loads_without_problems") else { return };
    let dir = shared.join("cloudtrail");
    let l = load(&[dir], &LoadOptions::default()).unwrap();
    // Known: files that are not CloudTrail events (the data-source index and field lists),
    // and record 11 of AWS's user guide, a fragment with no eventTime.
    let known = |p: &str| {
        p.contains("data_sources_fields.json")
            || p.contains("data_sources_example_logs.ndjson")
            || p.ends_with("records.ndjson:11: no eventTime; the event has no _time and is skipped")
            || p.ends_with("doc_examples.ndjson:11: no eventTime; the event has no _time and is skipped")
    };
    let unexpected: Vec<String> = problems(&l).into_iter().filter(|p| !known(p)).collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert!(l.events.len() > 200, "{} events", l.events.len());
}
