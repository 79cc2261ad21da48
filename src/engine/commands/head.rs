//! `head` and `tail` (docs/spl-semantics.md 5.7).

use std::collections::BTreeSet;

use super::{bool_option, count_option, known_options, Cx};
use crate::engine::EngineError;
use crate::eval::{eval, EvalValue};
use crate::frame::Frame;
use crate::syntax::fields::expr_fields;
use crate::syntax::Head;

/// `head [N] [limit=N]`: the first N rows (default 10). `head (expr) [null=bool]
/// [keeplast=bool]`: rows up to the first where `expr` is not true (a null result counts as
/// `null=`'s value), that row too with `keeplast=true`.
pub fn head(f: &mut Frame, h: &Head, cx: &Cx) -> Result<(), EngineError> {
    known_options(&h.options, &["limit", "null", "keeplast"], "head")?;
    let limit = count_option(&h.options, "limit")?;
    let Some(e) = &h.expr else {
        let n = h.count.or(limit).unwrap_or(10) as usize;
        f.slice(0, n.min(f.height()));
        return Ok(());
    };
    let null_is = bool_option(&h.options, "null", false)?;
    let keeplast = bool_option(&h.options, "keeplast", false)?;
    let mut names = BTreeSet::new();
    expr_fields(e, &mut names);
    f.ensure(&names);
    let cols = f.columns(&names);
    let mut n = 0;
    let max = limit.map_or(usize::MAX, |l| l as usize);
    while n < f.height() && n < max {
        let ok = match eval(e, &cols.row(n), &cx.ctx).map_err(super::eval_error)? {
            EvalValue::Bool(b) => b,
            EvalValue::Null => null_is,
            _ => return Err(EngineError::new("spelunk::eval", "`head` needs a true/false condition", e.span, "here")),
        };
        if !ok {
            if keeplast {
                n += 1;
            }
            break;
        }
        n += 1;
    }
    f.slice(0, n);
    Ok(())
}

/// `tail [N]`: the last N rows (default 10), last first.
pub fn tail(f: &mut Frame, count: Option<u64>) -> Result<(), EngineError> {
    let n = (count.unwrap_or(10) as usize).min(f.height());
    let h = f.height();
    let idx: Vec<usize> = (h - n..h).rev().collect();
    f.take(&idx);
    Ok(())
}
