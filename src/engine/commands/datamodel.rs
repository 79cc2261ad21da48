//! The commands that return a datamodel's events (`src/datamodel/`):
//! - `| from datamodel:Model.Dataset` (also `from datamodel Model.Dataset`): the events of
//!   the dataset, its fields (and its ancestors') under their plain names, so a calculated
//!   field replaces the event's own (`user` is "unknown" where the event has none);
//! - `| datamodel Model Dataset search`: the same events with the fields named by dataset
//!   path (`All_Changes.user`), as `tstats` names them, and `nodename`;
//!   `| datamodel Model Dataset flat` names them plainly, as `from` does.
//!
//! The events keep every other field (`_raw` included), extracted when used.

use super::{search, tstats, Cx};
use crate::datamodel::{evaluate, lineage_constraint, Naming, Node};
use crate::engine::EngineError;
use crate::frame::Frame;
use crate::syntax::{Arg, Generic, Span};

/// `from datamodel:Model.Dataset`.
pub fn from<'d>(g: &Generic, span: Span, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    let words = words(g);
    let text = words.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>().join(" ");
    let Some(spec) = crate::datamodel::reference(&text) else {
        return Err(EngineError::new(
            "spelunk::unsupported",
            format!("`from {text}` is not supported"),
            span,
            "not a datamodel",
        )
        .with_help("spelunk's `from` reads datamodels: `| from datamodel:Change.All_Changes`"));
    };
    let at = words.last().map_or(span, |(_, s)| *s);
    let node = tstats::resolve(cx, spec, at)?;
    events(&node, Naming::Plain, cx)
}

/// `datamodel Model Dataset search|flat`.
pub fn datamodel<'d>(g: &Generic, span: Span, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    let words = words(g);
    let [(model, _), (dataset, at), (mode, mode_at)] = words.as_slice() else {
        return Err(EngineError::new(
            "spelunk::unsupported",
            "spelunk's `datamodel` takes a model, a dataset and `search` or `flat`",
            span,
            "here",
        )
        .with_help("e.g. `| datamodel Change All_Changes search`"));
    };
    let naming = match mode.to_ascii_lowercase().as_str() {
        "search" => Naming::Prefixed,
        "flat" => Naming::Plain,
        other => {
            return Err(EngineError::new(
                "spelunk::unsupported",
                format!("`datamodel ... {other}` is not supported"),
                *mode_at,
                "use `search` or `flat`",
            ))
        }
    };
    let node = tstats::resolve(cx, &format!("{model}.{dataset}"), *at)?;
    events(&node, naming, cx)
}

/// The arguments as words, with their spans.
fn words(g: &Generic) -> Vec<(String, Span)> {
    g.args
        .iter()
        .filter_map(|a| match a {
            Arg::Positional(l) => Some((l.text.clone(), l.span)),
            Arg::Option(o) => Some((format!("{}={}", o.name, o.value.text), o.span)),
            _ => None,
        })
        .collect()
}

/// The dataset's events (newest first, within the search's time range) with its fields.
fn events<'d>(node: &Node, naming: Naming, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    let mut f = search::initial(cx.ds, lineage_constraint(node).as_ref(), cx.range, cx)?;
    let columns = evaluate(node, &mut f, naming, &|_| true, &cx.ctx).map_err(super::eval_error)?;
    // The datamodel's values replace the event's own fields of the same name.
    for (name, values) in columns {
        f.set(&name, &values);
    }
    Ok(f)
}
