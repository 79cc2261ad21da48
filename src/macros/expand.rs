//! Backtick macro expansion: user text to expanded text, with a source map.
//!
//! Splunk expands macros as text before it parses a search, and so does spelunk. The
//! [`Expansion`] remembers, for every byte of the expanded text, where it came from: the
//! user's own text (an exact offset) or a macro invocation (the span of the backticks the
//! user wrote, and the chain of macros). So an error found by the parser in expanded text
//! is shown at the right place in the text the user wrote.
//!
//! Rules (docs/spl-semantics.md 9.1): `` `name` `` or `` `name(a, b)` ``; the argument
//! count selects the definition; `$arg$` is replaced everywhere in the definition, inside
//! quotes too; definitions are expanded recursively; backticks inside a double-quoted
//! string or a ```` ```comment``` ```` are not expanded.

use std::fmt;

use super::{implicit_definition, key, MacroTable};
use crate::syntax::Span;

/// Deepest nesting of macros inside macros before expansion gives up.
pub const MAX_DEPTH: usize = 64;
/// Largest expanded text, against definitions that double at every level.
pub const MAX_EXPANDED_BYTES: usize = 4 << 20;
/// Most macro invocations expanded for one search (real searches use a few dozen).
pub const MAX_INVOCATIONS: usize = 10_000;

/// The expanded text of a search and where each part came from.
#[derive(Debug, Clone)]
pub struct Expansion {
    pub text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
struct Segment {
    /// Start of this segment in the expanded text; it runs to the next segment's start.
    out_start: usize,
    origin: Origin,
}

/// Where a piece of expanded text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The user's text, starting at this offset.
    Source { start: usize },
    /// The expansion of the invocation at `call` (the user's backticks); `chain` is the
    /// macro keys from the outermost to the innermost.
    Macro { call: Span, chain: Vec<String> },
}

impl Expansion {
    /// The span in the user's text that an expanded-text span is about, and the macro
    /// chain when it falls inside a macro's expansion.
    pub fn to_source(&self, span: Span) -> (Span, Option<&[String]>) {
        let idx = match self.segments.binary_search_by(|s| s.out_start.cmp(&span.start)) {
            Ok(k) => k,
            Err(0) => return (span, None),
            Err(k) => k - 1,
        };
        let seg = &self.segments[idx];
        let seg_end = self.segments.get(idx + 1).map_or(self.text.len(), |s| s.out_start);
        match &seg.origin {
            Origin::Source { start } => {
                let s = start + (span.start - seg.out_start);
                let e = start + (span.end.min(seg_end).max(span.start) - seg.out_start);
                (Span::new(s, e), None)
            }
            Origin::Macro { call, chain } => (*call, Some(chain)),
        }
    }

    /// Whether any macro was expanded.
    pub fn used_macros(&self) -> bool {
        self.segments.iter().any(|s| matches!(s.origin, Origin::Macro { .. }))
    }
}

/// Why expansion failed. The span is in the user's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroError {
    pub kind: MacroErrorKind,
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacroErrorKind {
    Unknown,
    Arity,
    Cycle,
    Depth,
    TooLarge,
    Unterminated,
    Malformed,
    IsEval,
}

impl MacroErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            MacroErrorKind::Unknown => "spelunk::macro::unknown",
            MacroErrorKind::Arity => "spelunk::macro::arity",
            MacroErrorKind::Cycle => "spelunk::macro::cycle",
            MacroErrorKind::Depth => "spelunk::macro::depth",
            MacroErrorKind::TooLarge => "spelunk::macro::too-large",
            MacroErrorKind::Unterminated => "spelunk::macro::unterminated",
            MacroErrorKind::Malformed => "spelunk::macro::malformed",
            MacroErrorKind::IsEval => "spelunk::macro::iseval",
        }
    }
}

impl fmt::Display for MacroError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MacroError {}

/// Expands every macro in `source`.
pub fn expand(source: &str, table: &MacroTable) -> Result<Expansion, MacroError> {
    let mut ex = Expander {
        table,
        out: String::with_capacity(source.len()),
        segments: Vec::new(),
        stack: Vec::new(),
        invocations: 0,
    };
    ex.text(source, None)?;
    Ok(Expansion { text: ex.out, segments: ex.segments })
}

struct Expander<'t> {
    table: &'t MacroTable,
    out: String,
    segments: Vec<Segment>,
    /// Keys of the macros being expanded, outermost first.
    stack: Vec<String>,
    invocations: usize,
}

impl Expander<'_> {
    /// Expands `text`. `call` is `None` for the user's own text, otherwise the span of the
    /// outermost invocation this text is part of.
    fn text(&mut self, text: &str, call: Option<Span>) -> Result<(), MacroError> {
        let bytes = text.as_bytes();
        let mut literal_start = 0;
        let mut k = 0;
        while k < bytes.len() {
            // Byte-wise: `k` may be inside a multi-byte character here.
            if bytes[k..].starts_with(b"```") {
                // A comment: copied as it is (the parser skips it); an unclosed one is
                // left for the parser to report.
                k = text[k + 3..].find("```").map_or(bytes.len(), |e| k + 3 + e + 3);
                continue;
            }
            match bytes[k] {
                // Outside quotes a backslash escapes the next character (`*\"x\":true*`).
                b'\\' => k = next_char_boundary(text, k + 2),
                b'"' => k = skip_string(bytes, k),
                b'`' => {
                    self.literal(text, literal_start, k, call);
                    let end = self.invocation(text, k, call)?;
                    k = end;
                    literal_start = end;
                }
                _ => k += 1,
            }
        }
        self.literal(text, literal_start, bytes.len(), call);
        Ok(())
    }

    fn literal(&mut self, text: &str, from: usize, to: usize, call: Option<Span>) {
        if from >= to {
            return;
        }
        let origin = match call {
            None => Origin::Source { start: from },
            Some(call) => Origin::Macro { call, chain: self.stack.clone() },
        };
        self.segments.push(Segment { out_start: self.out.len(), origin });
        self.out.push_str(&text[from..to]);
    }

    /// Expands the invocation starting at the backtick at `k`; returns the offset after it.
    fn invocation(&mut self, text: &str, k: usize, call: Option<Span>) -> Result<usize, MacroError> {
        let Some(close) = text[k + 1..].find('`').map(|e| k + 1 + e) else {
            return Err(self.error(
                MacroErrorKind::Unterminated,
                call.unwrap_or(Span::new(k, k + 1)),
                "unterminated macro invocation: this backtick is never closed".into(),
                "macro starts here",
                Some("a macro is written `name` or `name(arg1, arg2)`".into()),
            ));
        };
        let here = call.unwrap_or(Span::new(k, close + 1));
        let body = &text[k + 1..close];
        let (name, args) = parse_invocation(body)
            .map_err(|msg| self.error(MacroErrorKind::Malformed, here, msg, "in this macro invocation", None))?;
        let arity = args.len();
        let macro_key = key(name, arity);
        let owned;
        let (definition, arg_names): (&str, &[String]) = match self.table.get(name, arity) {
            Some(def) if def.iseval => {
                return Err(self.error(
                    MacroErrorKind::IsEval,
                    here,
                    format!(
                        "macro `{macro_key}` is an eval-based macro (iseval = true), which spelunk does not expand"
                    ),
                    "eval-based macro",
                    Some(format!("defined in {}", def.origin)),
                ));
            }
            Some(def) => {
                owned = (def.definition.clone(), def.args.clone());
                (&owned.0, &owned.1)
            }
            None => match implicit_definition(name, arity) {
                Some(d) => (d, &[]),
                None => return Err(self.missing(name, arity, here)),
            },
        };
        if self.stack.contains(&macro_key) {
            let mut chain = self.stack.clone();
            chain.push(macro_key.clone());
            return Err(self.error(
                MacroErrorKind::Cycle,
                here,
                format!("macro cycle: {}", chain.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" -> ")),
                "expanding this never ends",
                None,
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                MacroErrorKind::Depth,
                here,
                format!("macros nest deeper than {MAX_DEPTH} levels (at `{macro_key}`)"),
                "expanding this goes too deep",
                None,
            ));
        }
        self.invocations += 1;
        if self.invocations > MAX_INVOCATIONS {
            return Err(self.error(
                MacroErrorKind::TooLarge,
                here,
                format!("more than {MAX_INVOCATIONS} macro invocations in one search (at `{macro_key}`)"),
                "this expands to too much text",
                None,
            ));
        }
        let expanded = substitute(definition, arg_names, &args);
        self.stack.push(macro_key);
        self.text(&expanded, Some(here))?;
        self.stack.pop();
        if self.out.len() > MAX_EXPANDED_BYTES {
            return Err(self.error(
                MacroErrorKind::TooLarge,
                here,
                format!("macro expansion is larger than {} MiB", MAX_EXPANDED_BYTES >> 20),
                "this expands to too much text",
                None,
            ));
        }
        Ok(close + 1)
    }

    fn missing(&self, name: &str, arity: usize, at: Span) -> MacroError {
        let defined = self.table.arities(name);
        if !defined.is_empty() {
            let want = defined.iter().map(|n| plural(*n, "argument")).collect::<Vec<_>>().join(" or ");
            let origin = self.table.get(name, defined[0]).map(|d| d.origin.clone()).unwrap_or_default();
            return self.error(
                MacroErrorKind::Arity,
                at,
                format!("macro `{name}` takes {want}, but {} given", given(arity)),
                "wrong number of arguments",
                Some(format!("`{}` is defined in {origin}", key(name, defined[0]))),
            );
        }
        let what = key(name, arity);
        let inside = match self.stack.last() {
            Some(outer) => format!(" (used inside macro `{outer}`)"),
            None => String::new(),
        };
        self.error(
            MacroErrorKind::Unknown,
            at,
            format!("unknown macro `{what}`{inside}"),
            "not defined",
            Some("define it in a macros/*.yml or macros.conf file and pass its directory with --macros".into()),
        )
    }

    fn error(
        &self,
        kind: MacroErrorKind,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> MacroError {
        MacroError { kind, span, message, label: label.to_string(), help }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn given(n: usize) -> String {
    match n {
        0 => "none were".to_string(),
        1 => "1 was".to_string(),
        n => format!("{n} were"),
    }
}

fn next_char_boundary(text: &str, mut k: usize) -> usize {
    while k < text.len() && !text.is_char_boundary(k) {
        k += 1;
    }
    k.min(text.len())
}

/// Offset after the double-quoted string starting at `k` (the end of text if unclosed).
fn skip_string(bytes: &[u8], k: usize) -> usize {
    let mut j = k + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// `name` or `name(arg, "a, b", f(x))`: the name and the trimmed arguments. Commas split
/// arguments only outside quotes and parentheses; quotes are kept (UNVERIFIED, 9.1).
fn parse_invocation(body: &str) -> Result<(&str, Vec<String>), String> {
    let body = body.trim();
    let (name, rest) = match body.find('(') {
        Some(p) => (body[..p].trim(), Some(&body[p + 1..])),
        None => (body, None),
    };
    if name.is_empty() {
        return Err("empty macro invocation: expected a macro name between the backticks".into());
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_alphanumeric() || "_-.:".contains(*c))) {
        return Err(format!("`{bad}` cannot be part of a macro name (in `{name}`)"));
    }
    let Some(rest) = rest else { return Ok((name, Vec::new())) };
    let Some(inner) = rest.strip_suffix(')') else {
        return Err(format!("the arguments of macro `{name}` are not closed with `)`"));
    };
    if inner.trim().is_empty() {
        return Ok((name, Vec::new()));
    }
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (k, c) in crate::text::unquoted_chars(inner) {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(inner[start..k].trim().to_string());
                start = k + 1;
            }
            _ => {}
        }
    }
    args.push(inner[start..].trim().to_string());
    Ok((name, args))
}

/// Replaces each `$name$` of an argument name with its value, in one pass (a value that
/// itself contains `$x$` is not substituted again).
fn substitute(definition: &str, names: &[String], values: &[String]) -> String {
    if names.is_empty() {
        return definition.to_string();
    }
    let mut out = String::with_capacity(definition.len());
    let mut rest = definition;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let hit =
            names.iter().zip(values).find(|(n, _)| after.starts_with(n.as_str()) && after[n.len()..].starts_with('$'));
        match hit {
            Some((n, v)) => {
                out.push_str(v);
                rest = &after[n.len() + 1..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macros::MacroDef;

    fn table(defs: &[(&str, &[&str], &str)]) -> MacroTable {
        let mut t = MacroTable::new();
        for (name, args, def) in defs {
            t.insert(MacroDef {
                name: name.to_string(),
                args: args.iter().map(|a| a.to_string()).collect(),
                definition: def.to_string(),
                iseval: false,
                origin: "test".into(),
            });
        }
        t
    }

    fn docs_table() -> MacroTable {
        table(&[
            ("cloudtrail", &[], "sourcetype=aws:cloudtrail"),
            ("security_content_ctime", &["field"], "convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime($field$)"),
        ])
    }

    #[test]
    fn s9_1_expansion_example() {
        let src = "`cloudtrail` eventName=X | stats min(_time) as firstTime | `security_content_ctime(firstTime)` | `aws_createaccesskey_filter`";
        let ex = expand(src, &docs_table()).unwrap();
        assert_eq!(
            ex.text,
            "sourcetype=aws:cloudtrail eventName=X | stats min(_time) as firstTime | convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime(firstTime) | search *"
        );
    }

    #[test]
    fn s9_1_arity_is_part_of_the_name() {
        let t = table(&[("m", &[], "zero"), ("m", &["a"], "one $a$"), ("m", &["a", "b"], "two $a$ $b$")]);
        assert_eq!(expand("`m`", &t).unwrap().text, "zero");
        assert_eq!(expand("`m(x)`", &t).unwrap().text, "one x");
        assert_eq!(expand("`m(x, y)`", &t).unwrap().text, "two x y");
        assert_eq!(expand("`m()`", &t).unwrap().text, "zero");
    }

    #[test]
    fn s9_1_arguments_split_outside_quotes_and_parens_and_substitute_inside_quotes() {
        let t = table(&[("m", &["a", "b"], "x=\"$a$\" y=$b$")]);
        assert_eq!(expand("`m(\"p, q\", f(1,2))`", &t).unwrap().text, "x=\"\"p, q\"\" y=f(1,2)");
    }

    #[test]
    fn s9_1_substitution_is_single_pass() {
        let t = table(&[("m", &["a", "b"], "$a$ $b$")]);
        assert_eq!(expand("`m($b$, z)`", &t).unwrap().text, "$b$ z");
    }

    #[test]
    fn s9_1_nested_macros_expand_recursively() {
        let t = table(&[("outer", &[], "a `inner(1)` b"), ("inner", &["n"], "[$n$]")]);
        assert_eq!(expand("x `outer` y", &t).unwrap().text, "x a [1] b y");
    }

    #[test]
    fn s9_1_backticks_in_strings_and_comments_are_not_expanded() {
        let t = MacroTable::new();
        let src = "x=\"a`b`c\" ```a `c` comment``` | eval y=\"\\\"`q`\"";
        assert_eq!(expand(src, &t).unwrap().text, src);
    }

    #[test]
    fn multibyte_characters_around_macros() {
        // Found by the `parse` fuzz target: a byte offset inside `\u{35d}` was sliced.
        let t = table(&[("ct", &[], "sourcetype=aws:cloudtrail")]);
        assert_eq!(
            expand("a\u{35d},`ct` é\\é ```ü```", &t).unwrap().text,
            "a\u{35d},sourcetype=aws:cloudtrail é\\é ```ü```"
        );
    }

    #[test]
    fn s9_2_missing_filter_macro_is_search_star() {
        assert_eq!(expand("x | `my_detection_filter`", &MacroTable::new()).unwrap().text, "x | search *");
    }

    #[test]
    fn unknown_macro_names_itself_and_its_span() {
        let e = expand("x | `nope(1)` | y", &MacroTable::new()).unwrap_err();
        assert_eq!(e.kind, MacroErrorKind::Unknown);
        assert_eq!(e.message, "unknown macro `nope(1)`");
        assert_eq!((e.span.start, e.span.end), (4, 13));
    }

    #[test]
    fn unknown_macro_inside_a_macro_points_at_the_outer_call() {
        let t = table(&[("outer", &[], "a `inner`")]);
        let e = expand("x `outer`", &t).unwrap_err();
        assert_eq!(e.message, "unknown macro `inner` (used inside macro `outer`)");
        assert_eq!((e.span.start, e.span.end), (2, 9));
    }

    #[test]
    fn wrong_argument_count() {
        let e = expand("`security_content_ctime(a, b)`", &docs_table()).unwrap_err();
        assert_eq!(e.kind, MacroErrorKind::Arity);
        assert_eq!(e.message, "macro `security_content_ctime` takes 1 argument, but 2 were given");
    }

    #[test]
    fn cycles_are_detected() {
        let t = table(&[("a", &[], "`b`"), ("b", &[], "x `a`")]);
        let e = expand("`a`", &t).unwrap_err();
        assert_eq!(e.kind, MacroErrorKind::Cycle);
        assert_eq!(e.message, "macro cycle: `a` -> `b` -> `a`");
    }

    #[test]
    fn runaway_growth_is_stopped() {
        let mut defs: Vec<(String, Vec<&str>, String)> = Vec::new();
        for k in 0..30 {
            defs.push((format!("m{k}"), vec![], format!("`m{}` `m{}`", k + 1, k + 1)));
        }
        defs.push(("m30".into(), vec![], "x".into()));
        let mut t = MacroTable::new();
        for (n, a, d) in defs {
            t.insert(MacroDef {
                name: n,
                args: a.iter().map(|s| s.to_string()).collect(),
                definition: d,
                iseval: false,
                origin: "t".into(),
            });
        }
        let e = expand("`m0`", &t).unwrap_err();
        assert_eq!(e.kind, MacroErrorKind::TooLarge);
    }

    #[test]
    fn unterminated_invocation() {
        let e = expand("x `cloudtrail", &docs_table()).unwrap_err();
        assert_eq!(e.kind, MacroErrorKind::Unterminated);
        assert_eq!((e.span.start, e.span.end), (2, 3));
    }

    #[test]
    fn source_map_points_back_to_user_text() {
        let src = "`cloudtrail` eventName=X | `security_content_ctime(t)`";
        let ex = expand(src, &docs_table()).unwrap();
        // `eventName` in the expanded text maps to its place in the source.
        let at = ex.text.find("eventName").unwrap();
        let (s, chain) = ex.to_source(Span::new(at, at + 9));
        assert_eq!(&src[s.range()], "eventName");
        assert!(chain.is_none());
        // `convert` comes from the second macro: the whole invocation is the place.
        let at = ex.text.find("convert").unwrap();
        let (s, chain) = ex.to_source(Span::new(at, at + 7));
        assert_eq!(&src[s.range()], "`security_content_ctime(t)`");
        assert_eq!(chain.unwrap(), ["security_content_ctime(1)".to_string()]);
    }
}
