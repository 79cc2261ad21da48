//! `tstats [options] <aggregations> [from datamodel=Model[.Dataset]] [where <search>]
//! [by <fields> [span=<span>]]`: statistics over a datamodel's events (`src/datamodel/`), or
//! over the events' index-time fields when there is no `from`.
//!
//! It runs as the steps Splunk's docs describe, each done by the command that does it
//! elsewhere:
//! 1. the events of the dataset (a first search of its constraints,
//!    [`crate::datamodel::lineage_constraint`]), with its fields named by dataset path
//!    (`All_Changes.user`, `All_Changes.Instance_Changes.image_id`), `nodename`, and the
//!    inherited `_time`, `host`, `source`, `sourcetype`, `index`
//!    ([`crate::datamodel::evaluate`]);
//! 2. the `where` search over those fields (time modifiers in it narrow the time range);
//! 3. `span=` bins `_time` (as `bin _time span=...`);
//! 4. `fillnull_value=`: a missing by-field value becomes that text; without it, rows
//!    missing a by-field are left out, as in `stats`;
//! 5. `stats <aggregations> by <fields>`.
//!
//! Offline there are no accelerated summaries: `summariesonly`, `allow_old_summaries`,
//! `chunk_size`, `local` and `include_reduced_buckets` are accepted and change nothing
//! (every event is read, as with `summariesonly=false`). `prestats=true` is refused: its
//! output format is internal to Splunk and no detection in the corpus uses it.

use std::collections::BTreeSet;

use super::{bin, bool_option, known_options, option, search, stats, Cx};
use crate::datamodel::{lineage_constraint, DataModels, Naming, Node, INHERITED};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::{cacheable, Frame, ScanPlan, Selects};
use crate::syntax::fields::{expr_fields, search_fields};
use crate::syntax::{AggArg, Bin, Ident, Literal, SearchExpr, Span, Stats, Tstats};

const OPTIONS: &[&str] = &[
    "summariesonly",
    "allow_old_summaries",
    "fillnull_value",
    "prestats",
    "local",
    "chunk_size",
    "include_reduced_buckets",
];

pub fn run<'d>(t: &Tstats, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    known_options(&t.options, OPTIONS, "tstats")?;
    known_options(&t.by_options, &["span"], "tstats")?;
    for flag in ["summariesonly", "allow_old_summaries", "local", "include_reduced_buckets"] {
        bool_option(&t.options, flag, false)?;
    }
    if bool_option(&t.options, "prestats", false)? {
        let o = option(&t.options, "prestats").expect("given");
        return Err(EngineError::new(
            "spelunk::unsupported",
            "`tstats prestats=true` is not supported",
            o.span,
            "not supported",
        )
        .with_help("leave prestats out: tstats then gives the statistics themselves"));
    }
    let node = match &t.from {
        None => None,
        Some(from) => Some(datamodel_node(from, cx)?),
    };

    let filter = match &t.filter {
        Some(e) => Some(search::resolve_subsearches(e, cx)?),
        None => None,
    };
    let mut range = cx.range;
    if let Some(e) = &filter {
        range = range.and(search::modifiers(e, cx.ctx.now)?);
    }
    let wanted = wanted_fields(t, filter.as_ref());
    let wants = accepts(&wanted);

    if let Some(node) = &node {
        unknown_fields(node, &wanted, cx);
    }
    // The dataset's rows the `where` search keeps.
    let mut f = match &node {
        // The dataset's fields, made once per run for all the searches reading them.
        Some(node) => {
            let mut names: Vec<String> =
                node.fields(Naming::Prefixed).into_iter().map(|(_, _, name)| name).filter(|n| wants(n)).collect();
            if wants("nodename") {
                names.push("nodename".into());
            }
            names.extend(INHERITED.iter().map(|s| s.to_string()));
            let select = || search::initial(cx.ds, lineage_constraint(node).as_ref(), range, cx);
            let (height, columns) =
                cx.evaluations.fields(cx.ds, node, Naming::Prefixed, &range, &names, &cx.ctx, select)?;
            // The `where` search is decided on the coded columns, and only the rows it
            // keeps are made into a frame (a dataset's events are many, the kept few).
            match filter.as_ref().map(|e| (e, crate::frame::rows_matching(e, &columns, height))) {
                Some((_, Some(rows))) => Frame::from_coded_rows(&rows.map_err(super::eval_error)?, &columns),
                Some((e, None)) => {
                    let mut f = Frame::from_coded(height, &columns);
                    search::filter(&mut f, e)?;
                    f
                }
                None => Frame::from_coded(height, &columns),
            }
        }
        None => {
            let mut f = search::initial(cx.ds, None, range, cx)?;
            let inherited: BTreeSet<String> = INHERITED.iter().map(|s| s.to_string()).collect();
            f.ensure(&inherited);
            let columns = INHERITED.iter().map(|n| (n.to_string(), f.values(n))).collect();
            let mut f = Frame::from_columns(f.height(), columns);
            if let Some(e) = &filter {
                search::filter(&mut f, e)?;
            }
            f
        }
    };

    if let Some(span) = option(&t.by_options, "span") {
        if t.by.iter().any(|b| b.name == "_time") {
            let time = Ident { name: "_time".into(), span: span.span };
            bin::run(&mut f, &Bin { options: vec![span.clone()], field: time, alias: None })?;
        } else {
            cx.warn("tstats: `span=` applies to `_time`, which is not in the by clause; it was ignored".into());
        }
    }
    if let Some(fill) = option(&t.options, "fillnull_value") {
        fill_by_fields(&mut f, &t.by, &fill.value.text);
    }
    stats::stats(
        &mut f,
        &Stats { options: Vec::new(), aggs: t.aggs.clone(), by: t.by.clone(), by_options: Vec::new() },
        cx,
    )?;
    Ok(f)
}

/// The fields (datamodel or inherited) a tstats reads: its by-fields, its aggregations'
/// arguments and its `where` search's fields.
fn wanted_fields(t: &Tstats, filter: Option<&SearchExpr>) -> BTreeSet<String> {
    let mut wanted: BTreeSet<String> = t.by.iter().map(|i| i.name.clone()).collect();
    for a in &t.aggs {
        match &a.arg {
            Some(AggArg::Field(f)) => {
                wanted.insert(f.name.clone());
            }
            Some(AggArg::Eval(e)) => expr_fields(e, &mut wanted),
            None => {}
        }
    }
    if let Some(e) = filter {
        search_fields(e, &mut wanted);
    }
    wanted
}

/// Whether a field is among the wanted ones (all are when one is a wildcard).
fn accepts(wanted: &BTreeSet<String>) -> impl Fn(&str) -> bool + '_ {
    let everything = wanted.iter().any(|n| n.contains('*'));
    move |name: &str| everything || wanted.contains(name)
}

/// What a tstats over a datamodel reads over all the events, for a run's shared passes:
/// its dataset's constraints select the events; over those, the event fields its
/// datamodel fields are made from, and the inherited ones. `None` without a datamodel, or
/// with one that does not resolve (the run reports that).
pub fn scan_plan(t: &Tstats, datamodels: &DataModels) -> Option<ScanPlan> {
    let spec = crate::datamodel::reference(t.from.as_ref()?.text.trim())?;
    let node = datamodels.resolve(spec).ok()?;
    let wanted = wanted_fields(t, t.filter.as_ref());
    let wants = accepts(&wanted);
    let (selects, mut first) = match lineage_constraint(&node) {
        Some(e) => {
            let mut fields = BTreeSet::new();
            search_fields(&e, &mut fields);
            (Selects::Matching(e), fields)
        }
        None => (Selects::All, BTreeSet::new()),
    };
    first.retain(|n| cacheable(n));
    let mut later = crate::datamodel::event_fields(&node, Naming::Prefixed, &wants);
    later.extend(INHERITED.iter().map(|s| s.to_string()));
    later.retain(|n| cacheable(n));
    Some(ScanPlan { selects, first, later })
}

/// The dataset `from datamodel=Model[.Dataset]` names (also `datamodel:Model`, quoted or not).
fn datamodel_node<'c>(from: &Literal, cx: &Cx<'c>) -> Result<Node<'c>, EngineError> {
    let text = from.text.trim();
    let Some(spec) = crate::datamodel::reference(text) else {
        return Err(EngineError::new(
            "spelunk::unsupported",
            format!("`tstats from {text}` is not supported"),
            from.span,
            "not a datamodel",
        )
        .with_help("tstats reads a datamodel (`from datamodel=Change`), or the index-time fields without `from`"));
    };
    resolve(cx, spec, from.span)
}

/// A datamodel name to its dataset, or an error at `span` that lists what exists.
pub(super) fn resolve<'c>(cx: &Cx<'c>, spec: &str, span: Span) -> Result<Node<'c>, EngineError> {
    cx.datamodels.resolve(spec).map_err(|m| EngineError::new("spelunk::datamodel", m, span, "this datamodel"))
}

/// A warning for each field the search names that the datamodel does not define (a typo
/// there gives no rows, as in Splunk, so the user is told why).
fn unknown_fields(node: &Node, wanted: &BTreeSet<String>, cx: &Cx) {
    let defined: BTreeSet<String> = node.fields(Naming::Prefixed).into_iter().map(|(_, _, name)| name).collect();
    for name in wanted {
        if name.contains('*') || name == "nodename" || INHERITED.contains(&name.as_str()) || defined.contains(name) {
            continue;
        }
        cx.warn(format!("tstats: `{name}` is not a field of the datamodel dataset {}", node.display()));
    }
}

/// `fillnull_value=`: by-fields missing from a row get the text.
fn fill_by_fields(f: &mut Frame, by: &[Ident], fill: &str) {
    for b in by {
        let values: Vec<Value> =
            f.values(&b.name).into_iter().map(|v| if v.is_null() { Value::Str(fill.to_string()) } else { v }).collect();
        f.set(&b.name, &values);
    }
}
