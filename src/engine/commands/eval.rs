//! `eval a=expr, b=expr`: assignments run left to right, each seeing the ones before it
//! (docs/spl-semantics.md 3.6). A null result removes the field.

use std::collections::BTreeSet;

use super::Cx;
use crate::engine::EngineError;
use crate::eval::{eval, EvalValue};
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::fields::expr_fields;
use crate::syntax::Assignment;

pub fn run(f: &mut Frame, assignments: &[Assignment], cx: &Cx) -> Result<(), EngineError> {
    for a in assignments {
        let mut names = BTreeSet::new();
        expr_fields(&a.value, &mut names);
        f.ensure(&names);
        let cols = f.columns(&names);
        let mut out = Vec::with_capacity(f.height());
        for i in 0..f.height() {
            if i % 8192 == 8191 {
                cx.check_cancel(a.value.span)?;
            }
            let v = eval(&a.value, &cols.row(i), &cx.ctx).map_err(super::eval_error)?;
            if let EvalValue::Bool(_) = v {
                return Err(EngineError::new(
                    "spelunk::eval",
                    "a true/false value cannot be stored in a field",
                    a.value.span,
                    "a condition",
                )
                .with_help("wrap it in if(...), e.g. if(x > 1, \"yes\", \"no\")"));
            }
            out.push(v.into_field().unwrap_or(Value::Null));
        }
        f.set(&a.field.name, &out);
    }
    Ok(())
}
