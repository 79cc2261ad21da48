//! The evaluator: eval/where expressions over one result, with Splunk's semantics
//! (docs/spl-semantics.md section 3). This is where each rule lives; the engine's
//! vectorised paths must agree with it.
//!
//! | file | what |
//! |---|---|
//! | `value.rs` | `EvalValue`, what counts as a number, how numbers are shown |
//! | `expr.rs` | operators, null and three-valued logic, multivalue comparisons |
//! | `functions/` | the function library, one file per family, examples run as tests |
//! | `search.rs` | matching a search expression: wildcards, case, missing fields, terms |

pub mod expr;
pub mod functions;
pub mod search;
pub mod value;

pub use expr::{eval, Context, EvalError, Row};
pub use value::EvalValue;
