//! Errors about a search, shown on the text the user wrote with a caret under the span.
//!
//! Every stage reports a [`Diagnostic`]: a stable code (`spelunk::syntax`,
//! `spelunk::macro::unknown`, ...), a message saying what was expected, a span in the
//! user's text, a short label for the caret, and optional help and notes. Rendering is
//! miette's: [`Diagnostic::render`] for terminals and files, [`Diagnostic::render_plain`]
//! for tests and logs (ASCII, no colour).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan, ThemeCharacters, ThemeStyles,
};

use crate::syntax::Span;

/// A problem in a file (a macro file, a configuration file, an input file): where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for FileError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub message: String,
    /// Byte span in the user's text.
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span, label: label.into(), help: None, notes: Vec::new() }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// 1-based line and column (in characters) of the span's start in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        line_col(source, self.span.start)
    }

    /// The report as a terminal shows it, with colour when `color`.
    pub fn render(&self, source_name: &str, source: &str, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        self.render_with(source_name, source, theme)
    }

    /// The report in plain ASCII without colour: stable for tests and logs.
    pub fn render_plain(&self, source_name: &str, source: &str) -> String {
        let theme = GraphicalTheme { characters: ThemeCharacters::ascii(), styles: ThemeStyles::none() };
        self.render_with(source_name, source, theme)
    }

    fn render_with(&self, source_name: &str, source: &str, theme: GraphicalTheme) -> String {
        // An empty span at the very end (`stats count by` and nothing after it) gets a
        // blank to stand under, so the caret shows.
        let mut text = source.to_string();
        if self.span.start >= source.len() {
            text.push(' ');
        }
        let report = Report { diag: self, source: NamedSource::new(source_name, text) };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering only fails on a formatter error; fall back to one line.
            let (l, c) = self.line_col(source);
            out = format!("{source_name}:{l}:{c}: {}\n", self.message);
        }
        out
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut k: usize) -> usize {
    while k > 0 && !text.is_char_boundary(k) {
        k -= 1;
    }
    k
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// A diagnostic bound to its source text, as miette wants it.
struct Report<'a> {
    diag: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut parts: Vec<String> = self.diag.notes.clone();
        if let Some(h) = &self.diag.help {
            parts.push(h.clone());
        }
        (!parts.is_empty()).then(|| Box::new(parts.join("\n")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = self.source.inner();
        let len = text.len();
        let start = floor_char_boundary(text, self.diag.span.start.min(len));
        let mut end = self.diag.span.end.clamp(start, len);
        if end == start {
            // An empty span marks the character at it.
            end = text[start..].chars().next().map_or(start, |c| start + c.len_utf8());
        }
        let span = SourceSpan::new(start.into(), end - start);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(self.diag.label.clone()), span))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé f", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé f", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
    }

    #[test]
    fn plain_render_has_code_message_and_caret_label() {
        let d = Diagnostic::new(
            "spelunk::syntax",
            "expected a field name after `by`",
            Span::new(16, 16),
            "expected a field name",
        );
        let out = d.render_plain("search", "| stats count by");
        assert!(out.contains("spelunk::syntax"), "{out}");
        assert!(out.contains("expected a field name after `by`"), "{out}");
        assert!(out.contains("| stats count by"), "{out}");
        assert!(out.contains("expected a field name"), "{out}");
    }
}
