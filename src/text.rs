//! Text scanning shared by the stages that read SPL as text (macro expansion) and as a
//! grammar (the parser).

/// The characters of `s` that are outside double-quoted strings, with their byte offsets.
/// A backslash escapes the next character, inside quotes and out (as the parser reads
/// words); quotes, backslashes and escaped characters are not yielded.
pub fn unquoted_chars(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_quote = false;
    let mut escaped = false;
    s.char_indices().filter(move |&(_, c)| {
        if escaped && !in_quote {
            escaped = false;
            return false;
        }
        if !in_quote && c == '\\' {
            escaped = true;
            return false;
        }
        if in_quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_quote = false,
                _ => {}
            }
            return false;
        }
        if c == '"' {
            in_quote = true;
            return false;
        }
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_quoted_strings_with_escapes() {
        let out: String = unquoted_chars(r#"a"b,\"c"d,e"#).map(|(_, c)| c).collect();
        assert_eq!(out, "ad,e");
        let out: String = unquoted_chars(r"a\]b\\c").map(|(_, c)| c).collect();
        assert_eq!(out, "abc", "escapes outside quotes too");
        let offsets: Vec<usize> = unquoted_chars(r#"x"y"z"#).map(|(k, _)| k).collect();
        assert_eq!(offsets, [0, 4]);
    }
}
