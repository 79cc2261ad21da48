//! Lookup tables the `lookup` and `inputlookup` commands can name: CSV files by file name,
//! and definitions by name (security_content's `lookups/*.yml`: `name`, `filename`,
//! `match_type`, `case_sensitive_match`, `min_matches`, `max_matches`, `default_match`).
//! Tables are read on first use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::knowledge::{parse_csv_table, parse_match_type, LookupTable};

#[derive(Debug, Default)]
pub struct Lookups {
    /// By the name a search uses (definition name, or file name with its `.csv`).
    entries: HashMap<String, Entry>,
}

#[derive(Debug)]
struct Entry {
    path: PathBuf,
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
                    Entry { path: path.clone(), settings: Settings::default(), table: OnceLock::new() },
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
            // Definitions without a CSV (KV-store collections, ML models) are not tables.
            let (Some(name), Some(file)) = (settings.name.clone(), settings.filename.clone()) else { continue };
            if !file.ends_with(".csv") {
                continue;
            }
            self.entries.insert(name, Entry { path: dir.join(&file), settings, table: OnceLock::new() });
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

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn read(name: &str, e: &Entry) -> Result<LookupTable, String> {
    let file = std::fs::File::open(&e.path).map_err(|err| format!("{}: {err}", e.path.display()))?;
    let table = parse_csv_table(file, &e.path.display().to_string(), name)?;
    let s = &e.settings;
    let flag = |f: &Option<Flag>, d: bool| {
        f.as_ref().map_or(d, |v| matches!(v.text().to_ascii_lowercase().as_str(), "1" | "true" | "t"))
    };
    Ok(LookupTable {
        case_sensitive: flag(&s.case_sensitive_match, true),
        // Splunk's default for non-temporal lookups.
        max_matches: s.max_matches.unwrap_or(100),
        min_matches: s.min_matches.unwrap_or(0),
        default_match: s.default_match.as_ref().map(Flag::text),
        wildcard_columns: match &s.match_type {
            Some(m) => parse_match_type(m, &table.columns).map_err(|m| format!("{name}: {m}"))?,
            None => Vec::new(),
        },
        ..table
    })
}
