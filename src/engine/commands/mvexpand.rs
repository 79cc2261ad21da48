//! `mvexpand field [limit=n]` (docs/spl-semantics.md 6.3): each row becomes one row per
//! value of the field, in value order, at the row's place; the other fields are copied.
//! `limit=0` (the default) keeps every value.
//!
//! A row without the field is dropped (UNVERIFIED; the documented default). The rows made
//! are counted before any is built, so an expansion over `Limits::max_rows` is an error,
//! not an exhausted machine.

use std::collections::BTreeSet;

use super::{count_option, known_options, Cx};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Ident};

pub fn run(f: &mut Frame, options: &[CmdOption], field: &Ident, cx: &Cx) -> Result<(), EngineError> {
    known_options(options, &["limit"], "mvexpand")?;
    let limit = match count_option(options, "limit")? {
        None | Some(0) => usize::MAX,
        Some(n) => n as usize,
    };
    let name = &field.name;
    if name.starts_with('_') || name.contains('*') {
        let what = if name.contains('*') { "a wildcard" } else { "an internal field" };
        return Err(EngineError::new(
            "spelunk::mvexpand",
            format!("`mvexpand` cannot expand {what}"),
            field.span,
            "here",
        ));
    }
    f.ensure(&BTreeSet::from([name.clone()]));
    let values = f.values(name);
    let total: usize = values.iter().map(|v| v.values().len().min(limit)).sum();
    if total > cx.limits.max_rows {
        return Err(EngineError::new(
            "spelunk::limit",
            format!("`mvexpand {name}` would make {total} rows, more than the limit of {}", cx.limits.max_rows),
            field.span,
            "too many values",
        )
        .with_help("filter the rows first, or give `limit=` to expand fewer values per row"));
    }
    let mut rows = Vec::with_capacity(total);
    let mut expanded = Vec::with_capacity(total);
    for (row, v) in values.iter().enumerate() {
        for s in v.values().iter().take(limit) {
            rows.push(row);
            expanded.push(Value::Str(s.clone()));
        }
    }
    f.take(&rows);
    f.set(name, &expanded);
    Ok(())
}
