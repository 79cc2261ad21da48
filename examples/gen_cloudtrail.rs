//! Writes realistic CloudTrail NDJSON of a requested size, the same bytes for the same seed:
//! a benchmark input (see bench/README.md).
//!
//! ```text
//! cargo run --release --example gen_cloudtrail -- --size 1G --seed 7 > /tmp/ct-1g.ndjson
//! ```
//!
//! Events are drawn from record shapes written for this project (console logins, role
//! assumptions, S3 object and bucket calls, EC2 describes and snapshots, IAM changes, KMS),
//! in rough real-world proportions (reads dominate), with varied ids, times, users, source
//! IPs, regions and accounts; about 3% of calls fail with AccessDenied. Each principal
//! works from a few addresses of its own (2% of calls come from anywhere), as real users
//! and roles do. One event in 200 is one of the project's own dataset records
//! (datasets/*/*.ndjson, the detections' true positives and near misses) with new ids,
//! time and source address, so the project's detections have something to find.

use std::io::{self, BufWriter, Write};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, len: usize) -> String {
        (0..len).map(|_| char::from_digit(self.below(16) as u32, 16).unwrap()).collect()
    }
    fn uuid(&mut self) -> String {
        format!("{}-{}-{}-{}-{}", self.hex(8), self.hex(4), self.hex(4), self.hex(4), self.hex(12))
    }
}

const REGIONS: &[&str] =
    &["us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const ACCOUNTS: &[&str] = &["111122223333", "444455556666", "777788889999", "123456789012", "210987654321"];
const AGENTS: &[&str] = &[
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0 lang/python#3.10.12",
    "console.amazonaws.com",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 api/s3#1.51.4",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "cloudformation.amazonaws.com",
];

/// eventName, eventSource, weight (per 1000), read-only.
const CALLS: &[(&str, &str, u64, bool)] = &[
    ("GetObject", "s3.amazonaws.com", 220, true),
    ("PutObject", "s3.amazonaws.com", 90, false),
    ("ListBuckets", "s3.amazonaws.com", 40, true),
    ("DescribeInstances", "ec2.amazonaws.com", 150, true),
    ("AssumeRole", "sts.amazonaws.com", 120, false),
    ("Decrypt", "kms.amazonaws.com", 110, true),
    ("GetCallerIdentity", "sts.amazonaws.com", 60, true),
    ("DescribeSnapshots", "ec2.amazonaws.com", 40, true),
    ("ConsoleLogin", "signin.amazonaws.com", 25, false),
    ("CreateSnapshot", "ec2.amazonaws.com", 20, false),
    ("ModifySnapshotAttribute", "ec2.amazonaws.com", 8, false),
    ("RunInstances", "ec2.amazonaws.com", 20, false),
    ("CreateAccessKey", "iam.amazonaws.com", 10, false),
    ("PutBucketPolicy", "s3.amazonaws.com", 12, false),
    ("DeleteBucket", "s3.amazonaws.com", 5, false),
    ("ListRoles", "iam.amazonaws.com", 40, true),
    ("StopLogging", "cloudtrail.amazonaws.com", 2, false),
    ("ModifyImageAttribute", "ec2.amazonaws.com", 8, false),
    ("CreateUser", "iam.amazonaws.com", 10, false),
    ("DeleteTrail", "cloudtrail.amazonaws.com", 10, false),
];

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1u64 << 10),
        'M' | 'm' => (&s[..s.len() - 1], 1 << 20),
        'G' | 'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

fn random_ip(r: &mut Rng) -> String {
    format!("{}.{}.{}.{}", [198, 203, 192, 52, 3][r.below(5) as usize], r.below(256), r.below(256), 1 + r.below(254))
}

/// One of a principal's own few addresses (the same ones for every seed).
fn home_ip(account: &str, user: u64, k: u64) -> String {
    let mut h = Rng(account.bytes().fold(user * 31 + k + 1, |a, b| a.wrapping_mul(131).wrapping_add(b as u64)) | 1);
    random_ip(&mut h)
}

/// The project's dataset records, in file name order.
fn dataset_records() -> Vec<serde_json::Map<String, serde_json::Value>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path())
        .filter(|p| p.is_dir())
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten().map(|f| f.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| std::fs::read_to_string(f).unwrap_or_default().lines().map(str::to_string).collect::<Vec<_>>())
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect()
}

/// A dataset record with a new time, ids and (when it has one) source address.
fn varied(r: &mut Rng, record: &serde_json::Map<String, serde_json::Value>, t: i64) -> String {
    use serde_json::Value;
    let mut m = record.clone();
    let time = chrono::DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    m.insert("eventTime".into(), Value::String(time));
    for id in ["eventID", "requestID"] {
        if m.contains_key(id) {
            m.insert(id.into(), Value::String(r.uuid()));
        }
    }
    if m.get("sourceIPAddress").and_then(Value::as_str).is_some_and(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok()) {
        m.insert("sourceIPAddress".into(), Value::String(random_ip(r)));
    }
    serde_json::to_string(&m).expect("a JSON object")
}

fn event(r: &mut Rng, t: i64) -> String {
    let mut roll = r.below(1000);
    let &(name, source, _, read_only) = CALLS
        .iter()
        .find(|c| {
            if roll < c.2 {
                true
            } else {
                roll -= c.2;
                false
            }
        })
        .unwrap_or(&CALLS[0]);
    let account = r.pick(ACCOUNTS);
    let region = r.pick(REGIONS);
    let user_n = r.below(60);
    let ip = if r.below(50) == 0 { random_ip(r) } else { home_ip(account, user_n, r.below(3)) };
    let agent = r.pick(AGENTS);
    let time = chrono::DateTime::from_timestamp(t, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ");
    let identity = if user_n < 40 {
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::{account}:user/user{user_n:02}","accountId":"{account}","accessKeyId":"AKIA{}","userName":"user{user_n:02}"}}"#,
            r.hex(16).to_uppercase(),
            r.hex(16).to_uppercase()
        )
    } else {
        let role = ["Admin", "ReadOnly", "DataPipeline", "Deploy"][r.below(4) as usize];
        format!(
            r#"{{"type":"AssumedRole","principalId":"AROA{}:session{user_n}","arn":"arn:aws:sts::{account}:assumed-role/{role}/session{user_n}","accountId":"{account}","accessKeyId":"ASIA{}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{}","arn":"arn:aws:iam::{account}:role/{role}","accountId":"{account}","userName":"{role}"}},"attributes":{{"creationDate":"{time}","mfaAuthenticated":"false"}}}}}}"#,
            r.hex(16).to_uppercase(),
            r.hex(16).to_uppercase(),
            r.hex(16).to_uppercase()
        )
    };
    let bucket = format!("corp-{}-{}", ["logs", "data", "backup", "web"][r.below(4) as usize], r.below(20));
    let (request, response) = match name {
        "GetObject" | "PutObject" => (
            format!(
                r#"{{"bucketName":"{bucket}","Host":"{bucket}.s3.{region}.amazonaws.com","key":"prefix/{}.parquet"}}"#,
                r.hex(10)
            ),
            "null".to_string(),
        ),
        "DescribeInstances" | "DescribeSnapshots" => (r#"{"maxResults":1000}"#.to_string(), "null".to_string()),
        "AssumeRole" => (
            format!(
                r#"{{"roleArn":"arn:aws:iam::{account}:role/Deploy","roleSessionName":"s{}","durationSeconds":3600}}"#,
                r.hex(6)
            ),
            format!(
                r#"{{"credentials":{{"accessKeyId":"ASIA{}","expiration":"Jan 1, 2030 12:00:00 AM"}},"assumedRoleUser":{{"assumedRoleId":"AROA{}:s","arn":"arn:aws:sts::{account}:assumed-role/Deploy/s"}}}}"#,
                r.hex(16).to_uppercase(),
                r.hex(16).to_uppercase()
            ),
        ),
        "ConsoleLogin" => (
            "null".to_string(),
            format!(r#"{{"ConsoleLogin":"{}"}}"#, if r.below(10) == 0 { "Failure" } else { "Success" }),
        ),
        "CreateSnapshot" | "ModifySnapshotAttribute" => (
            format!(
                r#"{{"snapshotId":"snap-{}","createVolumePermission":{{"add":{{"items":[{{"userId":"{}"}}]}}}},"attributeType":"CREATE_VOLUME_PERMISSION"}}"#,
                r.hex(17),
                r.pick(ACCOUNTS)
            ),
            r#"{"_return":true}"#.to_string(),
        ),
        "RunInstances" => (
            format!(
                r#"{{"instancesSet":{{"items":[{{"imageId":"ami-{}","minCount":1,"maxCount":1}}]}},"instanceType":"t3.large"}}"#,
                r.hex(17)
            ),
            format!(
                r#"{{"instancesSet":{{"items":[{{"instanceId":"i-{}","instanceState":{{"code":0,"name":"pending"}}}}]}}}}"#,
                r.hex(17)
            ),
        ),
        "CreateAccessKey" | "CreateUser" => (
            format!(r#"{{"userName":"user{:02}"}}"#, r.below(60)),
            format!(
                r#"{{"user":{{"userName":"user{:02}","userId":"AIDA{}"}}}}"#,
                r.below(60),
                r.hex(16).to_uppercase()
            ),
        ),
        "PutBucketPolicy" | "DeleteBucket" => {
            (format!(r#"{{"bucketName":"{bucket}","Host":"{bucket}.s3.amazonaws.com"}}"#), "null".to_string())
        }
        "ModifyImageAttribute" => (
            format!(
                r#"{{"imageId":"ami-{}","launchPermission":{{"add":{{"items":[{{"userId":"{}"}}]}}}},"attributeType":"launchPermission"}}"#,
                r.hex(17),
                r.pick(ACCOUNTS)
            ),
            r#"{"_return":true}"#.to_string(),
        ),
        "StopLogging" | "DeleteTrail" => {
            (format!(r#"{{"name":"arn:aws:cloudtrail:{region}:{account}:trail/main"}}"#), "null".to_string())
        }
        _ => ("null".to_string(), "null".to_string()),
    };
    let error = if !read_only && r.below(33) == 0 {
        r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation""#
    } else {
        ""
    };
    let event_type = if name == "ConsoleLogin" { "AwsConsoleSignIn" } else { "AwsApiCall" };
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"{agent}"{error},"requestParameters":{request},"responseElements":{response},"requestID":"{}","eventID":"{}","readOnly":{read_only},"eventType":"{event_type}","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management"}}"#,
        r.uuid(),
        r.uuid()
    )
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|k| args.get(k + 1));
    let Some(size) = arg("--size").and_then(|s| parse_size(s)) else {
        eprintln!("usage: gen_cloudtrail --size <N[K|M|G]> [--seed N] [--start EPOCH]  (NDJSON on stdout)");
        std::process::exit(2);
    };
    let seed = arg("--seed").and_then(|s| s.parse().ok()).unwrap_or(7u64);
    let start: i64 = arg("--start").and_then(|s| s.parse().ok()).unwrap_or(1_709_251_200); // 2024-03-01
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let records = dataset_records();
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let (mut written, mut t) = (0u64, start);
    while written < size {
        t += r.below(3) as i64;
        let e = if !records.is_empty() && r.below(200) == 0 {
            let k = r.below(records.len() as u64) as usize;
            varied(&mut r, &records[k], t)
        } else {
            event(&mut r, t)
        };
        written += e.len() as u64 + 1;
        writeln!(out, "{e}")?;
    }
    out.flush()
}
