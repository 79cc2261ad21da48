//! SPL text to [`Pipeline`](crate::syntax::ast::Pipeline), with nom.
//!
//! | file | grammar |
//! |---|---|
//! | `lex.rs` | white space and comments, keywords, quoted strings, words, field names, options |
//! | `pipeline.rs` | `cmd | cmd`, the implicit first search, subsearches, command dispatch |
//! | `search.rs` | the search language (`AND`/`OR`/`NOT`, comparisons, `IN`, terms) |
//! | `expr.rs` | the eval/where expression language and its precedence |
//! | `commands.rs` | the arguments of each typed command, and the generic command |

pub mod commands;
pub mod expr;
pub mod lex;
pub mod pipeline;
pub mod search;

pub use lex::SyntaxError;

use crate::syntax::ast::{Expr, Pipeline};
use lex::In;

/// Parses a whole (macro-expanded) search. Never panics; every failure is a
/// [`SyntaxError`] with the span it is about.
pub fn parse_pipeline(text: &str) -> Result<Pipeline, SyntaxError> {
    match pipeline::top_level(In::new(text)) {
        Ok((_, p)) => Ok(p),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.described(text)),
        Err(nom::Err::Incomplete(_)) => Err(SyntaxError::new(
            crate::syntax::Span::new(text.len(), text.len()),
            "unexpected end of search",
            "search ends here",
        )),
    }
}

/// Parses one eval expression that must use up all of `text`.
pub fn parse_expr(text: &str) -> Result<Expr, SyntaxError> {
    let result =
        lex::ws(In::new(text)).and_then(|(i, _)| expr::expr(i)).and_then(|(i, e)| lex::ws(i).map(|(i, _)| (i, e)));
    match result {
        Ok((rest, e)) if rest.fragment().is_empty() => Ok(e),
        Ok((rest, _)) => Err(SyntaxError::new(
            lex::at(rest),
            format!("unexpected {} after the expression", lex::describe(rest)),
            "unexpected here",
        )),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(e.described(text)),
        Err(nom::Err::Incomplete(_)) => Err(SyntaxError::new(
            crate::syntax::Span::new(text.len(), text.len()),
            "unexpected end of expression",
            "expression ends here",
        )),
    }
}
