//! `stats`, `eventstats` and `streamstats` (docs/spl-semantics.md 4.1, 4.3, 4.4): groups
//! by the by-fields, then the functions of `aggregate.rs` over each group.

use std::collections::BTreeSet;
use std::sync::Arc;

use indexmap::IndexMap;

use super::{bool_option, count_option, known_options, Cx};
use crate::engine::aggregate::{aggregate, Func, Group};
use crate::engine::groups;
use crate::engine::EngineError;
use crate::eval::eval;
use crate::eval::search::{glob_captures, glob_fill};
use crate::eval::value::parse_number;
use crate::events::Value;
use crate::frame::{to_column, FieldValues, Frame, RowCodes};
use crate::syntax::fields::{aggregation_name, deferred_aggregations, expr_fields};
use crate::syntax::{AggArg, Aggregation, CmdOption, Expr, Stats};

/// One output column: its name, the function, and what it reads per result.
pub(super) struct Planned {
    pub(super) name: String,
    pub(super) func: Func,
    has_arg: bool,
    input: FieldValues,
    /// For `min` and `max` over a shared column of single values, each dictionary value's
    /// number, parsed once ([`numbers_of`]).
    numbers: Option<Arc<Vec<Option<f64>>>>,
    /// For `min` and `max` over a shared column whose codes ascend with its values'
    /// numbers (`_time`'s): the least or greatest code is the answer.
    ascending: bool,
    /// For `dc`, `values`, `min` and `max` over a shared column and many rows, each row's
    /// code, read once in row order ([`Made::codes`]).
    codes: Option<Arc<Vec<u32>>>,
}

/// What one `stats`'s aggregations over the same shared column share: each value's number
/// (`min(_time)` and `max(_time)` read one column), and each row's code.
#[derive(Default)]
struct Made {
    numbers: Vec<(Arc<Col>, Parsed)>,
    codes: Vec<Gathered>,
}

type Col = crate::frame::CachedColumn;
/// A column's values' numbers ([`numbers_of`]).
type Parsed = Option<Arc<Vec<Option<f64>>>>;
/// A column, the rows' events, and each row's code.
type Gathered = (Arc<Col>, Arc<Vec<usize>>, Arc<Vec<u32>>);

/// From this many rows, an aggregation over a shared column reads each row's code once, in
/// row order ([`Made::codes`]).
const GATHER_ROWS: usize = 1 << 14;

impl Made {
    /// The code of each of `events` in `col`, read once for every aggregation of the
    /// `stats` over that column. A group's rows lie all over the events: read through
    /// each row's event, group by group, nearly every code missed the processor's cache
    /// (most of a broad detection's `stats`); in row order, the events are read in order.
    fn codes(&mut self, col: &Arc<Col>, events: &Arc<Vec<usize>>) -> Arc<Vec<u32>> {
        let same = |(c, e, _): &&(_, _, _)| Arc::ptr_eq(c, col) && Arc::ptr_eq(e, events);
        if let Some((_, _, codes)) = self.codes.iter().find(same) {
            return Arc::clone(codes);
        }
        let codes = Arc::new(events.iter().map(|&e| col.codes.get(e)).collect::<Vec<u32>>());
        self.codes.push((Arc::clone(col), Arc::clone(events), Arc::clone(&codes)));
        codes
    }
}

impl Planned {
    fn new(name: String, func: Func, has_arg: bool, input: FieldValues, made: &mut Made) -> Planned {
        let codes = match &input {
            FieldValues::Coded { col, events }
                if has_arg
                    && matches!(func, Func::Dc | Func::Values | Func::Min | Func::Max)
                    && events.len() >= GATHER_ROWS =>
            {
                Some(made.codes(col, events))
            }
            _ => None,
        };
        let made = &mut made.numbers;
        let ascending = matches!(&input, FieldValues::Coded { col, .. } if col.ascending.0)
            && has_arg
            && matches!(func, Func::Min | Func::Max);
        let numbers = match &input {
            // Its codes are in order: nothing to parse.
            _ if ascending => None,
            // Not for a few rows of a big dictionary (a narrow search's, over a column made
            // for every event): parsing every value would cost more than its rows'.
            FieldValues::Coded { col, events }
                if has_arg && matches!(func, Func::Min | Func::Max) && 2 * events.len() >= col.dict.len() =>
            {
                match made.iter().find(|(c, _)| Arc::ptr_eq(c, col)) {
                    Some((_, numbers)) => numbers.clone(),
                    None => {
                        let numbers = numbers_of(&col.dict).map(Arc::new);
                        made.push((Arc::clone(col), numbers.clone()));
                        numbers
                    }
                }
            }
            _ => None,
        };
        Planned { name, func, has_arg, input, numbers, ascending, codes }
    }

    /// Row `r`'s code, when the input is a shared column.
    fn code(&self, r: usize) -> Option<u32> {
        match (&self.codes, &self.input) {
            (Some(codes), _) => Some(codes[r]),
            (None, FieldValues::Coded { col, events }) => Some(col.codes.get(events[r])),
            (None, FieldValues::Owned(_)) => None,
        }
    }
}

/// Each value's number (`None`: not a number), on all cores, when every value is a single
/// string. `min(_time)` over half a million results parsed each result's timestamp, read
/// at random from the dictionary: half of a broad detection's `stats`.
fn numbers_of(dict: &[Value]) -> Option<Vec<Option<f64>>> {
    let cores = crate::work::cores();
    let per = dict.len().div_ceil(cores * 4).max(1 << 14);
    let pieces: Vec<&[Value]> = dict.chunks(per).collect();
    let parsed = crate::work::map_in_turn(cores, pieces.len(), |k| {
        pieces[k]
            .iter()
            .map(|v| match v {
                Value::Str(s) => Some(parse_number(s)),
                _ => None,
            })
            .collect::<Option<Vec<Option<f64>>>>()
    });
    parsed.into_iter().collect::<Option<Vec<_>>>().map(|p| p.concat())
}

/// Resolves each aggregation (wildcard arguments expand over the present fields) and
/// computes its argument for every row.
pub(super) fn plan(f: &mut Frame, aggs: &[Aggregation], by: &[String], cx: &Cx) -> Result<Vec<Planned>, EngineError> {
    let mut out: Vec<Planned> = Vec::new();
    let mut numbers = Made::default();
    for a in aggs {
        let func = Func::from_name(&a.func).ok_or_else(|| {
            EngineError::new(
                "spelunk::unsupported",
                format!("`{}` is not a stats function spelunk knows", a.func),
                a.span,
                "unknown function",
            )
        })?;
        let alias = a.alias.as_ref().map(|i| i.name.clone());
        match &a.arg {
            None => {
                if func != Func::Count {
                    return Err(EngineError::new(
                        "spelunk::stats",
                        format!("`{}` needs a field: `{}(field)`", a.func, a.func),
                        a.span,
                        "no field",
                    ));
                }
                let name = alias.unwrap_or_else(|| a.func.clone());
                out.push(Planned::new(name, func, false, FieldValues::Owned(Vec::new()), &mut numbers));
            }
            Some(AggArg::Field(field)) if field.name.contains('*') => {
                f.ensure_all();
                for present in f.names() {
                    if by.contains(&present) {
                        continue;
                    }
                    let Some(caps) = glob_captures(&field.name, &present) else { continue };
                    let name = match &alias {
                        Some(pattern) => glob_fill(pattern, caps),
                        None => format!("{}({present})", a.func),
                    };
                    out.push(Planned::new(name, func, true, f.read(&present), &mut numbers));
                }
            }
            Some(AggArg::Field(field)) => {
                f.ensure(&BTreeSet::from([field.name.clone()]));
                let name = aggregation_name(a).expect("a named field without a wildcard");
                out.push(Planned::new(name, func, true, f.read(&field.name), &mut numbers));
            }
            Some(AggArg::Eval(e)) => {
                let Some(name) = alias else {
                    return Err(EngineError::new(
                        "spelunk::stats",
                        "an eval() aggregation needs a name: add `as <name>`",
                        a.span,
                        "no `as`",
                    ));
                };
                let mut names = BTreeSet::new();
                expr_fields(e, &mut names);
                f.ensure(&names);
                let cols = f.columns(&names);
                let mut input = Vec::with_capacity(f.height());
                for i in 0..f.height() {
                    // A true condition counts (`count(eval(x="y"))`); false and null do not.
                    let v = match eval(e, &cols.row(i), &cx.ctx).map_err(super::eval_error)? {
                        crate::eval::EvalValue::Bool(true) => Value::Str("1".into()),
                        crate::eval::EvalValue::Bool(false) => Value::Null,
                        other => other.into_field().unwrap_or(Value::Null),
                    };
                    input.push(v);
                }
                out.push(Planned::new(name, func, true, FieldValues::Owned(input), &mut numbers));
            }
        }
    }
    Ok(out)
}

/// Each row's `_time`, when some function needs it.
pub(super) fn times(f: &mut Frame, planned: &[Planned]) -> Vec<Option<f64>> {
    if !planned.iter().any(|p| p.func.needs_time()) {
        return Vec::new();
    }
    f.ensure(&BTreeSet::from(["_time".to_string()]));
    let time = f.read("_time");
    (0..time.len()).map(|i| time.get(i).values().first().and_then(|s| parse_number(s))).collect()
}

/// The by-fields' values per row, to group by ([`groups::by_values`]).
fn by_values(f: &mut Frame, by: &[String]) -> Vec<FieldValues> {
    f.ensure(&by.iter().cloned().collect());
    by.iter().map(|b| f.read(b)).collect()
}

pub(super) fn compute(p: &Planned, rows: &[usize], times: &[Option<f64>]) -> Value {
    // `dc` and `values` depend only on which values the rows have: over a shared column,
    // each distinct value once (found by its code), not every row's text sorted.
    if p.has_arg && matches!(p.func, Func::Dc | Func::Values) {
        if let Some(distinct) = p.input.distinct_of_codes(rows.iter().filter_map(|&r| p.code(r))) {
            let g =
                Group { values: distinct.iter().map(|v| v.values()).collect(), times: Vec::new(), rows: rows.len() };
            return aggregate(p.func, &g, true);
        }
    }
    // `min` and `max` over a shared column whose codes ascend with its numbers: the least
    // or greatest code.
    if let (true, FieldValues::Coded { col, .. }) = (p.ascending, &p.input) {
        let codes = rows.iter().filter_map(|&r| p.code(r)).filter(|&c| c != 0);
        let best = if p.func == Func::Min { codes.min() } else { codes.max() };
        return best.map_or(Value::Null, |c| col.dict[c as usize - 1].clone());
    }
    // `min` and `max` over a shared column: each value's number parsed once, not per row.
    if let (Some(numbers), FieldValues::Coded { col, .. }) = (&p.numbers, &p.input) {
        let codes = rows.iter().filter_map(|&r| p.code(r)).filter(|&c| c != 0);
        // A value's text is read only to order two values that are not numbers.
        let text = |c: u32| {
            let Value::Str(s) = &col.dict[c as usize - 1] else { unreachable!("numbers_of: single strings only") };
            s
        };
        let best = crate::engine::aggregate::min_max_by(p.func, codes, |c| numbers[c as usize - 1], text);
        return best.map_or(Value::Null, |c| Value::Str(text(c).clone()));
    }
    let g = Group {
        values: if p.has_arg { rows.iter().map(|&r| p.input.get(r).values()).collect() } else { Vec::new() },
        times: if times.is_empty() { Vec::new() } else { rows.iter().map(|&r| times[r]).collect() },
        rows: rows.len(),
    };
    aggregate(p.func, &g, p.has_arg)
}

/// Results over this many rows have their groups' aggregates made on all cores.
const PARALLEL_ROWS: usize = 1 << 17;

/// Pieces of work per core in [`on_all_cores`]: the cores take them as they finish.
const PIECES_PER_CORE: usize = 4;

/// The `width` aggregates of the groups (`sizes[g]`: group `g`'s rows; `each(g, k)`: its
/// `k`th aggregate), per aggregation in group order. Over [`PARALLEL_ROWS`] rows or more,
/// on all cores: the work is cut into pieces, each an aggregation over a run of the groups
/// holding about the same number of rows, and each core takes the next piece as it
/// finishes. A broad search's `stats` over half a million results was most of its
/// detection's time on one core while the other waited; with a run of the groups per core,
/// one core still did most of it when a few groups held most of the rows.
fn on_all_cores(sizes: &[usize], width: usize, each: impl Fn(usize, usize) -> Value + Sync) -> Vec<Vec<Value>> {
    let groups = sizes.len();
    let rows: usize = sizes.iter().sum();
    let cores = crate::work::cores();
    if rows < PARALLEL_ROWS || cores == 1 || width == 0 || groups == 0 {
        // A column per aggregation (not a vector per group: over 10 GB a `stats` made
        // 2.6 million groups).
        return (0..width).map(|k| (0..groups).map(|g| each(g, k)).collect()).collect();
    }
    let runs = group_runs(sizes, (cores * PIECES_PER_CORE).div_ceil(width));
    let pieces: Vec<(usize, std::ops::Range<usize>)> =
        (0..width).flat_map(|k| runs.iter().map(move |r| (k, r.clone()))).collect();
    let made = crate::work::map_in_turn(cores, pieces.len(), |n| {
        let (k, run) = &pieces[n];
        run.clone().map(|g| each(g, *k)).collect::<Vec<Value>>()
    });
    // Pieces are numbered aggregation by aggregation, runs in group order.
    let mut out: Vec<Vec<Value>> = (0..width).map(|_| Vec::with_capacity(groups)).collect();
    for (n, values) in made.into_iter().enumerate() {
        out[n / runs.len()].extend(values);
    }
    out
}

/// The groups cut into at most `count` runs (at least one group each) of about the same
/// number of rows; every group is in one run, in order.
fn group_runs(sizes: &[usize], count: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = sizes.iter().sum();
    let per = total.div_ceil(count.max(1)).max(1);
    let mut runs = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (g, &n) in sizes.iter().enumerate() {
        held += n;
        if held >= per {
            runs.push(start..g + 1);
            (start, held) = (g + 1, 0);
        }
    }
    if start < sizes.len() {
        runs.push(start..sizes.len());
    }
    runs
}

fn options(s: &Stats, command: &str) -> Result<bool, EngineError> {
    let all: Vec<CmdOption> = s.options.iter().chain(&s.by_options).cloned().collect();
    known_options(&all, &["allnum", "delim", "partitions", "dedup_splitvals"], command)?;
    bool_option(&all, "dedup_splitvals", false)
}

/// `stats`: one row per group (one row in all without `by`), by-fields then aggregations.
pub fn stats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    stats_then_where(f, s, None, cx)
}

/// [`stats`]; when a `where` follows it (`then`), the aggregations that `where` does not
/// read ([`deferred_aggregations`]) are made only for the groups it will keep, and null for
/// the others, which it then drops as ever (it reads the same values, so it keeps the same
/// groups). A broad detection's `values(src)` over half a million events, whose
/// `where dc_events > 50` keeps few groups, reads `src` only for those groups' events.
pub fn stats_then_where(f: &mut Frame, s: &Stats, then: Option<&Expr>, cx: &Cx) -> Result<(), EngineError> {
    let dedup_splitvals = options(s, "stats")?;
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let deferred = then.map_or_else(|| vec![false; s.aggs.len()], |e| deferred_aggregations(s, e));
    let pick = |later: bool| s.aggs.iter().zip(&deferred).filter(move |(_, &d)| d == later).map(|(a, _)| a.clone());
    let (now, later): (Vec<Aggregation>, Vec<Aggregation>) = (pick(false).collect(), pick(true).collect());
    let planned = plan(f, &now, &by, cx)?;
    let times = times(f, &planned);
    f.ensure(&by.iter().cloned().collect());
    let limit = |groups: usize| {
        if groups <= cx.limits.max_rows {
            return Ok(());
        }
        Err(EngineError::new(
            "spelunk::limit",
            format!("`stats` would make {groups} rows, more than the limit of {}", cx.limits.max_rows),
            s.by.first().map_or(s.aggs[0].span, |i| i.span),
            "too many groups",
        ))
    };
    let distinct = by.iter().collect::<BTreeSet<_>>().len() == by.len();
    let named_twice = !distinct || planned.iter().any(|p| by.contains(&p.name));
    if !by.is_empty() && !named_twice {
        if let Some(groups) = keyed_groups(f, &by) {
            // A group's by-values are its first row's: the new rows are those rows' values
            // (not copied), then the aggregates, one column at a time.
            limit(groups.len())?;
            let sizes: Vec<usize> = (0..groups.len()).map(|g| groups.rows(g).len()).collect();
            let values = on_all_cores(&sizes, planned.len(), |g, k| compute(&planned[k], groups.rows(g), &times));
            let mut columns: Vec<_> =
                planned.iter().zip(values).map(|(p, values)| to_column(&p.name, &values)).collect();
            if let (Some(then), false) = (then, later.is_empty()) {
                let probe = f.with_rows_of(groups.first_rows(), &by, columns.clone());
                let made = deferred_values(f, &later, &by, then, probe, |g| groups.rows(g), groups.len(), cx)?;
                let made = made.into_iter().map(|(name, values)| to_column(&name, &values));
                columns = in_order(&deferred, columns.into_iter(), made);
            }
            *f = f.with_rows_of(groups.first_rows(), &by, columns);
            return Ok(());
        }
    }
    let cols = by_values(f, &by);
    let groups = if by.is_empty() {
        vec![(Vec::new(), (0..f.height()).collect())]
    } else {
        groups::by_values(&cols, f.height(), dedup_splitvals)
    };
    limit(groups.len())?;
    let height = groups.len();
    let mut aggregates: IndexMap<String, Vec<Value>> = IndexMap::new();
    for p in &planned {
        aggregates.insert(p.name.clone(), groups.iter().map(|(_, rows)| compute(p, rows, &times)).collect());
    }
    // The by-values go to their columns as the text they are (no value per cell).
    let text = || by.iter().enumerate().map(|(k, b)| (b.clone(), groups.iter().map(|(key, _)| key[k]).collect()));
    if let (Some(then), false) = (then, later.is_empty()) {
        // Deferred only when no name is given twice.
        let probe = Frame::from_text_and_columns(height, text().collect(), aggregates.clone());
        let made = deferred_values(f, &later, &by, then, probe, |g| groups[g].1.as_slice(), height, cx)?;
        aggregates = in_order(&deferred, std::mem::take(&mut aggregates).into_iter(), made.into_iter());
    }
    let frame = if !named_twice {
        Frame::from_text_and_columns(height, text().collect(), aggregates)
    } else {
        // A name given twice: the later column takes the earlier one's place.
        let mut columns: IndexMap<String, Vec<Value>> = IndexMap::new();
        for (k, b) in by.iter().enumerate() {
            columns.insert(b.clone(), groups.iter().map(|(key, _)| Value::Str(key[k].to_string())).collect());
        }
        columns.extend(aggregates);
        Frame::from_columns(height, columns)
    };
    drop(groups);
    drop(cols);
    *f = frame;
    Ok(())
}

/// The aggregations' results in the order they were written: `now`'s in the places
/// `deferred` says are not deferred, `later`'s in the others.
fn in_order<T, C: FromIterator<T>>(
    deferred: &[bool],
    mut now: impl Iterator<Item = T>,
    mut later: impl Iterator<Item = T>,
) -> C {
    deferred.iter().filter_map(|&d| if d { later.next() } else { now.next() }).collect()
}

/// The names and values of the deferred aggregations `aggs` of a `stats`
/// ([`stats_then_where`]), one vector of values per aggregation, in group order: made over the rows of the groups (`rows_of`) the
/// `where` `then` keeps when judged on `probe` (the results without them), null for the
/// others. A condition the `where` refuses is left for it to refuse: all are made.
#[allow(clippy::too_many_arguments)]
fn deferred_values<'r>(
    f: &Frame,
    aggs: &[Aggregation],
    by: &[String],
    then: &Expr,
    mut probe: Frame,
    rows_of: impl Fn(usize) -> &'r [usize],
    groups: usize,
    cx: &Cx,
) -> Result<Vec<(String, Vec<Value>)>, EngineError> {
    let keep = super::where_::kept(&mut probe, then, cx).unwrap_or_else(|_| vec![true; groups]);
    let kept: Vec<usize> = (0..groups).filter(|&g| keep[g]).collect();
    // The kept groups' rows, group after group, each group's in its order.
    let mut rows = Vec::new();
    let mut spans = Vec::with_capacity(kept.len());
    for &g in &kept {
        let r = rows_of(g);
        spans.push(rows.len()..rows.len() + r.len());
        rows.extend_from_slice(r);
    }
    let mut sub = f.subset(&rows);
    let planned = plan(&mut sub, aggs, by, cx)?;
    let times = times(&mut sub, &planned);
    let at: Vec<usize> = (0..rows.len()).collect();
    let sizes: Vec<usize> = spans.iter().map(|r| r.len()).collect();
    let made = on_all_cores(&sizes, planned.len(), |g, k| compute(&planned[k], &at[spans[g].clone()], &times));
    Ok(planned
        .into_iter()
        .zip(made)
        .map(|(p, values)| {
            let mut all = vec![Value::Null; groups];
            for (&g, v) in kept.iter().zip(values) {
                all[g] = v;
            }
            (p.name, all)
        })
        .collect())
}

/// The groups by codes ([`groups::keyed`]) when every by-field has at most one value per
/// row.
fn keyed_groups(f: &Frame, by: &[String]) -> Option<groups::Keyed> {
    let codes: Vec<RowCodes> = by.iter().map(|b| f.row_codes(b)).collect::<Option<_>>()?;
    Some(groups::keyed(&codes, f.height()))
}

/// `eventstats`: every row keeps its place and gains its group's aggregates; a row in no
/// group gains nothing.
pub fn eventstats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let dedup_splitvals = options(s, "eventstats")?;
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let planned = plan(f, &s.aggs, &by, cx)?;
    let times = times(f, &planned);
    f.ensure(&by.iter().cloned().collect());
    let keyed = if by.is_empty() { None } else { keyed_groups(f, &by) };
    let cols = if keyed.is_some() { Vec::new() } else { by_values(f, &by) };
    let by_value: Vec<(Vec<&str>, Vec<usize>)> = match (&keyed, by.is_empty()) {
        (Some(_), _) => Vec::new(),
        (None, true) => vec![(Vec::new(), (0..f.height()).collect())],
        (None, false) => groups::by_values(&cols, f.height(), dedup_splitvals),
    };
    let groups: Vec<&[usize]> = match &keyed {
        Some(k) => (0..k.len()).map(|g| k.rows(g)).collect(),
        None => by_value.iter().map(|(_, rows)| rows.as_slice()).collect(),
    };
    for p in &planned {
        let mut col = vec![Value::Null; f.height()];
        for rows in &groups {
            let v = compute(p, rows, &times);
            for &r in *rows {
                // A row in several groups (multivalue by-field) keeps the first group's value.
                if col[r].is_null() {
                    col[r] = v.clone();
                }
            }
        }
        f.set(&p.name, &col);
    }
    Ok(())
}

/// `streamstats [current=bool] [window=N]`: each row gains the aggregates of the rows of its
/// group up to it (including it unless `current=false`; only the last N with `window`).
pub fn streamstats(f: &mut Frame, s: &Stats, cx: &Cx) -> Result<(), EngineError> {
    let all: Vec<CmdOption> = s.options.iter().chain(&s.by_options).cloned().collect();
    known_options(&all, &["current", "window", "global"], "streamstats")?;
    let current = bool_option(&all, "current", true)?;
    let window = count_option(&all, "window")?.filter(|w| *w > 0).map(|w| w as usize);
    let by: Vec<String> = s.by.iter().map(|i| i.name.clone()).collect();
    let planned = plan(f, &s.aggs, &by, cx)?;
    let times = times(f, &planned);
    f.ensure(&by.iter().cloned().collect());
    let by_cols: Vec<Vec<Value>> = by.iter().map(|b| f.values(b)).collect();
    let mut seen: std::collections::HashMap<Vec<Vec<String>>, Vec<usize>> = std::collections::HashMap::new();
    let mut out: Vec<Vec<Value>> = vec![vec![Value::Null; f.height()]; planned.len()];
    for row in 0..f.height() {
        let key: Vec<Vec<String>> = by_cols.iter().map(|c| c[row].values().to_vec()).collect();
        if key.iter().any(Vec::is_empty) {
            continue;
        }
        let rows = seen.entry(key).or_default();
        if current {
            rows.push(row);
        }
        let start = window.map_or(0, |w| rows.len().saturating_sub(w));
        for (k, p) in planned.iter().enumerate() {
            out[k][row] = compute(p, &rows[start..], &times);
        }
        if !current {
            rows.push(row);
        }
    }
    for (p, col) in planned.iter().zip(out) {
        f.set(&p.name, &col);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `min` and `max` over a column whose codes ascend with its numbers (`_time`'s) take
    /// the least and greatest code: what they give over the same values copied out.
    #[test]
    fn min_and_max_over_an_ascending_column_are_those_over_its_values() {
        let dict: Vec<Value> = (0..50).map(|k| Value::Str((1_700_000_000 + 7 * k).to_string())).collect();
        let codes: Vec<u32> = (0..300).map(|e| (e * 31 % 51) as u32).collect();
        let col = crate::frame::CachedColumn::new(dict, codes, None);
        let col = Arc::new(crate::frame::CachedColumn { ascending: crate::frame::Ascending(true), ..col });
        for events in [(0..300).collect::<Vec<usize>>(), (0..300).rev().step_by(3).collect(), vec![51, 102]] {
            let events = Arc::new(events);
            for func in [Func::Min, Func::Max] {
                let coded = FieldValues::Coded { col: Arc::clone(&col), events: Arc::clone(&events) };
                let owned = FieldValues::Owned((0..events.len()).map(|r| coded.get(r).clone()).collect());
                let shared = Planned::new("m".into(), func, true, coded, &mut Made::default());
                let copied = Planned::new("m".into(), func, true, owned, &mut Made::default());
                assert!(shared.ascending && shared.numbers.is_none());
                for rows in [(0..events.len()).collect::<Vec<usize>>(), vec![0, 1], vec![]] {
                    assert_eq!(compute(&shared, &rows, &[]), compute(&copied, &rows, &[]), "{func:?} {rows:?}");
                }
            }
        }
    }

    /// `min` and `max` over a shared column, each dictionary value's number parsed once,
    /// give what they give over the same values copied out, row by row: numbers before
    /// text, equal numbers written differently (`1`, `1.0`) by their order in the rows,
    /// absent values skipped; and not for a few rows of a big dictionary.
    #[test]
    fn min_and_max_over_a_shared_column_are_those_over_its_values() {
        let dict: Vec<Value> =
            ["10", "9", "1.0", "1", "abc", "Abc", "-2e1", "10.00"].iter().map(|s| Value::Str(s.to_string())).collect();
        // Event `e` has code `e * 7 % 9` (0: no value).
        let codes: Vec<u32> = (0..40).map(|e| (e * 7 % 9) as u32).collect();
        let col = Arc::new(crate::frame::CachedColumn::new(dict.clone(), codes, None));
        let mut checked = 0;
        for events in [(0..40).collect::<Vec<usize>>(), (0..40).rev().collect(), vec![2, 3, 11], vec![4, 13, 22]] {
            let events = Arc::new(events);
            for func in [Func::Min, Func::Max] {
                let coded = FieldValues::Coded { col: Arc::clone(&col), events: Arc::clone(&events) };
                let owned = FieldValues::Owned((0..events.len()).map(|r| coded.get(r).clone()).collect());
                let (shared, copied) = (
                    Planned::new("m".into(), func, true, coded, &mut Made::default()),
                    Planned::new("m".into(), func, true, owned, &mut Made::default()),
                );
                assert_eq!(shared.numbers.is_some(), 2 * events.len() >= dict.len(), "{events:?}");
                for rows in [(0..events.len()).collect::<Vec<usize>>(), vec![0], vec![]] {
                    let rows: Vec<usize> = rows.into_iter().filter(|&r| r < events.len()).collect();
                    assert_eq!(
                        compute(&shared, &rows, &[]),
                        compute(&copied, &rows, &[]),
                        "{func:?} {events:?} {rows:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 24);
        let all = Arc::new((0..40).collect::<Vec<usize>>());
        let min = Planned::new(
            "m".into(),
            Func::Min,
            true,
            FieldValues::Coded { col: Arc::clone(&col), events: all },
            &mut Made::default(),
        );
        assert_eq!(compute(&min, &(0..40).collect::<Vec<_>>(), &[]), Value::Str("-2e1".into()));
    }

    /// Over many rows, each row's code is read once in row order, shared by the aggregations
    /// over one column; `dc`, `values`, `min` and `max` give what they give over the same
    /// values copied out, for groups of rows scattered over the events.
    #[test]
    fn aggregations_over_codes_read_in_row_order_are_those_over_the_values() {
        let dict: Vec<Value> =
            ["10", "9", "1.0", "1", "abc", "Abc", "-2e1", "10.00"].iter().map(|s| Value::Str(s.to_string())).collect();
        let n = 3 * GATHER_ROWS;
        let codes: Vec<u32> = (0..n).map(|e| (e * 7 % 9) as u32).collect();
        let col = Arc::new(crate::frame::CachedColumn::new(dict, codes, None));
        // Rows newest first, as a first search gives them: every other event.
        let events = Arc::new((0..n).rev().step_by(2).collect::<Vec<usize>>());
        let mut made = Made::default();
        let groups: Vec<Vec<usize>> = (0..5).map(|g| (g..events.len()).step_by(5 + g).collect()).collect();
        for func in [Func::Dc, Func::Values, Func::Min, Func::Max] {
            let coded = FieldValues::Coded { col: Arc::clone(&col), events: Arc::clone(&events) };
            let owned = FieldValues::Owned((0..events.len()).map(|r| coded.get(r).clone()).collect());
            let shared = Planned::new("m".into(), func, true, coded, &mut made);
            let copied = Planned::new("m".into(), func, true, owned, &mut Made::default());
            assert!(shared.codes.is_some() && copied.codes.is_none());
            for rows in &groups {
                assert_eq!(compute(&shared, rows, &[]), compute(&copied, rows, &[]), "{func:?}");
            }
        }
        // One reading of the column's codes for the four aggregations.
        assert_eq!(made.codes.len(), 1);
    }

    /// Made on all cores or on one, the aggregates come per aggregation in group order.
    #[test]
    fn aggregates_on_all_cores_come_in_group_order() {
        let each = |g: usize, k: usize| Value::Str(format!("{}{g}", ["a", "b", "c"][k]));
        let want = |n: usize, width: usize| -> Vec<Vec<Value>> {
            ["a", "b", "c"][..width].iter().map(|k| (0..n).map(|g| Value::Str(format!("{k}{g}"))).collect()).collect()
        };
        for groups in [0, 1, 2, 3, 7, 1000] {
            for rows in [10, PARALLEL_ROWS, 10 * PARALLEL_ROWS] {
                // Even groups, then one group holding nearly every row.
                let even: Vec<usize> = (0..groups).map(|g| rows / groups + usize::from(g < rows % groups)).collect();
                let mut skewed = vec![1; groups];
                if let Some(last) = skewed.last_mut() {
                    *last = rows.saturating_sub(groups - 1).max(1);
                }
                for sizes in [even, skewed] {
                    for width in [1, 2, 3] {
                        assert_eq!(
                            on_all_cores(&sizes, width, each),
                            want(groups, width),
                            "{groups} groups, {rows} rows"
                        );
                    }
                }
            }
        }
        // No aggregation: no column, whatever the groups.
        assert!(on_all_cores(&[PARALLEL_ROWS; 5], 0, |_, _| Value::Null).is_empty());
    }

    /// The runs cover every group once, in order, and hold about the same rows.
    #[test]
    fn group_runs_cut_by_rows() {
        assert_eq!(group_runs(&[5, 5, 5, 5], 2), vec![0..2, 2..4]);
        assert_eq!(group_runs(&[1, 1, 1, 100, 1, 1], 4), vec![0..4, 4..6]);
        assert_eq!(group_runs(&[100, 1, 1, 1], 2), vec![0..1, 1..4]);
        assert_eq!(group_runs(&[1; 10], 3), vec![0..4, 4..8, 8..10]);
        assert_eq!(group_runs(&[3], 8), vec![0..1]);
        assert!(group_runs(&[], 8).is_empty());
    }
}
