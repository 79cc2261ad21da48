//! `spelunk search` as a user runs it: every input format, every kind of bad input, each
//! output format, and the errors a search can have.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const QUERY: &str = "sourcetype=aws:cloudtrail | table _time user_arn src_ip aws_account_id errorCode";

/// An IAM user's failed call and an assumed role's successful one (the role's account
/// differs from the user's; the second has no errorCode, so the add-on says `success`).
const E1: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE1","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","errorCode":"AccessDenied","requestParameters":{"bucketName":"logs-archive"},"responseElements":null,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
const E2: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE2:bob","arn":"arn:aws:sts::444455556666:assumed-role/Admin/bob","accountId":"444455556666"},"eventTime":"2024-03-01T10:05:30.250Z","eventSource":"ec2.amazonaws.com","eventName":"CreateSnapshot","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userAgent":"console.amazonaws.com","requestParameters":{"volumeId":"vol-0abc"},"responseElements":{"snapshotId":"snap-0def"},"eventType":"AwsApiCall","recipientAccountId":"444455556666"}"#;

/// Newest first, `_time` in ISO 8601 with milliseconds.
const EXPECTED_CSV: &str = "_time,user_arn,src_ip,aws_account_id,errorCode\n\
2024-03-01T10:05:30.250+00:00,arn:aws:sts::444455556666:assumed-role/Admin/bob,203.0.113.9,444455556666,success\n\
2024-03-01T10:00:00.000+00:00,arn:aws:iam::111122223333:user/alice,198.51.100.7,111122223333,AccessDenied\n";

fn spelunk(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spelunk"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spelunk runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn search(query: &str, data: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["search", query, "--data", data.to_str().unwrap()];
    args.extend_from_slice(extra);
    spelunk(&args, None)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_search").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Runs the done-when query over `file` and checks the CSV.
fn expect_csv(file: &Path) {
    let out = search(QUERY, file, &["--format", "csv"]);
    assert_eq!(text(&out.stderr), "", "{}", file.display());
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), EXPECTED_CSV, "{}", file.display());
}

#[test]
fn ndjson() {
    let f = scratch("ndjson").join("events.ndjson");
    std::fs::write(&f, format!("{E1}\n{E2}\n")).unwrap();
    expect_csv(&f);
}

#[test]
fn cloudtrail_records_file() {
    let f = scratch("records").join("111122223333_CloudTrail_us-east-1_20240301T1000Z_x.json");
    std::fs::write(&f, format!("{{\"Records\": [\n  {E1},\n  {E2}\n]}}")).unwrap();
    expect_csv(&f);
}

#[test]
fn json_array() {
    let f = scratch("array").join("events.json");
    std::fs::write(&f, format!("[{E1}, {E2}]")).unwrap();
    expect_csv(&f);
}

#[test]
fn gzip_by_magic_bytes_whatever_the_name() {
    let dir = scratch("gzip");
    let f = dir.join("trail.json.gz");
    std::fs::write(&f, gzip(format!("{{\"Records\":[{E1},{E2}]}}").as_bytes())).unwrap();
    expect_csv(&f);
    let g = dir.join("no_extension");
    std::fs::write(&g, gzip(format!("{E1}\n{E2}\n").as_bytes())).unwrap();
    expect_csv(&g);
}

#[test]
fn directory_recursively() {
    let dir = scratch("dir");
    std::fs::create_dir_all(dir.join("2024/03/01")).unwrap();
    std::fs::write(dir.join("2024/03/01/a.json"), E1).unwrap();
    std::fs::write(dir.join("2024/b.ndjson.gz"), gzip(E2.as_bytes())).unwrap();
    std::fs::write(dir.join("README.md"), "not data").unwrap();
    expect_csv(&dir);
}

#[test]
fn standard_input() {
    let out = spelunk(&["search", QUERY, "--data", "-", "--format", "csv"], Some(format!("{E1}\n{E2}\n").as_bytes()));
    assert_eq!(text(&out.stderr), "");
    assert_eq!(text(&out.stdout), EXPECTED_CSV);
}

#[test]
fn splunk_csv_export() {
    let f = scratch("csv_export").join("export.csv");
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let csv = format!(
        "\"_raw\",\"_time\",sourcetype,host\n{},\"2024-03-01T10:00:00.000+0000\",\"aws:cloudtrail\",ct\n{},\"2024-03-01T10:05:30.250+0000\",\"aws:cloudtrail\",ct\n",
        quote(E1),
        quote(E2)
    );
    std::fs::write(&f, csv).unwrap();
    expect_csv(&f);
}

#[test]
fn splunk_json_export() {
    let f = scratch("json_export").join("export.json");
    let line = |e: &str| serde_json::json!({"preview": false, "result": {"_raw": e, "sourcetype": "aws:cloudtrail"}});
    std::fs::write(&f, format!("{}\n{}\n", line(E1), line(E2))).unwrap();
    expect_csv(&f);
}

#[test]
fn lfs_pointer_is_refused() {
    let f = scratch("lfs").join("cloudtrail.json");
    std::fs::write(&f, "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n").unwrap();
    let out = search(QUERY, &f, &["--format", "csv"]);
    let err = text(&out.stderr);
    assert!(err.contains("Git LFS pointer"), "{err}");
    assert_eq!(text(&out.stdout), "_time,user_arn,src_ip,aws_account_id,errorCode\n", "no events, the header only");
}

#[test]
fn bad_lines_are_reported_with_file_and_line_and_skipped() {
    let dir = scratch("bad");
    let f = dir.join("mixed.ndjson");
    let truncated = &E2[..E2.len() / 2];
    let mut bytes = format!("{E1}\n{truncated}\nnot json at all\n").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe\x00binary\n");
    bytes.extend_from_slice(r#"{"eventTime":"yesterday","eventName":"X"}"#.as_bytes());
    bytes.extend_from_slice(format!("\n{}\n{E2}\n", "[".repeat(1000)).as_bytes());
    std::fs::write(&f, &bytes).unwrap();
    let before = std::fs::read(&f).unwrap();

    let out = search(QUERY, &f, &["--format", "csv"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    let name = f.display().to_string();
    for line in [2, 3, 4, 5, 6] {
        assert!(err.contains(&format!("{name}:{line}:")), "line {line} reported:\n{err}");
    }
    assert!(err.contains("2 events read, 5 skipped"), "{err}");
    assert_eq!(text(&out.stdout), EXPECTED_CSV, "the good lines still count");
    assert_eq!(std::fs::read(&f).unwrap(), before, "input never modified");

    let strict = search(QUERY, &f, &["--format", "csv", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stderr).contains(&format!("{name}:2:")), "{}", text(&strict.stderr));
    assert_eq!(text(&strict.stdout), "");
}

#[test]
fn empty_file_and_missing_file() {
    let dir = scratch("empty");
    let f = dir.join("empty.json");
    std::fs::write(&f, "").unwrap();
    let out = search(QUERY, &f, &["--format", "csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "_time,user_arn,src_ip,aws_account_id,errorCode\n");

    let missing = search(QUERY, &dir.join("nope.json"), &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope.json"), "{}", text(&missing.stderr));
}

#[test]
fn a_ten_megabyte_event() {
    let f = scratch("big").join("big.json");
    let policy = "x".repeat(10 * 1024 * 1024);
    let e = format!(
        r#"{{"eventTime":"2024-03-01T10:00:00Z","eventName":"PutBucketPolicy","requestParameters":{{"policy":"{policy}"}}}}"#
    );
    std::fs::write(&f, e).unwrap();
    let out = search(
        "eventName=PutBucketPolicy | eval n=len('requestParameters.policy') | table eventName n",
        &f,
        &["--format", "csv"],
    );
    assert_eq!(text(&out.stdout), format!("eventName,n\nPutBucketPolicy,{}\n", 10 * 1024 * 1024));
}

#[test]
fn every_output_format() {
    let f = scratch("formats").join("events.ndjson");
    std::fs::write(&f, format!("{E1}\n{E2}\n")).unwrap();
    let q = "eventName=DeleteBucket | table eventName user_arn errorCode";
    let json = text(&search(q, &f, &["--format", "json"]).stdout);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        parsed,
        serde_json::json!([{"eventName": "DeleteBucket", "user_arn": "arn:aws:iam::111122223333:user/alice", "errorCode": "AccessDenied"}])
    );
    let nd = text(&search(q, &f, &["--format", "ndjson"]).stdout);
    assert_eq!(
        nd,
        "{\"eventName\":\"DeleteBucket\",\"user_arn\":\"arn:aws:iam::111122223333:user/alice\",\"errorCode\":\"AccessDenied\"}\n"
    );
    let table = text(&search(q, &f, &[]).stdout);
    assert_eq!(
        table,
        "eventName     user_arn                              errorCode\n\
         ------------  ------------------------------------  ------------\n\
         DeleteBucket  arn:aws:iam::111122223333:user/alice  AccessDenied\n\
         (1 result)\n"
    );
}

#[test]
fn metadata_options() {
    let f = scratch("meta").join("events.ndjson");
    std::fs::write(&f, format!("{E1}\n")).unwrap();
    let q = "index=security host=trail-01 | table sourcetype source host index";
    let out = search(
        q,
        &f,
        &[
            "--format",
            "csv",
            "--index",
            "security",
            "--host",
            "trail-01",
            "--source",
            "s3://bucket/key",
            "--sourcetype",
            "aws:cloudtrail",
        ],
    );
    assert_eq!(text(&out.stdout), "sourcetype,source,host,index\naws:cloudtrail,s3://bucket/key,trail-01,security\n");
    let none = search(q, &f, &["--format", "csv"]);
    assert_eq!(text(&none.stdout), "sourcetype,source,host,index\n", "default index is main, no host");
}

#[test]
fn search_errors_point_at_the_query() {
    let f = scratch("errors").join("events.ndjson");
    std::fs::write(&f, format!("{E1}\n")).unwrap();
    let out = search("eventName=X | eval x=", &f, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("spelunk::syntax"), "{err}");

    let out = search("eventName=X | transaction user maxspan=1h", &f, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("the command `transaction` is not supported yet"), "{err}");
    assert!(err.contains("1 │ eventName=X | transaction user maxspan=1h"), "{err}");
    assert!(err.contains("               ─────┬─────\n"), "the caret marks the name: {err}");

    let out = search("`nosuchmacro` | table x", &f, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nosuchmacro"));
}

#[test]
fn time_range_options() {
    let f = scratch("range").join("events.ndjson");
    std::fs::write(&f, format!("{E1}\n{E2}\n")).unwrap();
    let q = "* | table eventName";
    let out = search(q, &f, &["--format", "csv", "--earliest", "2024-03-01T10:01:00Z"]);
    assert_eq!(text(&out.stdout), "eventName\nCreateSnapshot\n");
    let out = search(q, &f, &["--format", "csv", "--latest", "2024-03-01T10:01:00Z"]);
    assert_eq!(text(&out.stdout), "eventName\nDeleteBucket\n");
    let out = search("earliest=1709287260 | table eventName", &f, &["--format", "csv"]);
    assert_eq!(text(&out.stdout), "eventName\nCreateSnapshot\n");
}

#[test]
fn data_is_needed_only_by_searches_that_read_events() {
    let o = spelunk(&["search", "| makeresults count=2 | eval x=1 | table x", "-f", "csv"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "x\n1\n1\n");
    let o = spelunk(&["search", "sourcetype=aws:cloudtrail | stats count"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give them with --data PATH"));
}
