//! Malformed searches: each must fail with the right message, at the right place in the
//! text the user wrote (the caret's span), with the right code.

use spelunk::macros::{MacroDef, MacroTable};
use spelunk::{compile, Diagnostic};

fn macros() -> MacroTable {
    let mut t = MacroTable::builtin();
    for (name, args, def) in [
        ("cloudtrail", vec![], "sourcetype=aws:cloudtrail"),
        ("security_content_ctime", vec!["field"], "convert timeformat=\"%Y-%m-%dT%H:%M:%S\" ctime($field$)"),
        ("loop_a", vec![], "x `loop_b`"),
        ("loop_b", vec![], "y `loop_a`"),
        ("broken_stats", vec![], "stats count by"),
    ] {
        t.insert(MacroDef {
            name: name.into(),
            args: args.into_iter().map(String::from).collect(),
            definition: def.into(),
            iseval: false,
            origin: "tests/errors.rs".into(),
        });
    }
    t
}

fn fail(src: &str) -> Diagnostic {
    match compile(src, &macros()) {
        Ok(q) => panic!("`{src}` parsed, but it should not: {:?}", q.pipeline),
        Err(d) => d,
    }
}

/// (search, code, message, the text under the caret or `@N` for an empty span at N)
const CASES: &[(&str, &str, &str, &str)] = &[
    // quotes, brackets, parentheses
    (
        "eventName=\"ConsoleLogin | stats count",
        "spelunk::syntax",
        "unterminated string: this quote is never closed",
        "\"",
    ),
    ("(a=1 OR b=2 | stats count", "spelunk::syntax", "unclosed `(` in search", "("),
    ("a=1) | stats count", "spelunk::syntax", "unexpected `)`: there is no `(` to close", ")"),
    ("a [search b=1 | stats count", "spelunk::syntax", "unclosed `[`: the subsearch has no closing `]`", "["),
    ("a=1 ] b", "spelunk::syntax", "unexpected `]`: there is no `[` to close", "]"),
    ("x IN (a, b | stats count", "spelunk::syntax", "unclosed `(` after `IN`", "("),
    ("| eval x=if(a, b", "spelunk::syntax", "unclosed `(` in `if(...)`", "("),
    ("| stats count(x", "spelunk::syntax", "unclosed `(` in `count(`", "("),
    ("a=1 ```unfinished comment", "spelunk::syntax", "unterminated comment: ``` has no closing ```", "```"),
    // missing pieces
    ("", "spelunk::syntax", "empty search", "@0"),
    ("| stats count by", "spelunk::syntax", "expected a field name after `by`, found end of search", "@16"),
    ("| stats count by | table x", "spelunk::syntax", "expected a field name after `by`, found `|`", "|"),
    ("| eval x=", "spelunk::syntax", "expected an expression after `x=`, found end of search", "@9"),
    ("| where x = ", "spelunk::syntax", "expected an expression after `=`, found end of search", "@12"),
    (
        "| stats",
        "spelunk::syntax",
        "expected an aggregation such as `count` or `values(field)` in `stats`, found end of search",
        "@7",
    ),
    ("| rename a", "spelunk::syntax", "expected `as` after `a` in rename, found end of search", "@10"),
    ("| eval x=1 y", "spelunk::syntax", "expected `=` after `y` in eval, found end of search", "@12"),
    ("a=1 OR | stats count", "spelunk::syntax", "expected a search term after `OR`, found `|`", "|"),
    ("a AND OR b", "spelunk::syntax", "expected a search term, found `OR`", "O"),
    ("| rex field=x", "spelunk::syntax", "`rex` needs a regular expression in double quotes", "rex"),
    ("| join user", "spelunk::syntax", "expected a subsearch `[ ... ]` for `join`, found end of search", "@11"),
    (
        "| tstats count where",
        "spelunk::syntax",
        "expected a search expression after `where`, found end of search",
        "@20",
    ),
    ("| sort", "spelunk::syntax", "expected a field to sort by, found end of search", "@6"),
    ("| tstats count where a=1 by x where b=2", "spelunk::syntax", "`tstats` takes one `where` clause", "where"),
    ("a=", "spelunk::syntax", "expected a value after `=`, found end of search", "@2"),
    // pipes and command names
    ("a=1 | | stats count", "spelunk::syntax", "expected a command after `|`", "|"),
    ("a=1 |", "spelunk::syntax", "expected a command after `|`", "|"),
    ("| 123", "spelunk::syntax", "expected a command name, found `123`", "1"),
    (
        "| stats count by x y)",
        "spelunk::syntax",
        "unexpected `)` in `stats`: expected `|` or the end of the search",
        ")",
    ),
    (
        "| eval x=5minutes",
        "spelunk::syntax",
        "`5minutes` is not a number; a field name that starts with a digit must be quoted: '5minutes'",
        "5minutes",
    ),
    // macros
    ("`nope` | stats count", "spelunk::macro::unknown", "unknown macro `nope`", "`nope`"),
    ("a | `loop_a`", "spelunk::macro::cycle", "macro cycle: `loop_a` -> `loop_b` -> `loop_a`", "`loop_a`"),
    (
        "| stats min(_time) as t | `security_content_ctime(t, x)`",
        "spelunk::macro::arity",
        "macro `security_content_ctime` takes 1 argument, but 2 were given",
        "`security_content_ctime(t, x)`",
    ),
    (
        "`security_content_ctime`",
        "spelunk::macro::arity",
        "macro `security_content_ctime` takes 1 argument, but none were given",
        "`security_content_ctime`",
    ),
    (
        "a `cloudtrail",
        "spelunk::macro::unterminated",
        "unterminated macro invocation: this backtick is never closed",
        "`",
    ),
    (
        "a | `broken_stats`",
        "spelunk::syntax",
        "expected a field name after `by`, found end of search",
        "`broken_stats`",
    ),
    ("`cloudtrail` | eval x=", "spelunk::syntax", "expected an expression after `x=`, found end of search", "@22"),
];

#[test]
fn malformed_searches_report_message_code_and_caret() {
    assert!(CASES.len() >= 15);
    let mut problems = Vec::new();
    for (src, code, message, under) in CASES {
        let d = fail(src);
        let got_under = if d.span.is_empty() { format!("@{}", d.span.start) } else { src[d.span.range()].to_string() };
        if d.code != *code || d.message != *message || got_under != *under {
            problems.push(format!(
                "`{src}`\n   want {code} / {message} / under: {under}\n   got  {} / {} / under: {got_under}",
                d.code, d.message
            ));
        }
    }
    assert!(problems.is_empty(), "{} of {} cases differ:\n{}", problems.len(), CASES.len(), problems.join("\n"));
}

#[test]
fn errors_inside_a_macro_say_where_in_the_expansion() {
    let d = fail("a | `broken_stats`");
    assert_eq!(d.notes, ["the problem is inside the expansion of macro `broken_stats`, at the end of the search"]);
}

#[test]
fn unknown_macros_say_how_to_define_them() {
    let d = fail("`nope`");
    assert!(d.help.as_deref().unwrap_or("").contains("--macros"));
}

/// The rendered report, as a user sees it (ASCII theme, no colour): reviewed golden output.
#[test]
fn rendered_reports() {
    let cases = [
        ("by_without_field", "`cloudtrail` eventName=CreateKey\n| stats count by"),
        ("unterminated_string", "eventName=\"ConsoleLogin | stats count"),
        ("macro_cycle", "a | `loop_a`"),
        ("error_inside_macro", "a | `broken_stats`"),
    ];
    for (name, src) in cases {
        let d = fail(src);
        insta::assert_snapshot!(name, d.render_plain("search", src));
    }
}

#[test]
fn no_input_panics_on_truncation() {
    // Every prefix of a long, realistic search either parses or fails with a diagnostic
    // whose span lies inside the text.
    let src = "`cloudtrail` eventName IN (\"a\", b) NOT (x!=1 OR \"q\") [| inputlookup t where y=2] \
               | eval v=if(match('a.b{}', \"\\d+\"), -1 * 2, null()), w=a.b | stats count(eval(v>1)) as c by w \
               | rex field=w \"(?<n>x)\" | lookup l k as w OUTPUTNEW z | rename \"a b\" as c, d* as e* ```c```";
    let t = macros();
    for (k, _) in src.char_indices() {
        let prefix = &src[..k];
        if let Err(d) = compile(prefix, &t) {
            assert!(d.span.end <= prefix.len(), "span {:?} outside `{prefix}`", d.span);
            let _ = d.render_plain("search", prefix);
        }
    }
}
