//! The built-in CloudTrail knowledge's decision tables and lookups
//! (docs/aws-cloudtrail-fields.md 3.2.1, 3.3) on hand-written events, for rows the Splunk
//! export in tests/events_oracle.rs does not exercise (it holds only S3 calls by an IAM
//! user).

use spelunk::eval::Context;
use spelunk::events::{Event, Fields, Meta};

/// The fields the built-in knowledge gives one CloudTrail record.
fn enrich(raw: &str) -> Fields {
    let knowledge = spelunk::knowledge::builtin().for_sourcetype("aws:cloudtrail").unwrap();
    let meta = Meta { sourcetype: "aws:cloudtrail".into(), ..Meta::default() };
    let event = Event::new(raw.to_string(), meta);
    let mut fields = event.fields().unwrap();
    spelunk::knowledge::apply(&knowledge, &mut fields, &Context { now: 0.0 });
    fields
}

/// A field's values; empty when it is absent.
fn get(f: &Fields, name: &str) -> Vec<String> {
    f.get(name).map(|v| v.values().to_vec()).unwrap_or_default()
}

fn one(f: &Fields, name: &str) -> Option<String> {
    let v = get(f, name);
    assert!(v.len() <= 1, "{name} has several values: {v:?}");
    v.into_iter().next()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

const ASSUMED_ROLE: &str = r#""userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::111122223333:assumed-role/Admin/alice","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/Admin","userName":"Admin"},"attributes":{"mfaAuthenticated":"false"}}}"#;
const IAM_USER: &str = r#""userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333","userName":"bob"}"#;

fn record(identity: &str, rest: &str) -> String {
    format!(r#"{{"eventVersion":"1.08",{identity},"eventTime":"2025-02-11T20:04:34Z",{rest}}}"#)
}

#[test]
fn assume_role_by_an_assumed_role_and_by_others() {
    let rest = r#""eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventType":"AwsApiCall","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/Target","roleSessionName":"s"},"responseElements":{"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/Target/s","assumedRoleId":"AROATARGET:s"}}"#;
    let f = enrich(&record(ASSUMED_ROLE, rest));
    // user_role row 1: the requested role.
    assert_eq!(one(&f, "user_role"), s("arn:aws:iam::111122223333:role/Target"));
    // src_user_id row 3: the session issuer's principal.
    assert_eq!(one(&f, "src_user_id"), s("AROAEXAMPLE"));
    assert_eq!(one(&f, "src_user_type"), s("AssumedRole"));
    // authentication_method row 2: no MFA on the calling session.
    assert_eq!(one(&f, "authentication_method"), s("SFA"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("success"), s("success")));
    // change_type: not in the eventName table; sts.amazonaws.com gives STS.
    assert_eq!(one(&f, "change_type"), s("STS"));
    assert_eq!(one(&f, "object_category"), s("unknown"));

    let f = enrich(&record(IAM_USER, rest));
    // user_role row 2 and src_user_id row 2.
    assert_eq!(one(&f, "user_role"), s("arn:aws:sts::111122223333:assumed-role/Target/s"));
    assert_eq!(one(&f, "src_user_id"), s("AIDAEXAMPLE"));
    assert_eq!(one(&f, "authentication_method"), None);

    let service = r#""userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}"#;
    let f = enrich(&record(service, rest));
    // user_role row 3 (null) and src_user_type's AWSService exclusion.
    assert_eq!((one(&f, "user_role"), one(&f, "src_user_type")), (None, None));
}

#[test]
fn console_login_mfa_sfa_and_a_failure_without_error_code() {
    let login = |mfa: &str, result: &str| {
        record(
            IAM_USER,
            &format!(
                r#""eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{{"ConsoleLogin":"{result}"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/","MFAUsed":"{mfa}"}}"#
            ),
        )
    };
    let f = enrich(&login("Yes", "Success"));
    assert_eq!(one(&f, "authentication_method"), s("MFA"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("success"), s("success")));
    // signin.amazonaws.com is in neither change_type table.
    assert_eq!(one(&f, "change_type"), None);

    let f = enrich(&login("No", "Failure"));
    assert_eq!(one(&f, "authentication_method"), s("SFA"));
    // The calculated errorCode is `failure`, which the catch-all row matches; msg reads
    // the raw (absent) errorCode.
    assert_eq!(one(&f, "errorCode"), s("failure"));
    assert_eq!(one(&f, "msg"), s("success"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("failure"), s("failure")));
    assert!(get(&f, "eventtype").contains(&"aws_cloudtrail_errors".to_string()));

    // src_user_id row 4 and src_user_type row 2: an assumed role signing in, no LoginTo.
    let raw = record(
        ASSUMED_ROLE,
        r#""eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"}"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "src_user_id"), s("AROAEXAMPLE"));
    assert_eq!(one(&f, "src_user_type"), s("AssumedRole"));
    assert_eq!(one(&f, "authentication_method"), None);
}

#[test]
fn security_group_ingress_network_fields() {
    let raw = record(
        IAM_USER,
        r#""eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventType":"AwsApiCall","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":23,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}},"responseElements":{"_return":true}"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "direction"), s("Inbound"));
    assert_eq!(one(&f, "src_ip_range"), s("0.0.0.0/0"));
    // toPort values, then fromPort values.
    assert_eq!(get(&f, "src_port_range"), ["23", "22"]);
    assert_eq!((one(&f, "dest_ip_range"), one(&f, "dest_port_range")), (None, None));
    assert_eq!((one(&f, "object"), one(&f, "object_id")), (s("sg-1"), s("sg-1")));
    assert_eq!(one(&f, "object_attrs"), s("ipPermissions"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("modified"), s("success")));
    assert_eq!(one(&f, "object_category"), s("security_group"));
    assert_eq!(one(&f, "change_type"), s("firewall"));
}

#[test]
fn network_acl_egress_entry() {
    let raw = record(
        IAM_USER,
        r#""eventSource":"ec2.amazonaws.com","eventName":"CreateNetworkAclEntry","eventType":"AwsApiCall","errorCode":"Client.UnauthorizedOperation","requestParameters":{"networkAclId":"acl-1","ruleNumber":100,"egress":true,"ruleAction":"allow","cidrBlock":"10.0.0.0/8","aclProtocol":"6","portRange":{"from":80,"to":443}},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "direction"), s("Outbound"));
    assert_eq!(one(&f, "dest_ip_range"), s("10.0.0.0/8"));
    assert_eq!(get(&f, "dest_port_range"), ["80", "443"]);
    assert_eq!((one(&f, "src_ip_range"), one(&f, "src_port_range")), (None, None));
    assert_eq!(one(&f, "object"), s("acl-1"));
    assert_eq!(one(&f, "object_attrs"), s("ruleAction=allow"));
    // A failure matches the catch-all row.
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("modified"), s("failure")));
    assert_eq!(one(&f, "object_category"), s("ACL"));
}

#[test]
fn run_instances_objects_and_lookups() {
    let raw = record(
        ASSUMED_ROLE,
        r#""eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventType":"AwsApiCall","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1"}]},"instanceType":"t2.micro"},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-1","networkInterfaceSet":{"items":[{"macAddress":"0a:1","privateIpAddress":"10.0.0.1"}]}},{"instanceId":"i-2","networkInterfaceSet":{"items":[{"macAddress":"0a:2","privateIpAddress":"10.0.0.2"}]}}]}}"#,
    );
    let f = enrich(&raw);
    assert_eq!(get(&f, "object"), ["i-1", "i-2"]);
    assert_eq!(get(&f, "object_id"), ["i-1", "i-2"]);
    assert_eq!(
        one(&f, "object_attrs"),
        s("macAddress=0a:1, macAddress=0a:2, privateIpAddress=10.0.0.1, privateIpAddress=10.0.0.2")
    );
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("created"), s("success")));
    assert_eq!(one(&f, "object_category"), s("instance"));
    assert_eq!(one(&f, "change_type"), s("virtual_server"));
    assert!(get(&f, "eventtype").contains(&"aws_cloudtrail_instance".to_string()));
    // Not an AssumeRole call: no user_role; no network fields.
    assert_eq!((one(&f, "user_role"), one(&f, "direction")), (None, None));

    // Without instances in the response, object falls back to eventSource, object_id
    // (row 0, no fallback) is absent.
    let raw = record(
        IAM_USER,
        r#""eventSource":"ec2.amazonaws.com","eventName":"RunInstances","eventType":"AwsApiCall","errorCode":"Client.UnauthorizedOperation","requestParameters":{"instanceType":"t2.micro"},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!((one(&f, "object"), one(&f, "object_id")), (s("ec2.amazonaws.com"), None));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("created"), s("failure")));
}

#[test]
fn first_row_decides_even_when_its_value_is_null() {
    // CreateVolume's row reads responseElements.volumeId; the later "ends Volume" row
    // (requestParameters.volumeId) is not tried.
    let raw = record(
        IAM_USER,
        r#""eventSource":"ec2.amazonaws.com","eventName":"CreateVolume","eventType":"AwsApiCall","errorCode":"Client.UnauthorizedOperation","requestParameters":{"volumeId":"vol-x","size":8},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!((one(&f, "object"), one(&f, "object_id")), (None, None));
    // object_attrs row 15 ("volumeType=" + a missing field) is null too, not row 17's "volume".
    assert_eq!(one(&f, "object_attrs"), None);
    assert_eq!(one(&f, "change_type"), s("storage"));
}

#[test]
fn create_access_key_denied_reads_the_raw_error_code_and_the_message() {
    let raw = record(
        IAM_USER,
        r#""eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsApiCall","errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateAccessKey on resource: user carol because no identity-based policy allows it","requestParameters":{"userName":"carol"},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "object_attrs"), s("user"));
    assert_eq!(one(&f, "object"), s("carol because no identity-based policy allows it"));
    assert_eq!(one(&f, "object_id"), s("carol because no identity-based policy allows it"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("modified"), s("failure")));
    assert_eq!(one(&f, "src_user_name"), s("bob"));
    assert_eq!(one(&f, "src_user_type"), s("IAMUser"));
    assert_eq!(one(&f, "object_category"), s("user"));
    assert_eq!(one(&f, "change_type"), s("AAA"));
}

#[test]
fn lookup_quirks_unlisted_names_and_the_event_source_fallback() {
    // An eventName in no table: object_category unknown, no action/status, change_type
    // from eventSource.
    let raw = record(
        IAM_USER,
        r#""eventSource":"ec2.amazonaws.com","eventName":"DescribeRegions","eventType":"AwsApiCall","requestParameters":null,"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "object_category"), s("unknown"));
    assert_eq!((one(&f, "action"), one(&f, "status")), (None, None));
    assert_eq!(one(&f, "change_type"), s("EC2"));

    // iam.amazonaws.com gives AAA; src_user_id row 5 (ends `User`, not an AWSService).
    let raw = record(
        IAM_USER,
        r#""eventSource":"iam.amazonaws.com","eventName":"TagUser","eventType":"AwsApiCall","requestParameters":{"userName":"carol","tags":[{"key":"k","value":"v"}]},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "change_type"), s("AAA"));
    assert_eq!(one(&f, "src_user_id"), s("AIDAEXAMPLE"));
    assert_eq!(one(&f, "src_user_type"), s("IAMUser"));

    // CreateQueue's catch-all says created/success.
    let raw = record(
        IAM_USER,
        r#""eventSource":"sqs.amazonaws.com","eventName":"CreateQueue","eventType":"AwsApiCall","errorCode":"AccessDenied","requestParameters":{"queueName":"q"},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!((one(&f, "action"), one(&f, "status")), (s("created"), s("success")));
    assert_eq!((one(&f, "object"), one(&f, "object_attrs")), (s("q"), s("message_queue")));

    // ListAliases has no catch-all: a failure gets neither field.
    let raw = record(
        ASSUMED_ROLE,
        r#""eventSource":"kms.amazonaws.com","eventName":"ListAliases","eventType":"AwsApiCall","errorCode":"AccessDenied","requestParameters":null,"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!((one(&f, "action"), one(&f, "status")), (None, None));
    // src_user_id row 1: a two-part principalId gives its first part.
    assert_eq!(one(&f, "src_user_id"), s("AROAEXAMPLE"));
    assert_eq!(one(&f, "src_user_name"), s("alice"));
    assert_eq!(one(&f, "object_attrs"), s("alias"));
}

#[test]
fn keyspace_replication_and_public_access_block_attributes() {
    let raw = record(
        IAM_USER,
        r#""eventSource":"cassandra.amazonaws.com","eventName":"CreateKeyspace","eventType":"AwsApiCall","requestParameters":{"keyspaceName":"ks","rawQuery":"CREATE KEYSPACE ks WITH REPLICATION = {'class': 'SingleRegionStrategy'}"},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(one(&f, "object_attrs"), s("REPLICATION=SingleRegionStrategy"));
    assert_eq!(one(&f, "object"), s("ks"));

    let raw = record(
        IAM_USER,
        r#""eventSource":"s3.amazonaws.com","eventName":"PutBucketPublicAccessBlock","eventType":"AwsApiCall","requestParameters":{"bucketName":"b","PublicAccessBlockConfiguration":{"RestrictPublicBuckets":false,"BlockPublicPolicy":false,"BlockPublicAcls":true,"IgnorePublicAcls":false}},"responseElements":null"#,
    );
    let f = enrich(&raw);
    assert_eq!(
        one(&f, "object_attrs"),
        s("RestrictPublicBuckets=false, BlockPublicPolicy=false, BlockPublicAcls=true, IgnorePublicAcls=false")
    );
    assert_eq!(one(&f, "object_category"), s("bucket"));
    assert_eq!(one(&f, "change_type"), s("storage"));
}

#[test]
fn protocol_of_network_acl_entries_by_iana_number() {
    let entry = |proto: &str| {
        enrich(&record(
            IAM_USER,
            &format!(
                r#""eventSource":"ec2.amazonaws.com","eventName":"CreateNetworkAclEntry","requestParameters":{{"networkAclId":"acl-1","ruleNumber":100,"egress":false,"ruleAction":"allow","aclProtocol":"{proto}","cidrBlock":"0.0.0.0/0"}}"#
            ),
        ))
    };
    assert_eq!(one(&entry("6"), "protocol"), s("tcp"));
    assert_eq!(one(&entry("-1"), "protocol"), s("all"));
    assert_eq!(one(&entry("250"), "protocol"), s("unknown"));
    // Not a NetworkAcl event: no protocol_code, no lookup.
    let other = enrich(&record(IAM_USER, r#""eventSource":"s3.amazonaws.com","eventName":"GetObject""#));
    assert_eq!(one(&other, "protocol"), None);
}
