//! `search`: the implicit first search (which selects events) and `| search` later
//! (docs/spl-semantics.md 2).

use std::collections::BTreeSet;

use super::Cx;
use crate::engine::{parse_time, EngineError, TimeRange};
use crate::eval::search::matches;
use crate::frame::{Dataset, Frame};
use crate::syntax::fields::search_fields;
use crate::syntax::{SearchExpr, SearchKind};

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
    let order: Vec<usize> = ds
        .newest_first()
        .into_iter()
        .filter(|&i| range.contains(ds.events[i].time.as_ref().map(|t| t.epoch)))
        .collect();
    let mut f = Frame::from_events(ds, &order);
    if let Some(e) = expr {
        filter(&mut f, e)?;
    }
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
fn modifiers(e: &SearchExpr, now: f64) -> Result<TimeRange, EngineError> {
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
