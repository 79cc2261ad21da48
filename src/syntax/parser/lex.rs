//! Tokens shared by every part of the grammar: white space and comments, keywords,
//! quoted strings, words, field names and `name=value` options.
//!
//! SPL has no context-free lexer (`*` is a wildcard in `search` and a product in `eval`),
//! so these are small nom parsers that each part of the grammar combines as it needs.

use nom::bytes::complete::{tag, tag_no_case, take_while1};
use nom::character::complete::char;
use nom::combinator::{not, peek};
use nom::{IResult, Input, Parser};
use nom_locate::LocatedSpan;

use crate::syntax::ast::{CmdOption, Ident, Literal};
use crate::syntax::span::Span;

/// Parser input: the expanded search text with its byte offset.
pub type In<'a> = LocatedSpan<&'a str>;
pub type PResult<'a, T> = IResult<In<'a>, T, SyntaxError>;

/// What went wrong and where: `expected` names what the grammar wanted at `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// Short text for the caret label (`expected a field name`).
    pub label: String,
}

impl SyntaxError {
    pub fn new(span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        SyntaxError { span, message: message.into(), label: label.into() }
    }

    /// This error as given back from parsing `text` (the whole text, which its span is
    /// into): one the grammar made without words ([`nom::error::ParseError::from_error_kind`])
    /// says what it found there.
    pub(super) fn described(self, text: &str) -> SyntaxError {
        if !self.message.is_empty() {
            return self;
        }
        let found = text.get(self.span.start..).map_or_else(|| "end of search".to_string(), describe_text);
        SyntaxError { message: format!("unexpected {found}"), label: "unexpected here".to_string(), ..self }
    }
}

impl<'a> nom::error::ParseError<In<'a>> for SyntaxError {
    /// Where the grammar found nothing it could read, without words yet: most such errors
    /// only send the grammar to its next alternative and are dropped (their words, made
    /// at once, were a tenth of reading the content of a run), and the one given back is
    /// worded then ([`SyntaxError::described`]).
    fn from_error_kind(input: In<'a>, _kind: nom::error::ErrorKind) -> Self {
        SyntaxError { span: at(input), message: String::new(), label: String::new() }
    }

    fn append(_input: In<'a>, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    /// Of two alternatives that failed, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.span.start >= self.span.start {
            other
        } else {
            self
        }
    }
}

/// Byte offset of the input in the whole text.
pub fn pos(i: In<'_>) -> usize {
    i.location_offset()
}

/// A span from `start` (an earlier offset) up to where `i` is now.
pub fn span_from(start: usize, i: In<'_>) -> Span {
    Span::new(start, pos(i))
}

/// The span of the next character (empty at end of input), for pointing a caret.
pub fn at(i: In<'_>) -> Span {
    let len = i.fragment().chars().next().map_or(0, char::len_utf8);
    Span::new(pos(i), pos(i) + len)
}

/// How to name the next thing in the input in an error message.
pub fn describe(i: In<'_>) -> String {
    describe_text(i.fragment())
}

/// [`describe`] of the text from some place on.
fn describe_text(s: &str) -> String {
    match s.chars().next() {
        None => "end of search".to_string(),
        Some('|') => "`|`".to_string(),
        Some(c) if c.is_whitespace() => "white space".to_string(),
        Some(_) => {
            let word: String =
                s.chars().take_while(|c| !c.is_whitespace() && !"|[](),\"".contains(*c)).take(30).collect();
            if word.is_empty() {
                format!("`{}`", s.chars().next().unwrap_or(' '))
            } else {
                format!("`{word}`")
            }
        }
    }
}

/// A committed error: no alternative is tried after it.
pub fn fail<T>(span: Span, message: impl Into<String>, label: impl Into<String>) -> PResult<'static, T> {
    Err(nom::Err::Failure(SyntaxError::new(span, message, label)))
}

/// `expected X, found Y` at the next character.
pub fn expected<'a, T>(i: In<'a>, what: &str) -> PResult<'a, T> {
    Err(nom::Err::Failure(SyntaxError::new(
        at(i),
        format!("expected {what}, found {}", describe(i)),
        format!("expected {what}"),
    )))
}

/// Turns a recoverable error into a committed one saying what was needed there.
pub fn must(e: nom::Err<SyntaxError>, i: In<'_>, what: &str) -> nom::Err<SyntaxError> {
    match e {
        nom::Err::Error(_) => nom::Err::Failure(SyntaxError::new(
            at(i),
            format!("expected {what}, found {}", describe(i)),
            format!("expected {what}"),
        )),
        other => other,
    }
}

/// Skips white space (line breaks included) and ```` ```comments``` ````.
pub fn ws(mut i: In<'_>) -> PResult<'_, ()> {
    loop {
        let s = *i.fragment();
        let trimmed = s.trim_start();
        i = i.take_from(s.len() - trimmed.len());
        if let Some(comment) = trimmed.strip_prefix("```") {
            match comment.find("```") {
                Some(end) => i = i.take_from(end + 6),
                None => {
                    return fail(
                        Span::new(pos(i), pos(i) + 3),
                        "unterminated comment: ``` has no closing ```",
                        "comment starts here",
                    )
                }
            }
        } else {
            return Ok((i, ()));
        }
    }
}

/// True at a character that can continue an identifier.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A case-insensitive keyword that is a whole word (`by`, `AS`, `OUTPUT`).
pub fn keyword<'a>(kw: &'static str) -> impl Parser<In<'a>, Output = In<'a>, Error = SyntaxError> {
    nom::sequence::terminated(tag_no_case(kw), not(peek(nom::character::complete::satisfy(is_word_char))))
}

/// Like [`keyword`] but case-sensitive (search's `AND`, `OR`, `NOT` must be upper case).
pub fn keyword_exact<'a>(kw: &'static str) -> impl Parser<In<'a>, Output = In<'a>, Error = SyntaxError> {
    nom::sequence::terminated(tag(kw), not(peek(nom::character::complete::satisfy(is_word_char))))
}

/// Whether `kw` comes next (after white space), without consuming anything.
pub fn peek_keyword(i: In<'_>, kw: &'static str) -> bool {
    match ws(i) {
        Ok((j, _)) => keyword(kw).parse(j).is_ok(),
        Err(_) => false,
    }
}

/// An identifier: a letter or `_`, then letters, digits and `_`.
pub fn identifier(i: In<'_>) -> PResult<'_, In<'_>> {
    let s = *i.fragment();
    match s.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => take_while1(is_word_char).parse(i),
        _ => Err(nom::Err::Error(SyntaxError::new(at(i), "expected a name", "expected a name"))),
    }
}

/// A non-negative integer (`head 10`, `dedup 3 x`).
pub fn integer(i: In<'_>) -> PResult<'_, u64> {
    let (rest, digits) = take_while1(|c: char| c.is_ascii_digit()).parse(i)?;
    if rest.fragment().chars().next().is_some_and(is_word_char) {
        return Err(nom::Err::Error(SyntaxError::new(at(i), "expected a number", "expected a number")));
    }
    match digits.fragment().parse::<u64>() {
        Ok(n) => Ok((rest, n)),
        Err(_) => fail(span_from(pos(i), rest), "number too large", "number too large"),
    }
}

/// A double-quoted string: `\"` is a quote and `\\` a backslash; any other backslash
/// sequence is kept as written, so regexes such as `"\d+"` arrive intact
/// (docs/spl-semantics.md 3.1). Returns the value with escapes resolved.
pub fn quoted(i: In<'_>) -> PResult<'_, String> {
    let (body, _) = char('"').parse(i)?;
    let s = *body.fragment();
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((body.take_from(k + 1), out)),
            '\\' => match chars.clone().next() {
                Some((_, n @ ('"' | '\\'))) => {
                    chars.next();
                    out.push(n);
                }
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    fail(Span::new(pos(i), pos(i) + 1), "unterminated string: this quote is never closed", "string starts here")
}

/// Writes `s` as a double-quoted SPL string that [`quoted`] reads back as `s`.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// Escapes `"` and the backslashes that would otherwise be read as escapes: a backslash
/// is doubled only before `"`, before `\`, and at the end, so `\d+` stays readable.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => match chars.get(k + 1) {
                None | Some('"') | Some('\\') => out.push_str("\\\\"),
                _ => out.push('\\'),
            },
            _ => out.push(c),
        }
    }
    out
}

/// A balanced `( ... )` group, quotes inside respected.
pub fn balanced_parens(i: In<'_>) -> PResult<'_, ()> {
    let open = pos(i);
    let (mut j, _) = char('(').parse(i)?;
    loop {
        let s = *j.fragment();
        match s.chars().next() {
            None => return fail(Span::new(open, open + 1), "unclosed `(`", "this `(` is never closed"),
            Some(')') => return Ok((j.take_from(1), ())),
            Some('(') => j = balanced_parens(j)?.0,
            Some('"') => j = quoted(j)?.0,
            Some(c) => j = j.take_from(c.len_utf8()),
        }
    }
}

/// A raw word: a run of pieces (quoted strings, balanced parentheses, other characters)
/// up to white space or one of `stop`. Used for option values and generic arguments.
/// A word that is exactly one quoted string gives a quoted [`Literal`] with its value;
/// any other word is kept as written.
pub fn raw_word<'a>(i: In<'a>, stop: &str) -> PResult<'a, Literal> {
    let start = pos(i);
    let mut j = i;
    let mut pieces = 0;
    let mut only_quoted: Option<String> = None;
    loop {
        let s = *j.fragment();
        match s.chars().next() {
            Some('"') => {
                let (k, v) = quoted(j)?;
                only_quoted = if pieces == 0 { Some(v) } else { None };
                j = k;
            }
            Some('(') => {
                j = balanced_parens(j)?.0;
                only_quoted = None;
            }
            Some(c) if !c.is_whitespace() && !stop.contains(c) && !s.starts_with("```") => {
                j = j.take_from(c.len_utf8());
                only_quoted = None;
            }
            _ => break,
        }
        pieces += 1;
    }
    if pieces == 0 {
        return Err(nom::Err::Error(SyntaxError::new(at(i), "expected a value", "expected a value")));
    }
    let span = span_from(start, j);
    let lit = match only_quoted {
        Some(text) => Literal { text, quoted: true, span },
        None => Literal { text: i.fragment()[..span.len()].to_string(), quoted: false, span },
    };
    Ok((j, lit))
}

/// Characters that end a field name outside eval.
const FIELD_STOP: &str = ",|[]()\"=!<>";

/// A field name (or name pattern with `*`) outside eval: bare characters and quoted
/// pieces written together (`"Web".*` is `Web.*`, as a quoted macro argument produces).
/// With `parens`, balanced parentheses belong to the name (`values(x)` in `rename`).
pub fn field_name(i: In<'_>, parens: bool) -> PResult<'_, Ident> {
    let start = pos(i);
    let mut j = i;
    let mut name = String::new();
    loop {
        let s = *j.fragment();
        match s.chars().next() {
            Some('"') => {
                let (k, v) = quoted(j)?;
                name.push_str(&v);
                j = k;
            }
            Some('(') if parens => {
                let (k, _) = balanced_parens(j)?;
                name.push_str(&j.fragment()[..pos(k) - pos(j)]);
                j = k;
            }
            Some(c) if !c.is_whitespace() && !FIELD_STOP.contains(c) && !s.starts_with("```") => {
                name.push(c);
                j = j.take_from(c.len_utf8());
            }
            _ => break,
        }
    }
    if pos(j) == start {
        return Err(nom::Err::Error(SyntaxError::new(at(i), "expected a field name", "expected a field name")));
    }
    Ok((j, Ident { name, span: span_from(start, j) }))
}

/// Whether a field name can be written without quotes where [`field_name`] reads it.
pub fn is_bare_field(name: &str, parens: bool) -> bool {
    !name.is_empty()
        && !name.contains("```")
        && balanced(name, parens)
        && name.chars().all(|c| !c.is_whitespace() && (!FIELD_STOP.contains(c) || (parens && (c == '(' || c == ')'))))
}

fn balanced(name: &str, parens: bool) -> bool {
    if !parens {
        return true;
    }
    let mut depth = 0i32;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Prints a field name so that [`field_name`] reads it back.
pub fn print_field(name: &str, parens: bool) -> String {
    if is_bare_field(name, parens) && !is_reserved_word(name) {
        name.to_string()
    } else {
        quote(name)
    }
}

/// Words that command grammars read as keywords where a field could stand.
fn is_reserved_word(name: &str) -> bool {
    ["as", "by", "output", "outputnew", "where", "from", "sortby", "desc", "d", "and", "or", "not", "in", "over"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
}

/// `name=value` where `name` is an identifier. Returns an `Error` (not a failure) when the
/// input is not an option, so callers can try something else.
pub fn option(i: In<'_>) -> PResult<'_, CmdOption> {
    let start = pos(i);
    let (j, name) = identifier(i)?;
    let (j, _) = char('=').parse(j)?;
    if j.fragment().starts_with('=') {
        return Err(nom::Err::Error(SyntaxError::new(at(j), "not an option", "not an option")));
    }
    let value_start = j;
    let (j, value) = match raw_word(j, ",|[]") {
        Ok(r) => r,
        Err(nom::Err::Error(_)) => {
            return expected(value_start, &format!("a value for `{}=`", name.fragment()));
        }
        Err(e) => return Err(e),
    };
    Ok((j, CmdOption { name: name.fragment().to_string(), value, span: span_from(start, j) }))
}

/// Whether an option `name=` comes next.
pub fn at_option(i: In<'_>) -> bool {
    let Ok((j, _)) = identifier(i) else { return false };
    let s = *j.fragment();
    s.starts_with('=') && !s.starts_with("==")
}

/// True when the command's arguments are over: end of input, `|` or `]`.
pub fn at_command_end(i: In<'_>) -> bool {
    let s = *i.fragment();
    s.is_empty() || s.starts_with('|') || s.starts_with(']')
}

/// Prints an option back as `name=value`.
pub fn print_literal(l: &Literal) -> String {
    if l.quoted {
        quote(&l.text)
    } else {
        l.text.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inp(s: &str) -> In<'_> {
        In::new(s)
    }

    #[test]
    fn quoted_resolves_only_quote_and_backslash_escapes() {
        let (_, v) = quoted(inp(r#""a\"b\\c\d""#)).unwrap();
        assert_eq!(v, r#"a"b\c\d"#);
    }

    #[test]
    fn quote_round_trips_backslashes_and_quotes() {
        for s in [r"\d+", r"a\", r#"x"y"#, r"\\server\share", r#"\""#, ""] {
            let printed = quote(s);
            let (rest, back) = quoted(inp(&printed)).unwrap();
            assert_eq!(back, s, "printed as {printed}");
            assert!(rest.fragment().is_empty());
        }
    }

    #[test]
    fn unterminated_string_points_at_the_opening_quote() {
        let Err(nom::Err::Failure(e)) = quoted(inp("\"abc")) else { panic!("expected failure") };
        assert_eq!((e.span.start, e.span.end), (0, 1));
    }

    /// An error the grammar made without words, given back from parsing, says what it
    /// found where it stopped; an error with words keeps them.
    #[test]
    fn errors_given_back_say_what_was_found() {
        for text in ["1 + )", "(", "[a]", ")", "a b"] {
            let e = crate::syntax::parse_expr(text).unwrap_err();
            assert!(!e.message.is_empty() && !e.label.is_empty(), "{text}: {e:?}");
        }
        let bare =
            |at: usize| SyntaxError { span: Span::new(at, at + 1), message: String::new(), label: String::new() };
        let e = bare(4).described("a b c|d");
        assert_eq!((e.message.as_str(), e.label.as_str()), ("unexpected `c`", "unexpected here"));
        assert_eq!(bare(5).described("a b c|d").message, "unexpected `|`");
        assert_eq!(bare(7).described("a b c|d").message, "unexpected end of search");
        let worded = SyntaxError { span: Span::new(7, 7), ..e.clone() }.described("a b c|d");
        assert_eq!(worded.message, "unexpected `c`", "worded errors keep their words");
    }

    #[test]
    fn ws_skips_comments_and_line_breaks() {
        let (rest, _) = ws(inp(" \n ```note | x``` \t y")).unwrap();
        assert_eq!(*rest.fragment(), "y");
    }

    #[test]
    fn field_name_joins_quoted_and_bare_pieces() {
        let (rest, id) = field_name(inp("\"Web\".* as"), false).unwrap();
        assert_eq!(id.name, "Web.*");
        assert_eq!(*rest.fragment(), " as");
    }

    #[test]
    fn field_name_with_parens_keeps_function_style_names() {
        let (_, id) = field_name(inp("values(group_added) as g"), true).unwrap();
        assert_eq!(id.name, "values(group_added)");
    }

    #[test]
    fn option_reads_quoted_and_bare_values() {
        let (_, o) = option(inp("timeformat=\"%Y-%m-%d\" x")).unwrap();
        assert_eq!((o.name.as_str(), o.value.text.as_str(), o.value.quoted), ("timeformat", "%Y-%m-%d", true));
        let (_, o) = option(inp("startswith=eval(x=\"a b\") y")).unwrap();
        assert_eq!(o.value.text, "eval(x=\"a b\")");
    }

    #[test]
    fn keyword_needs_a_word_boundary() {
        assert!(keyword("by").parse(inp("by x")).is_ok());
        assert!(keyword("by").parse(inp("BY x")).is_ok());
        assert!(keyword("by").parse(inp("bytes")).is_err());
    }

    #[test]
    fn print_field_quotes_only_when_needed() {
        assert_eq!(print_field("requestParameters.items{}.userId", false), "requestParameters.items{}.userId");
        assert_eq!(print_field("Search Name", false), "\"Search Name\"");
        assert_eq!(print_field("values(x)", true), "values(x)");
        assert_eq!(print_field("values(x)", false), "\"values(x)\"");
        assert_eq!(print_field("as", false), "\"as\"");
    }
}
