//! `makemv [delim=s | tokenizer=re] [allowempty=b] [setsv=b] field` and `nomv field`
//! (docs/spl-semantics.md 6.4).
//!
//! `makemv` splits each value at `delim` (default a single space) or keeps each match of
//! `tokenizer` (its first group when it has one, else the whole match); empty pieces are
//! dropped unless `allowempty=true`. `setsv=true` is refused: its result ("combined into a
//! single value") is not documented well enough to reproduce. A multivalue is split value
//! by value (UNVERIFIED).
//!
//! `nomv` joins the values with a newline (UNVERIFIED, the documented default).

use std::collections::BTreeSet;

use super::{bool_option, known_options, option, regex};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Ident};

/// What `nomv` puts between values.
pub const NOMV_SEPARATOR: &str = "\n";

/// How a value is cut into values.
type Splitter = Box<dyn Fn(&str) -> Vec<String>>;

pub fn makemv(f: &mut Frame, options: &[CmdOption], field: &Ident) -> Result<(), EngineError> {
    known_options(options, &["delim", "tokenizer", "allowempty", "setsv"], "makemv")?;
    let allow_empty = bool_option(options, "allowempty", false)?;
    if bool_option(options, "setsv", false)? {
        let o = option(options, "setsv").expect("given");
        return Err(EngineError::new(
            "spelunk::unsupported",
            "`makemv setsv=true` is not supported",
            o.span,
            "not supported",
        )
        .with_help("its result is not documented well enough to reproduce; leave it out"));
    }
    let split: Splitter = match (option(options, "delim"), option(options, "tokenizer")) {
        (Some(_), Some(t)) => {
            return Err(EngineError::new(
                "spelunk::makemv",
                "`makemv` takes `delim=` or `tokenizer=`, not both",
                t.span,
                "a second way to split",
            ))
        }
        (_, Some(t)) => {
            let re = regex(&t.value.text, t.value.span)?;
            Box::new(move |s: &str| {
                re.captures_iter(s)
                    .filter_map(|c| c.get(1).or_else(|| c.get(0)).map(|m| m.as_str().to_string()))
                    .collect()
            })
        }
        (d, None) => {
            let delim = d.map_or(" ", |o| o.value.text.as_str()).to_string();
            if delim.is_empty() {
                let o = d.expect("only a given delim is empty");
                return Err(EngineError::new("spelunk::makemv", "`delim` cannot be empty", o.value.span, "here"));
            }
            Box::new(move |s: &str| s.split(delim.as_str()).map(str::to_string).collect())
        }
    };
    f.ensure(&BTreeSet::from([field.name.clone()]));
    let values: Vec<Value> = f
        .values(&field.name)
        .iter()
        .map(|v| match v {
            Value::Null => Value::Null,
            v => Value::from_values(
                v.values().iter().flat_map(|s| split(s)).filter(|p| allow_empty || !p.is_empty()).collect(),
            ),
        })
        .collect();
    f.set(&field.name, &values);
    Ok(())
}

pub fn nomv(f: &mut Frame, field: &Ident) -> Result<(), EngineError> {
    f.ensure(&BTreeSet::from([field.name.clone()]));
    let values: Vec<Value> = f
        .values(&field.name)
        .into_iter()
        .map(|v| match v {
            Value::Multi(all) => Value::Str(all.join(NOMV_SEPARATOR)),
            v => v,
        })
        .collect();
    f.set(&field.name, &values);
    Ok(())
}
