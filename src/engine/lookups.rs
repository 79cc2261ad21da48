//! Lookup tables the `lookup` and `inputlookup` commands can name: CSV files by file name,
//! and definitions by name (security_content's `lookups/*.yml`: `name`, `filename`,
//! `match_type`, `case_sensitive_match`, `min_matches`, `max_matches`, `default_match`).
//! Tables are read on first use. A KV-store collection (a definition with `collection` and
//! `fields_list` but no file) has no data offline: it stands in as an empty table with the
//! declared fields, and the search is warned.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::knowledge::{parse_csv_table, parse_match_type, LookupTable, MatchTypes};

#[derive(Debug, Default)]
pub struct Lookups {
    /// By the name a search uses (definition name, or file name with its `.csv`).
    entries: HashMap<String, Entry>,
}

#[derive(Debug)]
struct Entry {
    /// The CSV file; `None` for a KV-store collection.
    path: Option<PathBuf>,
    settings: Settings,
    table: OnceLock<Result<LookupTable, String>>,
}

/// A definition's settings (security_content's YAML keys; transforms.conf's names).
#[derive(Debug, Clone, Default, Deserialize)]
struct Settings {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    collection: Option<String>,
    #[serde(default)]
    fields_list: Option<String>,
    #[serde(default)]
    match_type: Option<String>,
    #[serde(default)]
    case_sensitive_match: Option<Flag>,
    #[serde(default)]
    min_matches: Option<usize>,
    #[serde(default)]
    max_matches: Option<usize>,
    #[serde(default)]
    default_match: Option<Flag>,
}

/// A YAML scalar that may be written as a string, a boolean or a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Num(i64),
    Text(String),
}

impl Flag {
    fn text(&self) -> String {
        match self {
            Flag::Bool(b) => b.to_string(),
            Flag::Num(n) => n.to_string(),
            Flag::Text(t) => t.clone(),
        }
    }
}

impl Lookups {
    pub fn new() -> Lookups {
        Lookups::default()
    }

    /// Adds a directory: every `*.csv` by its file name, and every `*.yml` definition by its
    /// `name` (its CSV beside it). A later directory's entries win.
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut added = 0;
        for path in &paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
            if name.ends_with(".csv") {
                self.entries.insert(
                    name.to_string(),
                    Entry { path: Some(path.clone()), settings: Settings::default(), table: OnceLock::new() },
                );
                added += 1;
            }
        }
        for path in &paths {
            if path.extension().and_then(|e| e.to_str()) != Some("yml") {
                continue;
            }
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let settings: Settings = match serde_saphyr::from_str(&text) {
                Ok(s) => s,
                Err(e) => return Err(format!("{}: {e}", path.display())),
            };
            let Some(name) = settings.name.clone() else { continue };
            let path = match (&settings.filename, &settings.collection) {
                (Some(file), _) if file.ends_with(".csv") => Some(dir.join(file)),
                (None, Some(_)) if settings.fields_list.is_some() => None,
                // Other definitions (ML models, external scripts) are not tables.
                _ => continue,
            };
            self.entries.insert(name, Entry { path, settings, table: OnceLock::new() });
            added += 1;
        }
        Ok(added)
    }

    /// The table a search names, read on first use.
    pub fn get(&self, name: &str) -> Result<&LookupTable, String> {
        let entry = self
            .entries
            .get(name)
            .or_else(|| self.entries.get(&format!("{name}.csv")))
            .ok_or_else(|| format!("no lookup named `{name}` (give its directory with --lookups)"))?;
        entry.table.get_or_init(|| read(name, entry)).as_ref().map_err(Clone::clone)
    }

    /// What a search using this lookup should be told, if anything (a KV-store collection
    /// is empty offline).
    pub fn warning(&self, name: &str) -> Option<String> {
        let entry = self.entries.get(name)?;
        let collection = entry.settings.collection.as_deref().filter(|_| entry.path.is_none())?;
        Some(format!(
            "the lookup `{name}` is the KV-store collection `{collection}`, which has no data offline: \
             it is read as an empty table with its declared fields"
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn read(name: &str, e: &Entry) -> Result<LookupTable, String> {
    let s = &e.settings;
    let table = match &e.path {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|err| format!("{}: {err}", path.display()))?;
            parse_csv_table(file, &path.display().to_string(), name)?
        }
        None => {
            // The declared fields, as a header without rows.
            let fields: Vec<&str> = s.fields_list.as_deref().unwrap_or("").split(',').map(str::trim).collect();
            parse_csv_table(fields.join(",").as_bytes(), name, name)?
        }
    };
    let flag = |f: &Option<Flag>, d: bool| {
        f.as_ref().map_or(d, |v| matches!(v.text().to_ascii_lowercase().as_str(), "1" | "true" | "t"))
    };
    let types = match &s.match_type {
        Some(m) => parse_match_type(m, &table.columns).map_err(|m| format!("{name}: {m}"))?,
        None => MatchTypes::default(),
    };
    Ok(LookupTable {
        case_sensitive: flag(&s.case_sensitive_match, true),
        // Splunk's default for non-temporal lookups.
        max_matches: s.max_matches.unwrap_or(100),
        min_matches: s.min_matches.unwrap_or(0),
        default_match: s.default_match.as_ref().map(Flag::text),
        match_types: types,
        ..table
    })
}
