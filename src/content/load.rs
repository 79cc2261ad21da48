//! A content directory in security_content's layout: `detections/**/*.yml`, `macros/*.yml`
//! (with spelunk's built-in macros under them), `lookups/*.yml` with their CSVs; and which
//! of its detections a run selects.

use std::path::{Path, PathBuf};

use super::detection::{self, Detection};
use super::ContentError;
use crate::datamodel::DataModels;
use crate::engine::Lookups;
use crate::eval::search::glob_captures;
use crate::macros::MacroTable;

pub struct Content {
    pub root: PathBuf,
    pub detections: Vec<Detection>,
    /// Files under detections/ that could not be read (each named with its problem).
    pub problems: Vec<ContentError>,
    pub macros: MacroTable,
    pub lookups: Lookups,
    /// The built-in datamodels, and those of `datamodels/*.yml` when present.
    pub datamodels: DataModels,
}

/// Reads `root`: its `detections/` (or `root` itself when it has none), `macros/`,
/// `lookups/`, `datamodels/`, each when present.
pub fn load(root: &Path) -> Result<Content, String> {
    load_named(root, &[])
}

/// [`load`], reading only the detections that may have one of `names` (patterns as
/// [`Selection::names`]; none: every detection): a file whose name is written plainly on
/// its own top-level line ([`super::written_name`]) and matches none is not parsed, nor its
/// problems reported. A run of one detection by name read all 85 of a content directory's
/// YAML for it. When no detection read has one of the names, every file is read after all
/// (a name line that only looked plain cannot hide the detection asked for).
pub fn load_named(root: &Path, names: &[String]) -> Result<Content, String> {
    let content = load_files(root, names)?;
    if names.is_empty() || content.detections.iter().any(|d| name_matches(names, &d.file.name)) {
        return Ok(content);
    }
    load_files(root, &[])
}

/// [`load_named`] without its second look.
fn load_files(root: &Path, names: &[String]) -> Result<Content, String> {
    if !root.is_dir() {
        return Err(format!("{}: not a directory", root.display()));
    }
    let detections_dir = if root.join("detections").is_dir() { root.join("detections") } else { root.to_path_buf() };
    let files = super::find_yaml_files(&detections_dir).map_err(|e| format!("{}: {e}", detections_dir.display()))?;
    let mut detections = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        let text = match super::read_text(&f) {
            Ok(text) => text,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        if !names.is_empty() && super::written_name(&text).is_some_and(|n| !name_matches(names, n)) {
            continue;
        }
        match detection::read_from(&f, text) {
            Ok(d) => detections.push(d),
            Err(e) => problems.push(e),
        }
    }
    let mut macros = MacroTable::builtin();
    if root.join("macros").is_dir() {
        macros.load_dir(&root.join("macros")).map_err(|e| e.to_string())?;
    }
    let mut lookups = Lookups::new();
    if root.join("lookups").is_dir() {
        lookups.add_dir(&root.join("lookups"))?;
    }
    let mut datamodels = DataModels::new();
    if root.join("datamodels").is_dir() {
        datamodels.load_dir(&root.join("datamodels")).map_err(|e| e.to_string())?;
    }
    Ok(Content { root: root.to_path_buf(), detections, problems, macros, lookups, datamodels })
}

/// Which detections a run takes. Each list, when not empty, must match (any of its
/// entries); names and stories are matched without regard to case, with `*` wildcards.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub names: Vec<String>,
    pub types: Vec<String>,
    /// Empty: every status but `deprecated`.
    pub statuses: Vec<String>,
    pub stories: Vec<String>,
    /// Technique ids; `T1110` also selects its sub-techniques (`T1110.003`).
    pub mitre: Vec<String>,
}

/// Whether `name` matches one of `patterns` (without regard to case, `*` a wildcard).
fn name_matches(patterns: &[String], name: &str) -> bool {
    patterns.iter().any(|p| glob(p, name))
}

fn glob(pattern: &str, text: &str) -> bool {
    glob_captures(&pattern.to_lowercase(), &text.to_lowercase()).is_some()
}

impl Selection {
    pub fn matches(&self, d: &Detection) -> bool {
        let any = |list: &[String], f: &dyn Fn(&str) -> bool| list.is_empty() || list.iter().any(|p| f(p));
        let status_ok = if self.statuses.is_empty() {
            !d.file.status.eq_ignore_ascii_case("deprecated")
        } else {
            self.statuses.iter().any(|s| s.eq_ignore_ascii_case(&d.file.status))
        };
        status_ok
            && (self.names.is_empty() || name_matches(&self.names, &d.file.name))
            && any(&self.types, &|t| t.eq_ignore_ascii_case(&d.kind))
            && any(&self.stories, &|p| d.analytic_stories.iter().any(|s| glob(p, s)))
            && any(&self.mitre, &|m| {
                d.mitre_ids.iter().any(|id| {
                    id.eq_ignore_ascii_case(m) || id.to_uppercase().starts_with(&format!("{}.", m.to_uppercase()))
                })
            })
    }
}
