//! The language front end: SPL text to a typed syntax tree and back.
//!
//! `macros` expands backtick macros first (text to text, with a source map); this module
//! parses the expanded text ([`parse`]) and prints a tree back to canonical SPL
//! ([`print`]).

pub mod ast;
pub mod fields;
pub mod output_fields;
pub mod parser;
pub mod printer;
pub mod span;

pub use ast::*;
pub use parser::{parse_expr, parse_pipeline as parse, SyntaxError};
pub use printer::print;
pub use span::Span;
