//! The front end in one call: user text -> macro expansion -> syntax tree.

use crate::diagnostic::Diagnostic;
use crate::macros::{expand, Expansion, MacroTable};
use crate::syntax::{self, Pipeline, Span};

/// A search as the user wrote it, its expansion, and its syntax tree.
#[derive(Debug, Clone)]
pub struct Query {
    pub source: String,
    pub expansion: Expansion,
    pub pipeline: Pipeline,
}

/// Expands the macros of `source` and parses the result. Errors point into `source`.
#[allow(clippy::result_large_err)] // the error path is cold; a Diagnostic is read, not moved around
pub fn compile(source: &str, macros: &MacroTable) -> Result<Query, Diagnostic> {
    let expansion = expand(source, macros).map_err(|e| {
        let mut d = Diagnostic::new(e.kind.code(), e.message, e.span, e.label);
        d.help = e.help;
        d
    })?;
    let pipeline = syntax::parse(&expansion.text)
        .map_err(|e| locate(&expansion, "spelunk::syntax", e.message, e.span, e.label))?;
    Ok(Query { source: source.to_string(), expansion, pipeline })
}

/// A diagnostic about a span of the expanded text, moved to the user's text. When the
/// span lies inside a macro's expansion, the caret marks the invocation and a note
/// quotes the expanded text where the problem is.
pub fn locate(expansion: &Expansion, code: &'static str, message: String, span: Span, label: String) -> Diagnostic {
    let (at, chain) = expansion.to_source(span);
    let mut d = Diagnostic::new(code, message, at, label);
    if let Some(chain) = chain {
        let names = chain.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" -> ");
        let text = &expansion.text;
        let start = span.start.min(text.len());
        let end = text[start..].char_indices().nth(40).map_or(text.len(), |(k, _)| start + k);
        let excerpt = &text[start..end];
        let excerpt = if excerpt.is_empty() { "the end of the search".to_string() } else { format!("`{excerpt}`") };
        d = d.with_note(format!("the problem is inside the expansion of macro {names}, at {excerpt}"));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macros::MacroDef;

    #[test]
    fn syntax_error_inside_a_macro_points_at_the_invocation() {
        let mut t = MacroTable::new();
        t.insert(MacroDef {
            name: "bad".into(),
            args: vec![],
            definition: "stats count by".into(),
            iseval: false,
            origin: "t".into(),
        });
        let src = "x=1 | `bad`";
        let d = compile(src, &t).unwrap_err();
        assert_eq!(d.code, "spelunk::syntax");
        assert_eq!(&src[d.span.range()], "`bad`");
        assert!(d.notes[0].contains("`bad`"), "{:?}", d.notes);
    }

    #[test]
    fn syntax_error_after_a_macro_points_into_user_text() {
        let mut t = MacroTable::new();
        t.insert(MacroDef {
            name: "ct".into(),
            args: vec![],
            definition: "sourcetype=aws:cloudtrail".into(),
            iseval: false,
            origin: "t".into(),
        });
        let src = "`ct` | eval x=";
        let d = compile(src, &t).unwrap_err();
        assert_eq!(d.span.start, src.len());
        assert!(d.notes.is_empty());
    }
}
