//! Some of a frame's columns as values, read one row at a time by the evaluator: the
//! per-row path for expressions that have no columnar form.

use std::collections::HashMap;
use std::sync::Arc;

use super::CachedColumn;

use crate::eval::Row;
use crate::events::Value;

#[derive(Default)]
pub struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
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
