//! The Machine Learning Toolkit's `summary <model>` and `apply <model>`.
//!
//! MLTK models are trained and stored inside a Splunk instance; offline there are none.
//! Like a KV-store lookup (an empty table), a missing model makes the search quiet rather
//! than failing: `summary` gives no rows and `apply` leaves the results as they are (no
//! `IsOutlier(...)` or prediction fields), each with a warning naming the model. A
//! detection that keeps only outliers therefore finds nothing.

use super::Cx;
use crate::engine::EngineError;
use crate::frame::Frame;
use crate::syntax::{Arg, Generic, Span};

fn model(g: &Generic, span: Span) -> Result<String, EngineError> {
    g.args
        .iter()
        .find_map(|a| match a {
            Arg::Positional(l) => Some(l.text.clone()),
            _ => None,
        })
        .ok_or_else(|| EngineError::new("spelunk::mltk", format!("`{}` needs a model name", g.name), span, "here"))
}

/// `summary <model>`: no rows.
pub fn summary<'d>(g: &Generic, span: Span, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    let name = model(g, span)?;
    cx.warn(format!("summary: the Machine Learning Toolkit model `{name}` does not exist offline; it gave no rows"));
    Ok(Frame::from_columns(0, Default::default()))
}

/// `apply <model> [options]`: the results unchanged.
pub fn apply(g: &Generic, span: Span, cx: &Cx) -> Result<(), EngineError> {
    let name = model(g, span)?;
    cx.warn(format!(
        "apply: the Machine Learning Toolkit model `{name}` does not exist offline; the results were left unchanged"
    ));
    Ok(())
}
