//! The search-command cases of docs/spl-semantics.md section 2, one test per subsection:
//! which of the listed events each search keeps.

mod common;

use spelunk::eval::search::matches;
use spelunk::events::Fields;
use spelunk::syntax::{parse, CommandKind};

fn ev(pairs: &[(&str, &str)]) -> Fields {
    common::fields(pairs)
}

/// Indexes (1-based, as `e1`, `e2`... in the document) of the events `| search <expr>` keeps.
fn kept(expr: &str, events: &[Fields]) -> Vec<usize> {
    let p = parse(&format!("| search {expr}")).unwrap();
    let CommandKind::Search(Some(e)) = &p.commands[0].kind else { panic!("{expr}") };
    events.iter().enumerate().filter(|(_, r)| matches(e, *r).unwrap()).map(|(k, _)| k + 1).collect()
}

#[test]
fn section_2_1_precedence() {
    let events = [
        ev(&[("eventName", "PutImage"), ("date_hour", "21")]),
        ev(&[("eventName", "GetObject"), ("date_hour", "21")]),
        ev(&[("eventName", "PutImage"), ("date_hour", "12")]),
        ev(&[("eventName", "PutImage"), ("date_hour", "3")]),
    ];
    assert_eq!(kept("eventName=PutImage date_hour>=20 OR date_hour<8", &events), [1, 4]);
}

#[test]
fn section_2_2_field_value_matching() {
    let events = [
        ev(&[("eventName", "ConsoleLogin")]),
        ev(&[("eventName", "consolelogin")]),
        ev(&[("eventName", "ConsoleLogins")]),
        ev(&[("EventName", "ConsoleLogin")]),
        ev(&[("eventName", "UpdateFunctionCode20150331v2")]),
    ];
    assert_eq!(kept("eventName=CONSOLELOGIN", &events), [1, 2]);
    assert_eq!(kept("eventName=Console*", &events), [1, 2, 3]);
    assert_eq!(kept("eventName=UpdateFunctionCode*", &events), [5]);
    let kms = [
        ev(&[("key_policy_action", "kms:Decrypt|kms:Encrypt"), ("key_policy_principal", "arn:aws:iam::1:root")]),
        ev(&[("key_policy_action", "kms:Decrypt"), ("key_policy_principal", "*")]),
        ev(&[("key_policy_action", "kms:Encrypt")]),
    ];
    assert_eq!(kept(r#"key_policy_action="kms:Encrypt" AND key_policy_principal="*""#, &kms), [1]);
    let ips = [ev(&[("ip", "192.0.2.56")]), ev(&[("ip", "198.51.100.1")])];
    assert_eq!(kept(r#"ip="192.0.2.0/24""#, &ips), [1]);
    assert_eq!(kept("x=10", &[ev(&[("x", "10.0")]), ev(&[("x", "10")])]), [2], "= is a string match");
}

#[test]
fn section_2_3_missing_fields() {
    let events = [ev(&[("errorCode", "AccessDenied")]), ev(&[("errorCode", "Success")]), ev(&[])];
    assert_eq!(kept("errorCode!=AccessDenied", &events), [2]);
    assert_eq!(kept("NOT errorCode=AccessDenied", &events), [2, 3]);
    assert_eq!(kept("errorCode=*", &events), [1, 2]);
    assert_eq!(kept("NOT errorCode=*", &events), [3]);
    assert_eq!(kept("errorCode!=*", &events), Vec::<usize>::new());
    assert_eq!(kept("errorCode!=accessdenied", &events), [2]);
    let ua = [ev(&[("userAgent", "ec2.amazonaws.com")]), ev(&[("userAgent", "aws-cli/2.0")]), ev(&[])];
    assert_eq!(kept("userAgent!=*.amazonaws.com", &ua), [2]);
    let mv = [ev(&[("u", "a|b")]), ev(&[("u", "b")])];
    assert_eq!(kept("u!=a", &mv), [2], "UNVERIFIED");
    assert_eq!(kept("NOT u=a", &mv), [2]);
}

#[test]
fn section_2_4_null_is_an_ordinary_word() {
    let events = [
        ev(&[("requested_account_id", "222")]),
        ev(&[]),
        ev(&[("requested_account_id", "null")]),
        ev(&[("requested_account_id", "222|333")]),
    ];
    assert_eq!(kept("requested_account_id != NULL", &events), [1, 4]);
}

#[test]
fn section_2_5_relational_operators() {
    let events = [ev(&[("date_hour", "9")]), ev(&[("date_hour", "21")]), ev(&[("date_hour", "abc")]), ev(&[])];
    assert_eq!(kept("date_hour>=20", &events), [2]);
}

#[test]
fn section_2_6_in() {
    let events = [
        ev(&[("errorCode", "AccessDenied")]),
        ev(&[("errorCode", "deleteconflictexception")]),
        ev(&[("errorCode", "Other")]),
        ev(&[]),
    ];
    assert_eq!(kept("errorCode IN (NoSuchEntityException,DeleteConflictException, AccessDenied)", &events), [1, 2]);
    assert_eq!(kept("NOT errorCode IN (AccessDenied)", &events), [2, 3, 4]);
    let x = [ev(&[("x", "http://acs.amazonaws.com/groups/global/AllUsers")])];
    assert_eq!(kept(r#"x IN ("*AuthenticatedUsers","*AllUsers")"#, &x), [1]);
}

#[test]
fn section_2_7_terms_and_phrases() {
    let events = [
        ev(&[("_raw", r#"{"eventName":"StartInstances"}"#)]),
        ev(&[("_raw", "an error occurred")]),
        ev(&[("_raw", "errors happened")]),
    ];
    assert_eq!(kept("StartInstances", &events), [1]);
    assert_eq!(kept("error", &events), [2]);
    assert_eq!(kept("error*", &events), [2, 3]);
    assert_eq!(kept(r#""an error""#, &events), [2]);
}

#[test]
fn section_2_8_search_star_keeps_everything() {
    let events = [ev(&[]), ev(&[("a", "1")])];
    assert_eq!(kept("*", &events), [1, 2]);
    assert_eq!(kept("match=0", &[ev(&[("match", "0")]), ev(&[("match", "00")])]), [1]);
}
