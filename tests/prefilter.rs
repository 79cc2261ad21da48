//! A first search over events whose fields are not made yet looks at the events' text first
//! and makes its fields only for those whose text could match (src/frame/prefilter.rs).
//! These tests hold it to giving exactly what searching every event gives: over the
//! project's datasets and over events written to trip it (escaped values, text beyond
//! ASCII, other cases, knowledge-made fields, a field only the dropped events have).

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use spelunk::engine::{run, Options, Results};
use spelunk::eval::Context;
use spelunk::events::input::{load, load_bytes, LoadOptions, Loaded};
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;

fn dataset(loaded: Loaded) -> Dataset {
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 1_800_000_000.0 }).unwrap()
}

/// Every project dataset and the tricky events below, as one dataset.
fn events() -> Dataset {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    paths.sort();
    let mut loaded = load(&paths, &LoadOptions::default()).unwrap();
    load_bytes("tricky.ndjson", tricky().as_bytes(), &LoadOptions::default(), &mut loaded).unwrap();
    dataset(loaded)
}

/// CloudTrail-shaped events whose values do not show as written, or in another case.
fn tricky() -> String {
    let event = |t: &str, name: &str, extra: &str| {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/kim","accountId":"111122223333","userName":"kim"}},"eventTime":"2026-11-22T12:00:{t}Z","eventSource":"cloudtrail.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.18.4"{extra},"eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#
        )
    };
    [
        // The name written with a JSON escape: its text has no `DeleteTrail`.
        event("01", r"\u0044eleteTrail", ""),
        // Another case: field values compare without case.
        event("02", "DELETETRAIL", ""),
        // Escaped slashes in a value that is searched for.
        event(
            "03",
            "StopLogging",
            r#","requestParameters":{"name":"arn:aws:cloudtrail:us-east-1:111122223333:trail\/main"}"#,
        ),
        // Beyond ASCII.
        event("04", "DeleteTrail", r#","requestParameters":{"name":"trail-été"}"#),
        // A field only this event has: a search that drops it must not show it.
        event("05", "CreateTrail", r#","onlyHere":"x""#),
        // A failed call: errorCode is the add-on's `success` for the others.
        event("06", "DeleteTrail", r#","errorCode":"AccessDenied""#),
        // A value that is `kelvin` without case only beyond ASCII (the Kelvin sign,
        // U+212A, is a capital K): its text has no `kelvin` in any ASCII case.
        event("07", "GetTrail", ",\"note\":\"\u{212A}ELVIN\""),
    ]
    .join("\n")
}

fn search(ds: &Dataset, spl: &str) -> Results {
    let macros = MacroTable::builtin();
    let q = spelunk::compile(spl, &macros).unwrap_or_else(|e| panic!("{}", e.render_plain("search", spl)));
    run(&q, ds, &Options::default()).unwrap_or_else(|e| panic!("{}", e.render_plain("search", spl)))
}

/// The first search's fields made for every event beforehand: it is then decided from
/// them, without looking at the text.
fn made(spl: &str) -> Dataset {
    let ds = events();
    let macros = MacroTable::builtin();
    let q = spelunk::compile(spl, &macros).unwrap();
    let fields = spelunk::frame::scan_fields(&q.pipeline);
    ds.prefetch(&fields);
    for f in &fields {
        assert!(ds.cached(f).unwrap().is_complete(), "{f} made for every event");
    }
    ds
}

const SEARCHES: &[&str] = &[
    "eventName=DeleteTrail",
    "eventName=deletetrail eventSource=cloudtrail.amazonaws.com errorCode=success",
    "eventName=DeleteTrail errorCode!=success | table _time eventName errorCode",
    "eventName IN (StopLogging, DeleteTrail) | stats count by eventName",
    "requestParameters.name=*trail/main*",
    "requestParameters.name=*été*",
    "eventName=*Trail NOT eventName=CreateTrail",
    "eventName=CreateTrail OR userAgent=*boto3*",
    "eventName=ConsoleLogin OR eventName=DeleteTrail | stats count by eventName",
    "deletetrail",
    "eventName=RunInstances | stats count by user",
    "sourcetype=aws:cloudtrail eventSource=ec2.amazonaws.com eventName=ModifySnapshotAttribute",
    "eventName=NoSuchCall",
    "note=kelvin",
];

#[test]
fn narrowing_by_text_gives_what_searching_every_event_gives() {
    let mut fired = 0;
    for spl in SEARCHES {
        let narrowed = search(&events(), spl);
        let decided = search(&made(spl), spl);
        assert_eq!(narrowed, decided, "{spl}");
        fired += (narrowed.rows > 0) as usize;
    }
    assert!(fired >= 10, "the searches find events: {fired}");
}

#[test]
fn escaped_other_case_and_wide_text_are_never_dropped() {
    let ds = events();
    let r = search(&ds, "eventName=DeleteTrail | table _time eventName");
    let times: Vec<String> = r.columns[0].iter().map(|v| v.values().join("+")).collect();
    for second in ["01", "02", "04", "06"] {
        let epoch = chrono_epoch(second);
        assert!(times.contains(&epoch), "the event at :{second} is found: {times:?}");
    }
    let r = search(&ds, "requestParameters.name=*trail/main*");
    assert_eq!(r.rows, 1, "an escaped slash is a slash");
    let r = search(&ds, "note=kelvin");
    assert_eq!(r.rows, 1, "a value that is the literal only when folded beyond ASCII");
}

fn chrono_epoch(second: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(&format!("2026-11-22T12:00:{second}Z")).unwrap();
    format!("{}", t.timestamp())
}

#[test]
fn the_first_search_shows_only_fields_the_events_it_keeps_have() {
    // `onlyHere` is in the CreateTrail event alone; NOT reads it, the kept events lack it.
    let ds = events();
    let r = search(&ds, "eventSource=cloudtrail.amazonaws.com NOT onlyHere=x");
    assert!(r.rows > 0);
    assert!(!r.fields.iter().any(|f| f == "onlyHere"), "{:?}", r.fields);
    let r = search(
        &made("eventSource=cloudtrail.amazonaws.com NOT onlyHere=x"),
        "eventSource=cloudtrail.amazonaws.com NOT onlyHere=x",
    );
    assert!(!r.fields.iter().any(|f| f == "onlyHere"), "decided from columns alike: {:?}", r.fields);
    let r = search(&ds, "onlyHere=x");
    assert_eq!(r.rows, 1);
    assert!(r.fields.iter().any(|f| f == "onlyHere"));
}

#[test]
fn only_fields_written_in_the_text_narrow() {
    let ds = events();
    assert!(ds.json_only("eventName") && ds.json_only("requestParameters.name") && ds.json_only("onlyHere"));
    // Made or changed by the add-on's knowledge, or index-time.
    for f in ["errorCode", "user", "src_ip", "action", "sourcetype", "_time", "tag", "eventtype", "date_hour"] {
        assert!(!ds.json_only(f), "{f}");
    }
}

#[test]
fn a_run_of_narrow_searches_makes_their_fields_for_the_events_they_could_match() {
    let plan = common::scan_plan;
    let ds = events();
    spelunk::frame::prefetch_for(&ds, &[plan("eventName=DeleteTrail"), plan("eventName=StopLogging | stats count")]);
    let col = ds.cached("eventName").expect("made");
    assert!(!col.is_complete(), "made for the events whose text could match only");
    let made: BTreeSet<String> =
        (0..ds.len()).filter(|&i| col.is_made(i)).map(|i| col.get(i).values().join("+")).collect();
    assert!(made.contains("DeleteTrail") && made.contains("StopLogging"), "{made:?}");
    assert!(!made.contains("RunInstances"), "{made:?}");
    // With a search that needs no literal, every event's fields are made in one pass.
    let ds = events();
    spelunk::frame::prefetch_for(&ds, &[plan("eventName=DeleteTrail"), plan("errorCode=AccessDenied")]);
    assert!(ds.cached("eventName").unwrap().is_complete() && ds.cached("errorCode").unwrap().is_complete());
}

/// A lone narrow search has what its later commands read made with its first fields, for
/// the events it could match (its commands then read no event's text again); beside another
/// search, only its first fields.
#[test]
fn a_lone_narrow_search_has_its_later_fields_made_with_its_first() {
    let plan = common::scan_plan;
    let lone = plan("eventName=DeleteTrail | stats count by requestParameters.name awsRegion");
    assert!(lone.later.contains("requestParameters.name") && !lone.first.contains("requestParameters.name"));
    let ds = events();
    spelunk::frame::prefetch_for(&ds, std::slice::from_ref(&lone));
    let first = ds.cached("eventName").expect("made");
    let later = ds.cached("requestParameters.name").expect("made with the first fields");
    assert!(!later.is_complete(), "for the events whose text could match only");
    let candidates: Vec<usize> = (0..ds.len()).filter(|&i| first.is_made(i)).collect();
    assert!(!candidates.is_empty());
    assert!(candidates.iter().all(|&i| later.is_made(i) && ds.cached("awsRegion").unwrap().is_made(i)));
    assert!((0..ds.len()).any(|i| !later.get(i).values().join("").is_empty()), "a value made");
    // Beside another search: each one's first fields only.
    let ds = events();
    spelunk::frame::prefetch_for(&ds, &[lone, plan("eventName=StopLogging | stats count")]);
    assert!(ds.cached("eventName").is_some() && ds.cached("requestParameters.name").is_none());
}

#[test]
fn the_text_scan_keeps_every_event_whose_text_goes_beyond_ascii() {
    let ds = events();
    let e = match spelunk::syntax::parse("note=kelvin").unwrap().commands.remove(0).kind {
        spelunk::syntax::CommandKind::Search(Some(e)) => e,
        other => panic!("{other:?}"),
    };
    let bits = ds.candidates(&e).expect("the search needs a literal");
    let has = |i: usize| bits[i / 64] >> (i % 64) & 1 == 1;
    let kelvin = ds.events.iter().position(|ev| ev.raw.contains('\u{212A}')).unwrap();
    assert!(has(kelvin), "the text has no `kelvin` in any ASCII case, but may match");
    // The others are narrowed (but those with text beyond ASCII).
    let kept = (0..ds.events.len()).filter(|&i| has(i)).count();
    assert!(kept < ds.events.len(), "{kept} of {} kept", ds.events.len());
}

/// A `stats` followed by a `where` plans only what the `where` may need over the events
/// its search selects: the aggregations the `where` does not read are made for the groups
/// it keeps, their fields read for those groups' events alone. It gives what the same
/// `stats` and `where` with a command between them give.
#[test]
fn a_stats_then_where_makes_what_the_where_does_not_read_for_the_groups_it_keeps() {
    let plan = common::scan_plan;
    let stats = "eventName=* | stats dc(eventName) as n values(awsRegion) as regions \
                 values(requestParameters.name) latest(eventTime) by user";
    let spl = format!("{stats} | where n > 2");
    let p = plan(&spl);
    assert!(p.later.contains("user") && p.later.contains("eventName"), "{p:?}");
    for f in ["awsRegion", "requestParameters.name", "eventTime"] {
        assert!(!p.later.contains(f), "{f} in {:?}", p.later);
    }
    // With a command between them, everything.
    let apart = format!("{stats} | eval zz_apart=1 | where n > 2 | fields - zz_apart");
    assert!(plan(&apart).later.contains("awsRegion"));

    let ds = events();
    spelunk::frame::prefetch_for(&ds, std::slice::from_ref(&p));
    let together = search(&ds, &spl);
    let all_groups = search(&events(), stats).rows;
    let apart = search(&events(), &apart);
    assert!(together.rows > 0 && together.rows < all_groups, "{} of {all_groups}", together.rows);
    assert_eq!((&together.fields, together.rows), (&apart.fields, apart.rows));
    for i in 0..together.rows {
        assert_eq!(together.row(i), apart.row(i), "row {i}");
    }
    assert!(together.column("regions").unwrap().iter().any(|v| !v.is_null()));
    // The regions were read for the kept groups' events only.
    let region = ds.cached("awsRegion");
    assert!(region.is_none_or(|c| !c.is_complete()));
}
