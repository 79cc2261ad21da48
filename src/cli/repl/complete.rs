//! What the REPL's Tab offers and when Enter continues a search on the next line.

use std::sync::{Arc, RwLock};

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

/// The dot-commands, as Tab completes them.
pub const DOT_COMMANDS: &[&str] = &[
    ".help",
    ".fields",
    ".macros",
    ".load",
    ".format",
    ".timer",
    ".explain",
    ".save",
    ".detections",
    ".run",
    ".rows",
    ".quit",
];

/// The commands the grammar knows by name (typed ones and the ones the corpus uses).
const COMMANDS: &[&str] = &[
    "anomalydetection",
    "append",
    "bin",
    "bucket",
    "convert",
    "datamodel",
    "dedup",
    "eval",
    "eventstats",
    "fields",
    "fillnull",
    "from",
    "head",
    "inputlookup",
    "iplocation",
    "join",
    "lookup",
    "makemv",
    "makeresults",
    "mvexpand",
    "nomv",
    "outputlookup",
    "rare",
    "rename",
    "rex",
    "search",
    "sort",
    "spath",
    "stats",
    "streamstats",
    "table",
    "tail",
    "timechart",
    "top",
    "transaction",
    "tstats",
    "where",
];

/// The aggregation functions of `stats`, `eventstats`, `streamstats` and `timechart`.
const STATS_FUNCTIONS: &[&str] = &[
    "avg",
    "count",
    "dc",
    "distinct_count",
    "earliest",
    "earliest_time",
    "estdc",
    "exactperc",
    "first",
    "last",
    "latest",
    "latest_time",
    "list",
    "max",
    "median",
    "min",
    "mode",
    "perc",
    "range",
    "rate",
    "stdev",
    "stdevp",
    "sum",
    "upperperc",
    "values",
    "var",
    "varp",
];

const FORMATS: &[&str] = &["table", "csv", "json", "ndjson"];

/// Names that change while the REPL runs: the loaded data's fields, the macros, the
/// loaded content's detections.
#[derive(Default)]
pub struct Names {
    pub fields: Vec<String>,
    pub macros: Vec<(String, usize)>,
    pub detections: Vec<String>,
}

/// The line editor's helper: completion and multi-line input.
pub struct ReplHelper {
    pub names: Arc<RwLock<Names>>,
    files: FilenameCompleter,
}

impl ReplHelper {
    pub fn new(names: Arc<RwLock<Names>>) -> ReplHelper {
        ReplHelper { names, files: FilenameCompleter::new() }
    }
}

impl Helper for ReplHelper {}
impl Highlighter for ReplHelper {}
impl Hinter for ReplHelper {
    type Hint = String;
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if incomplete(ctx.input()) { ValidationResult::Incomplete } else { ValidationResult::Valid(None) })
    }
}

/// Whether a search goes on on the next line: a quote, backtick or bracket is still open,
/// or the text ends with `|`. Dot-commands are always one line.
pub fn incomplete(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() || t.starts_with('.') {
        return false;
    }
    if t.ends_with('|') {
        return true;
    }
    let mut depth: i64 = 0;
    let mut quote: Option<char> = None;
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' && q == '"' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '\\' => {
                    chars.next();
                }
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            },
        }
    }
    quote.is_some() || depth > 0
}

/// Characters that end a word being completed.
fn stops_word(c: char) -> bool {
    c.is_whitespace() || ",|[]()=!<>\"+-*/%".contains(c)
}

/// A field name as an eval expression needs it: bare when it is a plain name, else in
/// single quotes (an unquoted `a.b` in eval is concatenation).
pub fn eval_quoted(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "\\'"))
    }
}

/// A field name as the search language and field lists need it: bare unless it has a
/// character that ends a name (white space, `,|[]()"=!<>`), then in double quotes. Dotted
/// names and `{}` stay bare.
pub fn search_quoted(name: &str) -> String {
    if !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || ",|[]()\"=!<>'`".contains(c)) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Where the word at the end of `before` is, and what kind of completion it wants.
#[derive(Debug, PartialEq)]
enum Want {
    Command,
    Macro,
    /// Fields (quoted for eval when `eval`), and the functions of the command.
    Fields {
        eval: bool,
        stats: bool,
    },
}

/// The command the cursor is in: the first word after the last `|` or `[` outside quotes.
fn current_command(before: &str) -> Option<String> {
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (k, c) in before.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' || c == '[' => start = k + 1,
            None => {}
        }
    }
    let rest = before[start..].trim_start();
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!word.is_empty() && rest.len() > word.len()).then(|| word.to_ascii_lowercase())
}

/// The candidates for the word that ends at `pos` in an SPL `line`: (its start, candidates).
pub fn complete_spl(line: &str, pos: usize, names: &Names) -> (usize, Vec<Pair>) {
    let before = &line[..pos];
    let mut start = before.char_indices().rev().find(|(_, c)| stops_word(*c)).map_or(0, |(k, c)| k + c.len_utf8());
    // A word begun with a quote keeps it: `'requestParameters.na` completes the quoted name.
    if start > 0 && before[..start].ends_with('"') {
        start -= 1;
    }
    let word = &before[start..];
    let lead = before[..start].trim_end();
    let want = if word.starts_with('`') {
        Want::Macro
    } else if lead.ends_with('|') || lead.ends_with('[') {
        Want::Command
    } else {
        match current_command(before).as_deref() {
            Some("eval" | "where" | "fieldformat") => Want::Fields { eval: true, stats: false },
            Some("stats" | "eventstats" | "streamstats" | "timechart" | "chart" | "tstats") => {
                Want::Fields { eval: false, stats: true }
            }
            _ => Want::Fields { eval: false, stats: false },
        }
    };
    let pair = |display: &str, replacement: String| Pair { display: display.to_string(), replacement };
    let mut out: Vec<Pair> = Vec::new();
    match want {
        Want::Macro => {
            let typed = &word[1..];
            for (name, arity) in &names.macros {
                if name.starts_with(typed) {
                    let rep = if *arity == 0 { format!("`{name}`") } else { format!("`{name}(") };
                    out.push(pair(&spelunk::macros::key(name, *arity), rep));
                }
            }
        }
        Want::Command => {
            let typed = word.to_ascii_lowercase();
            for c in COMMANDS.iter().filter(|c| c.starts_with(&typed)) {
                out.push(pair(c, format!("{c} ")));
            }
        }
        Want::Fields { eval, stats } => {
            let typed = word.trim_start_matches(['\'', '"']);
            let quote = if eval { eval_quoted } else { search_quoted };
            for f in names.fields.iter().filter(|f| f.starts_with(typed)) {
                out.push(pair(f, quote(f)));
            }
            let lower = typed.to_ascii_lowercase();
            if eval && !word.starts_with('\'') {
                for f in spelunk::eval::functions::all().filter(|f| f.name.starts_with(&lower)) {
                    out.push(pair(&format!("{}()", f.name), format!("{}(", f.name)));
                }
            }
            if stats && !word.starts_with('"') {
                for f in STATS_FUNCTIONS.iter().filter(|f| f.starts_with(&lower)) {
                    out.push(pair(&format!("{f}()"), format!("{f}(")));
                }
            }
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    (start, out)
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let Ok(names) = self.names.read() else { return Ok((pos, Vec::new())) };
        let before = &line[..pos];
        let trimmed = before.trim_start();
        if !trimmed.starts_with('.') {
            return Ok(complete_spl(line, pos, &names));
        }
        let offset = before.len() - trimmed.len();
        let Some((command, rest)) = trimmed.split_once(char::is_whitespace) else {
            let out = DOT_COMMANDS
                .iter()
                .filter(|c| c.starts_with(trimmed))
                .map(|c| Pair { display: c.to_string(), replacement: format!("{c} ") })
                .collect();
            return Ok((offset, out));
        };
        let arg_start = pos - rest.len();
        let words = |list: &[&str]| -> (usize, Vec<Pair>) {
            let typed = rest.trim_start();
            let out = list
                .iter()
                .filter(|w| w.starts_with(typed))
                .map(|w| Pair { display: w.to_string(), replacement: w.to_string() })
                .collect();
            (pos - typed.len(), out)
        };
        Ok(match command {
            ".load" | ".save" => self.files.complete(line, pos, ctx)?,
            ".format" => words(FORMATS),
            ".timer" => words(&["on", "off"]),
            ".run" | ".detections" => {
                let typed = rest.trim_start();
                let out = names
                    .detections
                    .iter()
                    .filter(|d| d.to_ascii_lowercase().starts_with(&typed.to_ascii_lowercase()))
                    .map(|d| Pair { display: d.clone(), replacement: d.clone() })
                    .collect();
                (pos - typed.len(), out)
            }
            ".explain" => {
                let (s, c) = complete_spl(&line[arg_start..], pos - arg_start, &names);
                (s + arg_start, c)
            }
            _ => (pos, Vec::new()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            fields: vec![
                "eventName".into(),
                "requestParameters.instanceId".into(),
                "resources{}.ARN".into(),
                "src_ip".into(),
                "user name".into(),
            ],
            macros: vec![("cloudtrail".into(), 0), ("security_content_ctime".into(), 1)],
            detections: Vec::new(),
        }
    }

    fn offered(line: &str) -> Vec<String> {
        complete_spl(line, line.len(), &names()).1.into_iter().map(|p| p.replacement).collect()
    }

    #[test]
    fn open_quotes_brackets_and_a_final_pipe_continue_the_search() {
        assert!(incomplete("eventName=X |"));
        assert!(incomplete("eventName=\"Console"));
        assert!(incomplete("x=1 | join user [search y=2"));
        assert!(incomplete("| eval a=if(x>1,"));
        assert!(!incomplete("| eval a=\"(\" | table a"));
        assert!(!incomplete("eventName=X | stats count"));
        assert!(!incomplete(".explain x |"));
        assert!(!incomplete(""));
    }

    #[test]
    fn field_names_are_quoted_for_where_they_go() {
        assert_eq!(offered("eventName=X | table requestP"), ["requestParameters.instanceId"]);
        assert_eq!(offered("| eval x=requestP"), ["'requestParameters.instanceId'"]);
        assert_eq!(offered("| eval x='resou"), ["'resources{}.ARN'"]);
        assert_eq!(offered("x=1 | table user"), ["\"user name\""]);
        assert_eq!(offered("resources"), ["resources{}.ARN"]);
    }

    #[test]
    fn commands_functions_and_macros() {
        assert_eq!(offered("x=1 | sta"), ["stats "]);
        assert_eq!(offered("`cloud"), ["`cloudtrail`"]);
        assert_eq!(offered("`security"), ["`security_content_ctime("]);
        assert!(offered("| eval x=low").contains(&"lower(".to_string()));
        assert!(offered("x | stats dis").contains(&"distinct_count(".to_string()));
        assert_eq!(offered("x | stats count by sr"), ["src_ip"]);
    }
}
