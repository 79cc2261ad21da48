//! Datamodels and `tstats` over the project's own datasets, each expected result computed
//! by hand from the events (see each dataset's README for the events line by line).
//!
//! - datasets/ec2_instance_burst/: RunInstances / TerminateInstances, CIM Change
//!   (All_Changes, Instance_Changes);
//! - datasets/console_password_spray/: ConsoleLogin failures and successes, CIM
//!   Authentication; AssumeRole calls that the add-on does not tag `authentication`.

mod common;

use std::path::PathBuf;

use spelunk::engine::{run, Options, Results};
use spelunk::eval::Context;
use spelunk::events::input::{load, load_bytes, LoadOptions, Loaded};
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;

fn file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn dataset(loaded: Loaded) -> Dataset {
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 1_800_000_000.0 }).unwrap()
}

fn over(files: &[&str]) -> Dataset {
    let paths: Vec<PathBuf> = files.iter().map(|f| file(f)).collect();
    dataset(load(&paths, &LoadOptions::default()).unwrap())
}

fn try_search(ds: &Dataset, spl: &str) -> Result<Results, String> {
    let macros = MacroTable::builtin();
    let q = spelunk::compile(spl, &macros).map_err(|e| e.render_plain("search", spl))?;
    run(&q, ds, &Options::default()).map_err(|e| e.render_plain("search", spl))
}

fn search(ds: &Dataset, spl: &str) -> Results {
    try_search(ds, spl).unwrap_or_else(|e| panic!("{e}"))
}

/// Rows as `a|b|c` (multivalues joined with `+`), for comparing whole tables.
fn rows(r: &Results) -> Vec<String> {
    (0..r.rows).map(|i| r.columns.iter().map(|c| c[i].values().join("+")).collect::<Vec<_>>().join("|")).collect()
}

const EC2_TP: &str = "datasets/ec2_instance_burst/true_positive.ndjson";
const EC2_BENIGN: &str = "datasets/ec2_instance_burst/benign.ndjson";
const SPRAY_TP: &str = "datasets/console_password_spray/true_positive.ndjson";
const SPRAY_BENIGN: &str = "datasets/console_password_spray/benign.ndjson";

#[test]
fn change_fields_are_named_by_dataset_path_and_core_fields_default_to_unknown() {
    let ds = over(&[EC2_TP]);
    let r = search(
        &ds,
        "| tstats count from datamodel=Change by All_Changes.action All_Changes.status All_Changes.Instance_Changes.instance_type",
    );
    assert_eq!(
        r.fields,
        ["All_Changes.action", "All_Changes.status", "All_Changes.Instance_Changes.instance_type", "count"]
    );
    // Lines 1-3 and 5 succeed (two instance types), line 4 is refused, line 6 terminates an
    // instance: it is in Instance_Changes but has no instanceType, so "unknown".
    assert_eq!(
        rows(&r),
        [
            "created|failure|p4d.24xlarge|1",
            "created|success|g5.48xlarge|1",
            "created|success|p4d.24xlarge|3",
            "deleted|success|unknown|1",
        ]
    );
}

#[test]
fn a_by_field_missing_drops_the_row_unless_fillnull_value_is_given() {
    let ds = over(&[EC2_TP]);
    // The refused launch (line 4) has no responseElements, so no object_id; the terminated
    // instance (line 6) is the one launched on line 1.
    let without = search(&ds, "| tstats count from datamodel=Change by All_Changes.object_id");
    assert_eq!(
        rows(&without),
        ["i-0f1e2d3c4b5a69781|2", "i-0f1e2d3c4b5a69782|1", "i-0f1e2d3c4b5a69783|1", "i-0f1e2d3c4b5a69785|1"]
    );
    let with = search(&ds, "| tstats fillnull_value=NULL count from datamodel=Change by All_Changes.object_id");
    assert_eq!(rows(&with).len(), 5);
    assert_eq!(rows(&with)[0], "NULL|1");
}

#[test]
fn span_bins_time_by_the_hour() {
    let ds = over(&[EC2_BENIGN]);
    let r = search(
        &ds,
        "| tstats count values(All_Changes.object_id) as ids from datamodel=Change.Instance_Changes \
         where All_Changes.action=created by _time span=1h All_Changes.status",
    );
    // 09:12 and 09:48 launches; 10:05; three refused launches at 11:00 (no instance ids).
    assert_eq!(
        rows(&r),
        [
            "1795338000|success|2|i-03a5c7e9b1d2f4061+i-03a5c7e9b1d2f4062",
            "1795341600|success|1|i-03a5c7e9b1d2f4063",
            "1795345200|failure|3|",
        ]
    );
}

#[test]
fn the_aggregation_functions_over_authentication() {
    let ds = over(&[SPRAY_TP]);
    let r = search(
        &ds,
        "| tstats count dc(Authentication.user) as users values(Authentication.user) as user \
         earliest(_time) as first latest(_time) as last min(_time) as tmin max(_time) as tmax \
         sum(_time) as total avg(_time) as mean from datamodel=Authentication \
         where nodename=Authentication.Failed_Authentication by Authentication.src",
    );
    // Lines 1-5: 03:14:05, 03:14:41, 03:15:20, 03:16:02, 03:19:37 on 2026-11-22.
    assert_eq!(
        rows(&r),
        ["203.0.113.77|5|4|alex.m+dana.ops+priya.s+ravi.k|1795317245|1795317577|1795317245|1795317577|8976586785|1795317357"]
    );
}

#[test]
fn child_datasets_by_nodename_or_by_name_select_the_same_events() {
    let ds = over(&[SPRAY_TP, SPRAY_BENIGN]);
    let count = |spl: &str| rows(&search(&ds, spl));
    // Failures: 5 in the true-positive file, 3 in the benign one.
    assert_eq!(count("| tstats count from datamodel=Authentication.Failed_Authentication"), ["8"]);
    assert_eq!(
        count("| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication"),
        ["8"]
    );
    // All console sign-ins (6 + 4); the two AssumeRole calls are not tagged authentication.
    assert_eq!(count("| tstats count from datamodel=Authentication"), ["10"]);
    assert_eq!(
        count("| tstats count from datamodel=Authentication.Successful_Default_Authentication by Authentication.user"),
        ["dana.ops|2"]
    );
    assert_eq!(count("| tstats count from datamodel=Change"), ["0"]);
}

#[test]
fn successful_computer_account_logins_are_outside_authentication() {
    // The root constraint `tag=authentication NOT (action=success user=*$)`.
    let login = |user: &str, result: &str| {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","accountId":"111122223333","userName":"{user}"}},"eventTime":"2026-11-22T12:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","responseElements":{{"ConsoleLogin":"{result}"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/","MFAUsed":"No"}},"eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}}"#
        )
    };
    let text = [login("BUILD01$", "Success"), login("BUILD01$", "Failure"), login("kim.n", "Success")].join("\n");
    let mut loaded = Loaded::default();
    load_bytes("inline.ndjson", text.as_bytes(), &LoadOptions::default(), &mut loaded).unwrap();
    let ds = dataset(loaded);
    let r = search(&ds, "| tstats count from datamodel=Authentication by Authentication.user Authentication.action");
    assert_eq!(rows(&r), ["BUILD01$|failure|1", "kim.n|success|1"]);
}

#[test]
fn from_datamodel_gives_events_with_plain_names_and_datamodel_search_prefixed_ones() {
    let ds = over(&[EC2_TP]);
    let plain = search(
        &ds,
        "| from datamodel:Change.Instance_Changes | where status=\"success\" | stats count by user instance_type",
    );
    assert_eq!(rows(&plain), ["ml-batch|g5.48xlarge|1", "ml-batch|p4d.24xlarge|3", "ml-batch|unknown|1"]);
    // The events keep their other fields, _raw included.
    let raw = search(&ds, "| from datamodel Change.All_Changes | head 1 | table eventName _raw");
    assert_eq!(raw.column("eventName").unwrap()[0].values(), ["TerminateInstances"]);
    assert!(raw.column("_raw").unwrap()[0].values()[0].starts_with('{'));
    let prefixed = search(
        &ds,
        "| datamodel Change Instance_Changes search | stats count by All_Changes.Instance_Changes.image_id",
    );
    assert_eq!(rows(&prefixed), ["ami-0a3f5c7e9b1d24680|5", "unknown|1"]);
}

#[test]
fn tstats_without_a_datamodel_reads_index_time_fields() {
    let ds = over(&[EC2_TP, SPRAY_TP]);
    let r = search(&ds, "| tstats count where index=main by sourcetype");
    assert_eq!(rows(&r), ["aws:cloudtrail|12"]);
}

#[test]
fn the_project_detections_that_read_datamodels_give_the_hand_computed_rows() {
    let content = spelunk::content::load::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let search_of = |name: &str| {
        content
            .detections
            .iter()
            .find(|d| d.file.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .file
            .search
            .clone()
    };
    let run_detection = |name: &str, data: &str| {
        let q = spelunk::compile(&search_of(name), &content.macros).unwrap();
        run(&q, &over(&[data]), &Options { lookups: Some(&content.lookups), ..Options::default() }).unwrap()
    };
    let spray = run_detection("AWS Console Password Spray From One Address", SPRAY_TP);
    assert_eq!(spray.fields, ["src", "vendor_account", "count", "user_count", "user", "firstTime", "lastTime"]);
    assert_eq!(
        rows(&spray),
        ["203.0.113.77|111122223333|5|4|alex.m+dana.ops+priya.s+ravi.k|2026-11-22T03:14:05|2026-11-22T03:19:37"]
    );
    assert_eq!(run_detection("AWS Console Password Spray From One Address", SPRAY_BENIGN).rows, 0);

    let burst = run_detection("AWS EC2 Instance Launch Burst", EC2_TP);
    assert_eq!(
        burst.fields,
        ["user", "vendor_account", "vendor_region", "_time", "count", "instance_id", "instance_type", "image_id"]
    );
    assert_eq!(
        rows(&burst),
        ["ml-batch|111122223333|ap-southeast-3|1795356000|4|i-0f1e2d3c4b5a69781+i-0f1e2d3c4b5a69782+i-0f1e2d3c4b5a69783+i-0f1e2d3c4b5a69785|g5.48xlarge+p4d.24xlarge|ami-0a3f5c7e9b1d24680"]
    );
    assert_eq!(run_detection("AWS EC2 Instance Launch Burst", EC2_BENIGN).rows, 0);
}

#[test]
fn errors_name_the_datamodel_option_or_form_and_point_at_it() {
    let ds = over(&[EC2_TP]);
    let e = try_search(&ds, "| tstats count from datamodel=Risk.All_Risk by All_Risk.risk_object").unwrap_err();
    assert!(e.contains("no datamodel named `Risk`") && e.contains("Authentication, Change"), "{e}");
    assert!(e.contains("^"), "a caret under the datamodel: {e}");
    let e = try_search(&ds, "| tstats count from datamodel=Change.Processes").unwrap_err();
    assert!(e.contains("no dataset `Processes`"), "{e}");
    let e = try_search(&ds, "| tstats prestats=t count from datamodel=Change").unwrap_err();
    assert!(e.contains("prestats=true` is not supported"), "{e}");
    let e = try_search(&ds, "| tstats count from sid=1234.5").unwrap_err();
    assert!(e.contains("`tstats from sid=1234.5` is not supported"), "{e}");
    let e = try_search(&ds, "| tstats bogus=1 count from datamodel=Change").unwrap_err();
    assert!(e.contains("`tstats` option `bogus` is not supported"), "{e}");
    let r = search(&ds, "| tstats count from datamodel=Change where All_Changes.usr=ml-batch");
    assert_eq!(rows(&r), ["0"]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("`All_Changes.usr` is not a field of the datamodel dataset Change.All_Changes")),
        "{:?}",
        r.warnings
    );
    let e = try_search(&ds, "| datamodel Change").unwrap_err();
    assert!(e.contains("takes a model, a dataset and `search` or `flat`"), "{e}");
}

#[test]
fn summaries_and_span_without_time_warn_instead_of_failing() {
    let ds = over(&[EC2_TP]);
    let r = search(
        &ds,
        "| tstats summariesonly=true allow_old_summaries=true count from datamodel=Change by All_Changes.user span=1h",
    );
    assert_eq!(rows(&r), ["ml-batch|6"]);
    assert!(r.warnings.iter().any(|w| w.contains("`span=` applies to `_time`")), "{:?}", r.warnings);

    // MLTK models do not exist offline: `summary` gives nothing, `apply` changes nothing.
    let r = search(&ds, "| tstats count from datamodel=Change by All_Changes.user | apply some_model threshold=0.005");
    assert_eq!(rows(&r), ["ml-batch|6"]);
    assert!(r.warnings.iter().any(|w| w.contains("model `some_model` does not exist offline")), "{:?}", r.warnings);
    let r =
        search(&ds, "| tstats count from datamodel=Change by All_Changes.user | join All_Changes.user [summary m1]");
    assert_eq!(r.rows, 0);
    assert!(r.warnings.iter().any(|w| w.contains("`m1`")), "{:?}", r.warnings);
}

#[test]
fn a_content_directory_can_add_or_replace_datamodels() {
    let dir = common::scratch("datamodels-content");
    common::write(
        &dir.join("datamodels/Sign_Ins.yml"),
        "model: Sign_Ins\ndatasets:\n  - name: Logins\n    constraint: eventName=ConsoleLogin\n    fields:\n      - user\n      - result = 'responseElements.ConsoleLogin'\n",
    );
    common::write(
        &dir.join("detections/sign_ins.yml"),
        "name: Sign-ins by result\nid: x\ntype: Hunting\nstatus: production\nsearch: '| tstats count from datamodel=Sign_Ins by Logins.result'\n",
    );
    let data = file(SPRAY_TP);
    let out = common::spelunk(&[
        "detect",
        "--content",
        dir.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--format",
        "csv",
    ]);
    let stdout = common::text(&out.stdout);
    assert!(out.status.success(), "{}{}", stdout, common::text(&out.stderr));
    // Five failures and one success in the file.
    assert!(
        stdout.contains("Sign-ins by result,Failure,5") && stdout.contains("Sign-ins by result,Success,1"),
        "{stdout}"
    );
}

/// A run of many searches shares one `Evaluations`: each dataset's events are selected
/// once and each field made when first asked for. Every search must still see what it
/// sees alone, whichever searches ran before it and with whatever fields they asked for.
#[test]
fn searches_sharing_datamodel_evaluations_see_what_each_sees_alone() {
    let ds = over(&[EC2_TP, EC2_BENIGN]);
    let macros = MacroTable::builtin();
    let searches = [
        "| tstats count from datamodel=Change by All_Changes.action",
        "| tstats count values(All_Changes.object_id) as ids from datamodel=Change by All_Changes.user All_Changes.status",
        "| tstats count from datamodel=Change where All_Changes.action=created by All_Changes.Instance_Changes.image_id",
        "| tstats count from datamodel=Change.Instance_Changes by All_Changes.Instance_Changes.instance_type",
        "| tstats count from datamodel=Change by nodename _time span=1d",
        // After 14:00 only the true positive's events: another selection of the dataset.
        "| tstats count from datamodel=Change where earliest=1795356000 by All_Changes.action",
        "| tstats count from datamodel=Change by All_Changes.usr",
    ];
    let alone: Vec<Results> = searches.iter().map(|s| search(&ds, s)).collect();
    assert!(alone[..6].iter().all(|r| r.rows > 0), "the fixture gives rows: {alone:?}");
    assert_ne!(rows(&alone[5]), rows(&alone[0]), "the time bound selects other events");
    // In order, in reverse, and each twice: the answers do not change.
    let shared = spelunk::datamodel::Evaluations::default();
    let options = Options { evaluations: Some(&shared), ..Options::default() };
    let order: Vec<usize> = (0..searches.len()).chain((0..searches.len()).rev()).collect();
    for k in order {
        let q = spelunk::compile(searches[k], &macros).unwrap();
        let r = run(&q, &ds, &options).unwrap_or_else(|e| panic!("{}", e.render_plain("search", searches[k])));
        assert_eq!(rows(&r), rows(&alone[k]), "{}", searches[k]);
        assert_eq!(r.fields, alone[k].fields, "{}", searches[k]);
        assert_eq!(r.warnings, alone[k].warnings, "{}", searches[k]);
    }
}

/// With a column cache, a run keeps each dataset's events and fields in the dataset
/// (whole time range only), the cache file keeps them, and the next run over the same
/// events reads them from there: every search sees what it sees alone, in either run.
#[test]
fn datamodel_fields_kept_by_the_column_cache_give_what_evaluating_gives() {
    use spelunk::frame::cache::Cache;
    let searches = [
        "| tstats count from datamodel=Change by All_Changes.action",
        "| tstats count values(All_Changes.object_id) as ids from datamodel=Change by All_Changes.user All_Changes.status",
        "| tstats count from datamodel=Change.Instance_Changes by All_Changes.Instance_Changes.instance_type",
        "| tstats count from datamodel=Change by nodename _time span=1d",
        "| tstats count from datamodel=Change where earliest=1795356000 by All_Changes.action",
    ];
    let macros = MacroTable::builtin();
    let alone: Vec<Results> = searches.iter().map(|s| search(&over(&[EC2_TP, EC2_BENIGN]), s)).collect();
    let dir = std::env::temp_dir().join(format!("spelunk-dm-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run_all = |ds: &Dataset| {
        let shared = spelunk::datamodel::Evaluations::kept_in_dataset();
        let options = Options { evaluations: Some(&shared), ..Options::default() };
        for (k, spl) in searches.iter().enumerate() {
            let q = spelunk::compile(spl, &macros).unwrap();
            let r = run(&q, ds, &options).unwrap_or_else(|e| panic!("{}", e.render_plain("search", spl)));
            assert_eq!(rows(&r), rows(&alone[k]), "{spl}");
            assert_eq!(r.fields, alone[k].fields, "{spl}");
        }
    };
    let cold = over(&[EC2_TP, EC2_BENIGN]);
    let cache = Cache::open(&cold, &dir);
    run_all(&cold);
    // Two datasets (Change.All_Changes, Change.All_Changes.Instance_Changes) over the
    // whole time; the bounded search's selection is not kept.
    let kept = cold.selections();
    assert_eq!(kept.len(), 2, "{:?}", kept.iter().map(|(n, _)| n).collect::<Vec<_>>());
    assert!(kept.iter().all(|(_, s)| !s.events.is_empty() && s.columns.contains_key("_time")));
    cache.save(&cold).unwrap();

    let warm = over(&[EC2_TP, EC2_BENIGN]);
    Cache::open(&warm, &dir);
    let mut read: Vec<_> = warm.selections();
    let mut made = kept.clone();
    read.sort_by(|a, b| a.0.cmp(&b.0));
    made.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(read, made, "the file gives back the events and columns");
    run_all(&warm);

    // What is kept is what the next run reads (nothing is evaluated again): a kept field
    // replaced by hand shows in the results.
    let tampered = over(&[EC2_TP, EC2_BENIGN]);
    Cache::open(&tampered, &dir);
    for (name, sel) in tampered.selections() {
        let Some(col) = sel.columns.get("All_Changes.action") else { continue };
        let mut col = (**col).clone();
        col.dict = std::sync::Arc::new(vec![spelunk::events::Value::Str("tampered".into()); col.dict.len()]);
        tampered.keep_selected(&name, &sel.events, vec![("All_Changes.action".into(), std::sync::Arc::new(col))]);
    }
    let shared = spelunk::datamodel::Evaluations::kept_in_dataset();
    let options = Options { evaluations: Some(&shared), ..Options::default() };
    let q = spelunk::compile(searches[0], &macros).unwrap();
    let r = run(&q, &tampered, &options).unwrap();
    assert!(rows(&r).iter().all(|row| row.starts_with("tampered|")), "{:?}", rows(&r));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shared passes of a run make, for a tstats over a datamodel, the fields its
/// dataset's constraints read (over all events) and those its datamodel fields are made
/// from (over the events it selects).
#[test]
fn a_tstats_plans_its_datasets_selection_and_the_event_fields_it_reads() {
    use spelunk::frame::Selects;
    let plan = common::scan_plan;
    let p = plan(
        "| tstats count from datamodel=Change.Instance_Changes where All_Changes.status=success by All_Changes.user",
    );
    match &p.selects {
        Selects::Matching(e) => assert_eq!(spelunk::syntax::printer::print_search(e), "tag=change tag=instance"),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.first.iter().map(String::as_str).collect::<Vec<_>>(), ["tag"]);
    for f in ["user", "status", "_time", "host", "source", "sourcetype", "index"] {
        assert!(p.later.contains(f), "{f} in {:?}", p.later);
    }
    // Not asked for: not made.
    assert!(!p.later.contains("action") && !p.later.contains("image_id"), "{:?}", p.later);
    // Without a datamodel, or with an unknown one, the plan is the syntax's.
    assert!(matches!(plan("| tstats count where index=main by host").selects, Selects::Other));
    assert!(matches!(plan("| tstats count from datamodel=Nope by x").selects, Selects::Other));
    let p = plan("eventName=RunInstances | stats count by user");
    assert!(matches!(&p.selects, Selects::Matching(_)));
    assert!(p.first.contains("eventName") && p.later.contains("user"), "{p:?}");
}
