//! spelunk: Splunk security detections, run offline over AWS CloudTrail logs.
//!
//! The pipeline, stage by stage (see ARCHITECTURE.md):
//!
//! | stage | module | representation |
//! |---|---|---|
//! | macro expansion | [`macros`] | [`macros::Expansion`]: expanded text + source map |
//! | parsing | [`syntax`] | [`syntax::Pipeline`]: typed AST with spans |
//! | printing | [`syntax::printer`] | canonical SPL text |
//! | content | [`content`] | detections read from YAML |
//! | diagnostics | [`diagnostic`] | [`diagnostic::Diagnostic`]: code, span, caret |
//! | events | [`events`] | [`events::Event`], [`events::Fields`]: raw text, index-time and JSON fields |
//! | knowledge | [`knowledge`] | [`knowledge::SourcetypeKnowledge`]: aliases, calculated fields, lookups, event types, tags |
//! | frame | [`frame`] | [`frame::Frame`]: a polars DataFrame of the fields a search touched |
//! | execution | [`engine`] | [`engine::Results`]: fields and their columns |
//! | output | [`output`] | table, CSV, JSON, NDJSON |

pub mod conf;
pub mod content;
pub mod datamodel;
pub mod diagnostic;
pub mod digest;
pub mod engine;
pub mod eval;
pub mod events;
pub mod frame;
pub mod knowledge;
pub mod macros;
pub mod output;
pub mod query;
pub mod rba;
pub mod syntax;
pub mod text;
pub mod work;

pub use diagnostic::Diagnostic;
pub use query::{compile, Query};
