//! The eval function library, one file per family (docs/spl-semantics.md 3.7). Each
//! function declares its name, how many arguments it takes, and examples; every example
//! runs as a test (see `examples_hold`), against the row [`example_row`].

mod conditional;
pub use conditional::{branch, decision_conditions, in_cidr};
mod conversion;
mod informational;
mod math;
mod multivalue;
mod text;
mod time;

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::expr::{eval, Context, EvalError, Row};
use super::value::EvalValue;
use crate::syntax::{Expr, Span};

/// How a function receives its arguments.
pub enum Imp {
    /// Evaluated first, in order.
    Values(fn(&[EvalValue], &Context) -> Result<EvalValue, String>),
    /// As expressions, for functions that choose what to evaluate (`if`, `case`, `mvfilter`).
    Exprs(fn(&[Expr], &dyn Row, &Context) -> Result<EvalValue, EvalError>),
}

pub struct Function {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub imp: Imp,
    /// `(expression, what it shows)`; `"<null>"` for null.
    pub examples: &'static [(&'static str, &'static str)],
}

/// As many arguments as given.
pub const MANY: usize = usize::MAX;

fn families() -> [&'static [Function]; 7] {
    [
        conditional::FUNCTIONS,
        informational::FUNCTIONS,
        text::FUNCTIONS,
        conversion::FUNCTIONS,
        math::FUNCTIONS,
        multivalue::FUNCTIONS,
        time::FUNCTIONS,
    ]
}

/// Every function, in family order.
pub fn all() -> impl Iterator<Item = &'static Function> {
    families().into_iter().flatten()
}

/// The function called `name` (function names are matched without regard to case).
pub fn lookup(name: &str) -> Option<&'static Function> {
    // Asked at every call an expression makes, row after row: hashed with Fx.
    static BY_NAME: std::sync::OnceLock<HashMap<&'static str, &'static Function, crate::events::hash::FxBuild>> =
        std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut map = HashMap::default();
        for f in all() {
            // The first of a name wins, as a search in family order would find it.
            map.entry(f.name).or_insert(f);
        }
        map
    });
    match by_name.get(name) {
        Some(f) => Some(f),
        None => all().find(|f| f.name.eq_ignore_ascii_case(name)),
    }
}

/// Calls `name` with `args`.
pub fn call(name: &str, args: &[Expr], span: Span, row: &dyn Row, ctx: &Context) -> Result<EvalValue, EvalError> {
    let f = lookup(name).ok_or_else(|| EvalError::new(format!("unknown eval function `{name}`"), span))?;
    if args.len() < f.min_args || args.len() > f.max_args {
        let want = match (f.min_args, f.max_args) {
            (a, b) if a == b => format!("{a}"),
            (a, MANY) => format!("at least {a}"),
            (a, b) => format!("{a} to {b}"),
        };
        return Err(EvalError::new(format!("`{name}` takes {want} argument(s), {} given", args.len()), span));
    }
    match &f.imp {
        Imp::Exprs(imp) => imp(args, row, ctx),
        Imp::Values(imp) => {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(eval(a, row, ctx)?);
            }
            imp(&values, ctx).map_err(|m| EvalError::new(format!("{name}: {m}"), span))
        }
    }
}

/// Evaluates `e` as a condition: true, false or null (null for anything not boolean).
pub(crate) fn condition(e: &Expr, row: &dyn Row, ctx: &Context) -> Result<Option<bool>, EvalError> {
    Ok(eval(e, row, ctx)?.truth())
}

thread_local! {
    static REGEXES: RefCell<HashMap<String, Result<Regex, String>, crate::events::hash::FxBuild>> =
        RefCell::new(HashMap::default());
}

/// A compiled regex, cached per pattern (searches use a handful of patterns many times).
pub(crate) fn regex(pattern: &str) -> Result<Regex, String> {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > 1024 {
            cache.clear();
        }
        cache
            .entry(pattern.to_string())
            .or_insert_with(|| {
                super::pcre::compile(pattern).map_err(|e| format!("bad regular expression `{pattern}`: {e}"))
            })
            .clone()
    })
}

/// The row the examples run against.
pub fn example_row() -> crate::events::Fields {
    use crate::events::Value;
    let mut f = crate::events::Fields::default();
    f.insert("n".into(), Value::from("12"));
    f.insert("s".into(), Value::from("string"));
    f.insert("names".into(), Value::Multi(vec!["alex".into(), "celestino".into(), "claudia".into(), "david".into()]));
    f.insert("email".into(), Value::Multi(vec!["a@x.com".into(), "b@y.org".into()]));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_hold() {
        let row = example_row();
        let ctx = Context { now: 1626784496.0 };
        let mut failures = Vec::new();
        let mut count = 0;
        for f in all() {
            assert!(!f.examples.is_empty(), "`{}` has no example", f.name);
            for (src, want) in f.examples {
                count += 1;
                let expr = crate::syntax::parse_expr(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
                let got = match eval(&expr, &row, &ctx) {
                    Ok(EvalValue::Null) => "<null>".to_string(),
                    Ok(EvalValue::Multi(v)) => format!("[{}]", v.join(",")),
                    Ok(v) => v.as_text().unwrap_or_default(),
                    Err(e) => format!("error: {}", e.message),
                };
                if got != *want {
                    failures.push(format!("{src}: want {want}, got {got}"));
                }
            }
        }
        assert!(failures.is_empty(), "{} of {count} examples fail:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all().map(|f| f.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn unknown_functions_and_wrong_counts_are_errors() {
        let row = example_row();
        let ctx = Context { now: 0.0 };
        let e = eval(&crate::syntax::parse_expr("nosuch(1)").unwrap(), &row, &ctx).unwrap_err();
        assert_eq!(e.message, "unknown eval function `nosuch`");
        let e = eval(&crate::syntax::parse_expr("if(1)").unwrap(), &row, &ctx).unwrap_err();
        assert_eq!(e.message, "`if` takes 3 argument(s), 1 given");
    }
}
