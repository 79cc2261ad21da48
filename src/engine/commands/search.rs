//! `search`: the implicit first search (which selects events) and `| search` later
//! (docs/spl-semantics.md 2).

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::Cx;
use crate::engine::{parse_time, EngineError, TimeRange};
use crate::eval::search::matches;
use crate::frame::{Dataset, Frame};
use crate::syntax::fields::search_fields;
use crate::syntax::{CmpOp, CommandKind, Ident, SearchExpr, SearchKind, Span};

/// Most results a subsearch gives the search around it (limits.conf `maxout`).
pub const SUBSEARCH_MAX: usize = 10_000;

/// The first search: events in the time range, newest first, that match `expr`. Only the
/// fields the search reads are extracted here; the rest wait for the rows that remain.
pub fn initial<'d>(
    ds: &'d Dataset,
    expr: Option<&SearchExpr>,
    range: TimeRange,
    cx: &Cx,
) -> Result<Frame<'d>, EngineError> {
    let range = match expr {
        Some(e) => range.and(modifiers(e, cx.ctx.now)?),
        None => range,
    };
    // When its fields are not made yet: only the events whose text could match.
    let candidates = expr.filter(|e| !Frame::decided_from_columns(ds, e)).and_then(|e| ds.candidates(e));
    // Every event (or candidate) unless a time range says otherwise (most searches have
    // none: the order of every event is then borrowed, not copied and filtered).
    let mut order: Cow<[usize]> = match &candidates {
        Some(bits) => Cow::Owned(ds.newest_first_of(|i| crate::frame::bit(bits, i))),
        None => Cow::Borrowed(ds.newest_first_ref()),
    };
    if !range.is_all() {
        let within = |&i: &usize| range.contains(ds.events[i].time.as_ref().map(|t| t.epoch));
        order = Cow::Owned(order.iter().copied().filter(within).collect());
    }
    let Some(e) = expr else {
        return Ok(Frame::from_events(ds, &order));
    };
    // Over many events, decided once per distinct combination of the values read.
    let mut f = match Frame::matching_events(ds, &order, e) {
        Some(f) => f.map_err(super::eval_error)?,
        None => {
            let mut f = Frame::from_events(ds, &order);
            filter(&mut f, e)?;
            f
        }
    };
    f.drop_absent();
    Ok(f)
}

/// Keeps the rows that match `expr`.
pub fn filter(f: &mut Frame, expr: &SearchExpr) -> Result<(), EngineError> {
    let mut names = BTreeSet::new();
    search_fields(expr, &mut names);
    f.ensure(&names);
    let cols = if names.iter().any(|n| n.contains('*')) { f.all_columns() } else { f.columns(&names) };
    let mut keep = Vec::with_capacity(f.height());
    for i in 0..f.height() {
        keep.push(matches(expr, &cols.row(i)).map_err(super::eval_error)?);
    }
    f.filter(&keep);
    Ok(())
}

/// `earliest=`/`latest=` written at the top level of the first search.
pub(super) fn modifiers(e: &SearchExpr, now: f64) -> Result<TimeRange, EngineError> {
    let mut r = TimeRange::default();
    let top: Vec<&SearchExpr> = match &e.kind {
        SearchKind::And(items) => items.iter().collect(),
        _ => vec![e],
    };
    for item in top {
        if let SearchKind::TimeModifier { name, value } = &item.kind {
            let bad = |m: String| EngineError::new("spelunk::time", m, item.span, "this time modifier");
            match name.to_ascii_lowercase().as_str() {
                "earliest" => r.earliest = Some(parse_time(value, now).map_err(bad)?),
                "latest" => r.latest = Some(parse_time(value, now).map_err(bad)?),
                other => return Err(bad(format!("the time modifier `{other}` is not supported yet"))),
            }
        }
    }
    Ok(r)
}

/// Runs each `[subsearch]` in `e` and puts its formatted results in its place
/// (docs/spl-semantics.md 7.4): `(f1="v1" AND f2="v2") OR (...)`, a multivalue's values
/// OR-ed, a field named `search` or `query` read as search text. No results match nothing.
pub fn resolve_subsearches(e: &SearchExpr, cx: &Cx) -> Result<SearchExpr, EngineError> {
    let kind = match &e.kind {
        SearchKind::And(items) => {
            SearchKind::And(items.iter().map(|i| resolve_subsearches(i, cx)).collect::<Result<_, _>>()?)
        }
        SearchKind::Or(items) => {
            SearchKind::Or(items.iter().map(|i| resolve_subsearches(i, cx)).collect::<Result<_, _>>()?)
        }
        SearchKind::Not(inner) => SearchKind::Not(Box::new(resolve_subsearches(inner, cx)?)),
        SearchKind::Subsearch(p) => {
            let mut frame = super::pipeline(p, cx)?;
            let r = crate::engine::results(&mut frame);
            return format_results(&r, e.span);
        }
        other => other.clone(),
    };
    Ok(SearchExpr { kind, span: e.span })
}

fn format_results(r: &crate::engine::Results, span: Span) -> Result<SearchExpr, EngineError> {
    let node = |kind| SearchExpr { kind, span };
    let mut rows = Vec::new();
    for i in 0..r.rows.min(SUBSEARCH_MAX) {
        let mut terms = Vec::new();
        for (field, value) in r.row(i) {
            if field == "search" || field == "query" {
                for text in value.values() {
                    let p = crate::syntax::parse(text).map_err(|err| {
                        EngineError::new(
                            "spelunk::subsearch",
                            format!("the subsearch's `{field}` field is not a search: {}", err.message),
                            span,
                            "this subsearch",
                        )
                    })?;
                    if let Some(CommandKind::Search(Some(s))) = p.commands.into_iter().next().map(|c| c.kind) {
                        terms.push(s);
                    }
                }
                continue;
            }
            let ident = Ident { name: field.to_string(), span };
            let alternatives: Vec<SearchExpr> = value
                .values()
                .iter()
                .map(|v| node(SearchKind::Compare { field: ident.clone(), op: CmpOp::Eq, value: v.clone() }))
                .collect();
            terms.push(if alternatives.len() == 1 {
                alternatives.into_iter().next().expect("one")
            } else {
                node(SearchKind::Or(alternatives))
            });
        }
        if !terms.is_empty() {
            rows.push(node(SearchKind::And(terms)));
        }
    }
    if rows.is_empty() {
        // Splunk writes `NOT ()`; it matches nothing (UNVERIFIED).
        let everything = node(SearchKind::Term { text: "*".into(), phrase: false });
        return Ok(node(SearchKind::Not(Box::new(everything))));
    }
    Ok(node(SearchKind::Or(rows)))
}
