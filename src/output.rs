//! Results as text: an aligned table for people, CSV, JSON and NDJSON for programs
//! (docs/spl-semantics.md 11: multivalues are JSON arrays, newline-joined in CSV; a null
//! field is left out of JSON and is an empty CSV cell; `_time` is ISO 8601).

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Map, Value as Json};

use crate::engine::Results;
use crate::eval::value::parse_number;
use crate::events::hash::FxBuild;
use crate::events::time::render_time;
use crate::events::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Ndjson,
}

/// The widest a table column gets before its cells are cut with `…`.
pub const MAX_CELL: usize = 60;

pub fn write(r: &Results, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table(r, out),
        other => write_labelled(None, &[("", r)], other, out),
    }
}

/// Several results as one: with `label` (`Some("search_name")`), that field comes first
/// and holds each part's name; the other fields are the parts' fields in order of first
/// appearance. Rows are written as they are read, without a combined copy. A table is
/// one table per part (labels are not shown).
pub fn write_labelled(
    label: Option<&str>,
    parts: &[(&str, &Results)],
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Table {
        return parts.iter().try_for_each(|(_, r)| table(r, out));
    }
    let mut fields: Vec<&str> = label.into_iter().collect();
    for (_, r) in parts {
        for f in &r.fields {
            if !fields.contains(&f.as_str()) {
                fields.push(f);
            }
        }
    }
    // Per part, which of its columns each field is.
    let maps: Vec<Vec<Option<usize>>> =
        parts.iter().map(|(_, r)| fields.iter().map(|f| r.fields.iter().position(|g| g == f)).collect()).collect();
    let labels: Vec<Value> = parts.iter().map(|(name, _)| Value::from(*name)).collect();
    // Row `i` of all: the part it is in (by the rows before each part), then its cells.
    let mut starts = Vec::with_capacity(parts.len());
    let total = parts.iter().fold(0, |n, (_, r)| {
        starts.push(n);
        n + r.rows
    });
    // Per part, the fields it has a column for (with the label first): a row's other
    // cells are empty, and only these are looked at.
    let present: Vec<Vec<(usize, Option<usize>)>> = maps
        .iter()
        .map(|m| {
            m.iter()
                .enumerate()
                .filter(|(k, c)| c.is_some() || *k == 0 && label.is_some())
                .map(|(k, c)| (k, *c))
                .collect()
        })
        .collect();
    let row = row_cells(|i, cells| {
        let p = starts.partition_point(|&s| s <= i) - 1;
        let (r, at) = (parts[p].1, i - starts[p]);
        cells.extend(present[p].iter().map(|&(k, c)| match c {
            Some(c) => (k, &r.columns[c][at]),
            None => (k, &labels[p]),
        }));
    });
    let rows = (0..total).map(|i| {
        let mut some = Vec::with_capacity(fields.len());
        row(i, &mut some);
        let mut cells = vec![&Value::Null; fields.len()];
        for (k, v) in some {
            cells[k] = v;
        }
        cells
    });
    match format {
        Format::Table => unreachable!("handled above"),
        Format::Csv => csv(&fields, total, &row, out),
        Format::Json => json(&fields, rows, out, false),
        Format::Ndjson => json(&fields, rows, out, true),
    }
}

/// Where rows come from: row `i`'s cells that may hold a value, each with its field's
/// index, pushed in field order (the fields not pushed are empty).
type RowCells<'v, 'f> = dyn Fn(usize, &mut Vec<(usize, &'v Value)>) + Sync + 'f;

/// `f` as a [`RowCells`] (names the lifetime of the cells it pushes).
fn row_cells<'v, F: Fn(usize, &mut Vec<(usize, &'v Value)>) + Sync>(f: F) -> F {
    f
}

/// A cell's values as shown: `_time` as a date when it is a number.
fn shown(field: &str, v: &Value) -> Vec<String> {
    if field == "_time" {
        if let Value::Str(s) = v {
            if let Some(n) = parse_number(s) {
                return vec![render_time(n)];
            }
        }
    }
    v.values().to_vec()
}

/// Rows are formatted as CSV this many at a time per core, side by side, and written in
/// order.
const CSV_BATCH: usize = 8192;

fn csv<'v>(fields: &[&str], total: usize, row: &RowCells<'v, '_>, out: &mut dyn Write) -> io::Result<()> {
    let mut head = ::csv::Writer::from_writer(&mut *out);
    head.write_record(fields)?;
    head.flush()?;
    drop(head);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut start = 0;
    while start < total {
        let end = (start + CSV_BATCH * threads).min(total);
        let batches: Vec<std::ops::Range<usize>> =
            (start..end).step_by(CSV_BATCH).map(|a| a..(a + CSV_BATCH).min(end)).collect();
        // Each core gathers and formats its own batch of rows.
        let texts: Vec<io::Result<Vec<u8>>> = if batches.len() == 1 {
            vec![csv_rows(fields, batches[0].clone(), row)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> =
                    batches.iter().map(|b| s.spawn(move || csv_rows(fields, b.clone(), row))).collect();
                handles.into_iter().map(|h| h.join().expect("formatting does not panic")).collect()
            })
        };
        for text in texts {
            out.write_all(&text?)?;
        }
        start = end;
    }
    Ok(())
}

/// Rows `range` as CSV records (no header), written as the csv crate writes them (its
/// default `QuoteStyle::Necessary`, `,` and `\n`): a cell is quoted when it holds `,`, `"`,
/// `\r` or `\n` (quotes doubled inside), or when it is the empty only cell of its record.
fn csv_rows<'v>(fields: &[&str], range: std::ops::Range<usize>, row: &RowCells<'v, '_>) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(range.len() * fields.len() * 16);
    let lone = fields.len() == 1;
    let is_time: Vec<bool> = fields.iter().map(|f| *f == "_time").collect();
    let mut cells = Vec::with_capacity(fields.len());
    // `_time` shown as a date, made once per value (a coded result column's rows share
    // their values).
    let mut dates: HashMap<*const Value, String, FxBuild> = HashMap::default();
    const COMMAS: &[u8] = &[b','; 64];
    // `n` commas.
    let commas = |out: &mut Vec<u8>, mut n: usize| {
        while n > 0 {
            let k = n.min(COMMAS.len());
            out.extend_from_slice(&COMMAS[..k]);
            n -= k;
        }
    };
    for i in range {
        cells.clear();
        row(i, &mut cells);
        // A comma goes before each field but the first: before field `k`, `k` in all. The
        // fields not pushed (most cells of several detections' results) are empty.
        let mut written = 0;
        for &(k, v) in &cells {
            commas(&mut out, k - written);
            written = k;
            match v {
                Value::Null if !lone => {}
                Value::Null => csv_cell(&mut out, "", lone),
                // Most cells are one value shown as it is: written without a copy.
                Value::Str(s) if !is_time[k] => csv_cell(&mut out, s, lone),
                _ if is_time[k] => {
                    let date = dates.entry(v as *const Value).or_insert_with(|| shown("_time", v).join("\n"));
                    csv_cell(&mut out, date, lone)
                }
                _ => csv_cell(&mut out, &shown(fields[k], v).join("\n"), lone),
            }
        }
        if lone && cells.is_empty() {
            // The empty only cell of a record is written quoted.
            csv_cell(&mut out, "", lone);
        }
        commas(&mut out, fields.len().saturating_sub(1) - written);
        out.push(b'\n');
    }
    Ok(out)
}

/// One CSV cell ([`csv_rows`]); `lone`: the only cell of its record.
fn csv_cell(out: &mut Vec<u8>, s: &str, lone: bool) {
    let b = s.as_bytes();
    // One pass the compiler vectorises (cells are short: two SIMD searches cost more to
    // start than to run).
    let special = b.iter().fold(false, |any, &c| any | matches!(c, b',' | b'"' | b'\n' | b'\r'));
    if !(special || lone && b.is_empty()) {
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    for part in s.split('"').enumerate() {
        if part.0 > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.1.as_bytes());
    }
    out.push(b'"');
}

fn json<'v>(
    fields: &[&str],
    rows: impl Iterator<Item = Vec<&'v Value>>,
    out: &mut dyn Write,
    lines: bool,
) -> io::Result<()> {
    let objects = rows.map(|row| {
        let mut m = Map::new();
        for (f, v) in fields.iter().zip(row) {
            let v = match v {
                Value::Null => continue,
                Value::Str(_) => Json::String(shown(f, v).remove(0)),
                Value::Multi(vs) => Json::Array(vs.iter().cloned().map(Json::String).collect()),
            };
            m.insert(f.to_string(), v);
        }
        Json::Object(m)
    });
    if lines {
        for o in objects {
            serde_json::to_writer(&mut *out, &o)?;
            writeln!(out)?;
        }
    } else {
        // An array written element by element as the rows come.
        use serde::Serializer;
        serde_json::Serializer::pretty(&mut *out).collect_seq(objects)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Cuts `s` to `max` characters, marking the cut with `…`.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// How a table is fitted to a terminal ([`table_fitted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// The terminal's width in columns.
    pub width: usize,
    /// Most rows shown; the others are counted on a line of their own.
    pub max_rows: usize,
    /// Most values of a multivalue cell shown; the others are counted in the cell.
    pub max_values: usize,
}

impl Fit {
    /// Only the width is fitted: every row and every value is shown.
    pub fn width(width: usize) -> Fit {
        Fit { width, max_rows: usize::MAX, max_values: usize::MAX }
    }
}

/// Columns are kept while each can have this width (or its values' width, when shorter);
/// the ones after are left out rather than squeezed unreadable.
const KEEP_COLUMN: usize = 16;

/// The narrowest a long column gets, so that the short ones beside it stay whole.
const MIN_COLUMN: usize = 8;

/// Columns this narrow (a time, an address, an account id) are narrowed last.
const SHORT_COLUMN: usize = 30;

/// An aligned table fitted to `fit.width` columns: the widest columns are narrowed first
/// and their cells cut with `…`; columns that still do not fit are left out and named;
/// multivalue cells are stacked (at most `fit.max_values` values); after `fit.max_rows`
/// rows the rest are counted. `hint` says how to see everything (`use --format csv`).
pub fn table_fitted(r: &Results, fit: Fit, hint: &str, out: &mut dyn Write) -> io::Result<()> {
    if r.fields.is_empty() {
        return writeln!(out, "({} results, no fields)", r.rows);
    }
    let width = fit.width.max(20);
    let shown_rows = r.rows.min(fit.max_rows);
    let clean = |s: &str| cut(&s.escape_debug().to_string().replace("\\\"", "\"").replace("\\'", "'"), width);
    let cells: Vec<Vec<Vec<String>>> = (0..shown_rows)
        .map(|i| {
            r.fields
                .iter()
                .zip(&r.columns)
                .map(|(f, c)| {
                    let values = shown(f, &c[i]);
                    let mut lines: Vec<String> = values.iter().take(fit.max_values).map(|s| clean(s)).collect();
                    if values.len() > fit.max_values {
                        lines.pop();
                        lines.push(format!("… {} more", values.len() - fit.max_values + 1));
                    }
                    lines
                })
                .collect()
        })
        .collect();
    let chars = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = r.fields.iter().map(|f| chars(f).min(width)).collect();
    for row in &cells {
        for (k, cell) in row.iter().enumerate() {
            for line in cell {
                widths[k] = widths[k].max(chars(line));
            }
        }
    }
    // Columns that fit at their narrowest; the others are left out.
    let mut kept = 0;
    let mut needed = 0;
    for w in &widths {
        let add = (*w).min(KEEP_COLUMN) + if kept > 0 { 2 } else { 0 };
        if kept > 0 && needed + add > width {
            break;
        }
        needed += add;
        kept += 1;
    }
    widths.truncate(kept);
    // Narrow the widest column, one character at a time, until the row fits: first the
    // long columns down to SHORT_COLUMN, then the long ones further, then all of them, so
    // that short values (times, addresses, ids) stay whole as long as possible.
    let total = |ws: &[usize]| ws.iter().sum::<usize>() + 2 * ws.len().saturating_sub(1);
    let natural = widths.clone();
    let floors: [&dyn Fn(usize) -> usize; 3] =
        [&|n| n.min(SHORT_COLUMN), &|n| if n > SHORT_COLUMN { MIN_COLUMN } else { n }, &|n| n.min(MIN_COLUMN)];
    for floor in floors {
        while total(&widths) > width {
            let widest = (0..widths.len()).filter(|&k| widths[k] > floor(natural[k])).max_by_key(|&k| widths[k]);
            match widest {
                Some(k) => widths[k] -= 1,
                None => break,
            }
        }
    }
    let line = |out: &mut dyn Write, parts: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                s.push_str("  ");
            }
            let p = cut(p, widths[k]);
            let pad = widths[k] - chars(&p);
            s.push_str(&p);
            if k + 1 < parts.len() {
                s.push_str(&" ".repeat(pad));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &r.fields[..kept])?;
    line(out, &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>())?;
    for row in &cells {
        let height = row[..kept].iter().map(Vec::len).max().unwrap_or(1).max(1);
        for l in 0..height {
            let parts: Vec<String> = row[..kept].iter().map(|c| c.get(l).cloned().unwrap_or_default()).collect();
            line(out, &parts)?;
        }
    }
    let tail = if hint.is_empty() { String::new() } else { format!(" ({hint})") };
    if shown_rows < r.rows {
        let more = r.rows - shown_rows;
        writeln!(out, "… {more} more row{}{tail}", if more == 1 { "" } else { "s" })?;
    }
    if kept < r.fields.len() {
        let left = &r.fields[kept..];
        let head = format!("… {} more field{} not shown: ", left.len(), if left.len() == 1 { "" } else { "s" });
        let room = width.saturating_sub(chars(&head) + chars(&tail)).max(10);
        writeln!(out, "{head}{}{tail}", cut(&left.join(", "), room))?;
    }
    writeln!(out, "({} result{})", r.rows, if r.rows == 1 { "" } else { "s" })
}

/// An aligned table; a multivalue cell is stacked, one value per line; control characters
/// in values are shown escaped so that a row stays a row.
fn table(r: &Results, out: &mut dyn Write) -> io::Result<()> {
    if r.fields.is_empty() {
        return writeln!(out, "({} results, no fields)", r.rows);
    }
    let clean = |s: &str| cut(&s.escape_debug().to_string().replace("\\\"", "\"").replace("\\'", "'"), MAX_CELL);
    let cells: Vec<Vec<Vec<String>>> = (0..r.rows)
        .map(|i| {
            r.fields.iter().zip(&r.columns).map(|(f, c)| shown(f, &c[i]).iter().map(|s| clean(s)).collect()).collect()
        })
        .collect();
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = r.fields.iter().map(|f| width(f)).collect();
    for row in &cells {
        for (k, cell) in row.iter().enumerate() {
            for line in cell {
                widths[k] = widths[k].max(width(line));
            }
        }
    }
    let line = |out: &mut dyn Write, parts: &[&str]| -> io::Result<()> {
        let mut s = String::new();
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                s.push_str("  ");
            }
            s.push_str(p);
            if k + 1 < parts.len() {
                s.push_str(&" ".repeat(widths[k] - width(p)));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    let header: Vec<&str> = r.fields.iter().map(String::as_str).collect();
    line(out, &header)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule.iter().map(String::as_str).collect::<Vec<_>>())?;
    for row in &cells {
        let height = row.iter().map(Vec::len).max().unwrap_or(1).max(1);
        for l in 0..height {
            let parts: Vec<&str> = row.iter().map(|c| c.get(l).map_or("", String::as_str)).collect();
            line(out, &parts)?;
        }
    }
    writeln!(out, "({} result{})", r.rows, if r.rows == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> Results {
        Results {
            fields: vec!["_time".into(), "user".into(), "ip".into()],
            columns: vec![
                vec![Value::Str("1739304274".into()), Value::Str("1739304275.5".into())].into(),
                vec![Value::Str("bob".into()), Value::Null].into(),
                vec![Value::Multi(vec!["1.1.1.1".into(), "2.2.2.2".into()]), Value::Str("3.3.3.3".into())].into(),
            ],
            rows: 2,
            warnings: Vec::new(),
        }
    }

    fn text(f: Format) -> String {
        let mut out = Vec::new();
        write(&results(), f, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn s11_csv_joins_multivalues_with_newlines_and_s10_3_renders_time() {
        assert_eq!(
            text(Format::Csv),
            "_time,user,ip\n2025-02-11T20:04:34.000+00:00,bob,\"1.1.1.1\n2.2.2.2\"\n2025-02-11T20:04:35.500+00:00,,3.3.3.3\n"
        );
    }

    #[test]
    fn s11_json_leaves_out_nulls_and_makes_arrays() {
        assert_eq!(
            text(Format::Ndjson),
            "{\"_time\":\"2025-02-11T20:04:34.000+00:00\",\"user\":\"bob\",\"ip\":[\"1.1.1.1\",\"2.2.2.2\"]}\n\
             {\"_time\":\"2025-02-11T20:04:35.500+00:00\",\"ip\":\"3.3.3.3\"}\n"
        );
    }

    #[test]
    fn s11_table_stacks_multivalues() {
        let t = text(Format::Table);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "_time                          user  ip");
        assert_eq!(lines[2], "2025-02-11T20:04:34.000+00:00  bob   1.1.1.1");
        assert_eq!(lines[3], "                                     2.2.2.2");
        assert_eq!(lines[5], "(2 results)");
    }

    fn fitted(r: &Results, fit: Fit) -> String {
        let mut out = Vec::new();
        table_fitted(r, fit, "use .save", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_table_that_fits_is_the_plain_table() {
        assert_eq!(fitted(&results(), Fit::width(200)), text(Format::Table));
    }

    #[test]
    fn the_widest_column_is_narrowed_with_an_ellipsis() {
        let long = "arn:aws:iam::111122223333:user/a-rather-long-user-name";
        let r = Results::from_rows(&["user", "n"], vec![vec![Value::from(long), Value::from("1")]]);
        let t = fitted(&r, Fit::width(30));
        for l in t.lines() {
            assert!(l.chars().count() <= 30, "{l:?} in\n{t}");
        }
        assert!(t.lines().nth(2).unwrap().starts_with("arn:aws:iam::111122223333:…  1"), "{t}");
    }

    #[test]
    fn short_columns_stay_whole_while_long_ones_are_narrowed() {
        let agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)";
        let r = Results::from_rows(
            &["time", "agent", "ip"],
            vec![vec![Value::from("2026-11-20T06:12:44"), Value::from(agent), Value::from("203.0.113.201")]],
        );
        let t = fitted(&r, Fit::width(60));
        assert_eq!(t.lines().nth(2).unwrap(), "2026-11-20T06:12:44  Mozilla/5.0 (Windows NT…  203.0.113.201", "{t}");
    }

    #[test]
    fn columns_that_cannot_fit_are_named_and_rows_past_the_limit_counted() {
        let fields: Vec<String> = (0..10).map(|k| format!("field_number_{k}")).collect();
        let names: Vec<&str> = fields.iter().map(String::as_str).collect();
        let rows = (0..5).map(|i| (0..10).map(|k| Value::from(format!("{i}-{k}").as_str())).collect()).collect();
        let r = Results::from_rows(&names, rows);
        let t = fitted(&r, Fit { width: 40, max_rows: 2, max_values: 3 });
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2 + 2 + 3, "{t}");
        assert_eq!(lines[0], "field_number_0  field_number_1", "{t}");
        assert_eq!(lines[4], "… 3 more rows (use .save)");
        assert_eq!(lines[5], "… 8 more fields not shown: field_num… (use .save)", "{t}");
        assert!(lines[..4].iter().all(|l| l.chars().count() <= 40), "{t}");
        assert_eq!(lines[6], "(5 results)");
    }

    #[test]
    fn long_multivalues_are_stacked_then_counted() {
        let vals: Vec<String> = (0..6).map(|k| format!("v{k}")).collect();
        let r = Results::from_rows(&["mv"], vec![vec![Value::Multi(vals)]]);
        let t = fitted(&r, Fit { width: 80, max_rows: 10, max_values: 3 });
        assert_eq!(t, "mv\n--------\nv0\nv1\n… 4 more\n(1 result)\n");
    }

    #[test]
    fn csv_formatted_in_batches_side_by_side_is_csv_formatted_in_one_go() {
        let n = 5 * CSV_BATCH + 17;
        let cell = |k: usize| match k % 5 {
            0 => Value::Null,
            1 => Value::Str(format!("v{k}")),
            2 => Value::Str(format!("needs \"quotes\", {k}")),
            3 => Value::Multi(vec![format!("a{k}"), "b".into()]),
            _ => Value::Str(format!("{}", 1_700_000_000 + k)),
        };
        let big = Results {
            fields: vec!["_time".into(), "x".into(), "y".into()],
            columns: vec![(0..n).map(cell).collect(), (1..=n).map(cell).collect(), (2..n + 2).map(cell).collect()],
            rows: n,
            warnings: Vec::new(),
        };
        let small = results();
        let parts = [("first", &big), ("second", &small), ("third", &big)];
        let mut got = Vec::new();
        write_labelled(Some("search_name"), &parts, Format::Csv, &mut got).unwrap();

        // The same rows through one writer.
        let fields = ["search_name", "_time", "x", "y", "user", "ip"];
        let mut rows: Vec<Vec<&Value>> = Vec::new();
        let names: Vec<Value> = parts.iter().map(|(n, _)| Value::from(*n)).collect();
        for ((_, r), name) in parts.iter().zip(&names) {
            for i in 0..r.rows {
                let mut row = vec![name];
                for f in &fields[1..] {
                    row.push(r.column(f).map_or(&Value::Null, |c| &c[i]));
                }
                rows.push(row);
            }
        }
        let mut want = b"search_name,_time,x,y,user,ip\n".to_vec();
        want.extend(csv_of(&fields, &rows));
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
        assert_eq!(rows.len(), 2 * n + 2);
    }

    /// A coded `_time` column (rows sharing their values) prints each row's own date.
    #[test]
    fn csv_dates_of_a_coded_time_column_are_each_rows() {
        let times = ["1739304274", "1739304275.5", "1626784496"];
        let column: crate::engine::ResultColumn = (0..600).map(|i| Value::from(times[i * i % 3])).collect();
        assert!(matches!(column, crate::engine::ResultColumn::Coded { .. }));
        let r = Results { fields: vec!["_time".into()], columns: vec![column], rows: 600, warnings: Vec::new() };
        let mut got = Vec::new();
        write_labelled(None, &[("t", &r)], Format::Csv, &mut got).unwrap();
        let got = String::from_utf8(got).unwrap();
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines.len(), 601);
        for i in 0..600 {
            let n: f64 = times[i * i % 3].parse().unwrap();
            assert_eq!(lines[i + 1], render_time(n), "row {i}");
        }
    }

    /// Rows given as they are, through [`csv_rows`].
    fn csv_of(fields: &[&str], rows: &[Vec<&Value>]) -> Vec<u8> {
        csv_rows(fields, 0..rows.len(), &|i, cells| cells.extend(rows[i].iter().copied().enumerate())).unwrap()
    }

    /// Cells are written exactly as the csv crate writes them: quoted only when needed.
    #[test]
    fn csv_cells_are_what_the_csv_crate_writes() {
        let cells = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "two\nlines",
            "cr\rhere",
            "crlf\r\n",
            " spaced ",
            "#hash",
            "é,ü",
            "''",
            "\\",
            "\t",
        ];
        let values: Vec<Value> = cells.iter().map(|c| Value::from(*c)).collect();
        for width in [1, 2, 3] {
            let fields: Vec<&str> = ["a", "b", "c"][..width].to_vec();
            let rows: Vec<Vec<&Value>> = (0..values.len())
                .map(|i| (0..width).map(|k| &values[(i + k) % values.len()]).collect())
                .chain(std::iter::once(vec![&Value::Null; width]))
                .collect();
            let mut w = ::csv::Writer::from_writer(Vec::new());
            for row in &rows {
                let texts: Vec<String> = row.iter().map(|v| v.values().join("\n")).collect();
                w.write_record(&texts).unwrap();
            }
            let want = w.into_inner().unwrap();
            assert_eq!(
                String::from_utf8(csv_of(&fields, &rows)).unwrap(),
                String::from_utf8(want).unwrap(),
                "{width} fields"
            );
        }
    }
}
