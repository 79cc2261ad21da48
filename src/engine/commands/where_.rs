//! `where <expr>`: keeps the rows where the expression is true; false and null drop the
//! row (docs/spl-semantics.md 5.8, 3.4).

use std::collections::BTreeSet;

use super::Cx;
use crate::engine::EngineError;
use crate::eval::{eval, EvalValue};
use crate::frame::Frame;
use crate::syntax::fields::expr_fields;
use crate::syntax::Expr;

pub fn run(f: &mut Frame, e: &Expr, cx: &Cx) -> Result<(), EngineError> {
    let keep = kept(f, e, cx)?;
    f.filter(&keep);
    Ok(())
}

/// Which rows `where e` keeps. It reads only the fields `e` names
/// ([`crate::syntax::fields::deferred_aggregations`] counts on it).
pub fn kept(f: &mut Frame, e: &Expr, cx: &Cx) -> Result<Vec<bool>, EngineError> {
    let mut names = BTreeSet::new();
    expr_fields(e, &mut names);
    f.ensure(&names);
    let cols = f.columns(&names);
    let mut keep = Vec::with_capacity(f.height());
    for i in 0..f.height() {
        let v = eval(e, &cols.row(i), &cx.ctx).map_err(super::eval_error)?;
        keep.push(match v {
            EvalValue::Bool(b) => b,
            EvalValue::Null => false,
            other => {
                return Err(EngineError::new(
                    "spelunk::eval",
                    format!("`where` needs a true/false condition, this is a {}", other.type_name()),
                    e.span,
                    "not a condition",
                ))
            }
        });
    }
    Ok(keep)
}
