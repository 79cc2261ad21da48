//! `append [subsearch]` (docs/spl-semantics.md 7.6): the subsearch's results after the
//! current ones; the field sets are unioned.

use indexmap::IndexMap;

use super::{count_option, known_options, Cx};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Pipeline};

/// Most results `append` and `join` take from a subsearch (`maxout`).
pub const MAXOUT: usize = 50_000;

pub fn run<'d>(f: &mut Frame<'d>, options: &[CmdOption], sub: &Pipeline, cx: &Cx<'d>) -> Result<(), EngineError> {
    known_options(options, &["maxout", "maxtime", "timeout", "extendtimerange"], "append")?;
    let maxout = count_option(options, "maxout")?.map_or(MAXOUT, |m| m as usize);
    let mut more = super::pipeline(sub, cx)?;
    if more.is_events() {
        more.ensure_all();
    }
    more.slice(0, maxout.min(more.height()));
    concat(f, more, cx);
    Ok(())
}

/// `more`'s rows after `f`'s, every field of either kept.
pub fn concat<'d>(f: &mut Frame<'d>, mut more: Frame<'d>, _cx: &Cx<'d>) {
    f.ensure_all();
    more.ensure_all();
    let (top, bottom) = (f.height(), more.height());
    let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
    for n in f.names() {
        let mut v = f.values(&n);
        v.resize(top + bottom, Value::Null);
        columns.insert(n, v);
    }
    for n in more.names() {
        let below = more.values(&n);
        let col = columns.entry(n).or_insert_with(|| vec![Value::Null; top + bottom]);
        for (k, v) in below.into_iter().enumerate() {
            col[top + k] = v;
        }
    }
    *f = Frame::from_columns(top + bottom, columns);
}
