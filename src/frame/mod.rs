//! The event frame: results as a polars `DataFrame` with one column per field a search has
//! touched (see ARCHITECTURE.md, "The event frame").
//!
//! A column holds strings (`String`) or, when any row has several values, lists of strings
//! (`List(String)`); a null cell is an absent field. While the rows are still events (no
//! command has reshaped them), a hidden column maps each row to its event and a field not
//! yet in the frame is extracted on first use, for the rows that remain at that point.
//! Wildcard uses (`table *`, `fields - x`, `rename a* as b*`) extract every field, again
//! only for the remaining rows. Memory grows with the fields a search touches, not with
//! the union of all keys in the data.
//!
//! | file | what |
//! |---|---|
//! | `dataset.rs` | [`Dataset`]: loaded events and their knowledge; fields made on demand |
//! | `scan.rs` | the first search over many events, decided per distinct value combination |
//! | `while_loading.rs` | a run's one broad search's fields, made as its events are loaded |
//! | `prefilter.rs` | the events a first search could match, found from their text |
//! | `cache.rs` | those columns on disk, keyed by the input's content, for the next run |
//! | `rows.rs` | [`Columns`]: some columns as values, read row by row by the evaluator |

mod by_sourcetype;
pub mod cache;
mod dataset;
mod prefilter;
mod rows;
mod scan;
mod while_loading;

pub use dataset::{
    bit, cacheable, decision_key_in, Ascending, Codes, Column as CachedColumn, Dataset, Extractor, Selection, Wanted,
};
pub use rows::{Columns, FieldValues, RowCodes, RowRef};
pub use scan::{needles_to_load, pipeline_fields, prefetch_for, rows_matching, scan_fields, ScanPlan, Selects};
pub use while_loading::PassWhileLoading;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use polars::prelude::*;

use crate::events::Value;

/// The hidden column holding each row's event index while rows are events.
const EVENT: &str = "\u{0}event";

/// A first search over at least 1/`PREFETCH_SHARE` of the events is decided from its
/// fields made for all of them ([`Dataset::prefetch`], `scan.rs`); one whose text search
/// leaves fewer candidates has its fields made for those ([`prefetch_for`]).
const PREFETCH_SHARE: usize = 4;

/// Fields asked for at least 1/`KEEP_SHARE` of the events are kept in the dataset for
/// those events ([`Dataset::prefetch_events`]): the next search over them (the other
/// detections over one datamodel dataset) reads them from memory, and one over other
/// events makes only the ones missing. A run's second shared pass serves the searches
/// selecting that share ([`prefetch_for`]).
const KEEP_SHARE: usize = 256;

/// A field extracted for a frame's rows: values made from the events, or the dataset's
/// shared column, read by each row's event.
enum Extracted {
    Values(Vec<Value>),
    Coded(Arc<CachedColumn>),
}

/// Results between two commands.
pub struct Frame<'d> {
    df: DataFrame,
    /// The events the rows come from, while they still do.
    events: Option<&'d Dataset>,
    /// Fields already looked for in the events (present as columns, or absent everywhere).
    known: BTreeSet<String>,
    /// Every field has been extracted: nothing more to look for.
    complete: bool,
    /// Fields taken straight from the dataset's shared columns and not changed since: their
    /// values are read from there, by each row's event ([`Frame::read`]), never copied into
    /// `df`, where a column of nulls of no size holds each one's place (a `stats` or a
    /// `table` over millions of events would copy at least 16 bytes a row per field). The
    /// hidden event column is in the frame while there are any, even when rows are no
    /// longer events.
    coded: HashMap<String, Arc<CachedColumn>>,
    /// Each row's event, read out of the hidden event column once while the rows stay as
    /// they are: every field read from the shared columns shares it (a `stats` by six
    /// fields over millions of events read it six times, 8 bytes a row each).
    rows: OnceLock<Arc<Vec<usize>>>,
}

impl<'d> Frame<'d> {
    /// Rows for the given events, in that order, with no field extracted yet.
    pub fn from_events(ds: &'d Dataset, order: &[usize]) -> Frame<'d> {
        let idx: Vec<IdxSize> = order.iter().map(|&i| i as IdxSize).collect();
        let col = IdxCa::from_vec(EVENT.into(), idx).into_series().into_column();
        let df = DataFrame::new(order.len(), vec![col]).expect("one column of the right height");
        Frame {
            df,
            events: Some(ds),
            known: BTreeSet::new(),
            complete: false,
            coded: HashMap::new(),
            rows: OnceLock::new(),
        }
    }

    /// Results that are not events (made by `stats`, `makeresults`, ...).
    pub fn from_columns(height: usize, columns: IndexMap<String, Vec<Value>>) -> Frame<'d> {
        let cols: Vec<Column> = columns.iter().map(|(n, v)| to_column(n, v)).collect();
        let df = DataFrame::new(height, cols).expect("columns of the given height");
        Frame { df, events: None, known: BTreeSet::new(), complete: true, coded: HashMap::new(), rows: OnceLock::new() }
    }

    /// [`Frame::from_columns`] with leading string columns given as text (no cell null:
    /// a `stats` group's by-values), made without a `Value` per cell. Names are distinct.
    pub fn from_text_and_columns(
        height: usize,
        text: Vec<(String, Vec<&str>)>,
        columns: IndexMap<String, Vec<Value>>,
    ) -> Frame<'d> {
        let mut cols: Vec<Column> = text
            .into_iter()
            .map(|(n, cells)| StringChunked::from_iter_values(n.as_str().into(), cells.into_iter()).into_column())
            .collect();
        cols.extend(columns.iter().map(|(n, v)| to_column(n, v)));
        let df = DataFrame::new(height, cols).expect("columns of the given height");
        Frame { df, events: None, known: BTreeSet::new(), complete: true, coded: HashMap::new(), rows: OnceLock::new() }
    }

    /// Results that are not events, from dictionary-coded columns over rows `0..height`
    /// (as [`Frame::from_columns`] would make them from their values, without copying
    /// them).
    pub fn from_coded(height: usize, columns: &[(String, Arc<CachedColumn>)]) -> Frame<'d> {
        Frame::from_coded_rows(&(0..height).collect::<Vec<_>>(), columns)
    }

    /// [`Frame::from_coded`] of some of the rows only, in the order given.
    pub fn from_coded_rows(rows: &[usize], columns: &[(String, Arc<CachedColumn>)]) -> Frame<'d> {
        let height = rows.len();
        let cols: Vec<Column> = columns
            .iter()
            .map(|(n, c)| {
                coded_column(n, c, rows)
                    .unwrap_or_else(|| Column::full_null(n.as_str().into(), height, &DataType::String))
            })
            .collect();
        let df = DataFrame::new(height, cols).expect("columns of the given height");
        Frame { df, events: None, known: BTreeSet::new(), complete: true, coded: HashMap::new(), rows: OnceLock::new() }
    }

    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// Whether rows are still events (fields not yet used can still be extracted).
    pub fn is_events(&self) -> bool {
        self.events.is_some()
    }

    /// The fields present, in column order.
    pub fn names(&self) -> Vec<String> {
        self.df.get_column_names().into_iter().filter(|n| n.as_str() != EVENT).map(|n| n.to_string()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        name != EVENT && self.df.column(name).is_ok()
    }

    /// Makes sure the named fields are in the frame if any remaining event has them.
    /// Names with `*` make every field available.
    pub fn ensure(&mut self, names: &BTreeSet<String>) {
        if names.iter().any(|n| n.contains('*')) {
            return self.ensure_all();
        }
        let Some(ds) = self.events else { return };
        if self.complete {
            return;
        }
        let missing: BTreeSet<String> =
            names.iter().filter(|n| !self.known.contains(*n) && !self.has(n)).cloned().collect();
        if missing.is_empty() {
            return;
        }
        self.extract(ds, Wanted::Names(&missing));
        self.known.extend(missing);
    }

    /// Makes every field of the remaining events available.
    pub fn ensure_all(&mut self) {
        let Some(ds) = self.events else { return };
        if self.complete {
            return;
        }
        let mut skip = self.known.clone();
        skip.extend(self.names());
        self.extract(ds, Wanted::AllBut(&skip));
        self.complete = true;
    }

    fn extract(&mut self, ds: &Dataset, wanted: Wanted) {
        let rows = self.event_indices();
        let mut columns: IndexMap<String, Extracted> = IndexMap::new();
        let mut wanted = wanted;
        let rest: BTreeSet<String>;
        if let Wanted::Names(names) = wanted {
            // When many events are asked for, the fields are made for them (those not made
            // yet) and kept in the dataset, where other searches find them.
            if rows.len() * KEEP_SHARE >= ds.len() {
                ds.prefetch_events(names, Some(&rows));
            }
            let mut others = BTreeSet::new();
            for n in names {
                match ds.cached(n) {
                    Some(col) if rows.iter().all(|&e| col.is_made(e)) => {
                        columns.insert(n.clone(), Extracted::Coded(col));
                    }
                    _ => {
                        columns.insert(n.clone(), Extracted::Values(vec![Value::Null; rows.len()]));
                        others.insert(n.clone());
                    }
                }
            }
            if others.is_empty() {
                return self.set_extracted(columns, &rows);
            }
            rest = others;
            wanted = Wanted::Names(&rest);
        }
        // The events' fields are made on all cores, then put in columns in row order.
        let made = ds.fields_of_many(&rows, wanted);
        for (r, fields) in made.into_iter().enumerate() {
            for (name, v) in fields {
                match columns.entry(name).or_insert_with(|| Extracted::Values(vec![Value::Null; rows.len()])) {
                    Extracted::Values(values) => values[r] = v,
                    Extracted::Coded(..) => unreachable!("a field read from the shared columns is not extracted"),
                }
            }
        }
        self.set_extracted(columns, &rows);
    }

    fn set_extracted(&mut self, columns: IndexMap<String, Extracted>, rows: &[usize]) {
        for (name, made) in columns {
            // A field no remaining event has does not become a column.
            match made {
                Extracted::Values(values) => {
                    if values.iter().any(|v| !v.is_null()) {
                        self.set(&name, &values);
                    }
                }
                Extracted::Coded(col) => self.add_coded(name, col, rows),
            }
        }
    }

    /// Adds a field whose values are the dataset's shared column's for the rows' events
    /// (`rows`, in row order), read from there ([`Frame::coded`]); none when no row has it.
    fn add_coded(&mut self, name: String, col: Arc<CachedColumn>, rows: &[usize]) {
        self.known.insert(name.clone());
        if !rows.iter().any(|&e| !col.get(e).is_null()) {
            return;
        }
        let place = Column::full_null(name.as_str().into(), self.height(), &DataType::String);
        self.df.with_column(place).expect("a column of the frame's height");
        self.coded.insert(name.clone(), col);
    }

    /// Drops every field that no row has (it stays known: it is not looked for again).
    /// After the first search: the fields of the events it keeps are those some kept
    /// event has, whichever events it looked at to find them.
    pub fn drop_absent(&mut self) {
        let rows = if self.coded.is_empty() { Arc::default() } else { self.event_indices() };
        let absent: Vec<String> = self
            .names()
            .into_iter()
            .filter(|n| match self.coded.contains_key(n) {
                true => !rows.iter().any(|&e| !self.coded[n].get(e).is_null()),
                false => self.df.column(n).is_ok_and(|c| c.null_count() == c.len()),
            })
            .collect();
        for name in absent {
            let _ = self.df.drop_in_place(&name);
            self.coded.remove(&name);
            self.known.insert(name);
        }
    }

    /// The events the rows come from, in row order, while rows are events.
    pub fn events(&self) -> Option<Vec<usize>> {
        self.events.map(|_| self.event_indices().to_vec())
    }

    fn event_indices(&self) -> Arc<Vec<usize>> {
        let rows = self.rows.get_or_init(|| {
            Arc::new(match self.df.column(EVENT).and_then(|c| c.idx().cloned()) {
                Ok(ca) => ca.into_no_null_iter().map(|i| i as usize).collect(),
                Err(_) => Vec::new(),
            })
        });
        Arc::clone(rows)
    }

    /// The rows changed (filtered, reordered, sliced, the event column gone): their events
    /// are read again.
    fn rows_changed(&mut self) {
        self.rows = OnceLock::new();
    }

    /// From here on rows are no longer events: fields not in the frame do not exist. Fields
    /// read from the shared columns still are, by each row's event (the hidden event
    /// column stays while they do).
    pub fn detach(&mut self) {
        if self.events.take().is_some() && self.coded.is_empty() {
            let _ = self.df.drop_in_place(EVENT);
            self.rows_changed();
        }
        self.complete = true;
    }

    /// A field's values, one per row (null where absent), without copying them when they
    /// are the dataset's shared column's.
    pub fn read(&self, name: &str) -> FieldValues {
        match self.shared(name) {
            Some((col, events)) => FieldValues::Coded { col: Arc::clone(col), events },
            None => FieldValues::Owned(self.values(name)),
        }
    }

    /// The dataset's shared column a field's values are read from, and each row's event,
    /// when they are (see [`Frame::read`]).
    pub fn shared(&self, name: &str) -> Option<(&Arc<CachedColumn>, Arc<Vec<usize>>)> {
        self.coded.get(name).map(|col| (col, self.event_indices()))
    }

    /// A field's cells as text (`None` where absent), when its column holds single
    /// strings; `None` for a column of lists, a field no row has, or one read from the
    /// shared columns ([`Frame::read`] reads those).
    pub fn text_cells(&self, name: &str) -> Option<impl Iterator<Item = Option<&str>> + '_> {
        if name == EVENT || self.coded.contains_key(name) {
            return None;
        }
        Some(self.df.column(name).ok()?.str().ok()?.iter())
    }

    /// A field's cells as codes, when each row has at most one value ([`RowCodes`]): the
    /// shared column's codes for a field read from there, codes given to the text of a
    /// column of strings; `None` for a column of lists, or a shared column whose
    /// dictionary holds a multivalue.
    pub fn row_codes(&self, name: &str) -> Option<RowCodes<'_>> {
        if let Some((col, events)) = self.shared(name) {
            return RowCodes::shared(col, events);
        }
        if !self.has(name) {
            return Some(RowCodes::interned(std::iter::repeat_n(None, self.height())));
        }
        self.text_cells(name).map(RowCodes::interned)
    }

    /// Results that are not events, one for each of `rows` (rows of this frame, in that
    /// order): first the `fields`, each holding what those rows hold, then `columns`. A
    /// field read from the shared columns stays read from there (by the rows' events); a
    /// column's cells are taken, their text shared rather than copied. So a `stats` keeps
    /// no copy of its groups' by-values. Names are distinct.
    pub fn with_rows_of(&self, rows: &[usize], fields: &[String], columns: Vec<Column>) -> Frame<'d> {
        let height = rows.len();
        let mut cols: Vec<Column> = Vec::with_capacity(fields.len() + columns.len() + 1);
        let mut coded = HashMap::new();
        if fields.iter().any(|n| self.coded.contains_key(n)) {
            let events = self.event_indices();
            let idx: Vec<IdxSize> = rows.iter().map(|&r| events[r] as IdxSize).collect();
            cols.push(IdxCa::from_vec(EVENT.into(), idx).into_series().into_column());
        }
        let at = IdxCa::from_vec("at".into(), rows.iter().map(|&r| r as IdxSize).collect());
        for n in fields {
            if let Some(col) = self.coded.get(n) {
                coded.insert(n.clone(), Arc::clone(col));
                cols.push(Column::full_null(n.as_str().into(), height, &DataType::String));
                continue;
            }
            match self.df.column(n) {
                Ok(c) if n != EVENT => cols.push(c.take(&at).expect("rows within the frame")),
                _ => cols.push(Column::full_null(n.as_str().into(), height, &DataType::String)),
            }
        }
        cols.extend(columns);
        let df = DataFrame::new(height, cols).expect("columns of the given height");
        Frame { df, events: None, known: BTreeSet::new(), complete: true, coded, rows: OnceLock::new() }
    }

    /// A field's values, one per row (null where absent).
    pub fn values(&self, name: &str) -> Vec<Value> {
        if let Some((col, events)) = self.shared(name) {
            return events.iter().map(|&e| col.get(e).clone()).collect();
        }
        match self.df.column(name) {
            Ok(c) if name != EVENT => from_column(c, self.height()),
            _ => vec![Value::Null; self.height()],
        }
    }

    /// Sets (adds or replaces) a field. A column of nulls removes the field.
    pub fn set(&mut self, name: &str, values: &[Value]) {
        debug_assert_eq!(values.len(), self.height());
        self.put(name, to_column(name, values));
    }

    /// [`Frame::set`] from text cells (`None` where absent), with no `Value` per cell.
    pub fn set_text<'a>(&mut self, name: &str, cells: impl Iterator<Item = Option<&'a str>>) {
        self.put(name, StringChunked::from_iter_options(name.into(), cells).into_series().into_column());
    }

    /// Sets a field to a column of the frame's height (the one way [`Frame::set`] and
    /// [`Frame::set_text`] put a field).
    fn put(&mut self, name: &str, column: Column) {
        debug_assert_eq!(column.len(), self.height());
        self.known.insert(name.to_string());
        self.coded.remove(name);
        // A field no result has is not a field; but with no results at all, a command's
        // output fields stay (a header of an empty table).
        if self.height() > 0 && column.null_count() == column.len() {
            let _ = self.df.drop_in_place(name);
            return;
        }
        self.df.with_column(column).expect("a column of the frame's height");
    }

    /// Renames a field where it stands (its column keeps its place); a field already
    /// called `to` is replaced. Neither name is extracted again.
    pub fn rename(&mut self, from: &str, to: &str) {
        self.known.insert(from.to_string());
        self.known.insert(to.to_string());
        if from == to || !self.has(from) {
            return;
        }
        self.coded.remove(to);
        if let Some(col) = self.coded.remove(from) {
            self.coded.insert(to.to_string(), col);
        }
        let _ = self.df.drop_in_place(to);
        self.df.rename(from, to.into()).expect("the field is in the frame");
    }

    /// Removes a field; it is not extracted again.
    pub fn remove(&mut self, name: &str) {
        self.known.insert(name.to_string());
        self.coded.remove(name);
        let _ = self.df.drop_in_place(name);
    }

    /// Keeps the rows where `keep` is true.
    pub fn filter(&mut self, keep: &[bool]) {
        let mask = BooleanChunked::from_slice("keep".into(), keep);
        self.df = self.df.filter(&mask).expect("a mask of the frame's height");
        self.rows_changed();
    }

    /// The rows at `indices`, in that order (indices may repeat).
    pub fn take(&mut self, indices: &[usize]) {
        let idx = IdxCa::from_vec("take".into(), indices.iter().map(|&i| i as IdxSize).collect());
        self.df = self.df.take(&idx).expect("indices within the frame");
        self.rows_changed();
    }

    /// A frame of the rows at `rows` (rows of this one, in that order), still the same
    /// events: fields made for it are made for those rows' events alone.
    pub fn subset(&self, rows: &[usize]) -> Frame<'d> {
        let idx = IdxCa::from_vec("take".into(), rows.iter().map(|&i| i as IdxSize).collect());
        Frame {
            df: self.df.take(&idx).expect("rows within the frame"),
            events: self.events,
            known: self.known.clone(),
            complete: self.complete,
            coded: self.coded.clone(),
            rows: OnceLock::new(),
        }
    }

    /// Rows `offset..offset+len`.
    pub fn slice(&mut self, offset: usize, len: usize) {
        self.df = self.df.slice(offset as i64, len);
        self.rows_changed();
    }

    /// Keeps only the named fields, in that order; a name no row has becomes an empty
    /// column (`table` shows it).
    pub fn select(&mut self, names: &[String]) {
        self.coded.retain(|n, _| names.contains(n));
        let height = self.height();
        let mut cols: Vec<Column> = Vec::new();
        if !self.coded.is_empty() || self.events.is_some() {
            cols.extend(self.df.column(EVENT).ok().cloned());
        }
        for n in names {
            match self.df.column(n) {
                Ok(c) if n != EVENT => cols.push(c.clone()),
                _ => cols.push(Column::full_null(n.as_str().into(), height, &DataType::String)),
            }
        }
        self.df = DataFrame::new(height, cols).expect("columns of the frame");
        self.rows_changed();
    }

    /// The named fields as values, for row-by-row evaluation.
    pub fn columns(&self, names: &BTreeSet<String>) -> Columns {
        let mut out = Columns::default();
        for n in names {
            if self.has(n) {
                out.push(n.clone(), self.read(n));
            }
        }
        out
    }

    /// Every present field as values.
    pub fn all_columns(&self) -> Columns {
        let mut out = Columns::default();
        for n in self.names() {
            let v = self.read(&n);
            out.push(n, v);
        }
        out
    }
}

/// Values to a polars column: `String` when every row has at most one value, else
/// `List(String)`.
pub fn to_column(name: &str, values: &[Value]) -> Column {
    to_column_as(name, values, false)
}

/// [`to_column`], a `List(String)` column also when `list` says so.
pub fn to_column_as(name: &str, values: &[Value], list: bool) -> Column {
    column_of(name, values.iter(), list)
}

/// A shared column's values for some events (`rows`), as [`to_column`] makes them from the
/// values (no `Value` copied on the way); `None` when none of those events has the field.
pub fn coded_column(name: &str, col: &CachedColumn, rows: &[usize]) -> Option<Column> {
    // The rows' codes, read once (the code width matched once, not per row); a dictionary
    // without a multivalue needs no look at the values to know the column is not a list.
    let codes = col.codes.gather(rows);
    if !codes.iter().any(|&c| c != 0 && !col.dict[c as usize - 1].is_null()) {
        return None;
    }
    let list = col.dict.iter().any(|v| matches!(v, Value::Multi(_)))
        && codes.iter().any(|&c| c != 0 && matches!(col.dict[c as usize - 1], Value::Multi(_)));
    if list || col.dict.len() > rows.len() {
        const NULL: Value = Value::Null;
        let values = codes.iter().map(|&c| c.checked_sub(1).map_or(&NULL, |k| &col.dict[k as usize]));
        return Some(column_of(name, values, list));
    }
    // The dictionary as a string array, gathered by code: each row gets a view of its
    // value's bytes (16 bytes), the bytes themselves shared, not copied once per row.
    let dict = StringChunked::from_iter_options(
        name.into(),
        col.dict.iter().map(|v| match v {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }),
    );
    let at = IdxCa::from_iter_options("at".into(), codes.iter().map(|&c| c.checked_sub(1).map(|k| k as IdxSize)));
    Some(dict.take(&at).expect("codes within the dictionary").into_series().into_column())
}

/// Values to a polars column: `List(String)` when `list` says so or any row has several
/// values, else `String`.
fn column_of<'v>(name: &str, values: impl Iterator<Item = &'v Value> + Clone, list: bool) -> Column {
    if list || values.clone().any(|v| matches!(v, Value::Multi(_))) {
        let len = values.clone().count();
        let cap = values.clone().map(|v| v.values().len()).sum();
        let mut b = ListStringChunkedBuilder::new(name.into(), len, cap);
        for v in values {
            match v {
                Value::Null => b.append_null(),
                _ => b.append_values_iter(v.values().iter().map(String::as_str)),
            }
        }
        b.finish().into_series().into_column()
    } else {
        let it = values.map(|v| match v {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        });
        StringChunked::from_iter_options(name.into(), it).into_series().into_column()
    }
}

/// A polars column back to values.
pub fn from_column(c: &Column, height: usize) -> Vec<Value> {
    if let Ok(ca) = c.str() {
        return ca.iter().map(|o| o.map_or(Value::Null, |s| Value::Str(s.to_string()))).collect();
    }
    if let Ok(ca) = c.list() {
        if ca.is_empty() {
            return Vec::new();
        }
        return ca
            .amortized_iter()
            .map(|o| match o {
                None => Value::Null,
                Some(s) => match s.as_ref().str() {
                    Ok(inner) => Value::from_values(inner.iter().flatten().map(str::to_string).collect()),
                    Err(_) => Value::Null,
                },
            })
            .collect();
    }
    vec![Value::Null; height]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    /// A column made from a shared column's codes is the column made from its values, for
    /// any choice of rows: the same type (list when a chosen row has several values), the
    /// same cells; none when no chosen row has the field.
    #[test]
    fn coded_columns_equal_columns_made_from_values() {
        // The column made from `col`'s codes for `rows` is the one made from their values.
        fn same_as_made(values: &[Value], col: &CachedColumn, rows: &[usize]) {
            let picked: Vec<Value> = rows.iter().map(|&r| values[r].clone()).collect();
            let coded = coded_column("f", col, rows).expect("a row has the field");
            let made = to_column("f", &picked);
            assert_eq!(coded.dtype(), made.dtype(), "{rows:?}");
            assert_eq!(from_column(&coded, rows.len()), picked, "{rows:?}");
            assert!(coded.as_materialized_series().equals_missing(made.as_materialized_series()), "{rows:?}");
        }
        let values =
            vec![s("a"), Value::Null, s("b"), Value::from_values(vec!["x".into(), "y".into()]), s("a"), Value::Null];
        let col = CachedColumn::from_values(&values);
        assert_eq!(col.dict.len(), 3, "distinct values coded once");
        for rows in [vec![0, 1, 2, 3, 4, 5], vec![4, 0, 2], vec![3], vec![5, 3, 0], vec![2, 2, 0]] {
            same_as_made(&values, &col, &rows);
        }
        assert!(coded_column("f", &col, &[1, 5]).is_none());
        assert!(coded_column("f", &col, &[]).is_none());
        // Strings only: gathered from the dictionary when it is no longer than the rows,
        // made cell by cell otherwise; the same column either way.
        let long = "a value longer than a view's twelve inline bytes";
        let values: Vec<Value> =
            (0..40).map(|k| if k % 7 == 0 { Value::Null } else { s(&format!("{long} {}", k % 5)) }).collect();
        let col = CachedColumn::from_values(&values);
        for rows in [(0..40).collect::<Vec<_>>(), vec![39, 1, 1, 2, 3, 4, 5, 6, 0], vec![8, 9], vec![0, 7, 3]] {
            same_as_made(&values, &col, &rows);
        }
        // A null in the dictionary (a cache file may hold one) is an absent value.
        let col = CachedColumn {
            dict: Arc::new(vec![Value::Null, s("x")]),
            codes: Codes::U8(vec![1, 2, 1, 0]),
            made: None,
            ascending: Default::default(),
        };
        assert!(coded_column("f", &col, &[0, 2, 3]).is_none());
        let values = [Value::Null, s("x"), Value::Null, Value::Null];
        same_as_made(&values, &col, &[0, 1, 2, 3]);
    }

    fn dataset() -> Dataset {
        let events = (0..300)
            .map(|k| {
                let line = format!(
                    r#"{{"eventTime":"2025-01-01T00:{:02}:{:02}Z","eventName":"{}","tags":["a","b{}"]}}"#,
                    k / 60,
                    k % 60,
                    ["GetObject", "PutObject", "DeleteBucket"][k % 3],
                    k % 2
                );
                crate::events::Event::new(line.as_str(), crate::events::Meta::default())
            })
            .collect();
        Dataset::new(events, &crate::knowledge::builtin(), crate::eval::Context { now: 1_750_000_000.0 }).unwrap()
    }

    fn read_all(f: &Frame, name: &str) -> (bool, Vec<Value>) {
        let r = f.read(name);
        (matches!(r, FieldValues::Coded { .. }), (0..r.len()).map(|i| r.get(i).clone()).collect())
    }

    /// A field taken from the shared columns is read from there, by each row's event, for
    /// as long as the frame has not changed it: always what `values` gives.
    #[test]
    fn fields_from_shared_columns_are_read_in_place_until_changed() {
        let ds = dataset();
        let names: BTreeSet<String> = ["eventName", "tags{}"].iter().map(|s| s.to_string()).collect();
        ds.prefetch(&names);
        let order = ds.newest_first();
        let mut f = Frame::from_events(&ds, &order);
        f.ensure(&names);
        for n in &names {
            let (coded, values) = read_all(&f, n);
            assert!(coded, "{n} is read in place");
            assert_eq!(values, f.values(n), "{n}");
        }
        // Rows filtered, reordered, sliced: still each row's own value, read after each
        // step (the rows' events are read anew after each).
        let column = ds.cached("eventName").unwrap();
        let check = |f: &Frame, events: &[usize]| {
            let (coded, values) = read_all(f, "eventName");
            assert!(coded);
            assert_eq!(values, f.values("eventName"));
            assert_eq!(values, events.iter().map(|&e| column.get(e).clone()).collect::<Vec<_>>());
            assert_eq!(f.events().as_deref(), Some(events));
        };
        check(&f, &order);
        let keep: Vec<bool> = (0..f.height()).map(|i| i % 3 != 1).collect();
        f.filter(&keep);
        let kept: Vec<usize> = order.iter().enumerate().filter(|(i, _)| i % 3 != 1).map(|(_, &e)| e).collect();
        check(&f, &kept);
        f.take(&(0..f.height()).rev().collect::<Vec<_>>());
        let turned: Vec<usize> = kept.into_iter().rev().collect();
        check(&f, &turned);
        f.slice(5, 100);
        check(&f, &turned[5..105]);
        // Changed: read as the frame holds it.
        f.set("eventName", &vec![Value::Str("x".into()); f.height()]);
        assert_eq!(read_all(&f, "eventName"), (false, vec![Value::Str("x".into()); 100]));
        // Renamed: the same values, still read in place.
        let before = f.values("tags{}");
        f.rename("tags{}", "labels");
        let (coded, values) = read_all(&f, "labels");
        assert!(coded);
        assert_eq!(values, before);
        assert_eq!(values, f.values("labels"));
        assert!(values.iter().all(|v| matches!(v, Value::Multi(_))));
        assert!(!f.has("tags{}"));
        // Still read in place when rows are no longer events (`table`), in their places
        // among the fields, whichever fields are kept.
        let mut g = Frame::from_events(&ds, &order);
        g.ensure(&names);
        assert!(g.text_cells("eventName").is_none(), "not copied into the frame");
        let before: Vec<Vec<Value>> = names.iter().map(|n| g.values(n)).collect();
        let names_before = g.names();
        g.detach();
        assert!(!g.is_events());
        assert_eq!(g.names(), names_before);
        assert_eq!(names.iter().map(|n| g.values(n)).collect::<Vec<_>>(), before);
        assert!(read_all(&g, "eventName").0);
        g.select(&["tags{}".to_string(), "other".to_string()]);
        assert_eq!(g.names(), ["tags{}", "other"]);
        assert_eq!(read_all(&g, "tags{}"), (true, before[1].clone()));
        assert_eq!(read_all(&g, "other"), (false, vec![Value::Null; order.len()]));
        assert!(!g.has("eventName"));
        g.remove("tags{}");
        assert_eq!(read_all(&g, "tags{}"), (false, vec![Value::Null; order.len()]));
    }

    /// New rows made of some rows' values (a `stats` group's by-values are its first row's)
    /// hold those rows' values, in the order given, for fields read from the shared columns
    /// (still read from there), fields held as text, and fields no row has; the columns
    /// given follow.
    #[test]
    fn rows_made_of_some_rows_hold_their_values() {
        let ds = dataset();
        let names: BTreeSet<String> = ["eventName", "tags{}"].iter().map(|s| s.to_string()).collect();
        ds.prefetch(&names);
        let mut f = Frame::from_events(&ds, &ds.newest_first());
        f.ensure(&names);
        let text: Vec<Option<String>> = (0..f.height()).map(|r| (r % 3 != 0).then(|| format!("t{}", r % 9))).collect();
        f.set_text("t", text.iter().map(Option::as_deref));
        f.filter(&(0..f.height()).map(|r| r % 2 == 1).collect::<Vec<_>>());
        let rows = [5, 0, 5, 17, 4];
        let fields: Vec<String> = ["eventName", "t", "tags{}", "absent"].iter().map(|s| s.to_string()).collect();
        let picked = |name: &str| rows.iter().map(|&r| f.values(name)[r].clone()).collect::<Vec<_>>();
        let count = to_column("c", &vec![Value::Str("1".into()); rows.len()]);
        let g = f.with_rows_of(&rows, &fields, vec![count]);
        assert!(!g.is_events());
        assert_eq!(g.names(), ["eventName", "t", "tags{}", "absent", "c"]);
        for name in ["eventName", "t", "tags{}", "absent"] {
            assert_eq!(g.values(name), picked(name), "{name}");
        }
        assert!(g.values("t").iter().any(Value::is_null) && g.values("t").iter().any(|v| !v.is_null()));
        assert!(read_all(&g, "eventName").0 && read_all(&g, "tags{}").0, "still read from the shared columns");
        assert!(!read_all(&g, "t").0);
        assert_eq!(g.values("c"), vec![Value::Str("1".into()); rows.len()]);
        // As results: the same values, those of shared fields still read from there.
        let mut g = g;
        let r = crate::engine::results(&mut g);
        assert_eq!(r.fields, g.names());
        for (name, column) in r.fields.iter().zip(&r.columns) {
            let want = if name == "c" { g.values("c") } else { picked(name) };
            assert_eq!(column.to_vec(), want, "{name}");
            let shared = matches!(column, crate::engine::ResultColumn::Shared { .. });
            assert_eq!(shared, name == "eventName" || name == "tags{}", "{name}");
        }
        // Text cells set with none present remove the field.
        g.set_text("t", std::iter::repeat_n(None, rows.len()));
        assert!(!g.has("t"));
    }
}
