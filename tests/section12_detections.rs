//! docs/spl-semantics.md section 12: the end-to-end cases W1 to W11 drawn from the AWS
//! detections, each over hand-written CloudTrail records with spelunk's built-in
//! `aws:cloudtrail` knowledge (so add-on fields such as `aws_account_id` exist), through
//! the same engine `spelunk search` uses. Where a case rests on an UNVERIFIED choice, the
//! test says which.

use spelunk::engine::{run, Options, Results};
use spelunk::eval::Context;
use spelunk::events::{Event, Meta};
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;

/// CloudTrail records (JSON object bodies without braces), given newest first, one second
/// apart, with an IAM user unless the body has its own `userIdentity`.
fn cloudtrail(bodies: &[&str]) -> Dataset {
    let events = bodies
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let who = if b.contains("\"userIdentity\"") {
                String::new()
            } else {
                r#""userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111:user/alice", "accountId": "111", "userName": "alice"}, "#.to_string()
            };
            let raw = format!(
                r#"{{"eventTime": "2021-07-20T12:34:{:02}Z", {who}"sourceIPAddress": "192.0.2.1", "awsRegion": "us-east-1", {b}}}"#,
                59 - k
            );
            Event::new(raw, Meta::default())
        })
        .collect();
    Dataset::new(events, &spelunk::knowledge::builtin(), Context { now: 1_626_784_496.0 }).unwrap()
}

fn search(ds: &Dataset, spl: &str) -> Results {
    let q = spelunk::compile(spl, &MacroTable::builtin()).unwrap();
    run(&q, ds, &Options::default()).unwrap_or_else(|d| panic!("{}", d.render_plain("search", spl)))
}

fn column(r: &Results, name: &str) -> Vec<String> {
    r.column(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", r.fields))
        .iter()
        .map(|v| v.values().join("|"))
        .collect()
}

#[test]
fn s12_w1_dotted_names_in_eval_are_concatenation() {
    let ds = cloudtrail(&[
        r#""eventName": "CreateAccessKey", "requestParameters": {"userName": "bob"}"#,
        r#""eventName": "CreateAccessKey", "userIdentity": {"type": "IAMUser", "userName": "carol"}, "requestParameters": {"userName": "carol"}"#,
    ]);
    // Unquoted `userIdentity.userName` in eval is `userIdentity . userName` (null), so
    // match(null, null) is null, `if` gives 0 and both events stay (the documented default
    // parse; UNVERIFIED against Splunk for the carol/carol case).
    let r = search(
        &ds,
        "eventName=CreateAccessKey | eval match=if(match(userIdentity.userName,requestParameters.userName),1,0) | search match=0 | stats count by requestParameters.userName",
    );
    assert_eq!(column(&r, "requestParameters.userName"), ["bob", "carol"]);
    assert_eq!(column(&r, "count"), ["1", "1"]);
    // Quoted, the names are fields: only bob (alice != bob) stays.
    let r = search(
        &ds,
        "eventName=CreateAccessKey | eval match=if(match('userIdentity.userName','requestParameters.userName'),1,0) | search match=0 | stats count by requestParameters.userName",
    );
    assert_eq!(column(&r, "requestParameters.userName"), ["bob"]);
}

#[test]
fn s12_w2_where_bare_word_is_a_field() {
    // 2021-07-17 09:54:56 UTC, a Saturday; and 22:00:00 the same day.
    let ds = cloudtrail(&[
        r#""eventName": "PutImage", "time": "1626515696000""#,
        r#""eventName": "PutImage", "time": "1626559200000""#,
    ]);
    let r = search(
        &ds,
        r#"* | eval hour=strftime(time/pow(10,3), "%H"), weekday=strftime(time/pow(10,3), "%A") | where hour >= 20 OR hour < 8 OR weekday=Saturday OR weekday=Sunday | table hour weekday"#,
    );
    // `weekday=Saturday` compares with a field named Saturday: only the 22:00 event is kept.
    assert_eq!((column(&r, "hour"), column(&r, "weekday")), (vec!["22".to_string()], vec!["Saturday".to_string()]));
}

#[test]
fn s12_w3_convert_does_not_create_missing_fields() {
    let ds = cloudtrail(&[r#""eventName": "PutBucketVersioning", "requestParameters": {"bucketName": "b1"}"#]);
    let r = search(
        &ds,
        r#"* | stats count values(requestParameters.bucketName) as bucket_name by src_ip | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime) | convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(lastTime)"#,
    );
    assert_eq!(r.fields, ["src_ip", "count", "bucket_name"]);
}

#[test]
fn s12_w4_snapshot_shared_externally() {
    let ds = cloudtrail(&[
        r#""eventName": "ModifySnapshotAttribute", "requestParameters": {"attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": "222"}]}}}"#,
        r#""eventName": "ModifySnapshotAttribute", "requestParameters": {"attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"remove": {"items": [{"userId": "222"}]}}}"#,
        r#""eventName": "ModifySnapshotAttribute", "requestParameters": {"attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": "111"}, {"userId": "222"}]}}}"#,
    ]);
    let r = search(
        &ds,
        r#"sourcetype=aws:cloudtrail eventName=ModifySnapshotAttribute | rename requestParameters.createVolumePermission.add.items{}.userId as requested_account_id | search requested_account_id != NULL | eval match=if(requested_account_id==aws_account_id,"Match","No Match") | table _time user_arn src_ip requestParameters.attributeType requested_account_id aws_account_id match vendor_region user_agent userIdentity.principalId | where match = "No Match""#,
    );
    // e2 has no added account (`!= NULL` drops a missing field); e3's multivalue equals
    // aws_account_id in one value, so it "Match"es (section 3.5, UNVERIFIED).
    assert_eq!(column(&r, "requested_account_id"), ["222"]);
    assert_eq!(column(&r, "aws_account_id"), ["111"]);
    assert_eq!(column(&r, "user_arn"), ["arn:aws:iam::111:user/alice"]);
}

#[test]
fn s12_w5_default_column_names_and_order() {
    let ds = cloudtrail(&[
        r#""eventName": "ModifyImageAttribute", "userAgent": "aws-cli/2", "requestParameters": {"launchPermission": {"add": {"items": [{"group": "all"}]}}}"#,
    ]);
    let r = search(
        &ds,
        r#"sourcetype=aws:cloudtrail eventName=ModifyImageAttribute | rename requestParameters.launchPermission.add.items{}.group as group_added | rename requestParameters.launchPermission.add.items{}.userId as accounts_added | eval ami_status=if(match(group_added,"all") ,"Public AMI", "Not Public") | stats count min(_time) as firstTime max(_time) as lastTime values(group_added) values(accounts_added) as accounts_added values(ami_status) by src_ip region eventName userAgent user_arn aws_account_id userIdentity.principalId"#,
    );
    // No principalId in the record: the by-field is missing, so there is no row at all.
    assert_eq!(r.rows, 0);
    let ds = cloudtrail(&[
        r#""eventName": "ModifyImageAttribute", "userAgent": "aws-cli/2", "userIdentity": {"type": "IAMUser", "principalId": "AIDA1", "arn": "arn:aws:iam::111:user/alice", "accountId": "111", "userName": "alice"}, "requestParameters": {"launchPermission": {"add": {"items": [{"group": "all"}]}}}"#,
    ]);
    let r = search(
        &ds,
        r#"sourcetype=aws:cloudtrail eventName=ModifyImageAttribute | rename requestParameters.launchPermission.add.items{}.group as group_added | rename requestParameters.launchPermission.add.items{}.userId as accounts_added | eval ami_status=if(match(group_added,"all") ,"Public AMI", "Not Public") | stats count min(_time) as firstTime max(_time) as lastTime values(group_added) values(accounts_added) as accounts_added values(ami_status) by src_ip region eventName userAgent user_arn aws_account_id userIdentity.principalId"#,
    );
    assert_eq!(
        r.fields,
        [
            "src_ip",
            "region",
            "eventName",
            "userAgent",
            "user_arn",
            "aws_account_id",
            "userIdentity.principalId",
            "count",
            "firstTime",
            "lastTime",
            "values(group_added)",
            "accounts_added",
            "values(ami_status)"
        ]
    );
    assert_eq!(column(&r, "values(ami_status)"), ["Public AMI"]);
    assert_eq!(column(&r, "accounts_added"), [""], "values() of a field no row has is empty");
}

#[test]
fn s12_w6_append_then_fillnull_fills_only_fields_some_row_has() {
    let acl = |id: &str, ports: &str| {
        format!(
            r#""eventName": "CreateNetworkAclEntry", "eventID": "{id}", "requestParameters": {{"aclProtocol": "-1"{ports}}}"#
        )
    };
    let open = acl("e1", r#", "portRange": {"from": "0", "to": "65535"}"#);
    let narrow = acl("e2", r#", "portRange": {"from": "443", "to": "443"}"#);
    let all = acl("e3", "");
    let spl = "sourcetype=aws:cloudtrail eventName=CreateNetworkAclEntry NOT requestParameters.portRange.to=* | append [search sourcetype=aws:cloudtrail eventName=CreateNetworkAclEntry | eval port_range='requestParameters.portRange.to' - 'requestParameters.portRange.from' | where port_range>1024] | fillnull | stats count by eventID requestParameters.portRange.to";
    let r = search(&cloudtrail(&[&open, &narrow, &all]), spl);
    assert_eq!(column(&r, "eventID"), ["e1", "e3"]);
    assert_eq!(column(&r, "requestParameters.portRange.to"), ["65535", "0"]);
    // Without an appended row that has the port fields, fillnull cannot fill them and stats
    // drops every row.
    let r = search(&cloudtrail(&[&narrow, &all]), spl);
    assert_eq!(r.rows, 0);
}

#[test]
fn s12_w7_eventstats_sample_stdev() {
    let ds = cloudtrail(&[]);
    let r = search(
        &ds,
        r#"| makeresults count=2 | streamstats count as n | eval src_ip=if(n=1,"a","b"), distinct_attempts=if(n=1,30,2), _time=1626784496 | eventstats avg(distinct_attempts) as avg_attempts, stdev(distinct_attempts) as ip_std by _time | eval upperBound=(avg_attempts+ip_std*3) | eval isOutlier=if(distinct_attempts > 10 and distinct_attempts >= upperBound, 1, 0)"#,
    );
    assert_eq!(column(&r, "avg_attempts"), ["16", "16"]);
    assert_eq!(column(&r, "ip_std"), ["19.79898987322333", "19.79898987322333"]);
    assert_eq!(column(&r, "upperBound"), ["75.39696961966999", "75.39696961966999"]);
    assert_eq!(column(&r, "isOutlier"), ["0", "0"]);
}

#[test]
fn s12_w8_open_bucket_grants_through_rex_spath_mvexpand() {
    let grants = r#"[{"Grantee": {"ID": "abc"}, "Permission": "FULL_CONTROL"}, {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}, {"Grantee": {"URI": "HTTP://ACS.AMAZONAWS.COM/groups/global/AuthenticatedUsers"}, "Permission": "WRITE_ACP"}]"#;
    let body = format!(
        r#""eventName": "PutBucketAcl", "requestParameters": {{"bucketName": "b1", "AccessControlPolicy": {{"AccessControlList": {{"Grant": {grants}}}}}}}"#
    );
    let r = search(
        &cloudtrail(&[&body]),
        r#"sourcetype=aws:cloudtrail eventName=PutBucketAcl | rex field=_raw "(?<json_field>{.+})" | spath input=json_field output=grantees path=requestParameters.AccessControlPolicy.AccessControlList.Grant{} | search grantees=* | mvexpand grantees | spath input=grantees output=uri path=Grantee.URI | spath input=grantees output=permission path=Permission | search uri IN ("http://acs.amazonaws.com/groups/global/AllUsers","http://acs.amazonaws.com/groups/global/AuthenticatedUsers") | search permission IN ("READ","READ_ACP","WRITE","WRITE_ACP","FULL_CONTROL") | table uri permission"#,
    );
    // The ID-only grant has no uri and is dropped; the upper-case URI matches (search is
    // case-insensitive).
    assert_eq!(column(&r, "permission"), ["READ", "WRITE_ACP"]);
}

#[test]
fn s12_w9_where_star_is_a_plain_string() {
    let body = r#""eventName": "CreatePolicyVersion", "requestParameters": {"policyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}, {\"Effect\": \"Allow\", \"Action\": [\"iam:*\"], \"Resource\": \"*\"}]}"}"#;
    let r = search(
        &cloudtrail(&[body]),
        r#"sourcetype=aws:cloudtrail eventName=CreatePolicyVersion | spath input=requestParameters.policyDocument output=key_policy_statements path=Statement{} | mvexpand key_policy_statements | spath input=key_policy_statements output=key_policy_action_1 path=Action | where key_policy_action_1 = "*" | table key_policy_action_1"#,
    );
    assert_eq!(column(&r, "key_policy_action_1"), ["*"]);
}

#[test]
fn s12_w10_or_binds_tighter_than_the_implicit_and() {
    let events = vec![
        Event::new(
            r#"{"eventTime": "2021-07-20T12:00:02Z", "eventName": "DescribeInstances"}"#.to_string(),
            Meta::default(),
        ),
        Event::new(
            r#"{"eventTime": "2021-07-20T12:00:01Z", "eventName": "GetObject"}"#.to_string(),
            Meta { sourcetype: "other".into(), ..Meta::default() },
        ),
        Event::new(r#"{"eventTime": "2021-07-20T12:00:00Z", "eventName": "PutObject"}"#.to_string(), Meta::default()),
    ];
    let ds = Dataset::new(events, &spelunk::knowledge::builtin(), Context { now: 0.0 }).unwrap();
    let r = search(
        &ds,
        "sourcetype=aws:cloudtrail eventName=Describe* OR eventName=List* OR eventName=Get* | stats dc(eventName) as dc_events | where dc_events > 50",
    );
    assert_eq!(r.rows, 0, "\"1\" > 50 is a numeric comparison");
    let r = search(
        &ds,
        "sourcetype=aws:cloudtrail eventName=Describe* OR eventName=List* OR eventName=Get* | table eventName",
    );
    assert_eq!(column(&r, "eventName"), ["DescribeInstances"]);
}

#[test]
fn s12_w11_hourly_buckets_and_lowercase_and() {
    let denied = |m: &str, t: &str| {
        format!(
            r#"{{"eventTime": "2021-07-20T{t}Z", "eventName": "List{m}", "eventSource": "iam.amazonaws.com", "errorCode": "AccessDenied", "sourceIPAddress": "192.0.2.9", "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::111:user/x", "accountId": "111"}}}}"#
        )
    };
    let mut events: Vec<Event> = ["12:01:00", "12:10:00", "12:20:00", "12:30:00", "12:59:59", "13:00:00"]
        .iter()
        .enumerate()
        .map(|(k, t)| Event::new(denied(&k.to_string(), t), Meta::default()))
        .collect();
    events.reverse();
    let ds = Dataset::new(events, &spelunk::knowledge::builtin(), Context { now: 0.0 }).unwrap();
    let r = search(
        &ds,
        "sourcetype=aws:cloudtrail errorCode=AccessDenied | bucket _time span=1h | stats count as failures min(_time) as firstTime max(_time) as lastTime, dc(eventName) as methods, dc(eventSource) as sources by src_ip, userIdentity.arn, _time | where failures >= 5 and methods >= 1 and sources >= 1 | table _time failures methods",
    );
    // 12:00 to 12:59:59 holds five; 13:00:00 starts the next hour.
    assert_eq!(column(&r, "_time"), ["1626782400"]);
    assert_eq!((column(&r, "failures"), column(&r, "methods")), (vec!["5".to_string()], vec!["5".to_string()]));
}
