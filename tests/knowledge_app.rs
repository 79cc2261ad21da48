//! An app directory in Splunk's layout (`default/`, `local/`, `lookups/`), as a user's own
//! Splunk_TA_aws would be given with `--props DIR`: read, checked and applied.

use std::path::{Path, PathBuf};

use spelunk::eval::Context;
use spelunk::events::{Event, Meta, Value};
use spelunk::knowledge::{apply, App};

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn default_local_and_lookups_of_an_app_directory() {
    let app = scratch("app");
    write(
        &app.join("default/props.conf"),
        "[aws:cloudtrail]\nFIELDALIAS-src = sourceIPAddress AS src_ip\nEVAL-kind = \"default\"\n\
         LOOKUP-act = actions eventName OUTPUT action\n",
    );
    // local/ replaces the class of the same name.
    write(&app.join("local/props.conf"), "[aws:cloudtrail]\nEVAL-kind = \"local\"\n");
    write(&app.join("default/transforms.conf"), "[actions]\nfilename = actions.csv\n");
    write(&app.join("lookups/actions.csv"), "eventName,action\nDeleteBucket,deleted\n");
    write(&app.join("default/eventtypes.conf"), "[deletes]\nsearch = action=deleted\n");
    write(&app.join("default/tags.conf"), "[eventtype=deletes]\nchange = enabled\n");

    let knowledge = App::load(&app).unwrap().for_sourcetype("aws:cloudtrail").unwrap();
    let event = Event::new(
        r#"{"eventTime":"2025-02-11T20:04:34Z","eventName":"DeleteBucket","sourceIPAddress":"1.2.3.4"}"#,
        Meta::default(),
    );
    let mut fields = event.fields().unwrap();
    apply(&knowledge, &mut fields, &Context { now: 0.0 });
    assert_eq!(fields["src_ip"], Value::from("1.2.3.4"));
    assert_eq!(fields["kind"], Value::from("local"));
    assert_eq!(fields["action"], Value::from("deleted"));
    assert_eq!(fields["eventtype"], Value::from("deletes"));
    assert_eq!(fields["tag"], Value::from("change"));
}

#[test]
fn mistakes_in_an_app_name_the_file_and_line() {
    let app = scratch("bad_app");
    write(&app.join("default/props.conf"), "[aws:cloudtrail]\nKV_MODE = json\nEXTRACT-x = (unclosed\n");
    let e = App::load(&app).unwrap().for_sourcetype("aws:cloudtrail").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.file.ends_with("default/props.conf"), "{e}");
    assert!(e.message.contains("bad regular expression"), "{e}");

    write(&app.join("default/props.conf"), "[aws:cloudtrail]\nLOOKUP-a = missing_table f OUTPUT g\n");
    write(&app.join("default/transforms.conf"), "[missing_table]\nfilename = nope.csv\n");
    let e = App::load(&app).unwrap().for_sourcetype("aws:cloudtrail").unwrap_err();
    assert!(e.message.contains("needs lookups/nope.csv") || e.message.contains("cannot read"), "{e}");

    write(&app.join("default/props.conf"), "[aws:cloudtrail\n");
    let e = App::load(&app).unwrap_err();
    assert_eq!(e.line, Some(1));
}
