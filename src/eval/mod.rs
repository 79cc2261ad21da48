//! The evaluator: eval/where expressions over one result, with Splunk's semantics
//! (docs/spl-semantics.md section 3). This is where each rule lives; the engine's
//! vectorised paths must agree with it.
//!
//! | file | what |
//! |---|---|
//! | `value.rs` | `EvalValue`, what counts as a number, how numbers are shown |
//! | `expr.rs` | operators, null and three-valued logic, multivalue comparisons |
//! | `functions/` | the function library, one file per family, examples run as tests |
//! | `pcre.rs` | Splunk's PCRE patterns on the `regex` crate (the one place regexes compile) |
//! | `reltime.rs` | time modifiers: `now`, `-1d@d`, absolute times (docs/spl-semantics.md 10.1) |
//! | `timefmt.rs` | `strftime`/`strptime` format variables (docs/spl-semantics.md 10.2) |
//! | `search.rs` | matching a search expression: wildcards, case, missing fields, terms |
//! | `needles.rs` | what a search expression needs of an event's text (literals), to skip events early |
//! | `given.rs` | what an expression reads when one field's value is known (the add-on's decision tables keyed by `eventName`) |

pub mod expr;
pub mod functions;
pub mod given;
pub mod memo;
pub mod needles;
pub mod pcre;
pub mod reltime;
pub mod search;
pub mod timefmt;
pub mod value;

pub use expr::{eval, Context, EvalError, Row};
pub use value::EvalValue;
