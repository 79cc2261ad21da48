//! Some of a frame's columns as values, read one row at a time by the evaluator: the
//! per-row path for expressions that have no columnar form.

use std::collections::HashMap;
use std::sync::Arc;

use super::{CachedColumn, Codes};

use crate::eval::Row;
use crate::events::hash::FxBuild;
use crate::events::Value;

#[derive(Default)]
pub struct Columns {
    names: Vec<String>,
    /// Asked for every field an expression reads, row after row: hashed with Fx.
    index: HashMap<String, usize, FxBuild>,
    values: Vec<FieldValues>,
}

impl Columns {
    pub fn push(&mut self, name: String, values: FieldValues) {
        self.index.insert(name.clone(), self.names.len());
        self.names.push(name);
        self.values.push(values);
    }

    pub fn row(&self, i: usize) -> RowRef<'_> {
        RowRef { cols: self, i }
    }
}

/// One row of [`Columns`].
pub struct RowRef<'a> {
    cols: &'a Columns,
    i: usize,
}

impl Row for RowRef<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.cols.index.get(name).map(|&k| self.cols.values[k].get(self.i))
    }

    fn each_field(&self, f: &mut dyn FnMut(&str, &Value)) {
        for (k, name) in self.cols.names.iter().enumerate() {
            f(name, self.cols.values[k].get(self.i));
        }
    }
}

/// One field's values over a frame's rows, read where they are: copied out of the frame, or,
/// for a field the frame took straight from the dataset's shared columns, from there by
/// each row's event (no value is copied).
pub enum FieldValues {
    Owned(Vec<Value>),
    Coded { col: Arc<CachedColumn>, events: Arc<Vec<usize>> },
}

impl FieldValues {
    /// Row `i`'s value (null when absent).
    pub fn get(&self, i: usize) -> &Value {
        match self {
            FieldValues::Owned(v) => &v[i],
            FieldValues::Coded { col, events } => col.get(events[i]),
        }
    }

    /// The distinct values of rows given by their codes in this shared column, each once
    /// and in no order: found by their codes, no text compared (`None` for values of the
    /// frame's own, and no null among them).
    pub fn distinct_of_codes(&self, codes: impl Iterator<Item = u32>) -> Option<Vec<&Value>> {
        let FieldValues::Coded { col, .. } = self else {
            return None;
        };
        let mut codes: Vec<u32> = codes.collect();
        codes.sort_unstable();
        codes.dedup();
        Some(codes.into_iter().filter(|&c| c != 0).map(|c| &col.dict[c as usize - 1]).collect())
    }

    pub fn len(&self) -> usize {
        match self {
            FieldValues::Owned(v) => v.len(),
            FieldValues::Coded { events, .. } => events.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A field's cells as codes into a dictionary of single strings, for grouping rows
/// (`engine::groups`): row `r` holds `dict()[code(r) - 1]`, nothing where its code is 0.
/// Made by [`super::Frame::row_codes`].
pub struct RowCodes<'f> {
    dict: Vec<&'f str>,
    source: CodeSource<'f>,
}

enum CodeSource<'f> {
    /// The dataset's shared column, by each row's event.
    Shared { codes: &'f Codes, events: Arc<Vec<usize>> },
    /// Codes given to the cells' text, row by row.
    Interned(Vec<u32>),
}

impl<'f> RowCodes<'f> {
    /// A shared column's codes for rows whose events are `events`; `None` when its
    /// dictionary holds anything but single strings.
    pub fn shared(col: &'f CachedColumn, events: Arc<Vec<usize>>) -> Option<RowCodes<'f>> {
        let dict = col
            .dict
            .iter()
            .map(|v| match v {
                Value::Str(s) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Option<Vec<&str>>>()?;
        Some(RowCodes { dict, source: CodeSource::Shared { codes: &col.codes, events } })
    }

    /// Codes for cells of text (`None` where absent): equal text, equal code.
    pub fn interned(cells: impl Iterator<Item = Option<&'f str>>) -> RowCodes<'f> {
        let mut index: HashMap<&str, u32, FxBuild> = HashMap::default();
        let mut dict = Vec::new();
        let codes = cells
            .map(|cell| match cell {
                None => 0,
                Some(text) => *index.entry(text).or_insert_with(|| {
                    dict.push(text);
                    dict.len() as u32
                }),
            })
            .collect();
        RowCodes { dict, source: CodeSource::Interned(codes) }
    }

    pub fn dict(&self) -> &[&'f str] {
        &self.dict
    }

    /// The codes of rows `0..height`, in order (borrowed when they are held so).
    pub fn codes(&self, height: usize) -> std::borrow::Cow<'_, [u32]> {
        match &self.source {
            CodeSource::Shared { codes, events } => std::borrow::Cow::Owned(codes.gather(&events[..height])),
            CodeSource::Interned(codes) => std::borrow::Cow::Borrowed(&codes[..height]),
        }
    }

    /// Row `row`'s code (0 when it has no value).
    pub fn code(&self, row: usize) -> u32 {
        match &self.source {
            CodeSource::Shared { codes, events } => codes.get(events[row]),
            CodeSource::Interned(codes) => codes[row],
        }
    }
}
