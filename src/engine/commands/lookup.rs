//! `lookup` and `inputlookup` (docs/spl-semantics.md 7.1, 7.2) over the tables of
//! `engine::Lookups`. Matching, OUTPUT/OUTPUTNEW and defaults are the knowledge layer's
//! (`knowledge::apply_lookup`): one place for lookup semantics, automatic or not.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use super::{bool_option, count_option, known_options, search, Cx};
use crate::engine::EngineError;
use crate::events::{Fields, Value};
use crate::frame::Frame;
use crate::knowledge::{apply_lookup, AutoLookup, LookupTable};
use crate::syntax::{Inputlookup, Literal, Lookup};

fn table<'c>(name: &Literal, cx: &'c Cx) -> Result<&'c LookupTable, EngineError> {
    if let Some(w) = cx.lookups.warning(&name.text) {
        cx.warn(w);
    }
    cx.lookups.get(&name.text).map_err(|m| EngineError::new("spelunk::lookup", m, name.span, "this lookup"))
}

/// `lookup table in [AS field] ... [OUTPUT|OUTPUTNEW out [AS field] ...]`.
pub fn lookup(f: &mut Frame, l: &Lookup, cx: &Cx) -> Result<(), EngineError> {
    known_options(&l.options, &["local", "update"], "lookup")?;
    let t = table(&l.table, cx)?;
    for m in &l.inputs {
        if !t.columns.contains(&m.field.name) {
            return Err(EngineError::new(
                "spelunk::lookup",
                format!("the lookup `{}` has no column `{}`", l.table.text, m.field.name),
                m.field.span,
                "not a column",
            ));
        }
    }
    let (outputs, only_new) = match &l.output {
        Some(o) => (o.fields.clone(), o.new_only),
        None => (Vec::new(), false),
    };
    let auto =
        AutoLookup { class: l.table.text.clone(), table: t.clone(), inputs: l.inputs.clone(), outputs, only_new };
    let event_inputs: Vec<String> = l.inputs.iter().map(|m| m.event_field().to_string()).collect();
    let event_outputs: Vec<String> = if auto.outputs.is_empty() {
        let input_cols: Vec<&str> = l.inputs.iter().map(|m| m.field.name.as_str()).collect();
        t.columns.iter().filter(|c| !input_cols.contains(&c.as_str())).cloned().collect()
    } else {
        auto.outputs.iter().map(|m| m.event_field().to_string()).collect()
    };
    let names: BTreeSet<String> = event_inputs.iter().chain(&event_outputs).cloned().collect();
    f.ensure(&names);
    let inputs: Vec<Vec<Value>> = event_inputs.iter().map(|n| f.values(n)).collect();
    let mut outputs: Vec<Vec<Value>> = event_outputs.iter().map(|n| f.values(n)).collect();
    for row in 0..f.height() {
        let mut fields = Fields::default();
        for (n, col) in event_inputs.iter().zip(&inputs) {
            if !col[row].is_null() {
                fields.insert(n.clone(), col[row].clone());
            }
        }
        for (n, col) in event_outputs.iter().zip(&outputs) {
            if !col[row].is_null() {
                fields.insert(n.clone(), col[row].clone());
            }
        }
        apply_lookup(&auto, &mut fields);
        for (n, col) in event_outputs.iter().zip(outputs.iter_mut()) {
            col[row] = fields.get(n).cloned().unwrap_or(Value::Null);
        }
    }
    for (n, col) in event_outputs.iter().zip(&outputs) {
        f.set(n, col);
    }
    Ok(())
}

/// The rows of `| inputlookup [start=N] [max=N] table [where search]`: one result per CSV
/// row, an empty cell is an absent field.
fn rows<'d>(i: &Inputlookup, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    known_options(&i.options, &["append", "start", "max"], "inputlookup")?;
    let t = table(&i.table, cx)?;
    let start = count_option(&i.options, "start")?.unwrap_or(0) as usize;
    let max = count_option(&i.options, "max")?.map_or(usize::MAX, |m| m as usize);
    let rows: Vec<&Vec<String>> = t.rows.iter().skip(start).take(max).collect();
    let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
    for (c, name) in t.columns.iter().enumerate() {
        let values: Vec<Value> = rows
            .iter()
            .map(|r| match r.get(c) {
                Some(v) if !v.is_empty() => Value::Str(v.clone()),
                _ => Value::Null,
            })
            .collect();
        columns.insert(name.clone(), values);
    }
    let mut f = Frame::from_columns(rows.len(), columns);
    if let Some(w) = &i.filter {
        search::filter(&mut f, w)?;
    }
    Ok(f)
}

/// `| inputlookup ...` as the first command.
pub fn inputlookup<'d>(i: &Inputlookup, cx: &Cx<'d>) -> Result<Frame<'d>, EngineError> {
    rows(i, cx)
}

/// `... | inputlookup append=true ...`: the table's rows after the current results.
pub fn inputlookup_append<'d>(f: &mut Frame<'d>, i: &Inputlookup, cx: &Cx<'d>) -> Result<(), EngineError> {
    if !bool_option(&i.options, "append", false)? {
        return Err(EngineError::new(
            "spelunk::inputlookup",
            "`inputlookup` after the first command needs `append=true`",
            i.table.span,
            "here",
        ));
    }
    let more = rows(i, cx)?;
    super::append::concat(f, more, cx);
    Ok(())
}
