//! Results as text: an aligned table for people, CSV, JSON and NDJSON for programs
//! (docs/spl-semantics.md 11: multivalues are JSON arrays, newline-joined in CSV; a null
//! field is left out of JSON and is an empty CSV cell; `_time` is ISO 8601).

use std::io::{self, Write};

use serde_json::{Map, Value as Json};

use crate::engine::Results;
use crate::eval::value::parse_number;
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
        Format::Csv => csv(r, out),
        Format::Json => json(r, out, false),
        Format::Ndjson => json(r, out, true),
    }
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

fn csv(r: &Results, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(&r.fields)?;
    for i in 0..r.rows {
        let row: Vec<String> = r.fields.iter().zip(&r.columns).map(|(f, c)| shown(f, &c[i]).join("\n")).collect();
        w.write_record(&row)?;
    }
    w.flush()
}

fn json(r: &Results, out: &mut dyn Write, lines: bool) -> io::Result<()> {
    let objects = (0..r.rows).map(|i| {
        let mut m = Map::new();
        for (f, c) in r.fields.iter().zip(&r.columns) {
            let v = match &c[i] {
                Value::Null => continue,
                Value::Str(_) => Json::String(shown(f, &c[i]).remove(0)),
                Value::Multi(vs) => Json::Array(vs.iter().cloned().map(Json::String).collect()),
            };
            m.insert(f.clone(), v);
        }
        Json::Object(m)
    });
    if lines {
        for o in objects {
            serde_json::to_writer(&mut *out, &o)?;
            writeln!(out)?;
        }
    } else {
        let all: Vec<Json> = objects.collect();
        serde_json::to_writer_pretty(&mut *out, &all)?;
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
                vec![Value::Str("1739304274".into()), Value::Str("1739304275.5".into())],
                vec![Value::Str("bob".into()), Value::Null],
                vec![Value::Multi(vec!["1.1.1.1".into(), "2.2.2.2".into()]), Value::Str("3.3.3.3".into())],
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
}
