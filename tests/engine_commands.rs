//! The commands the engine runs, over small hand-made event sets, with the input/output
//! cases of docs/spl-semantics.md (tests are named after their section).

use std::collections::BTreeMap;

use spelunk::engine::{run, Options, Results};
use spelunk::eval::Context;
use spelunk::events::{Event, Meta, Value};
use spelunk::frame::Dataset;
use spelunk::knowledge::App;
use spelunk::macros::MacroTable;

/// Fields every event has that the cases do not list.
const HIDDEN: &[&str] = &[
    "eventTime",
    "punct",
    "linecount",
    "timestartpos",
    "timeendpos",
    "sourcetype",
    "source",
    "index",
    "date_hour",
    "date_mday",
    "date_minute",
    "date_month",
    "date_second",
    "date_wday",
    "date_year",
    "date_zone",
];

/// Events from `{..}` object bodies, e1 newest (so the first search keeps this order). No
/// add-on knowledge: the fields are exactly the JSON's.
fn dataset(bodies: &[&str]) -> Dataset {
    let events = bodies
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let comma = if b.trim().is_empty() { "" } else { ", " };
            let t = 86_399 - k;
            let raw =
                format!(r#"{{"eventTime": "2024-01-01T{:02}:{:02}:{:02}Z"{comma}{b}}}"#, t / 3600, t / 60 % 60, t % 60);
            Event::new(raw, Meta::default())
        })
        .collect();
    Dataset::new(events, &App::default(), Context { now: 1_800_000_000.0 }).unwrap()
}

fn search(ds: &Dataset, spl: &str) -> Results {
    let q = spelunk::compile(spl, &MacroTable::builtin()).unwrap();
    run(&q, ds, &Options::default()).unwrap_or_else(|d| panic!("{}", d.render_plain("search", spl)))
}

fn show(v: &Value) -> String {
    v.values().join("|")
}

/// Each row as `field=value` pairs, the hidden fields left out.
fn rows(r: &Results) -> Vec<BTreeMap<String, String>> {
    (0..r.rows)
        .map(|i| {
            r.row(i)
                .into_iter()
                .filter(|(f, _)| !f.starts_with('_') && !HIDDEN.contains(f))
                .map(|(f, v)| (f.to_string(), show(v)))
                .collect()
        })
        .collect()
}

fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// One column's cells, `-` for null.
fn column(r: &Results, name: &str) -> Vec<String> {
    match r.column(name) {
        Some(c) => c.iter().map(|v| if v.is_null() { "-".into() } else { show(v) }).collect(),
        None => vec!["-".into(); r.rows],
    }
}

#[test]
fn s0_first_search_returns_events_newest_first() {
    let ds = Dataset::new(
        vec![
            Event::new(r#"{"eventTime":"2024-01-01T00:00:01Z","n":"old"}"#, Meta::default()),
            Event::new(r#"{"eventTime":"2024-01-01T00:00:03Z","n":"new"}"#, Meta::default()),
            Event::new(r#"{"eventTime":"2024-01-01T00:00:02Z","n":"mid"}"#, Meta::default()),
            Event::new(r#"{"eventTime":"2024-01-01T00:00:02Z","n":"mid-later-read"}"#, Meta::default()),
        ],
        &App::default(),
        Context { now: 0.0 },
    )
    .unwrap();
    // Ties: the later-read event first (UNVERIFIED, docs/spl-semantics.md 0).
    assert_eq!(column(&search(&ds, "* | table n"), "n"), ["new", "mid-later-read", "mid", "old"]);
}

#[test]
fn s2_search_later_in_the_pipeline_and_missing_fields() {
    let ds = dataset(&[r#""a": "x""#, r#""a": "y""#, r#""b": "1""#]);
    assert_eq!(column(&search(&ds, "* | search a!=x | table a b"), "a"), ["y"]);
    assert_eq!(column(&search(&ds, "* | search NOT a=x | table b"), "b"), ["-", "1"]);
    assert_eq!(column(&search(&ds, "A=X | table a"), "a"), Vec::<String>::new(), "field names are case-sensitive");
    assert_eq!(column(&search(&ds, "a=X | table a"), "a"), ["x"], "values are not");
}

#[test]
fn s5_1_rename_onto_existing_and_missing_source() {
    let ds = dataset(&[r#""a": "1", "b": "2""#, r#""b": "2""#, r#""c": "3""#]);
    let r = search(&ds, "* | rename a as b");
    assert_eq!(rows(&r), [row(&[("b", "1")]), row(&[]), row(&[("c", "3")])]);
}

#[test]
fn s5_1_rename_with_wildcards() {
    let ds = dataset(&[r#""requestParameters": {"bucketName": "bk", "key": "k"}, "eventName": "PutObject""#]);
    let r = search(&ds, "* | rename requestParameters.* as *");
    assert_eq!(rows(&r), [row(&[("bucketName", "bk"), ("key", "k"), ("eventName", "PutObject")])]);
}

#[test]
fn s5_2_table_lists_fields_in_order_with_empty_columns() {
    let ds = dataset(&[r#""user": "bob", "src_ip": "1.1.1.1", "x": "1""#, r#""src_ip": "2.2.2.2""#]);
    let r = search(&ds, "* | table user src_ip City");
    assert_eq!(r.fields, ["user", "src_ip", "City"]);
    assert_eq!(column(&r, "user"), ["bob", "-"]);
    assert_eq!(column(&r, "City"), ["-", "-"]);
}

#[test]
fn s5_2_table_wildcards_expand_alphabetically() {
    let ds = dataset(&[r#""date_x": "1", "host": "h", "action": "a""#]);
    let r = search(&ds, "* | table host action date_m*");
    assert_eq!(r.fields, ["host", "action", "date_mday", "date_minute", "date_month"]);
}

#[test]
fn s5_3_fields_keep_and_remove() {
    let ds = dataset(&[r#""a": "1", "b": "2", "err1": "x", "err2": "y""#]);
    let r = search(&ds, "* | fields a, err*");
    assert!(r.fields.contains(&"_time".to_string()) && r.fields.contains(&"_raw".to_string()), "{:?}", r.fields);
    assert_eq!(rows(&r), [row(&[("a", "1"), ("err1", "x"), ("err2", "y")])]);
    let r = search(&ds, "* | fields - a err*");
    assert_eq!(rows(&r), [row(&[("b", "2")])]);
    // A removed field does not come back from the event.
    let r = search(&ds, "* | fields - a | table a b");
    assert_eq!(column(&r, "a"), ["-"]);
}

#[test]
fn s5_4_fillnull_without_and_with_a_list() {
    let ds = dataset(&[r#""a": "x", "b": "1""#, r#""a": "y""#, r#""c": "5""#]);
    let r = search(&ds, "* | fillnull");
    assert_eq!(
        rows(&r),
        [
            row(&[("a", "x"), ("b", "1"), ("c", "0")]),
            row(&[("a", "y"), ("b", "0"), ("c", "0")]),
            row(&[("a", "0"), ("b", "0"), ("c", "5")])
        ]
    );
    let r = search(&ds, "* | fillnull value=NULL b d");
    assert_eq!(
        rows(&r),
        [
            row(&[("a", "x"), ("b", "1"), ("d", "NULL")]),
            row(&[("a", "y"), ("b", "NULL"), ("d", "NULL")]),
            row(&[("c", "5"), ("b", "NULL"), ("d", "NULL")])
        ]
    );
}

#[test]
fn s5_5_dedup() {
    let ds = dataset(&[r#""h": "a", "x": "1""#, r#""h": "b""#, r#""h": "a", "x": "2""#, r#""x": "9""#]);
    assert_eq!(column(&search(&ds, "* | dedup h | table x"), "x"), ["1", "-"]);
    assert_eq!(column(&search(&ds, "* | dedup h keepempty=true | table x"), "x"), ["1", "-", "9"]);
    assert_eq!(column(&search(&ds, "* | dedup 2 h | table x"), "x"), ["1", "-", "2"]);
    assert_eq!(column(&search(&ds, "* | dedup h sortby -x | table x"), "x"), ["2", "-"]);
    let c = search(&ds, "* | dedup h consecutive=true | table h");
    assert_eq!(column(&c, "h"), ["a", "b", "a"]);
}

#[test]
fn s5_5_dedup_multivalues_must_agree_on_every_value() {
    let ds = dataset(&[r#""g": ["a", "b"], "n": "1""#, r#""g": ["a", "b"], "n": "2""#, r#""g": ["a"], "n": "3""#]);
    assert_eq!(column(&search(&ds, "* | dedup g{} | table n"), "n"), ["1", "3"]);
}

#[test]
fn s5_6_sort_collation_missing_last_and_limit() {
    let ds = dataset(&[r#""n": "10""#, r#""n": "9""#, r#""n": "100""#, r#""n": "abc""#, r#""m": "1""#]);
    assert_eq!(column(&search(&ds, "* | sort n | table n"), "n"), ["9", "10", "100", "abc", "-"]);
    assert_eq!(column(&search(&ds, "* | sort -n | table n"), "n"), ["abc", "100", "10", "9", "-"]);
    assert_eq!(column(&search(&ds, "* | sort n desc | table n"), "n"), ["abc", "100", "10", "9", "-"]);
    assert_eq!(column(&search(&ds, "* | sort 2 n | table n"), "n"), ["9", "10"]);
    assert_eq!(column(&search(&ds, "* | sort str(n) | table n"), "n"), ["10", "100", "9", "abc", "-"]);
}

#[test]
fn s5_6_sort_keeps_ten_thousand_rows_by_default() {
    let bodies: Vec<String> = (0..10_005).map(|i| format!(r#""i": "{i}""#)).collect();
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let ds = dataset(&refs);
    assert_eq!(search(&ds, "* | sort i").rows, 10_000);
    assert_eq!(search(&ds, "* | sort 0 i").rows, 10_005);
}

#[test]
fn s5_7_head_and_tail() {
    let bodies: Vec<String> = (1..=12).map(|i| format!(r#""i": "{i}""#)).collect();
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let ds = dataset(&refs);
    assert_eq!(search(&ds, "* | head").rows, 10);
    assert_eq!(column(&search(&ds, "* | head 2 | table i"), "i"), ["1", "2"]);
    assert_eq!(column(&search(&ds, "* | tail 3 | table i"), "i"), ["12", "11", "10"]);
    assert_eq!(column(&search(&ds, "* | head (i<3) | table i"), "i"), ["1", "2"]);
    assert_eq!(column(&search(&ds, "* | head (i<3) keeplast=true | table i"), "i"), ["1", "2", "3"]);
}

#[test]
fn s5_8_where_drops_false_and_null() {
    let ds = dataset(&[r#""x": "5""#, r#""x": "1""#, r#""y": "1""#]);
    assert_eq!(column(&search(&ds, "* | where x > 2 | table x"), "x"), ["5"]);
    assert_eq!(column(&search(&ds, "* | where isnull(x) | table y"), "y"), ["1"]);
}

#[test]
fn s3_6_eval_left_to_right_and_null_removes() {
    let ds = dataset(&[r#""a": "2""#]);
    let r = search(&ds, "* | eval b=a*3, c=b+1, a=null() | table a b c");
    assert_eq!(
        (column(&r, "a"), column(&r, "b"), column(&r, "c")),
        (vec!["-".into()], vec!["6".into()], vec!["7".into()])
    );
}

#[test]
fn s3_6_eval_refuses_a_boolean() {
    let ds = dataset(&[r#""a": "2""#]);
    let q = spelunk::compile("* | eval b=a>1", &MacroTable::builtin()).unwrap();
    let d = run(&q, &ds, &Options::default()).unwrap_err();
    assert_eq!(d.code, "spelunk::eval");
    assert_eq!(&"* | eval b=a>1"[d.span.range()], "a>1");
}

#[test]
fn unsupported_commands_name_themselves_inside_macros() {
    let ds = dataset(&[r#""a": "2""#]);
    let mut macros = MacroTable::builtin();
    macros.insert(spelunk::macros::MacroDef {
        name: "group".into(),
        args: vec![],
        definition: "transaction a".into(),
        iseval: false,
        origin: "test".into(),
    });
    let q = spelunk::compile("* | `group`", &macros).unwrap();
    let d = run(&q, &ds, &Options::default()).unwrap_err();
    assert_eq!(d.code, "spelunk::unsupported");
    assert!(d.message.contains("`transaction`"));
    assert_eq!(&"* | `group`"[d.span.range()], "`group`", "points at the macro the user wrote");
}

#[test]
fn fields_are_extracted_lazily_for_the_rows_that_remain() {
    // A wildcard use after a filter materialises only the fields of the remaining rows.
    let ds = dataset(&[r#""eventName": "A", "onlyInA": "1""#, r#""eventName": "B", "onlyInB": "2""#]);
    let r = search(&ds, "eventName=A | table *");
    assert!(r.fields.contains(&"onlyInA".to_string()));
    assert!(!r.fields.contains(&"onlyInB".to_string()), "{:?}", r.fields);
}

/// Events with explicit `_time` (epoch seconds), in pipeline order.
fn timed(events: &[(i64, &str)]) -> Dataset {
    let events = events
        .iter()
        .map(|(t, b)| {
            let time = chrono::DateTime::from_timestamp(*t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
            let comma = if b.is_empty() { "" } else { ", " };
            Event::new(format!(r#"{{"eventTime": "{time}"{comma}{b}}}"#), Meta::default())
        })
        .collect();
    Dataset::new(events, &App::default(), Context { now: 0.0 }).unwrap()
}

#[test]
fn s4_1_stats_by_a_field() {
    let ds = timed(&[
        (100, r#""user": "bob", "src": "1.1.1.1""#),
        (200, r#""user": "bob", "src": "2.2.2.2""#),
        (150, r#""user": "alice", "src": "1.1.1.1""#),
        (120, r#""src": "3.3.3.3""#),
    ]);
    let r =
        search(&ds, "* | stats count min(_time) as firstTime max(_time) as lastTime values(src) dc(src) as n by user");
    assert_eq!(r.fields, ["user", "count", "firstTime", "lastTime", "values(src)", "n"]);
    assert_eq!(
        rows(&r),
        [
            row(&[
                ("user", "alice"),
                ("count", "1"),
                ("firstTime", "150"),
                ("lastTime", "150"),
                ("values(src)", "1.1.1.1"),
                ("n", "1")
            ]),
            row(&[
                ("user", "bob"),
                ("count", "2"),
                ("firstTime", "100"),
                ("lastTime", "200"),
                ("values(src)", "1.1.1.1|2.2.2.2"),
                ("n", "2")
            ]),
        ]
    );
}

#[test]
fn s4_1_stats_over_nothing() {
    let ds = dataset(&[r#""a": "1""#]);
    let r = search(&ds, "a=2 | stats count");
    assert_eq!(rows(&r), [row(&[("count", "0")])]);
    let r = search(&ds, "a=2 | stats count min(_time) as first");
    assert_eq!((r.rows, column(&r, "first")), (1, vec!["-".to_string()]));
    assert_eq!(search(&ds, "a=2 | stats count by user").rows, 0);
}

#[test]
fn s4_1_stats_multivalue_by_field_and_dedup_splitvals() {
    let ds = dataset(&[r#""g": ["a", "b"]"#, r#""g": ["a"]"#, r#""g": ["b", "b"]"#]);
    let r = search(&ds, "* | rename g{} as g | stats count by g");
    assert_eq!((column(&r, "g"), column(&r, "count")), (vec!["a".into(), "b".into()], vec!["2".into(), "3".into()]));
    let r = search(&ds, "* | rename g{} as g | stats count by g dedup_splitvals=t");
    assert_eq!(column(&r, "count"), ["2", "2"]);
}

/// Every field and cell of some results, hidden ones too, for comparing two runs.
fn everything(r: &Results) -> (Vec<String>, Vec<Vec<String>>) {
    (r.fields.clone(), r.columns.iter().map(|c| c.iter().map(|v| format!("{v:?}")).collect()).collect())
}

/// A `stats` followed by a `where` makes what the `where` does not read only for the
/// groups it keeps: the results are those of the same `stats` and `where` with a command
/// between them (which makes everything, as before).
#[test]
fn s4_1_stats_then_where_gives_what_it_gives_apart() {
    let ds = timed(&[
        (100, r#""user": "bob", "eventName": "GetA", "src": "1.1.1.1", "tags": ["x", "y"]"#),
        (200, r#""user": "bob", "eventName": "GetB", "src": "2.2.2.2", "tags": ["y"]"#),
        (150, r#""user": "alice", "eventName": "GetA", "src": "1.1.1.1""#),
        (160, r#""user": "alice", "eventName": "GetA", "src": ["5.5.5.5", "6.6.6.6"]"#),
        (120, r#""eventName": "GetC", "src": "3.3.3.3""#),
        (130, r#""user": "carol", "eventName": "GetC""#),
        (140, r#""user": "carol", "eventName": "GetD", "src": "4.4.4.4", "tags": ["z"]"#),
        (170, r#""user": "dave", "eventName": "GetE", "src": "7.7.7.7""#),
    ]);
    let aggs = "count dc(eventName) as dc min(_time) as first max(_time) as last values(src) as src \
                first(src) last(src) list(src) earliest(src) latest(eventName) values(tags{}) as tags";
    let cases = [
        // Some groups kept, by an aggregation; by a by-field; all; none.
        format!("* | stats {aggs} by user | where dc > 1"),
        format!("* | stats {aggs} by user | where user=\"alice\" OR user=\"dave\""),
        format!("* | stats {aggs} by user | where count > 0"),
        format!("* | stats {aggs} by user | where dc > 5"),
        // By a field of several values (groups by values, not codes); no by-field at all.
        format!("* | rename tags{{}} as t | stats {aggs} by t | where count >= 2"),
        format!("* | stats {aggs} | where count > 3"),
        format!("* | stats {aggs} | where count > 30"),
        // A wildcard aggregation named by a pattern: its names are known only when it runs.
        "* | stats values(*) as *_v values(src) as s by user | where user=\"bob\"".to_string(),
        // The `where` reads a deferrable aggregation by its name: made for every group.
        format!("* | stats {aggs} by user | where mvcount(src) > 1"),
    ];
    for case in &cases {
        let (head, tail) = case.split_once(" | where ").unwrap();
        let apart = format!("{head} | eval zz_apart=1 | where {tail} | fields - zz_apart");
        let (together, apart) = (search(&ds, case), search(&ds, &apart));
        assert_eq!(everything(&together), everything(&apart), "{case}");
        assert!(together.rows > 0 || case.contains("> 5") || case.contains("> 30"), "{case}");
    }
    // A condition `where` refuses is refused as ever.
    let spl = "* | stats count values(src) as src by user | where count";
    let q = spelunk::compile(spl, &MacroTable::builtin()).unwrap();
    let Err(err) = run(&q, &ds, &Options::default()) else { panic!("not a condition: refused") };
    let err = err.render_plain("search", spl);
    assert!(err.contains("`where` needs a true/false condition"), "{err}");
}

/// A name given twice (an aggregation named as a by-field, a by-field twice): one column,
/// in the first one's place, holding the later one's values (UNVERIFIED: Splunk's docs
/// are silent; this keeps the column order the names were first given in).
#[test]
fn s4_1_stats_names_given_twice_make_one_column() {
    let ds = dataset(&[r#""u": "b""#, r#""u": "a""#, r#""u": "b""#]);
    let r = search(&ds, "* | stats count as u dc(u) as n by u");
    assert_eq!(r.fields, ["u", "n"]);
    assert_eq!((column(&r, "u"), column(&r, "n")), (vec!["1".into(), "2".into()], vec!["1".into(), "1".into()]));
    let r = search(&ds, "* | stats count by u u");
    assert_eq!(r.fields, ["u", "count"]);
    assert_eq!((column(&r, "u"), column(&r, "count")), (vec!["a".into(), "b".into()], vec!["1".into(), "2".into()]));
}

#[test]
fn s4_1_stats_group_order_is_byte_order() {
    let ds = dataset(&[r#""u": "b""#, r#""u": "B""#, r#""u": "a""#, r#""u": "10""#, r#""u": "9""#]);
    assert_eq!(column(&search(&ds, "* | stats count by u"), "u"), ["10", "9", "B", "a", "b"]);
}

#[test]
fn s4_1_stats_wildcard_arguments_and_eval() {
    let ds = dataset(&[
        r#""requestParameters": {"bucketName": "bk", "key": "k1"}, "x": "y""#,
        r#""requestParameters": {"bucketName": "bk", "key": "k2"}, "x": "n""#,
    ]);
    let r = search(&ds, "* | stats values(requestParameters.*) as * count(eval(x=\"y\")) as yes");
    assert_eq!(rows(&r), [row(&[("bucketName", "bk"), ("key", "k1|k2"), ("yes", "1")])]);
}

#[test]
fn s4_2_first_last_earliest_latest() {
    let ds = timed(&[(300, r#""x": "c""#), (100, r#""x": "a""#), (200, r#""x": "b""#)]);
    // The first search orders newest first: c (300), b (200), a (100).
    let r = search(&ds, "* | stats first(x) last(x) earliest(x) latest(x) earliest_time(x) latest_time(x)");
    assert_eq!(
        rows(&r),
        [row(&[
            ("first(x)", "c"),
            ("last(x)", "a"),
            ("earliest(x)", "a"),
            ("latest(x)", "c"),
            ("earliest_time(x)", "100"),
            ("latest_time(x)", "300")
        ])]
    );
}

#[test]
fn s4_2_dc_of_raw() {
    let ds = dataset(&[r#""a": "A""#, r#""a": "A""#, r#""a": "B""#]);
    assert_eq!(column(&search(&ds, "* | stats dc(a) as attempts"), "attempts"), ["2"]);
}

#[test]
fn s4_3_eventstats_adds_group_aggregates_in_place() {
    let ds = dataset(&[
        r#""t": "1", "ip": "a", "n": "4""#,
        r#""t": "1", "ip": "b", "n": "10""#,
        r#""t": "2", "ip": "c", "n": "7""#,
        r#""ip": "d", "n": "1""#,
    ]);
    let r = search(&ds, "* | eventstats avg(n) as avg_n, stdev(n) as sd by t | table ip avg_n sd");
    assert_eq!(column(&r, "ip"), ["a", "b", "c", "d"]);
    assert_eq!(column(&r, "avg_n"), ["7", "7", "7", "-"]);
    assert_eq!(column(&r, "sd"), ["4.242640687119285", "4.242640687119285", "0", "-"]);
}

#[test]
fn s4_4_streamstats_running_count() {
    let ds = dataset(&[r#""g": "x""#, r#""g": "y""#, r#""g": "x""#]);
    assert_eq!(column(&search(&ds, "* | streamstats count | table count"), "count"), ["1", "2", "3"]);
    assert_eq!(column(&search(&ds, "* | streamstats count by g | table count"), "count"), ["1", "1", "2"]);
    assert_eq!(column(&search(&ds, "* | streamstats current=f count | table count"), "count"), ["0", "1", "2"]);
}

/// A search with lookup tables from a scratch directory of `(file name, content)` pairs.
fn search_with_lookups(ds: &Dataset, spl: &str, files: &[(&str, &str)]) -> Results {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lookups-{}", spl.len()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let mut lookups = spelunk::engine::Lookups::new();
    lookups.add_dir(&dir).unwrap();
    let q = spelunk::compile(spl, &MacroTable::builtin()).unwrap();
    run(&q, ds, &Options { lookups: Some(&lookups), ..Options::default() })
        .unwrap_or_else(|d| panic!("{}", d.render_plain("search", spl)))
}

const USERS: (&str, &str) = ("users.csv", "user,group\nbob,admins\nalice,devs\n");

#[test]
fn s7_1_lookup_is_exact_and_case_sensitive() {
    let ds = dataset(&[r#""u": "bob""#, r#""u": "Bob""#, r#""u": "carol""#, r#""x": "1""#]);
    let r = search_with_lookups(&ds, "* | lookup users.csv user AS u OUTPUT group | table u group", &[USERS]);
    assert_eq!(column(&r, "group"), ["admins", "-", "-", "-"]);
}

#[test]
fn s7_1_lookup_outputnew_and_definitions() {
    let ds = dataset(&[r#""u": "bob", "group": "kept""#, r#""u": "alice""#]);
    let r = search_with_lookups(&ds, "* | lookup users.csv user AS u OUTPUTNEW group | table group", &[USERS]);
    assert_eq!(column(&r, "group"), ["kept", "devs"]);
    // A security_content definition: case-insensitive, by name.
    let def = ("people.yml", "name: people\nfilename: users.csv\ncase_sensitive_match: 'false'\n");
    let ds = dataset(&[r#""u": "BOB""#]);
    let r = search_with_lookups(&ds, "* | lookup people user AS u | table group", &[USERS, def]);
    assert_eq!(column(&r, "group"), ["admins"]);
}

#[test]
fn s7_1_lookup_definitions_with_cidr_and_wildcard_match_types() {
    // security_content's lookups/*.yml keys: match_type CIDR and WILDCARD, min_matches with
    // default_match, max_matches.
    let table = (
        "nets.csv",
        "network,host,zone\n10.0.0.0/8,*,internal\n203.0.113.0/24,*,attacker\n198.51.100.23,*,office\n0.0.0.0/0,bastion-*,jump\n",
    );
    let def = (
        "zones.yml",
        "name: zones\nfilename: nets.csv\nmatch_type: CIDR(network), WILDCARD(host)\nmin_matches: 1\ndefault_match: external\nmax_matches: 1\n",
    );
    let ds = dataset(&[
        r#""ip": "10.20.30.40", "h": "web-1""#,
        r#""ip": "203.0.113.77", "h": "web-1""#,
        r#""ip": "198.51.100.23", "h": "web-1""#,
        r#""ip": "192.0.2.9", "h": "bastion-east""#,
        r#""ip": "192.0.2.9", "h": "web-2""#,
        r#""ip": "not an address", "h": "web-1""#,
    ]);
    let r =
        search_with_lookups(&ds, "* | lookup zones network AS ip host AS h OUTPUT zone | table zone", &[table, def]);
    assert_eq!(column(&r, "zone"), ["internal", "attacker", "office", "jump", "external", "external"]);
}

#[test]
fn s7_2_inputlookup_with_where_and_append() {
    let ds = dataset(&[r#""a": "1""#]);
    let r = search_with_lookups(&ds, "| inputlookup users.csv where group=devs", &[USERS]);
    assert_eq!(rows(&r), [row(&[("user", "alice"), ("group", "devs")])]);
    let r = search_with_lookups(&ds, "* | table a | inputlookup append=t users.csv", &[USERS]);
    assert_eq!(
        (column(&r, "a"), column(&r, "user")),
        (vec!["1".into(), "-".into(), "-".into()], vec!["-".into(), "bob".into(), "alice".into()])
    );
}

#[test]
fn s7_4_subsearch_results_become_a_search() {
    let ds = dataset(&[
        r#""eventName": "DeleteBucket", "arn": "x""#,
        r#""eventName": "ListBuckets", "arn": "y""#,
        r#""eventName": "CreateBucket", "arn": "x""#,
    ]);
    let r = search(&ds, "eventName=*Bucket [search eventName=DeleteBucket | table arn] | table eventName");
    assert_eq!(column(&r, "eventName"), ["DeleteBucket", "CreateBucket"]);
    let r = search(&ds, "eventName=*Bucket [search eventName=Nothing | table arn] | table eventName");
    assert_eq!(r.rows, 0, "an empty subsearch matches nothing");
}

#[test]
fn s7_5_join_inner_and_left() {
    let ds = dataset(&[
        r#""kind": "main", "new_login_profile": "bob", "src_ip": "1.1.1.1", "eventName": "CreateLoginProfile""#,
        r#""kind": "main", "new_login_profile": "eve", "src_ip": "2.2.2.2", "eventName": "CreateLoginProfile""#,
        r#""kind": "sub", "new_login_profile": "bob", "src_ip": "1.1.1.1", "n": "3", "login": "ConsoleLogin""#,
        r#""kind": "sub", "new_login_profile": "bob", "src_ip": "1.1.1.1", "n": "9""#,
    ]);
    let sub = "[search kind=sub | table new_login_profile src_ip n login]";
    let q = format!("kind=main | join new_login_profile src_ip {sub} | table new_login_profile eventName n login");
    let r = search(&ds, &q);
    assert_eq!(
        rows(&r),
        [row(&[
            ("new_login_profile", "bob"),
            ("eventName", "CreateLoginProfile"),
            ("n", "3"),
            ("login", "ConsoleLogin")
        ])]
    );
    let q = format!("kind=main | join type=left new_login_profile src_ip {sub} | table new_login_profile n");
    assert_eq!(column(&search(&ds, &q), "n"), ["3", "-"]);
    let q = format!("kind=main | join max=0 new_login_profile src_ip {sub} | table n");
    assert_eq!(column(&search(&ds, &q), "n"), ["3", "9"]);
}

#[test]
fn s7_6_append_unions_fields_in_order() {
    let ds = dataset(&[r#""k": "r", "a": "1""#, r#""k": "s", "b": "2""#, r#""k": "s", "a": "3""#]);
    let r = search(&ds, "k=r | table a | append [search k=s | table b a]");
    assert_eq!(
        (column(&r, "a"), column(&r, "b")),
        (vec!["1".into(), "-".into(), "3".into()], vec!["-".into(), "2".into(), "-".into()])
    );
}

#[test]
fn s8_top_and_rare() {
    let ds = dataset(&[r#""u": "a""#, r#""u": "b""#, r#""u": "a""#, r#""u": "c""#, r#""u": "a""#, r#""u": "b""#]);
    let r = search(&ds, "* | top u");
    assert_eq!(r.fields, ["u", "count", "percent"]);
    assert_eq!(column(&r, "u"), ["a", "b", "c"]);
    assert_eq!(column(&r, "count"), ["3", "2", "1"]);
    assert_eq!(column(&r, "percent"), ["50.000000", "33.333333", "16.666667"]);
    assert_eq!(column(&search(&ds, "* | rare limit=1 u"), "u"), ["c"]);
    assert_eq!(column(&search(&ds, "* | top 1 u useother=t"), "u"), ["a", "OTHER"]);
}

#[test]
fn s8_makeresults() {
    let ds = dataset(&[]);
    let r = search(&ds, "| makeresults count=3 | eval x=1");
    assert_eq!(r.rows, 3);
    assert_eq!(column(&r, "x"), ["1", "1", "1"]);
    let q = spelunk::compile("| makeresults count=100000000", &MacroTable::builtin()).unwrap();
    let d = run(&q, &ds, &Options::default()).unwrap_err();
    assert_eq!(d.code, "spelunk::limit");
}

#[test]
fn s8_anomalydetection_histogram_default_method() {
    // 200 events: "a" 196 times, "b" 3 times, "c" once. Frequencies .98, .015, .005.
    let mut bodies: Vec<String> = Vec::new();
    for i in 0..200 {
        let u = if i < 196 {
            "a"
        } else if i < 199 {
            "b"
        } else {
            "c"
        };
        bodies.push(format!(r#""u": "{u}", "i": "{i}""#));
    }
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let ds = dataset(&refs);
    // Filter (the default action): below the default threshold of 0.01 only "c" remains.
    assert_eq!(column(&search(&ds, "* | anomalydetection u | table u"), "u"), ["c"]);
    assert_eq!(column(&search(&ds, "* | anomalydetection pthresh=0.02 u | table u"), "u"), ["b", "b", "b", "c"]);
    // Annotate keeps every event and marks the anomalous ones.
    let r = search(&ds, "* | anomalydetection \"u\" action=annotate | search probable_cause=* | table u probable_cause probable_cause_freq log_event_prob");
    assert_eq!(
        rows(&r),
        [row(&[
            ("u", "c"),
            ("probable_cause", "u"),
            ("probable_cause_freq", "0.005"),
            ("log_event_prob", &format!("{}", 0.005f64.ln()))
        ])]
    );
    assert_eq!(search(&ds, "* | anomalydetection u action=annotate").rows, 200);
}

/// Several fields at once: a categorical one, a numeric one (histogram of 10 equal bins,
/// an outlier stretching them), a multivalue one (its first value counts), each absent
/// from some events. Every row's annotations are those the definition gives, worked out
/// here from the data row by row.
#[test]
fn s8_anomalydetection_several_fields_follow_the_definition() {
    let n = 150;
    let u = |i: usize| match i % 10 {
        _ if i == 149 => Some("d".to_string()),
        0..=6 => Some("a".into()),
        7 | 8 => Some("b".into()),
        _ if i % 4 == 1 => None,
        _ => Some("c".into()),
    };
    let num = |i: usize| match i {
        50 => Some("1000".to_string()),
        _ if i % 13 == 0 => None,
        _ => Some(format!("{}", i * i % 97)),
    };
    let m = |i: usize| match i {
        _ if i % 7 == 0 => None,
        _ if i % 5 == 0 => Some(vec![format!("x{}", i % 3), "z".into()]),
        _ => Some(vec!["y".to_string()]),
    };
    let bodies: Vec<String> = (0..n)
        .map(|i| {
            let mut parts = Vec::new();
            if let Some(u) = u(i) {
                parts.push(format!(r#""u": "{u}""#));
            }
            if let Some(x) = num(i) {
                parts.push(format!(r#""n": "{x}""#));
            }
            if let Some(m) = m(i) {
                let items: Vec<String> = m.iter().map(|v| format!("\"{v}\"")).collect();
                parts.push(format!(r#""m": [{}]"#, items.join(", ")));
            }
            parts.join(", ")
        })
        .collect();
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let ds = dataset(&refs);
    // The definition, field by field: each row's frequency (None where absent).
    let firsts: Vec<Vec<Option<String>>> =
        vec![(0..n).map(u).collect(), (0..n).map(num).collect(), (0..n).map(|i| m(i).map(|v| v[0].clone())).collect()];
    let freqs: Vec<Vec<Option<f64>>> = firsts
        .iter()
        .map(|col| {
            let numbers: Vec<Option<f64>> = col.iter().map(|v| v.as_ref().and_then(|s| s.parse().ok())).collect();
            if col.iter().zip(&numbers).all(|(v, x)| v.is_none() || x.is_some()) {
                let present: Vec<f64> = numbers.iter().flatten().copied().collect();
                let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let bin = |x: f64| (((x - lo) / ((hi - lo) / 10.0)) as usize).min(9);
                let mut counts = [0usize; 10];
                present.iter().for_each(|&x| counts[bin(x)] += 1);
                numbers.iter().map(|x| x.map(|x| counts[bin(x)] as f64 / n as f64)).collect()
            } else {
                let count = |v: &String| col.iter().filter(|w| w.as_ref() == Some(v)).count();
                col.iter().map(|v| v.as_ref().map(|v| count(v) as f64 / n as f64)).collect()
            }
        })
        .collect();
    assert!(freqs[1].iter().flatten().any(|&p| p < 0.01), "the numeric field has a rare bin");
    let names = ["u", "n", "m{}"];
    let r = search(&ds, r#"* | anomalydetection u n "m{}" action=annotate pthresh=0.05"#);
    assert_eq!(r.rows, n);
    let (prob, cause, cause_freq, max) = (
        column(&r, "log_event_prob"),
        column(&r, "probable_cause"),
        column(&r, "probable_cause_freq"),
        column(&r, "max_freq"),
    );
    let close = |shown: &str, want: f64| {
        let got: f64 = shown.parse().unwrap_or_else(|_| panic!("{shown} is a number"));
        assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{shown} is not {want}");
    };
    let mut anomalous = 0;
    for row in 0..n {
        let present: Vec<(usize, f64)> = (0..3).filter_map(|k| freqs[k][row].map(|p| (k, p))).collect();
        let p: f64 = present.iter().map(|(_, p)| p).product();
        if present.is_empty() || p >= 0.05 {
            assert_eq!([&prob[row], &cause[row], &cause_freq[row], &max[row]], ["-"; 4], "row {row}");
            continue;
        }
        anomalous += 1;
        let (k, least) = present.iter().fold((0, f64::INFINITY), |a, &(k, p)| if p < a.1 { (k, p) } else { a });
        close(&prob[row], p.ln());
        assert_eq!(cause[row], names[k], "row {row}");
        close(&cause_freq[row], least);
        close(&max[row], present.iter().map(|(_, p)| *p).fold(0.0, f64::max));
    }
    assert!((5..n / 2).contains(&anomalous), "{anomalous} anomalous rows");
    // Filtering keeps exactly the anomalous rows.
    assert_eq!(search(&ds, r#"* | anomalydetection u n "m{}" pthresh=0.05"#).rows, anomalous);
}

/// A MaxMind-format City database written for this test (format: maxmind.github.io/MaxMind-DB):
/// one network, 203.0.113.0/24, in Sydney. 24-bit records, IPv4 tree.
fn tiny_city_mmdb() -> Vec<u8> {
    fn head(out: &mut Vec<u8>, kind: u8, size: usize) {
        assert!(size < 29);
        if kind <= 7 {
            out.push((kind << 5) | size as u8);
        } else {
            out.push(size as u8);
            out.push(kind - 7);
        }
    }
    fn text(out: &mut Vec<u8>, s: &str) {
        head(out, 2, s.len());
        out.extend_from_slice(s.as_bytes());
    }
    fn double(out: &mut Vec<u8>, x: f64) {
        head(out, 3, 8);
        out.extend_from_slice(&x.to_be_bytes());
    }
    fn uint(out: &mut Vec<u8>, kind: u8, x: u64) {
        let bytes: Vec<u8> = x.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        head(out, kind, bytes.len());
        out.extend_from_slice(&bytes);
    }
    fn names(out: &mut Vec<u8>, en: &str) {
        head(out, 7, 1);
        text(out, "names");
        head(out, 7, 1);
        text(out, "en");
        text(out, en);
    }
    let node_count = 24u32;
    let mut tree = Vec::new();
    let net: u32 = u32::from(std::net::Ipv4Addr::new(203, 0, 113, 0));
    for i in 0..24u32 {
        let bit = (net >> (31 - i)) & 1;
        let next = if i == 23 { node_count + 16 } else { i + 1 };
        let (left, right) = if bit == 0 { (next, node_count) } else { (node_count, next) };
        tree.extend_from_slice(&left.to_be_bytes()[1..]);
        tree.extend_from_slice(&right.to_be_bytes()[1..]);
    }
    let mut data = Vec::new();
    head(&mut data, 7, 4);
    text(&mut data, "city");
    names(&mut data, "Sydney");
    text(&mut data, "country");
    names(&mut data, "Australia");
    text(&mut data, "location");
    head(&mut data, 7, 2);
    text(&mut data, "latitude");
    double(&mut data, -33.8688);
    text(&mut data, "longitude");
    double(&mut data, 151.2093);
    text(&mut data, "subdivisions");
    head(&mut data, 11, 1);
    names(&mut data, "New South Wales");
    let mut meta = b"\xAB\xCD\xEFMaxMind.com".to_vec();
    head(&mut meta, 7, 9);
    text(&mut meta, "binary_format_major_version");
    uint(&mut meta, 5, 2);
    text(&mut meta, "binary_format_minor_version");
    uint(&mut meta, 5, 0);
    text(&mut meta, "build_epoch");
    uint(&mut meta, 9, 1_700_000_000);
    text(&mut meta, "database_type");
    text(&mut meta, "GeoIP2-City");
    text(&mut meta, "description");
    head(&mut meta, 7, 1);
    text(&mut meta, "en");
    text(&mut meta, "spelunk test");
    text(&mut meta, "ip_version");
    uint(&mut meta, 5, 4);
    text(&mut meta, "languages");
    head(&mut meta, 11, 1);
    text(&mut meta, "en");
    text(&mut meta, "node_count");
    uint(&mut meta, 6, node_count as u64);
    text(&mut meta, "record_size");
    uint(&mut meta, 5, 24);
    let mut out = tree;
    out.extend_from_slice(&[0u8; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(&meta);
    out
}

#[test]
fn s7_3_iplocation_with_and_without_a_database() {
    let ds = dataset(&[r#""src": "203.0.113.7""#, r#""src": "198.51.100.1""#, r#""src": "not an ip""#]);
    let db = maxminddb::Reader::from_source(tiny_city_mmdb()).expect("a valid database");
    let q =
        spelunk::compile("* | iplocation src | table src City Country Region lat lon", &MacroTable::builtin()).unwrap();
    let r = run(&q, &ds, &Options { geoip: Some(&db), ..Options::default() }).unwrap();
    assert_eq!(
        rows(&r)[0],
        row(&[
            ("src", "203.0.113.7"),
            ("City", "Sydney"),
            ("Country", "Australia"),
            ("Region", "New South Wales"),
            ("lat", "-33.8688"),
            ("lon", "151.2093")
        ])
    );
    assert_eq!(rows(&r)[1], row(&[("src", "198.51.100.1")]), "not in the database: empty");
    assert_eq!(rows(&r)[2], row(&[("src", "not an ip")]));
    // Without a database: empty fields and one warning saying why.
    let q = spelunk::compile("* | iplocation prefix=geo_ src | table src geo_City", &MacroTable::builtin()).unwrap();
    let r = run(&q, &ds, &Options::default()).unwrap();
    assert_eq!(column(&r, "geo_City"), ["-", "-", "-"]);
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("--geoip") && r.warnings[0].contains("geo_City"), "{:?}", r.warnings);
}

/// Events whose `_raw` is the given text (not JSON: no field but the index-time ones).
fn raw_events(raws: &[&str]) -> Dataset {
    let events = raws.iter().map(|r| Event::new(r.to_string(), Meta::default())).collect();
    Dataset::new(events, &App::default(), Context { now: 0.0 }).unwrap()
}

/// The error a search stops with: its code and the text its span covers.
fn error(ds: &Dataset, spl: &str, opts: &Options) -> (String, String, String) {
    let q = spelunk::compile(spl, &MacroTable::builtin()).unwrap();
    let d = run(&q, ds, opts).unwrap_err();
    (d.code.to_string(), spl[d.span.range()].to_string(), d.message)
}

const RAW_6_1: &str = r#"2021 PutBucketAcl {"a":{"b":1}} tail"#;

#[test]
fn s6_1_rex_named_group_is_greedy() {
    let ds = raw_events(&[RAW_6_1]);
    let r = search(&ds, r#"* | rex field=_raw "(?<json_field>{.+})" | table json_field"#);
    assert_eq!(column(&r, "json_field"), [r#"{"a":{"b":1}}"#]);
    // `_raw` is the default field; the Python spelling of named groups works too.
    let r = search(&ds, r#"* | rex "(?P<year>\d+) (?<api>\w+)" | table year api"#);
    assert_eq!((column(&r, "year"), column(&r, "api")), (vec!["2021".into()], vec!["PutBucketAcl".into()]));
}

#[test]
fn s6_1_rex_max_match_zero_gives_multivalues() {
    let ds = raw_events(&[RAW_6_1]);
    assert_eq!(column(&search(&ds, r#"* | rex field=_raw "(?<w>\d+)" max_match=0 | table w"#), "w"), ["2021|1"]);
    assert_eq!(column(&search(&ds, r#"* | rex field=_raw "(?<w>\d+)" | table w"#), "w"), ["2021"]);
    let ds = raw_events(&["a1 b2 c3 d4"]);
    assert_eq!(column(&search(&ds, r#"* | rex max_match=3 "(?<w>\w\d)" | table w"#), "w"), ["a1|b2|c3"]);
}

#[test]
fn s6_1_rex_sed_mode_rewrites_the_field() {
    let ds = raw_events(&[RAW_6_1]);
    let r = search(&ds, r#"* | rex field=_raw mode=sed "s/\d/#/g""#);
    assert_eq!(column(&r, "_raw"), [r##"#### PutBucketAcl {"a":{"b":#}} tail"##]);
    // Without `g` only the first match; a number picks the Nth.
    assert_eq!(
        column(&search(&ds, r#"* | rex mode=sed "s/\d/#/""#), "_raw"),
        [r#"#021 PutBucketAcl {"a":{"b":1}} tail"#]
    );
    assert_eq!(
        column(&search(&ds, r#"* | rex mode=sed "s/\d/#/5""#), "_raw"),
        [r##"2021 PutBucketAcl {"a":{"b":#}} tail"##]
    );
}

#[test]
fn s6_1_rex_sed_back_references_and_transliteration() {
    let ds = dataset(&[r#""user": "bob@corp""#]);
    let r = search(&ds, r#"* | rex field=user mode=sed "s/(\w+)@(\w+)/\2:\1 $0 &/" | table user"#);
    assert_eq!(column(&r, "user"), ["corp:bob $0 &"], "`$` and `&` are literal (UNVERIFIED for `&`)");
    let r = search(&ds, r#"* | rex field=user mode=sed "y/bo@/BO_/" | table user"#);
    assert_eq!(column(&r, "user"), ["BOB_cOrp"]);
    let ds = dataset(&[r#""user": ["a@x", "b@y"]"#]);
    let r = search(&ds, r#"* | rex field=user{} mode=sed "s/@.*//" | table user{}"#);
    assert_eq!(column(&r, "user{}"), ["a|b"], "every value of a multivalue (UNVERIFIED)");
}

#[test]
fn s6_1_rex_no_match_and_missing_input() {
    let ds = dataset(&[r#""msg": "user=bob", "who": "old""#, r#""msg": "nothing", "who": "old""#, r#""who": "old""#]);
    let r = search(&ds, r#"* | rex field=msg "user=(?<who>\w+)(x)?" | table who"#);
    // No match and no input field leave an existing field as it was (UNVERIFIED).
    assert_eq!(column(&r, "who"), ["bob", "old", "old"]);
    // Unnamed groups make no field.
    assert_eq!(search(&ds, r#"* | rex field=msg "user=(\w+)" | table 1"#).rows, 3);
    assert_eq!(column(&search(&ds, r#"* | rex field=msg "user=(\w+)" | table 1"#), "1"), ["-", "-", "-"]);
}

#[test]
fn s6_1_rex_quoted_regex_unescapes_only_quotes() {
    let ds = raw_events(&[r#"say "hi there" now"#]);
    let r = search(&ds, r#"* | rex "(?<q>\"[^\"]+\")\s(?<next>\w+)" | table q next"#);
    assert_eq!((column(&r, "q"), column(&r, "next")), (vec![r#""hi there""#.into()], vec!["now".into()]));
}

#[test]
fn s6_1_rex_bad_regex_points_at_the_regex() {
    let ds = raw_events(&[RAW_6_1]);
    let spl = r#"* | rex field=_raw "(?<x>\d+" | table x"#;
    let (code, at, _) = error(&ds, spl, &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::regex", r#""(?<x>\d+""#));
    let spl = r#"* | rex mode=sed "s/(/x/g""#;
    assert_eq!(error(&ds, spl, &Options::default()).1, r#""s/(/x/g""#);
    let spl = r#"* | rex mode=sed "s/a/x/q""#;
    let (code, at, msg) = error(&ds, spl, &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::rex", r#""s/a/x/q""#), "{msg}");
    let (code, at, _) = error(&ds, r#"* | rex offset_field=o "(?<x>a)""#, &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::unsupported", "offset_field=o"));
}

/// The IAM policy of docs/spl-semantics.md 6.2, as the JSON text of a field.
const POLICY: &str = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"*\"}]}"#;

fn policy_events() -> Dataset {
    let body = format!(r#""requestParameters": {{"policyDocument": "{POLICY}"}}"#);
    dataset(&[&body])
}

#[test]
fn s6_2_spath_path_with_array_gives_a_multivalue_of_json_texts() {
    let ds = policy_events();
    let r = search(&ds, "* | spath input=requestParameters.policyDocument output=stmts path=Statement{} | table stmts");
    assert_eq!(
        r.column("stmts").unwrap()[0],
        Value::Multi(vec![
            r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.into(),
            r#"{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}"#.into(),
        ])
    );
}

#[test]
fn s6_2_spath_after_mvexpand_reads_each_statement() {
    let ds = policy_events();
    let base = "* | spath input=requestParameters.policyDocument output=stmts path=Statement{} | mvexpand stmts \
                | spath input=stmts output=a1 path=Action | spath input=stmts output=a2 path=Action{}";
    let r = search(&ds, &format!("{base} | table a1 a2"));
    assert_eq!(column(&r, "a1"), ["*", r#"["s3:GetObject","s3:PutObject"]"#]);
    assert_eq!(column(&r, "a2"), ["-", "s3:GetObject|s3:PutObject"]);
    let r = search(&ds, &format!(r#"{base} | where a1 = "*" | table a1"#));
    assert_eq!(column(&r, "a1"), ["*"]);
}

#[test]
fn s6_2_spath_without_a_path_extracts_every_field_relative_to_the_input() {
    let ds = dataset(&[
        r#""findings": "{\"name\":\"CVE-1\",\"severity\":\"HIGH\",\"attributes\":[{\"key\":\"k\"},{\"key\":\"l\"}]}", "severity": "LOW""#,
        r#""findings": "not json", "severity": "LOW""#,
    ]);
    let r = search(&ds, "* | spath input=findings | table name severity attributes{}.key");
    assert_eq!(column(&r, "name"), ["CVE-1", "-"]);
    assert_eq!(column(&r, "severity"), ["HIGH", "LOW"], "overwritten where extracted (UNVERIFIED)");
    assert_eq!(column(&r, "attributes{}.key"), ["k|l", "-"]);
}

#[test]
fn s6_2_spath_positional_path_index_and_defaults() {
    let ds = policy_events();
    let r = search(&ds, "* | spath input=requestParameters.policyDocument Statement{1}.Action{0} | table *");
    assert_eq!(column(&r, "Statement{1}.Action{0}"), ["s3:GetObject"], "the path names the output");
    // `{}` on a value that is not an array, a missing key and a missing input give nothing.
    let r = search(
        &ds,
        "* | eval keep=\"x\" | spath input=requestParameters.policyDocument output=keep path=Version{} \
         | spath input=requestParameters.policyDocument output=none path=Nope | spath input=absent output=n2 path=a \
         | table keep none n2",
    );
    assert_eq!(
        (column(&r, "keep"), column(&r, "none"), column(&r, "n2")),
        (vec!["x".into()], vec!["-".into()], vec!["-".into()])
    );
    // Default input `_raw`; JSON scalars as KV_MODE=json gives them.
    let ds = dataset(&[r#""userIdentity": {"arn": "arn:aws:iam::111:user/bob"}, "n": null, "ok": false, "c": 1.50"#]);
    let r = search(&ds, "* | spath output=arn path=userIdentity.arn | spath output=n2 path=n | spath output=ok2 ok | spath output=c2 c | table arn n2 ok2 c2");
    assert_eq!(
        rows(&r),
        [row(&[("arn", "arn:aws:iam::111:user/bob"), ("n2", "null"), ("ok2", "false"), ("c2", "1.50")])]
    );
}

#[test]
fn s6_3_mvexpand_copies_rows_in_place() {
    let ds = dataset(&[r#""id": "1", "f": ["a", "b"]"#, r#""id": "2", "f": "c""#, r#""id": "3""#]);
    let r = search(&ds, "* | eval f=coalesce('f{}', f) | mvexpand f | table id f");
    // A row without the field is dropped (UNVERIFIED).
    assert_eq!(
        rows(&r),
        [row(&[("id", "1"), ("f", "a")]), row(&[("id", "1"), ("f", "b")]), row(&[("id", "2"), ("f", "c")])]
    );
    let r = search(&ds, "* | eval f=coalesce('f{}', f) | mvexpand f limit=1 | table id f");
    assert_eq!(rows(&r), [row(&[("id", "1"), ("f", "a")]), row(&[("id", "2"), ("f", "c")])]);
}

#[test]
fn s6_3_mvexpand_over_the_row_limit_is_an_error() {
    let ds = dataset(&[r#""f": ["a", "b", "c"]"#, r#""f": ["d", "e"]"#]);
    let opts = Options { limits: spelunk::engine::Limits { max_rows: 4 }, ..Options::default() };
    let (code, at, msg) = error(&ds, "* | mvexpand f{} | table f{}", &opts);
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::limit", "f{}"));
    assert!(msg.contains("5 rows"), "{msg}");
    let opts = Options { limits: spelunk::engine::Limits { max_rows: 5 }, ..Options::default() };
    let q = spelunk::compile("* | mvexpand f{}", &MacroTable::builtin()).unwrap();
    assert_eq!(run(&q, &ds, &opts).unwrap().rows, 5);
    assert_eq!(error(&ds, "* | mvexpand _raw", &Options::default()).1, "_raw", "not an internal field");
}

#[test]
fn s6_4_makemv_delim_and_allowempty() {
    let ds = dataset(&[r#""s": "a,,b""#]);
    assert_eq!(
        search(&ds, r#"* | makemv delim="," s | table s"#).column("s").unwrap()[0],
        Value::Multi(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        search(&ds, r#"* | makemv delim="," allowempty=t s | table s"#).column("s").unwrap()[0],
        Value::Multi(vec!["a".into(), "".into(), "b".into()])
    );
}

#[test]
fn s6_4_makemv_default_delimiter_tokenizer_and_nomv() {
    let ds = dataset(&[r#""s": "x  y z", "t": "k1=v1;k2=v2""#]);
    assert_eq!(column(&search(&ds, "* | makemv s | table s"), "s"), ["x|y|z"]);
    assert_eq!(column(&search(&ds, r#"* | makemv tokenizer="(\w+)=" t | table t"#), "t"), ["k1|k2"]);
    assert_eq!(column(&search(&ds, r#"* | makemv tokenizer="\w+=\w+" t | table t"#), "t"), ["k1=v1|k2=v2"]);
    let r = search(&ds, "* | makemv s | nomv s | table s");
    assert_eq!(r.column("s").unwrap()[0], Value::Str("x\ny\nz".into()), "joined by a newline (UNVERIFIED)");
    let (code, at, _) = error(&ds, "* | makemv setsv=true s", &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::unsupported", "setsv=true"));
    let (code, at, _) = error(&ds, r#"* | makemv tokenizer="(" s"#, &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::regex", r#""(""#));
}

#[test]
fn s6_5_convert_ctime_with_timeformat() {
    let ds = dataset(&[r#""firstTime": "1626784496", "lastTime": "1626784500""#, r#""count": "3""#]);
    let r = search(
        &ds,
        r#"* | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(lastTime)"#,
    );
    assert_eq!(
        rows(&r),
        [row(&[("firstTime", "2021-07-20T12:34:56"), ("lastTime", "2021-07-20T12:35:00")]), row(&[("count", "3")])]
    );
}

#[test]
fn s6_5_convert_default_format_alias_and_dur2sec() {
    let ds = dataset(&[r#""firstTime": "1626784496", "d": "00:10:15""#]);
    assert_eq!(
        column(&search(&ds, "* | convert ctime(firstTime) | table firstTime"), "firstTime"),
        ["07/20/2021 12:34:56"]
    );
    let r = search(&ds, "* | convert ctime(firstTime) as ft | table ft firstTime");
    assert_eq!(rows(&r), [row(&[("ft", "07/20/2021 12:34:56"), ("firstTime", "1626784496")])]);
    assert_eq!(column(&search(&ds, "* | convert dur2sec(d) | table d"), "d"), ["615"]);
}

#[test]
fn s6_5_convert_mktime_and_number_conversions() {
    let ds = dataset(&[
        r#""t": "07/20/2021 12:34:56", "u": "212 sec", "c": "1,000,000.00", "m": "2m", "a": "1,024", "x": "abc""#,
        r#""a": "08", "x": "5""#,
    ]);
    let r = search(&ds, "* | convert mktime(t) rmunit(u) rmcomma(c) memk(m) auto(a) | table t u c m a");
    assert_eq!(
        rows(&r)[0],
        row(&[("t", "1626784496"), ("u", "212"), ("c", "1000000.00"), ("m", "2048"), ("a", "1024")])
    );
    assert_eq!(column(&r, "a"), ["1024", "8"]);
    // `auto` leaves the field untouched when a value cannot be read; `num` removes that value.
    assert_eq!(column(&search(&ds, "* | convert auto(x) | table x"), "x"), ["abc", "5"]);
    assert_eq!(column(&search(&ds, "* | convert num(x) | table x"), "x"), ["-", "5"]);
    let r = search(&ds, r#"* | convert timeformat="%Y-%m-%d" mktime(t) as y | table y"#);
    assert_eq!(column(&r, "y"), ["07/20/2021 12:34:56", "-"], "text mktime cannot read is kept (UNVERIFIED)");
}

#[test]
fn s6_5_convert_wildcards_none_and_multivalues() {
    let ds = dataset(&[r#""firstTime": "0", "lastTime": "86400", "keepTime": "60", "times": ["0", "60"]"#]);
    let r =
        search(&ds, r#"* | convert timeformat="%F %T" ctime(*Time) none(keep*) | table firstTime lastTime keepTime"#);
    assert_eq!(
        rows(&r),
        [row(&[("firstTime", "1970-01-01 00:00:00"), ("lastTime", "1970-01-02 00:00:00"), ("keepTime", "60")])]
    );
    let r = search(&ds, r#"* | convert timeformat="%H:%M" ctime(*Time) as *_t | table firstTime first_t"#);
    assert_eq!(rows(&r), [row(&[("firstTime", "0"), ("first_t", "00:00")])]);
    let r = search(&ds, r#"* | convert timeformat="%M" ctime(times{}) | table times{}"#);
    assert_eq!(column(&r, "times{}"), ["00|01"], "each value (UNVERIFIED)");
    let (code, at, _) = error(&ds, "* | convert bogus(x)", &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::convert", "bogus(x)"));
}

#[test]
fn s6_6_bin_time_aligned_to_the_span() {
    let ds = timed(&[(1626784496, ""), (1626784799, ""), (1626784800, "")]);
    // Rows are newest first.
    assert_eq!(
        column(&search(&ds, "* | bin _time span=5m | table _time"), "_time"),
        ["1626784800", "1626784500", "1626784200"]
    );
    assert_eq!(
        column(&search(&ds, "* | bin span=5m _time | table _time"), "_time"),
        ["1626784800", "1626784500", "1626784200"]
    );
    assert_eq!(column(&search(&ds, "* | bucket _time span=1h | table _time"), "_time")[2], "1626782400");
    assert_eq!(column(&search(&ds, "* | bucket span=1d _time | table _time"), "_time")[2], "1626739200");
    assert_eq!(column(&search(&ds, "* | bin _time span=1mon | table _time"), "_time")[2], "1625097600");
    let r = search(&ds, "* | bin _time span=10m as slot | table _time slot");
    assert_eq!((column(&r, "_time")[2].as_str(), column(&r, "slot")[2].as_str()), ("1626784496", "1626784200"));
}

#[test]
fn s6_6_bin_numeric_field_gives_ranges() {
    let ds = dataset(&[r#""mag": "0.5""#, r#""mag": "1.2""#, r#""mag": "x""#, r#""other": "1""#, r#""mag": "250""#]);
    assert_eq!(column(&search(&ds, "* | bin mag span=1 | table mag"), "mag"), ["0-1", "1-2", "x", "-", "250-251"]);
    assert_eq!(
        column(&search(&ds, "* | bin mag span=100 as m | table m"), "m"),
        ["0-100", "0-100", "x", "-", "200-300"]
    );
    let (code, at, _) = error(&ds, "* | bin mag bins=10", &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::unsupported", "bins=10"));
    assert_eq!(error(&ds, "* | bin mag span=5parsecs", &Options::default()).1, "5parsecs");
    assert_eq!(error(&ds, "* | bin mag", &Options::default()).1, "mag");
}

#[test]
fn s6_6_bin_each_value_of_a_multivalue_and_repeated_values_alike() {
    let ds = dataset(&[
        r#""mag": "1.2", "mags": ["0.5", "2.5"]"#,
        r#""mag": "0.5", "mags": ["7"]"#,
        r#""mag": "1.2""#,
        r#""mag": "1.7", "mags": ["x", "1.2"]"#,
    ]);
    assert_eq!(column(&search(&ds, "* | bin mag span=1 | table mag"), "mag"), ["1-2", "0-1", "1-2", "1-2"]);
    assert_eq!(
        column(&search(&ds, "* | bin mags{} span=1 | table mags{}"), "mags{}"),
        ["0-1|2-3", "7-8", "-", "x|1-2"]
    );
}

/// Events at the given times (`2024-06-01T` + the time) with the given fields.
fn at_times(events: &[(&str, &str)]) -> Dataset {
    let events = events
        .iter()
        .map(|(t, b)| Event::new(format!(r#"{{"eventTime": "2024-06-01T{t}Z", {b}}}"#), Meta::default()))
        .collect();
    Dataset::new(events, &App::default(), Context { now: 1_800_000_000.0 }).unwrap()
}

/// 2024-06-01T08:00:00Z.
const EIGHT: u64 = 1_717_228_800;

fn timechart_data() -> Dataset {
    at_times(&[
        ("08:00:10", r#""u": "x", "b": "5""#),
        ("08:00:50", r#""u": "y", "b": "7""#),
        ("08:03:10", r#""u": "x", "b": "1""#),
        ("08:04:59", r#""b": "2""#),
    ])
}

#[test]
fn s8_timechart_has_every_bin_oldest_first_and_zero_counts() {
    let r = search(&timechart_data(), "* | timechart span=1m count");
    assert_eq!(r.fields, ["_time", "count"]);
    let times: Vec<String> = (0..5).map(|k| (EIGHT + 60 * k).to_string()).collect();
    assert_eq!(column(&r, "_time"), times);
    assert_eq!(column(&r, "count"), ["2", "0", "0", "1", "1"]);
    // Other functions leave empty bins empty.
    assert_eq!(column(&search(&timechart_data(), "* | timechart span=2m avg(b)"), "avg(b)"), ["6", "1", "2"]);
}

#[test]
fn s8_timechart_by_a_field_with_limit_other_and_null() {
    let r = search(&timechart_data(), "* | timechart span=1m count by u");
    assert_eq!(r.fields, ["_time", "x", "y", "NULL"]);
    assert_eq!(column(&r, "x"), ["1", "0", "0", "1", "0"]);
    assert_eq!(column(&r, "NULL"), ["0", "0", "0", "0", "1"]);
    // limit=1 keeps the series with the largest total; the rest become OTHER.
    let r = search(&timechart_data(), "* | timechart span=5m count by u limit=1");
    assert_eq!(
        (r.fields.clone(), column(&r, "OTHER")),
        (vec!["_time".into(), "x".into(), "OTHER".into(), "NULL".into()], vec!["1".into()])
    );
    let r = search(&timechart_data(), "* | timechart span=5m count by u limit=1 useother=f usenull=f");
    assert_eq!(r.fields, ["_time", "x"]);
    // Several aggregations: `agg: value` columns.
    let r = search(&timechart_data(), "* | timechart span=5m avg(b) max(b) by u");
    assert_eq!(r.fields, ["_time", "avg(b): x", "avg(b): y", "avg(b): NULL", "max(b): x", "max(b): y", "max(b): NULL"]);
    assert_eq!(column(&r, "avg(b): x"), ["3"]);
}

#[test]
fn s8_timechart_default_span_follows_the_time_range() {
    // Five minutes of data: 10-second bins (Splunk's default for up to 15 minutes).
    let r = search(&timechart_data(), "* | timechart count");
    assert_eq!(r.rows, 29, "08:00:10 to 08:04:50");
    assert_eq!(column(&r, "_time")[0], (EIGHT + 10).to_string());
    // Eight hours: 30-minute bins (Splunk's default for up to 24 hours).
    let ds = at_times(&[("00:00:00", r#""a": "1""#), ("08:00:00", r#""a": "1""#)]);
    let r = search(&ds, "* | timechart count");
    assert_eq!(r.rows, 17);
    assert_eq!(column(&r, "_time")[1], (EIGHT - 8 * 3600 + 1800).to_string());
}

#[test]
fn s8_timechart_refuses_a_bad_span_and_two_split_fields() {
    let ds = timechart_data();
    let (code, at, _) = error(&ds, "* | timechart span=fortnight count", &Options::default());
    assert_eq!((code.as_str(), at.as_str()), ("spelunk::timechart", "fortnight"));
    let (_, at, _) = error(&ds, "* | timechart count by u b", &Options::default());
    assert_eq!(at, "b");
}

/// `dc` and `values` over a field read from the dataset's shared column (its distinct
/// values found by their codes) give what they give over the frame's own values: repeated
/// values once, a multivalue's values each, absent ones nothing.
#[test]
fn s4_1_dc_and_values_over_shared_columns_match_over_values() {
    let bodies = [
        (100, r#""user": "bob", "ips": "2.2.2.2""#),
        (110, r#""user": "bob", "ips": ["1.1.1.1", "3.3.3.3"]"#),
        (120, r#""user": "bob", "ips": ["2.2.2.2"]"#),
        (130, r#""user": "bob""#),
        (140, r#""user": "alice", "ips": ["1.1.1.1", "1.1.1.1"]"#),
        (150, r#""user": "alice", "ips": ["10"]"#),
        (160, r#""user": "carol""#),
    ];
    let spl = "* | stats dc(ips{}) as n values(ips{}) as srcs count by user";
    let plain = search(&timed(&bodies), spl);
    let shared = timed(&bodies);
    shared.prefetch(&["ips{}".to_string(), "user".to_string()].into_iter().collect());
    let coded = search(&shared, spl);
    assert_eq!(rows(&coded), rows(&plain));
    let by_user: BTreeMap<String, (String, String)> = rows(&coded)
        .into_iter()
        .map(|r| (r["user"].clone(), (r["n"].clone(), r.get("srcs").cloned().unwrap_or_default())))
        .collect();
    assert_eq!(by_user["bob"], ("3".to_string(), "1.1.1.1|2.2.2.2|3.3.3.3".to_string()));
    assert_eq!(by_user["alice"], ("2".to_string(), "1.1.1.1|10".to_string()));
    assert_eq!(by_user["carol"].0, "0");
}
