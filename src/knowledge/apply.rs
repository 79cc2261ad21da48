//! Applying a sourcetype's knowledge to one event's fields, step by step.

use super::{Alias, AutoLookup, CalculatedField, EventType, Extraction, SourcetypeKnowledge, TagRule};
use crate::eval::memo::{key, Memo};
use crate::eval::{eval, Context, EvalError, EvalValue};
use crate::events::{Fields, Value};
use crate::syntax::ExprKind;

/// Runs every step, in Splunk's order: regex extractions, aliases, calculated fields,
/// automatic lookups, event types, tags.
pub fn apply(k: &SourcetypeKnowledge, fields: &mut Fields, ctx: &Context) {
    apply_remembering(k, fields, ctx, &mut Remembered::default());
}

/// What the calculated fields and event types of one [`SourcetypeKnowledge`] gave for the
/// values they read, kept across the events one thread extracts (see [`Memo`]).
#[derive(Default)]
pub struct Remembered {
    evals: Vec<Memo<Option<Value>>>,
    /// Per calculated field that decides, the branch it took (`Err`: the conditions failed).
    branches: Vec<Memo<Result<Option<usize>, ()>>>,
    /// Per event type that can be remembered (in list order), whether it matched.
    eventtypes: Memo<Vec<bool>>,
    /// The fields those event types read, together (made on first use).
    eventtype_reads: Option<Vec<String>>,
    /// Per automatic lookup (in list order), the fields its inputs are and what it gave
    /// for their values ([`lookup_values`]).
    lookups: Vec<(Vec<String>, Memo<LookupValues>)>,
}

/// What an automatic lookup gives an event ([`lookup_values`]).
pub(super) type LookupValues = Option<Vec<(String, Value)>>;

/// [`apply`], remembering calculated fields and event types in `memo` (which must only
/// ever be used with `k`).
pub fn apply_remembering(k: &SourcetypeKnowledge, fields: &mut Fields, ctx: &Context, memo: &mut Remembered) {
    for x in &k.extracts {
        extract(x, fields);
    }
    aliases(&k.aliases, fields);
    calculated(&k.evals, fields, ctx, memo);
    if memo.lookups.len() < k.lookups.len() {
        memo.lookups = k.lookups.iter().map(|l| (lookup_reads(l), Memo::default())).collect();
    }
    for (l, (reads, remembered)) in k.lookups.iter().zip(memo.lookups.iter_mut()) {
        if let Some(values) = remembered.get_or(&key(fields, reads), || lookup_values(l, fields)) {
            put_lookup_values(l, values, fields);
        }
    }
    let reads = memo.eventtype_reads.get_or_insert_with(|| {
        let mut all: Vec<String> = k.eventtypes.iter().flat_map(|t| t.reads.iter().flatten().cloned()).collect();
        all.sort_unstable();
        all.dedup();
        all
    });
    event_types(&k.eventtypes, fields, reads, &mut memo.eventtypes);
    tags(&k.tags, fields);
}

/// A calculated field's value as the field holds it: a null, a boolean or an error gives
/// no field (docs/spl-semantics.md 1.5).
pub(super) fn calculated_value(v: Result<EvalValue, EvalError>) -> Option<Value> {
    match v {
        Ok(EvalValue::Bool(_)) | Err(_) => None,
        Ok(v) => v.into_field(),
    }
}

/// Calculated fields, "in parallel": each is evaluated against the fields as aliases left
/// them, none sees another's result; each overwrites its field; a null result, a boolean
/// or an evaluation error leaves the field absent.
fn calculated(list: &[CalculatedField], fields: &mut Fields, ctx: &Context, memo: &mut Remembered) {
    if list.is_empty() {
        return;
    }
    if memo.evals.len() < list.len() {
        memo.evals.resize_with(list.len(), Memo::default);
        memo.branches.resize_with(list.len(), Memo::default);
    }
    let field = calculated_value;
    let results: Vec<(&str, Option<Value>)> = list
        .iter()
        .zip(memo.evals.iter_mut().zip(memo.branches.iter_mut()))
        .map(|(c, (values, branches))| {
            let key = |reads: &[String]| key(fields, reads);
            let v = match (&c.decides_on, &c.reads, &c.expr.kind) {
                (Some(on), _, ExprKind::Call { name, args }) => {
                    let taken = branches
                        .get_or(&key(on), || crate::eval::functions::branch(name, args, &*fields, ctx).map_err(|_| ()));
                    match taken {
                        Ok(Some(k)) => field(eval(&args[k], &*fields, ctx)),
                        Ok(None) | Err(()) => None,
                    }
                }
                (_, Some(reads), _) => values.get_or(&key(reads), || field(eval(&c.expr, &*fields, ctx))),
                _ => field(eval(&c.expr, &*fields, ctx)),
            };
            (c.field.as_str(), v)
        })
        .collect();
    for (name, v) in results {
        match v {
            Some(v) => {
                fields.insert(name.to_string(), v);
            }
            None => {
                fields.shift_remove(name);
            }
        }
    }
}

/// `eventtype`: the names of the matching event types, in name order. Those whose search
/// reads only fields are decided together, once per combination of those fields' values.
/// `reads` are the fields all the remembered ones read.
fn event_types(list: &[EventType], fields: &mut Fields, reads: &[String], memo: &mut Memo<Vec<bool>>) {
    if list.is_empty() {
        return;
    }
    let matches = |t: &EventType| crate::eval::search::matches(&t.search, &*fields).unwrap_or(false);
    let remembered =
        memo.get_or(&key(fields, reads), || list.iter().filter(|t| t.reads.is_some()).map(&matches).collect());
    let mut remembered = remembered.into_iter();
    // `_raw` as the search sees it; an event whose text lacks a search's terms is not searched.
    let raw = match fields.get("_raw") {
        Some(Value::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let may_match = |t: &EventType| match (&t.filter, raw) {
        (Some(f), Some(raw)) => f.may_match(raw),
        _ => true,
    };
    let names: Vec<String> = list
        .iter()
        .filter(|t| match t.reads {
            Some(_) => remembered.next().unwrap_or(false),
            None => may_match(t) && matches(t),
        })
        .map(|t| t.name.clone())
        .collect();
    match Value::from_values(names) {
        Value::Null => {}
        v => {
            fields.insert("eventtype".into(), v);
        }
    }
}

/// `tag::<field>` for each field with tagged values (`tag::eventtype` from event types),
/// and `tag`, the union of all; each sorted.
pub fn tags(rules: &[TagRule], fields: &mut Fields) {
    if rules.is_empty() {
        return;
    }
    let mut per_field: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in rules {
        let hit = fields.get(&r.field).is_some_and(|v| v.values().iter().any(|x| x == &r.value));
        if hit {
            per_field.entry(r.field.clone()).or_default().extend(r.tags.iter().cloned());
        }
    }
    let mut all: Vec<String> = Vec::new();
    for (field, mut t) in per_field {
        t.sort();
        t.dedup();
        all.extend(t.iter().cloned());
        fields.insert(format!("tag::{field}"), Value::from_values(t));
    }
    all.sort();
    all.dedup();
    if !all.is_empty() {
        fields.insert("tag".into(), Value::from_values(all));
    }
}

/// One regex extraction: the first match in the source field's first value. A field that
/// already exists keeps its value (the first extraction wins), and an empty capture makes
/// no field (both UNVERIFIED).
pub fn extract(x: &Extraction, fields: &mut Fields) {
    let Some(text) = fields.get(&x.source).and_then(|v| v.values().first()).cloned() else { return };
    let Some(caps) = x.regex.captures(&text) else { return };
    let mut found: Vec<(String, String)> = Vec::new();
    match &x.format {
        None => {
            for name in x.regex.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    found.push((name.to_string(), m.as_str().to_string()));
                }
            }
        }
        Some(format) => {
            for (field, template) in format {
                let mut value = String::new();
                caps.expand(template, &mut value);
                found.push((field.clone(), value));
            }
        }
    }
    for (name, value) in found {
        if !value.is_empty() && !fields.contains_key(&name) {
            fields.insert(name, Value::Str(value));
        }
    }
}

/// Field aliases. Every alias reads the fields as extraction left them (an alias never
/// reads another alias's result). `A AS B` replaces B with A's values, and removes B when
/// A is absent; `A ASNEW B` only fills a missing B.
pub fn aliases(list: &[Alias], fields: &mut Fields) {
    if list.is_empty() {
        return;
    }
    // Each alias's source as extraction left it (only those: not the whole event).
    let sources: Vec<Option<Value>> =
        list.iter().map(|a| fields.get(&a.from).filter(|v| !v.is_null()).cloned()).collect();
    for (a, source) in list.iter().zip(sources) {
        match source {
            Some(v) => {
                if !(a.only_new && fields.contains_key(&a.to)) {
                    fields.insert(a.to.clone(), v);
                }
            }
            None => {
                if !a.only_new {
                    fields.shift_remove(&a.to);
                }
            }
        }
    }
}

/// An automatic lookup (docs/aws-cloudtrail-fields.md 2, step 5): an event lacking an
/// input field is not looked up; rows match when every input equals (exactly, or ignoring
/// case when the table says so; a `WILDCARD` column's `*` matching any run of characters;
/// a `CIDR` column's network containing the address)
/// one of the event's values; the first `max_matches` rows in file order give
/// multivalue outputs; fewer than `min_matches` rows give `default_match`. `OUTPUT` writes
/// and, on no match, clears its fields; `OUTPUTNEW` only fills missing fields.
pub fn lookup(l: &AutoLookup, fields: &mut Fields) {
    if let Some(values) = lookup_values(l, fields) {
        put_lookup_values(l, values, fields);
    }
}

/// The event fields an automatic lookup's inputs are: what [`lookup_values`] depends on.
fn lookup_reads(l: &AutoLookup) -> Vec<String> {
    l.inputs.iter().map(|m| m.event_field().to_string()).collect()
}

/// What an automatic lookup gives an event, by the values of its input fields alone: each
/// output field and its value (null: no match), or `None` when an input is missing (the
/// event is left as it is).
pub(super) fn lookup_values(l: &AutoLookup, fields: &Fields) -> LookupValues {
    let t = &l.table;
    let col = |name: &str| t.columns.iter().position(|c| c == name);
    let mut inputs = Vec::new();
    for m in &l.inputs {
        let event_field = m.event_field();
        let c = col(&m.field.name)?;
        let v = fields.get(event_field).filter(|v| !v.is_null())?;
        inputs.push((c, v.values().to_vec()));
    }
    let wildcard: Vec<bool> = t.columns.iter().map(|c| t.match_types.wildcard.contains(c)).collect();
    let cidr: Vec<bool> = t.columns.iter().map(|c| t.match_types.cidr.contains(c)).collect();
    let cell_matches = |c: usize, cell: &str, v: &str| {
        if cidr[c] {
            crate::eval::functions::in_cidr(cell, v)
        } else if wildcard[c] {
            crate::eval::search::glob_matches(cell, v, !t.case_sensitive)
        } else if t.case_sensitive {
            cell == v
        } else {
            cell.eq_ignore_ascii_case(v)
        }
    };
    let matched: Vec<&Vec<String>> = t
        .rows
        .iter()
        .filter(|row| {
            inputs
                .iter()
                .all(|(c, vals)| row.get(*c).is_some_and(|cell| vals.iter().any(|v| cell_matches(*c, cell, v))))
        })
        .take(t.max_matches)
        .collect();
    let outputs: Vec<(usize, String)> = if l.outputs.is_empty() {
        let input_cols: Vec<usize> = inputs.iter().map(|(c, _)| *c).collect();
        (0..t.columns.len()).filter(|c| !input_cols.contains(c)).map(|c| (c, t.columns[c].clone())).collect()
    } else {
        l.outputs.iter().filter_map(|m| col(&m.field.name).map(|c| (c, m.event_field().to_string()))).collect()
    };
    let no_match = matched.is_empty() || matched.len() < t.min_matches;
    let values = outputs
        .into_iter()
        .map(|(c, event_field)| {
            let value = if no_match {
                match &t.default_match {
                    Some(d) if t.min_matches > 0 => Value::Str(d.clone()),
                    _ => Value::Null,
                }
            } else {
                Value::from_values(matched.iter().filter_map(|r| r.get(c)).filter(|v| !v.is_empty()).cloned().collect())
            };
            (event_field, value)
        })
        .collect();
    Some(values)
}

/// Puts a lookup's output values into the event: `OUTPUTNEW` only into fields it does
/// not have (and never a null); `OUTPUT` overwrites, a null removing the field.
fn put_lookup_values(l: &AutoLookup, values: Vec<(String, Value)>, fields: &mut Fields) {
    for (event_field, value) in values {
        if l.only_new {
            if !fields.contains_key(&event_field) && !value.is_null() {
                fields.insert(event_field, value);
            }
        } else if value.is_null() {
            fields.shift_remove(&event_field);
        } else {
            fields.insert(event_field, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::App;
    use std::path::PathBuf;

    const CTX: Context = Context { now: 0.0 };

    fn apply(k: &SourcetypeKnowledge, f: &mut Fields) {
        super::apply(k, f, &CTX);
    }

    #[test]
    fn calculated_fields_run_in_parallel_and_null_removes() {
        // docs/spl-semantics.md 1.5: EVAL-x = y*2 and EVAL-y = 100: x uses the original y.
        let app =
            App::from_text("[st]\nEVAL-x = y*2\nEVAL-y = 100\nEVAL-z = null()\nEVAL-b = 1==1\n", "", None).unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("y", "3"), ("z", "old"), ("b", "old")]);
        apply(&k, &mut f);
        assert_eq!((f["x"].to_string(), f["y"].to_string()), ("6".into(), "100".into()));
        assert!(!f.contains_key("z") && !f.contains_key("b"));
    }

    #[test]
    fn event_types_and_tags() {
        let app = App::from_text("", "", None)
            .unwrap()
            .with_classification(
                "[deletes]\nsearch = eventName=Delete*\n[errors]\nsearch = errorCode!=success\n[off]\nsearch = *\ndisabled = 1\n",
                "[eventtype=deletes]\nchange = enabled\ncloud = enabled\nold = disabled\n[eventtype=errors]\nerror = enabled\n[action=deleted]\ncleanup = enabled\n",
            )
            .unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("eventName", "DeleteBucket"), ("errorCode", "success"), ("action", "deleted")]);
        apply(&k, &mut f);
        assert_eq!(f["eventtype"], Value::from("deletes"));
        assert_eq!(f["tag::eventtype"].values(), ["change", "cloud"]);
        assert_eq!(f["tag::action"], Value::from("cleanup"));
        assert_eq!(f["tag"].values(), ["change", "cleanup", "cloud"]);
        let mut f = fields(&[("eventName", "DeleteBucket"), ("errorCode", "AccessDenied")]);
        apply(&k, &mut f);
        assert_eq!(f["eventtype"].values(), ["deletes", "errors"]);
    }

    #[test]
    fn remembering_across_events_gives_what_each_event_alone_gives() {
        let app = App::from_text(
            "[st]\nEVAL-who = case(kind==\"a\", arn, kind==\"b\", upper(arn), true(), null())\n\
             EVAL-pick = if(n>1, \"big\", n)\nEVAL-flag = kind==\"a\"\nEVAL-bad = case(kind==\"a\", 1/0)\n",
            "",
            None,
        )
        .unwrap()
        .with_classification("[as]\nsearch = kind=a\n[word]\nsearch = deleted\n", "")
        .unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let events = [
            [("kind", "a"), ("arn", "x1"), ("n", "2"), ("_raw", "deleted x1")],
            [("kind", "b"), ("arn", "x2"), ("n", "0"), ("_raw", "kept")],
            [("kind", "a"), ("arn", "x3"), ("n", "1"), ("_raw", "kept")],
            [("kind", "c"), ("arn", "x4"), ("n", "5"), ("_raw", "deleted")],
            [("kind", "b"), ("arn", "x5"), ("n", "9"), ("_raw", "kept")],
        ];
        let mut memo = Remembered::default();
        same_remembered_as_alone(&k, events.iter().map(|e| &e[..]), &mut memo);
        let mut f = fields(&events[1]);
        apply_remembering(&k, &mut f, &CTX, &mut memo);
        assert_eq!((f["who"].to_string(), f["pick"].to_string()), ("X2".into(), "0".into()));
        assert!(!f.contains_key("flag") && !f.contains_key("bad") && !f.contains_key("eventtype"));
    }

    /// Each event (all of them, then all again) gets from `apply_remembering`, sharing
    /// `memo`, exactly what `apply` gives it alone.
    fn same_remembered_as_alone<'e>(
        k: &SourcetypeKnowledge,
        events: impl Iterator<Item = &'e [(&'e str, &'e str)]> + Clone,
        memo: &mut Remembered,
    ) {
        for e in events.clone().chain(events) {
            let mut alone = fields(e);
            apply(k, &mut alone);
            let mut remembered = fields(e);
            apply_remembering(k, &mut remembered, &CTX, memo);
            assert_eq!(remembered, alone, "{e:?}");
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::Str(v.to_string()))).collect()
    }

    fn names(f: &Fields) -> Vec<String> {
        f.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    #[test]
    fn alias_replaces_target_and_removes_it_when_source_is_missing() {
        // docs/spl-semantics.md 1.5
        let app = App::from_text("[st]\nFIELDALIAS-src = sourceIPAddress AS src_ip\n", "", None).unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let mut e1 = fields(&[("sourceIPAddress", "1.2.3.4"), ("src_ip", "9.9.9.9")]);
        apply(&k, &mut e1);
        assert_eq!(e1["src_ip"], Value::from("1.2.3.4"));
        let mut e2 = fields(&[("src_ip", "9.9.9.9")]);
        apply(&k, &mut e2);
        assert!(!e2.contains_key("src_ip"));
    }

    #[test]
    fn asnew_keeps_an_existing_target_and_aliases_read_extracted_fields_only() {
        let app = App::from_text("[st]\nFIELDALIAS-a = x ASNEW y\nFIELDALIAS-b = y AS z\n", "", None).unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("x", "1"), ("y", "2")]);
        apply(&k, &mut f);
        assert_eq!(names(&f), ["x=1", "y=2", "z=2"]);
        let mut f = fields(&[("x", "1")]);
        apply(&k, &mut f);
        // y is filled from x, but z reads y as extraction left it: absent, so z is removed.
        assert_eq!(names(&f), ["x=1", "y=1"]);
    }

    #[test]
    fn report_and_extract_with_named_groups_format_and_source_key() {
        let app = App::from_text(
            "[st]\nEXTRACT-a = code=(?<code>\\d+)\nREPORT-user = user_from_message\n",
            "[user_from_message]\nSOURCE_KEY = errorMessage\nREGEX = (?:user/|user )([\\w+=,.@-]+)\nFORMAT = user::$1\n",
            None,
        )
        .unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[
            ("_raw", "x code=42"),
            ("errorMessage", "not authorized to perform: iam:GetUser on resource: user/alice because"),
        ]);
        apply(&k, &mut f);
        assert_eq!(f["code"], Value::from("42"));
        assert_eq!(f["user"], Value::from("alice"));
        // An existing field keeps its value.
        let mut f = fields(&[("_raw", "code=7"), ("code", "1")]);
        apply(&k, &mut f);
        assert_eq!(f["code"], Value::from("1"));
    }

    fn lookup_app(extra: &str, output: &str) -> (tempdir::Dir, App) {
        let dir = tempdir::Dir::new("lookup");
        std::fs::create_dir_all(dir.0.join("lookups")).unwrap();
        std::fs::write(
            dir.0.join("lookups/actions.csv"),
            "eventName,errorCode,action,status\nDeleteBucket,success,deleted,success\nConsoleLogin,failure,failure,failure\nListX,success,read,success\nListX,success,listed,success\n",
        )
        .unwrap();
        let app = App::from_text(
            &format!("[st]\nLOOKUP-actions = actions eventName errorCode {output}\n"),
            &format!("[actions]\nfilename = actions.csv\n{extra}"),
            Some(dir.0.join("lookups")),
        )
        .unwrap();
        (dir, app)
    }

    #[test]
    fn lookup_output_overwrites_and_clears_on_no_match() {
        let (_d, app) = lookup_app("", "OUTPUT action status");
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("eventName", "DeleteBucket"), ("errorCode", "success"), ("action", "old")]);
        apply(&k, &mut f);
        assert_eq!((f["action"].to_string(), f["status"].to_string()), ("deleted".into(), "success".into()));
        let mut f = fields(&[("eventName", "Nope"), ("errorCode", "success"), ("action", "old")]);
        apply(&k, &mut f);
        assert!(!f.contains_key("action"), "no match clears OUTPUT fields");
        // Missing input: not looked up at all.
        let mut f = fields(&[("eventName", "DeleteBucket"), ("action", "old")]);
        apply(&k, &mut f);
        assert_eq!(f["action"], Value::from("old"));
    }

    #[test]
    fn remembered_lookups_give_what_each_event_alone_gives() {
        for output in ["OUTPUT action status", "OUTPUTNEW action AS act status"] {
            let (_d, app) = lookup_app("", output);
            let k = app.for_sourcetype("st").unwrap();
            let events: [&[(&str, &str)]; 5] = [
                &[("eventName", "ListX"), ("errorCode", "success")],
                &[("eventName", "ListX"), ("errorCode", "success"), ("act", "kept"), ("action", "old")],
                &[("eventName", "Nope"), ("errorCode", "success"), ("action", "old"), ("status", "x")],
                &[("eventName", "ListX"), ("act", "kept")],
                &[("eventName", "DeleteBucket"), ("errorCode", "success"), ("status", "old")],
            ];
            same_remembered_as_alone(&k, events.iter().copied(), &mut Remembered::default());
        }
    }

    #[test]
    fn lookup_outputnew_multiple_matches_case_and_defaults() {
        let (_d, app) = lookup_app("", "OUTPUTNEW action AS act");
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("eventName", "ListX"), ("errorCode", "success")]);
        apply(&k, &mut f);
        assert_eq!(f["act"].values(), ["read", "listed"]);
        let mut f = fields(&[("eventName", "ListX"), ("errorCode", "success"), ("act", "kept")]);
        apply(&k, &mut f);
        assert_eq!(f["act"], Value::from("kept"));

        let (_d, app) = lookup_app("max_matches = 1\ncase_sensitive_match = false\n", "OUTPUT action");
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("eventName", "listx"), ("errorCode", "SUCCESS")]);
        apply(&k, &mut f);
        assert_eq!(f["action"], Value::from("read"));

        let (_d, app) = lookup_app("min_matches = 1\ndefault_match = unknown\n", "OUTPUT action");
        let k = app.for_sourcetype("st").unwrap();
        let mut f = fields(&[("eventName", "Nope"), ("errorCode", "success")]);
        apply(&k, &mut f);
        assert_eq!(f["action"], Value::from("unknown"));
    }

    #[test]
    fn lookup_wildcard_column_and_first_row_wins() {
        // docs/aws-cloudtrail-fields.md 3.3: eventName exact, errorCode with `*`, the
        // first matching row in file order.
        let dir = tempdir::Dir::new("wildcard");
        std::fs::write(
            dir.0.join("actions.csv"),
            "eventName,errorCode,action,status\nConsoleLogin,success,success,success\nConsoleLogin,*,failure,failure\nCreate*,*,never,never\nGetX,Access*,denied,failure\n",
        )
        .unwrap();
        let app = App::from_text(
            "[st]\nLOOKUP-a = actions eventName errorCode OUTPUTNEW action status\n",
            "[actions]\nfilename = actions.csv\nmax_matches = 1\nmatch_type = WILDCARD(errorCode)\n",
            Some(dir.0.clone()),
        )
        .unwrap();
        let k = app.for_sourcetype("st").unwrap();
        let run = |pairs: &[(&str, &str)]| {
            let mut f = fields(pairs);
            apply(&k, &mut f);
            (f.get("action").map(|v| v.to_string()), f.get("status").map(|v| v.to_string()))
        };
        let some = |a: &str, s: &str| (Some(a.to_string()), Some(s.to_string()));
        assert_eq!(run(&[("eventName", "ConsoleLogin"), ("errorCode", "success")]), some("success", "success"));
        assert_eq!(run(&[("eventName", "ConsoleLogin"), ("errorCode", "failure")]), some("failure", "failure"));
        assert_eq!(run(&[("eventName", "GetX"), ("errorCode", "AccessDenied")]), some("denied", "failure"));
        // Only the WILDCARD column takes `*`: eventName is exact, and case counts.
        assert_eq!(run(&[("eventName", "CreateBucket"), ("errorCode", "x")]), (None, None));
        assert_eq!(run(&[("eventName", "GetX"), ("errorCode", "accessDenied")]), (None, None));
    }

    /// A scratch directory removed on drop.
    mod tempdir {
        pub struct Dir(pub super::PathBuf);
        impl Dir {
            pub fn new(name: &str) -> Dir {
                let p = std::env::temp_dir().join(format!(
                    "spelunk-{name}-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
