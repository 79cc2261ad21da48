//! `| makeresults [count=N]`: N results with only `_time` (now, whole seconds).

use indexmap::IndexMap;

use super::{count_option, known_options, Cx};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::CmdOption;

pub fn run<'d>(options: &[CmdOption], cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    known_options(options, &["count", "annotate"], "makeresults")?;
    let n = count_option(options, "count")?.unwrap_or(1) as usize;
    if n > cx.limits.max_rows {
        let o = super::option(options, "count").expect("count was given");
        return Err(EngineError::new(
            "spelunk::limit",
            format!("`makeresults count={n}` is more than the limit of {} results", cx.limits.max_rows),
            o.span,
            "too many",
        )
        .with_help("raise the limit with --max-rows if you mean it"));
    }
    let now = Value::Str(format!("{}", cx.ctx.now.floor() as i64));
    Ok(Frame::from_columns(n, IndexMap::from([("_time".to_string(), vec![now; n])])))
}
