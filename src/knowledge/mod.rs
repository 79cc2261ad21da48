//! Search-time knowledge for a sourcetype, in Splunk's own configuration format: an app
//! directory's `default/props.conf` and `default/transforms.conf` (then `local/`, which
//! wins), and its `lookups/*.csv`.
//!
//! Applied to each event in Splunk's order (docs/spl-semantics.md 1.5,
//! docs/aws-cloudtrail-fields.md 2): 1. `EXTRACT-` and `REPORT-` regex extractions,
//! 2. `FIELDALIAS-`, 3. `EVAL-` calculated fields, 4. `LOOKUP-` automatic lookups,
//! 5. event types, 6. tags. Within one kind, classes run in ASCII order of their names.
//!
//! This file reads and checks the configuration (and `eventtypes.conf`, `tags.conf`);
//! `apply.rs` applies it.

mod apply;
pub mod coded;
mod inputs;

pub use apply::{apply, apply_remembering, lookup as apply_lookup, Remembered};

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::conf::{ConfFile, Setting, Stanza};
use crate::eval::pcre;
use crate::syntax::{self, CommandKind, Expr, FieldMap, SearchExpr};

/// What one sourcetype's stanza says, with the app's event types and tags, checked and
/// ready to apply.
#[derive(Debug, Clone, Default)]
pub struct SourcetypeKnowledge {
    pub extracts: Vec<Extraction>,
    pub aliases: Vec<Alias>,
    pub evals: Vec<CalculatedField>,
    pub lookups: Vec<AutoLookup>,
    pub eventtypes: Vec<EventType>,
    /// `[eventtype=name]` and `[field=value]` stanzas of tags.conf: the enabled tags.
    pub tags: Vec<TagRule>,
}

/// An eventtypes.conf stanza: events matching `search` get `name` in `eventtype`.
#[derive(Debug, Clone)]
pub struct EventType {
    pub name: String,
    pub search: SearchExpr,
    /// The fields the search reads, when its answer depends on nothing else (no `_raw`
    /// term, no wildcard field name, no time bound): then it can be remembered per values.
    pub reads: Option<Vec<String>>,
    /// For a search that cannot be remembered, what `_raw` must hold for it to match
    /// (its terms' literals, [`crate::eval::needles`]): an event without them is not
    /// searched.
    pub filter: Option<crate::eval::needles::TextFilter>,
}

impl EventType {
    pub fn new(name: String, search: SearchExpr) -> EventType {
        let reads = crate::eval::memo::search_reads(&search);
        // Fields are not the event's text once knowledge has run: only terms give needles.
        let filter = match reads {
            Some(_) => None,
            None => {
                crate::eval::needles::needles(&search, &|_| false).map(|n| crate::eval::needles::TextFilter::new(&n))
            }
        };
        EventType { name, search, reads, filter }
    }
}

/// Tags for events whose `field` has `value` (`eventtype` for event types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRule {
    pub field: String,
    pub value: String,
    pub tags: Vec<String>,
}

/// A regex extraction (`EXTRACT-` inline, or a `REPORT-` transform).
#[derive(Debug, Clone)]
pub struct Extraction {
    pub class: String,
    pub regex: Regex,
    /// The field the regex reads (`in <field>`, or a transform's `SOURCE_KEY`); `_raw` by default.
    pub source: String,
    /// A transform's `FORMAT = name::$1 ...`; `None` means the regex's named groups.
    pub format: Option<Vec<(String, String)>>,
}

/// `FIELDALIAS-class = orig AS new` (or `ASNEW`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub from: String,
    pub to: String,
    /// `ASNEW`: leave an existing `to` alone.
    pub only_new: bool,
}

/// `EVAL-field = expression`.
#[derive(Debug, Clone)]
pub struct CalculatedField {
    pub field: String,
    pub expr: Expr,
    /// The fields the expression reads, when it reads none by a wildcard name: its value
    /// depends only on theirs (eval functions are pure; `now()` is the search's start).
    pub reads: Option<Vec<String>>,
    /// For an expression that is an `if` or a `case` (a decision table), the fields its
    /// conditions read: which branch it takes depends only on them, however many distinct
    /// values the branches give.
    pub decides_on: Option<Vec<String>>,
}

impl CalculatedField {
    pub fn new(field: String, expr: Expr) -> CalculatedField {
        let reads = crate::eval::memo::reads([&expr]);
        let decides_on = match &expr.kind {
            syntax::ExprKind::Call { name, args } => {
                crate::eval::functions::decision_conditions(name, args).and_then(crate::eval::memo::reads)
            }
            _ => None,
        };
        CalculatedField { field, expr, reads, decides_on }
    }
}

/// `LOOKUP-class = table in [AS event_field] ... OUTPUT|OUTPUTNEW out [AS event_field] ...`.
#[derive(Debug, Clone)]
pub struct AutoLookup {
    pub class: String,
    pub table: LookupTable,
    pub inputs: Vec<FieldMap>,
    /// Empty means every column that is not an input.
    pub outputs: Vec<FieldMap>,
    pub only_new: bool,
}

/// A CSV lookup table and its transforms.conf settings.
#[derive(Debug, Clone)]
pub struct LookupTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub case_sensitive: bool,
    pub max_matches: usize,
    pub min_matches: usize,
    pub default_match: Option<String>,
    /// The columns not matched exactly (`match_type`).
    pub match_types: MatchTypes,
}

/// The columns a `match_type` setting names, by kind; every other column matches exactly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchTypes {
    /// `WILDCARD(column)`: a `*` in the column's cells matches any run of characters.
    pub wildcard: Vec<String>,
    /// `CIDR(column)`: the cells are networks (`10.0.0.0/8`, `2001:db8::/32`, or one
    /// address) that an address value falls in.
    pub cidr: Vec<String>,
}

/// The knowledge of one app directory.
#[derive(Debug, Clone, Default)]
pub struct App {
    pub props: Vec<ConfFile>,
    pub transforms: Vec<ConfFile>,
    pub eventtypes: Vec<ConfFile>,
    pub tags: Vec<ConfFile>,
    pub lookups_dir: Option<PathBuf>,
    /// Lookup files held in memory (the built-in knowledge's), by file name; found before
    /// the lookups directory is searched.
    pub lookup_files: Vec<(String, String)>,
}

/// A configuration mistake, with its file and line.
pub type KnowledgeError = crate::diagnostic::FileError;

fn at(file: &str, s: &Setting, message: String) -> KnowledgeError {
    KnowledgeError { file: file.to_string(), line: Some(s.line), message: format!("{}: {message}", s.key) }
}

/// The built-in knowledge's lookup files (src/knowledge/aws_cloudtrail/lookups/), by the
/// file name transforms.conf gives.
const BUILTIN_LOOKUPS: &[(&str, &str)] = &[
    ("spelunk_aws_vendor_product.csv", include_str!("aws_cloudtrail/lookups/spelunk_aws_vendor_product.csv")),
    ("spelunk_aws_action_status.csv", include_str!("aws_cloudtrail/lookups/spelunk_aws_action_status.csv")),
    (
        "spelunk_aws_change_type_by_event_name.csv",
        include_str!("aws_cloudtrail/lookups/spelunk_aws_change_type_by_event_name.csv"),
    ),
    (
        "spelunk_aws_change_type_by_event_source.csv",
        include_str!("aws_cloudtrail/lookups/spelunk_aws_change_type_by_event_source.csv"),
    ),
    ("spelunk_aws_object_category.csv", include_str!("aws_cloudtrail/lookups/spelunk_aws_object_category.csv")),
    ("spelunk_aws_protocol.csv", include_str!("aws_cloudtrail/lookups/spelunk_aws_protocol.csv")),
];

/// spelunk's built-in knowledge for `aws:cloudtrail` (src/knowledge/aws_cloudtrail/).
pub fn builtin() -> App {
    App::from_text(
        include_str!("aws_cloudtrail/default/props.conf"),
        include_str!("aws_cloudtrail/default/transforms.conf"),
        None,
    )
    .and_then(|a| {
        a.with_classification(
            include_str!("aws_cloudtrail/default/eventtypes.conf"),
            include_str!("aws_cloudtrail/default/tags.conf"),
        )
    })
    .map(|mut a| {
        a.lookup_files.extend(BUILTIN_LOOKUPS.iter().map(|(n, t)| (n.to_string(), t.to_string())));
        a
    })
    .expect("the built-in knowledge is valid")
}

impl App {
    /// Reads `dir/default/*.conf`, then `dir/local/*.conf`, and notes `dir/lookups`.
    pub fn load(dir: &Path) -> Result<App, KnowledgeError> {
        let mut app = App::default();
        for sub in ["default", "local"] {
            for (name, list) in [
                ("props.conf", &mut app.props),
                ("transforms.conf", &mut app.transforms),
                ("eventtypes.conf", &mut app.eventtypes),
                ("tags.conf", &mut app.tags),
            ] {
                let path = dir.join(sub).join(name);
                if path.is_file() {
                    let text = std::fs::read_to_string(&path).map_err(|e| KnowledgeError {
                        file: path.display().to_string(),
                        line: None,
                        message: e.to_string(),
                    })?;
                    list.push(ConfFile::parse(&text, &path.display().to_string())?);
                }
            }
        }
        let lookups = dir.join("lookups");
        app.lookups_dir = lookups.is_dir().then_some(lookups);
        Ok(app)
    }

    /// An app from configuration text (tests, built-in knowledge).
    pub fn from_text(props: &str, transforms: &str, lookups_dir: Option<PathBuf>) -> Result<App, KnowledgeError> {
        Ok(App {
            props: vec![ConfFile::parse(props, "props.conf")?],
            transforms: vec![ConfFile::parse(transforms, "transforms.conf")?],
            eventtypes: Vec::new(),
            tags: Vec::new(),
            lookups_dir,
            lookup_files: Vec::new(),
        })
    }

    /// Adds eventtypes.conf and tags.conf text.
    pub fn with_classification(mut self, eventtypes: &str, tags: &str) -> Result<App, KnowledgeError> {
        self.eventtypes.push(ConfFile::parse(eventtypes, "eventtypes.conf")?);
        self.tags.push(ConfFile::parse(tags, "tags.conf")?);
        Ok(self)
    }

    /// Event types in name order (a later file's stanza replaces an earlier one).
    fn event_types(&self) -> Result<Vec<EventType>, KnowledgeError> {
        let mut by_name: std::collections::BTreeMap<String, (String, &Stanza)> = Default::default();
        for f in &self.eventtypes {
            for st in f.stanzas.iter().filter(|s| s.name != "default") {
                by_name.insert(st.name.clone(), (f.path.clone(), st));
            }
        }
        let mut out = Vec::new();
        for (name, (file, st)) in by_name {
            if st.get("disabled").is_some_and(|d| d == "1" || d.eq_ignore_ascii_case("true")) {
                continue;
            }
            let Some(text) = st.get("search") else { continue };
            let err = |m: String| KnowledgeError {
                file: file.clone(),
                line: Some(st.line),
                message: format!("[{name}] {m}"),
            };
            let p = syntax::parse(&format!("| search {text}")).map_err(|e| err(e.message))?;
            let Some(CommandKind::Search(Some(search))) = p.commands.into_iter().next().map(|c| c.kind) else {
                return Err(err("the search is empty".into()));
            };
            out.push(EventType::new(name, search));
        }
        Ok(out)
    }

    /// tags.conf: `[field=value]` stanzas with `tag = enabled` settings.
    fn tag_rules(&self) -> Result<Vec<TagRule>, KnowledgeError> {
        let mut out: Vec<TagRule> = Vec::new();
        for f in &self.tags {
            for st in f.stanzas.iter().filter(|s| s.name != "default") {
                let Some((field, value)) = st.name.split_once('=') else {
                    return Err(KnowledgeError {
                        file: f.path.clone(),
                        line: Some(st.line),
                        message: format!("[{}] is not `field=value`", st.name),
                    });
                };
                let tags = st
                    .settings
                    .iter()
                    .filter(|s| s.value.eq_ignore_ascii_case("enabled"))
                    .map(|s| s.key.clone())
                    .collect();
                out.retain(|r| !(r.field == field && r.value == value));
                out.push(TagRule { field: field.to_string(), value: value.to_string(), tags });
            }
        }
        Ok(out)
    }

    fn transform(&self, name: &str) -> Option<(&str, &Stanza)> {
        self.transforms.iter().rev().find_map(|f| f.stanza(name).map(|s| (f.path.as_str(), s)))
    }

    /// The checked knowledge for `sourcetype` (empty when no stanza names it).
    pub fn for_sourcetype(&self, sourcetype: &str) -> Result<SourcetypeKnowledge, KnowledgeError> {
        let mut k = SourcetypeKnowledge::default();
        // default/ then local/: a later file's class replaces an earlier one of the same key.
        let mut settings: Vec<(String, Setting)> = Vec::new();
        for f in &self.props {
            if let Some(st) = f.stanza(sourcetype) {
                for s in &st.settings {
                    settings.retain(|(_, old)| old.key != s.key);
                    settings.push((f.path.clone(), s.clone()));
                }
            }
        }
        let mut merged = Stanza { name: sourcetype.to_string(), line: 0, settings: Vec::new() };
        let mut file_of = std::collections::HashMap::new();
        for (file, s) in settings {
            file_of.insert(s.key.clone(), file);
            merged.settings.push(s);
        }
        let file = |s: &Setting| file_of.get(&s.key).cloned().unwrap_or_default();

        for (class, s) in merged.classes("EXTRACT-") {
            let (pattern, source) = split_in_field(&s.value);
            let regex = pcre::compile(pattern).map_err(|e| at(&file(s), s, format!("bad regular expression: {e}")))?;
            k.extracts.push(Extraction { class: class.to_string(), regex, source, format: None });
        }
        for (class, s) in merged.classes("REPORT-") {
            for name in s.value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let (tfile, t) = self
                    .transform(name)
                    .ok_or_else(|| at(&file(s), s, format!("no transforms.conf stanza [{name}]")))?;
                let Some(pattern) = t.get("REGEX") else {
                    return Err(KnowledgeError {
                        file: tfile.to_string(),
                        line: Some(t.line),
                        message: format!("[{name}] has no REGEX (DELIMS-style transforms are not supported)"),
                    });
                };
                let regex = pcre::compile(pattern).map_err(|e| KnowledgeError {
                    file: tfile.to_string(),
                    line: Some(t.line),
                    message: format!("[{name}] REGEX: {e}"),
                })?;
                let format = t.get("FORMAT").map(parse_format);
                let source = t.get("SOURCE_KEY").unwrap_or("_raw").to_string();
                k.extracts.push(Extraction { class: format!("{class}:{name}"), regex, source, format });
            }
        }
        for (_, s) in merged.classes("FIELDALIAS-") {
            k.aliases.extend(parse_aliases(&s.value).map_err(|m| at(&file(s), s, m))?);
        }
        for (field, s) in merged.classes("EVAL-") {
            let expr = syntax::parse_expr(&s.value).map_err(|e| at(&file(s), s, e.message))?;
            k.evals.push(CalculatedField::new(field.to_string(), expr));
        }
        for (class, s) in merged.classes("LOOKUP-") {
            k.lookups.push(self.auto_lookup(class, s, &file(s))?);
        }
        k.eventtypes = self.event_types()?;
        k.tags = self.tag_rules()?;
        Ok(k)
    }

    fn auto_lookup(&self, class: &str, s: &Setting, file: &str) -> Result<AutoLookup, KnowledgeError> {
        // The value has the lookup command's grammar; parse it as one.
        let pipeline = syntax::parse(&format!("| lookup {}", s.value)).map_err(|e| at(file, s, e.message))?;
        let Some(CommandKind::Lookup(l)) = pipeline.commands.into_iter().next().map(|c| c.kind) else {
            return Err(at(file, s, "not a lookup definition".into()));
        };
        let name = l.table.text.clone();
        let (tfile, t) = self
            .transform(&name)
            .ok_or_else(|| at(file, s, format!("no transforms.conf stanza [{name}] for this lookup")))?;
        let terr = |m: String| KnowledgeError {
            file: tfile.to_string(),
            line: Some(t.line),
            message: format!("[{name}] {m}"),
        };
        let filename =
            t.get("filename").ok_or_else(|| terr("has no `filename` (only CSV lookups are supported)".into()))?;
        let table = match self.lookup_files.iter().find(|(n, _)| n == filename) {
            Some((n, text)) => parse_csv_table(text.as_bytes(), n, &name).map_err(terr)?,
            None => {
                let dir = self
                    .lookups_dir
                    .as_ref()
                    .ok_or_else(|| terr(format!("needs lookups/{filename}, and the app has no lookups directory")))?;
                let path = dir.join(filename);
                let file =
                    std::fs::File::open(&path).map_err(|e| terr(format!("cannot read {}: {e}", path.display())))?;
                parse_csv_table(file, &path.display().to_string(), &name).map_err(terr)?
            }
        };
        let flag =
            |k: &str, d: bool| t.get(k).map_or(d, |v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "t"));
        let num = |k: &str, d: usize| t.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
        let match_types = match t.get("match_type") {
            Some(m) => parse_match_type(m, &table.columns).map_err(terr)?,
            None => MatchTypes::default(),
        };
        let table = LookupTable {
            case_sensitive: flag("case_sensitive_match", true),
            max_matches: num("max_matches", 1000),
            min_matches: num("min_matches", 0),
            default_match: t.get("default_match").map(str::to_string),
            match_types,
            ..table
        };
        let (outputs, only_new) = match l.output {
            Some(o) => (o.fields, o.new_only),
            None => (Vec::new(), false),
        };
        Ok(AutoLookup { class: class.to_string(), table, inputs: l.inputs, outputs, only_new })
    }
}

/// `regex in field` (EXTRACT's syntax); the field is `_raw` without `in`.
fn split_in_field(value: &str) -> (&str, String) {
    if let Some(p) = value.rfind(" in ") {
        let field = value[p + 4..].trim();
        if !field.is_empty() && !field.contains(char::is_whitespace) && !field.contains(')') {
            return (value[..p].trim_end(), field.to_string());
        }
    }
    (value, "_raw".to_string())
}

/// `FORMAT = a::$1 b::$2` into (field, template) pairs.
fn parse_format(value: &str) -> Vec<(String, String)> {
    value
        .split_whitespace()
        .filter_map(|pair| pair.split_once("::").map(|(f, v)| (f.to_string(), v.to_string())))
        .collect()
}

/// `a AS b c ASNEW d`, names optionally double-quoted.
fn parse_aliases(value: &str) -> Result<Vec<Alias>, String> {
    let words = split_words(value)?;
    if words.len() % 3 != 0 {
        return Err(format!("expected `field AS new_field` pairs, found `{value}`"));
    }
    words
        .chunks(3)
        .map(|c| {
            let only_new = match c[1].to_ascii_uppercase().as_str() {
                "AS" => false,
                "ASNEW" => true,
                other => return Err(format!("expected AS or ASNEW, found `{other}`")),
            };
            Ok(Alias { from: c[0].clone(), to: c[2].clone(), only_new })
        })
        .collect()
}

fn split_words(value: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut w = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => w.extend(chars.next()),
                    Some(c) => w.push(c),
                    None => return Err("unterminated quote".into()),
                }
            }
            out.push(w);
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

pub(crate) fn parse_csv_table(reader: impl std::io::Read, origin: &str, name: &str) -> Result<LookupTable, String> {
    let mut reader = csv::Reader::from_reader(reader);
    let columns: Vec<String> =
        reader.headers().map_err(|e| format!("{origin}: {e}"))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| format!("{origin}: {e}"))?;
        rows.push(r.iter().map(str::to_string).collect());
    }
    Ok(LookupTable {
        name: name.to_string(),
        columns,
        rows,
        case_sensitive: true,
        max_matches: 1000,
        min_matches: 0,
        default_match: None,
        match_types: MatchTypes::default(),
    })
}

/// `match_type = WILDCARD(a), CIDR(b), EXACT(c)`: the columns matched with `*` wildcards
/// and those matched as networks. Each must be a column of the table.
pub(crate) fn parse_match_type(value: &str, columns: &[String]) -> Result<MatchTypes, String> {
    let mut types = MatchTypes::default();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (kind, column) = item
            .strip_suffix(')')
            .and_then(|i| i.split_once('('))
            .map(|(k, c)| (k.trim(), c.trim()))
            .ok_or_else(|| format!("match_type: expected `WILDCARD(column)` or `CIDR(column)`, found `{item}`"))?;
        if !columns.iter().any(|c| c == column) {
            return Err(format!("match_type: `{column}` is not a column of the table"));
        }
        match kind.to_ascii_uppercase().as_str() {
            "WILDCARD" => types.wildcard.push(column.to_string()),
            "CIDR" => types.cidr.push(column.to_string()),
            "EXACT" => {}
            _ => return Err(format!("match_type: {kind} matching is not supported (only WILDCARD, CIDR and EXACT)")),
        }
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knowledge_is_valid() {
        let k = builtin().for_sourcetype("aws:cloudtrail").unwrap();
        assert_eq!(k.aliases.len(), 18);
        assert_eq!(k.extracts.len(), 1);
        assert_eq!(k.evals.len(), 31);
        assert_eq!(k.eventtypes.len(), 16);
        assert_eq!(k.tags.len(), 16);
        assert_eq!(k.lookups.len(), 6);
    }

    #[test]
    fn aliases_as_and_asnew_with_quotes() {
        let a = parse_aliases(r#"sourceIPAddress AS src_ip "a b" ASNEW c"#).unwrap();
        assert_eq!(
            a,
            [
                Alias { from: "sourceIPAddress".into(), to: "src_ip".into(), only_new: false },
                Alias { from: "a b".into(), to: "c".into(), only_new: true }
            ]
        );
        assert!(parse_aliases("a AS").is_err());
        assert!(parse_aliases("a TO b").is_err());
    }

    #[test]
    fn extract_in_field_and_format() {
        assert_eq!(
            split_in_field("user/(?<user>\\w+) in errorMessage"),
            ("user/(?<user>\\w+)", "errorMessage".to_string())
        );
        assert_eq!(split_in_field("(?<x>a in b c)"), ("(?<x>a in b c)", "_raw".to_string()));
        assert_eq!(
            parse_format("user::$1 kind::fixed"),
            [("user".into(), "$1".into()), ("kind".into(), "fixed".into())]
        );
    }

    #[test]
    fn match_type_names_wildcard_columns() {
        let cols = ["eventName".to_string(), "errorCode".to_string()];
        assert_eq!(parse_match_type("WILDCARD(errorCode)", &cols).unwrap().wildcard, ["errorCode"]);
        let both = parse_match_type("EXACT(eventName), wildcard( errorCode ), CIDR(eventName)", &cols).unwrap();
        assert_eq!((both.wildcard, both.cidr), (vec!["errorCode".to_string()], vec!["eventName".to_string()]));
        assert!(parse_match_type("WILDCARD(nope)", &cols).unwrap_err().contains("not a column"));
        assert!(parse_match_type("FUZZY(eventName)", &cols).unwrap_err().contains("not supported"));
        assert!(parse_match_type("WILDCARD errorCode", &cols).is_err());
    }

    #[test]
    fn configuration_errors_name_file_and_line() {
        let app = App::from_text("[st]\nEVAL-x = if(a,\nREPORT-r = missing\n", "", None).unwrap();
        let e = app.for_sourcetype("st").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("no transforms.conf stanza [missing]"), "{e}");
        let app = App::from_text("[st]\nEVAL-x = if(a,\n", "", None).unwrap();
        let e = app.for_sourcetype("st").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("props.conf", Some(2)));
        assert!(e.message.starts_with("EVAL-x: "), "{e}");
    }
}
