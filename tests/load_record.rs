//! Load records change nothing but time: a big file loaded through its record gives the
//! events (text, time, metadata) and the problems (file, line, message) that reading it
//! gives, strict or not; a changed file or other metadata is read afresh.

use std::io::Write;
use std::path::{Path, PathBuf};

use spelunk::events::input::{load, LoadOptions, Loaded};
use spelunk::events::record::MIN_BYTES;

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file over [`MIN_BYTES`] of the project's dataset lines, with bad lines among them: not
/// JSON, not UTF-8, no timestamp, too deep, and a line of one Splunk export's result (an
/// event that is a copy, not a range of the file).
fn big_file(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for d in std::fs::read_dir(&root).unwrap() {
        let d = d.unwrap().path();
        for f in ["benign.ndjson", "true_positive.ndjson"] {
            if let Ok(text) = std::fs::read_to_string(d.join(f)) {
                lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.as_bytes().to_vec()));
            }
        }
    }
    assert!(lines.len() > 20);
    let mut out = Vec::new();
    let mut k = 0;
    while out.len() <= MIN_BYTES + 4096 {
        out.extend_from_slice(&lines[k % lines.len()]);
        out.push(b'\n');
        match k {
            7 => out.extend_from_slice(b"{\"eventTime\": \"2025-01-01T00:00:00Z\", \"x\": \n"),
            11 => out.extend_from_slice(b"{\"eventTime\": \"2025-01-01T00:00:00Z\", \"bad\": \"\xff\"}\n"),
            13 => out.extend_from_slice(b"{\"eventName\": \"NoTime\"}\n"),
            17 => out.extend_from_slice(format!("{}1{}\n", "[".repeat(200), "]".repeat(200)).as_bytes()),
            19 => out.extend_from_slice(
                br#"{"preview":false,"result":{"_raw":"{\"eventTime\":\"2025-01-01T00:00:00Z\",\"eventName\":\"Copied\"}"}}"#,
            ),
            _ => {}
        }
        if k == 19 {
            out.push(b'\n');
        }
        k += 1;
    }
    let path = dir.join("big.ndjson");
    std::fs::File::create(&path).unwrap().write_all(&out).unwrap();
    path
}

fn same(a: &Loaded, b: &Loaded) {
    assert_eq!(a.events.len(), b.events.len());
    for (x, y) in a.events.iter().zip(&b.events) {
        assert_eq!(x.raw.as_str(), y.raw.as_str());
        assert_eq!(x.time, y.time);
        assert_eq!(x.meta, y.meta);
    }
    let problems = |l: &Loaded| l.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert_eq!(problems(a), problems(b));
}

#[test]
fn a_big_file_loads_the_same_through_its_record() {
    let dir = scratch("load-record-same");
    let data = big_file(&dir);
    let records = dir.join("records");
    let plain = load(std::slice::from_ref(&data), &LoadOptions::default()).unwrap();
    assert!(plain.problems.len() >= 4, "the bad lines are problems: {:?}", plain.problems);
    assert_eq!(plain.digest(), None, "inputs are digested only with records on");

    let opts = LoadOptions { records: Some(records.clone()), ..LoadOptions::default() };
    let first = load(std::slice::from_ref(&data), &opts).unwrap();
    assert_eq!(first.recorded, 0, "no record yet");
    same(&plain, &first);
    // The export line's event is a copy, not a range of the file: no record for it.
    assert_eq!(std::fs::read_dir(&records).map(|d| d.count()).unwrap_or(0), 0);

    // Without the export line, the file gets a record, and the next load uses it.
    let text = std::fs::read(&data).unwrap();
    let at = text.windows(15).position(|w| w == b"{\"preview\":fals").unwrap();
    let end = at + text[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let without: Vec<u8> = [&text[..at], &text[end..]].concat();
    std::fs::write(&data, &without).unwrap();
    let plain = load(std::slice::from_ref(&data), &LoadOptions::default()).unwrap();
    let first = load(std::slice::from_ref(&data), &opts).unwrap();
    assert_eq!(first.recorded, 0);
    assert_eq!(std::fs::read_dir(&records).unwrap().count(), 1, "one record written");
    let second = load(std::slice::from_ref(&data), &opts).unwrap();
    assert_eq!(second.recorded, 1, "the second load comes from the record");
    same(&plain, &second);
    assert!(first.digest().is_some());
    assert_eq!(first.digest(), second.digest());

    // Strict: the first problem, from the record as from reading.
    let strict = LoadOptions { strict: true, ..LoadOptions::default() };
    let read_err = load(std::slice::from_ref(&data), &strict).unwrap_err();
    let recorded_err = load(
        std::slice::from_ref(&data),
        &LoadOptions { strict: true, records: Some(records.clone()), ..opts.clone() },
    )
    .unwrap_err();
    assert_eq!(read_err.to_string(), recorded_err.to_string());

    // Other metadata: another record (the events' sourcetype differs).
    let other = LoadOptions { sourcetype: Some("aws:cloudtrail:other".into()), ..opts.clone() };
    let o = load(std::slice::from_ref(&data), &other).unwrap();
    assert_eq!(o.recorded, 0);
    assert_eq!(o.events[0].meta.sourcetype, "aws:cloudtrail:other");
    assert_ne!(o.digest(), second.digest());

    // One byte changed (a timestamp's second): read afresh, the change seen.
    let mut changed = without.clone();
    let at = changed.windows(12).position(|w| w == b"\"eventTime\":").unwrap();
    let digit = at + changed[at..].iter().position(|&b| b == b'Z').unwrap() - 1;
    changed[digit] = if changed[digit] == b'1' { b'2' } else { b'1' };
    std::fs::write(&data, &changed).unwrap();
    let c = load(std::slice::from_ref(&data), &opts).unwrap();
    assert_eq!(c.recorded, 0, "a changed file is read afresh");
    same(&load(std::slice::from_ref(&data), &LoadOptions::default()).unwrap(), &c);
    assert_ne!(c.events[0].time, second.events[0].time);
    std::fs::remove_dir_all(&dir).unwrap();
}
