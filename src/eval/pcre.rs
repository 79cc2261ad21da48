//! Splunk's regular expressions are PCRE; spelunk runs them on the `regex` crate. This is
//! the one place where a PCRE pattern becomes a Rust pattern (`rex`, `match()`,
//! `replace()`, `mvfilter`, EXTRACT-/REPORT- all go through [`compile`]).
//!
//! What is translated:
//! - named groups `(?<name>...)` are written `(?P<name>...)` (the crate accepts both
//!   today; one spelling keeps error messages and older crate versions alike);
//! - a `{` that does not start a counted repetition (`{n}`, `{n,}`, `{n,m}`) is a literal
//!   in PCRE (`(?<json>{.+})`) and is escaped;
//! - inside a character class, `[` (other than a POSIX class `[:alpha:]`), `&` and `~` are
//!   literals in PCRE but start nested classes and set operations in Rust, so they are
//!   escaped; a `]` first in a class is a literal.
//!
//! What is not: look-around and back-references do not exist in the crate and are reported
//! as errors by [`compile`] (the crate's message names the construct).

use regex::Regex;

/// `pattern` (PCRE) as a pattern for the `regex` crate.
pub fn translate(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                    i += 1;
                }
            }
            '[' if in_class => {
                if chars.get(i + 1) == Some(&':') {
                    // A POSIX class `[:name:]`, copied whole.
                    let end = (i + 2..chars.len().saturating_sub(1)).find(|&k| chars[k] == ':' && chars[k + 1] == ']');
                    match end {
                        Some(k) => {
                            out.extend(&chars[i..=k + 1]);
                            i = k + 1;
                        }
                        None => out.push_str("\\["),
                    }
                } else {
                    out.push_str("\\[");
                }
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                out.push(c);
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '(' if !in_class && chars[i..].starts_with(&['(', '?', '<']) => {
                match chars.get(i + 3) {
                    Some('=') | Some('!') => out.push('('), // look-behind: left for the crate to refuse
                    _ => {
                        out.push_str("(?P<");
                        i += 3;
                        continue;
                    }
                }
            }
            '{' if !in_class && !is_counted_repetition(&chars[i..]) => out.push_str("\\{"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether `s` starts with `{n}`, `{n,}` or `{n,m}`.
fn is_counted_repetition(s: &[char]) -> bool {
    let mut k = 1;
    let digits = |k: &mut usize| {
        let start = *k;
        while s.get(*k).is_some_and(char::is_ascii_digit) {
            *k += 1;
        }
        *k > start
    };
    if !digits(&mut k) {
        return false;
    }
    if s.get(k) == Some(&',') {
        k += 1;
        digits(&mut k);
    }
    s.get(k) == Some(&'}')
}

/// Compiles a PCRE pattern (after [`translate`]); the error is the crate's message.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(&translate(pattern)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_groups_and_literal_braces() {
        assert_eq!(translate("(?<json_field>{.+})"), r"(?P<json_field>\{.+})");
        assert_eq!(translate(r"a{2,3}b{2}c{1,}(?P<x>d)"), r"a{2,3}b{2}c{1,}(?P<x>d)");
        assert_eq!(translate(r"\{(?<=a)"), r"\{(?<=a)");
        let re = compile("(?<json_field>{.+})").unwrap();
        assert_eq!(&re.captures(r#"x {"a":{"b":1}} y"#).unwrap()["json_field"], r#"{"a":{"b":1}}"#);
    }

    #[test]
    fn character_classes() {
        assert_eq!(translate("[[]"), r"[\[]");
        assert_eq!(translate("[]a]"), r"[\]a]");
        assert_eq!(translate("[^]a]"), r"[^\]a]");
        assert_eq!(translate("[[:alpha:]&]"), r"[[:alpha:]\&]");
        assert!(compile("[a&&b~~c[]+").unwrap().is_match("&"));
        assert!(compile("(?<x").is_err());
    }
}
