//! Detection content on disk: security_content's `detections/**/*.yml`.
//!
//! `detection.rs` adds risk (every schema generation), annotations and tests.
//!
//! This module reads what the front end needs (name and `search`) and can say where in
//! the YAML file a given character of the search was written, so an error in a search
//! is reported as `file:line:col` of the file.

pub mod detection;
pub mod lint;
pub mod load;
pub mod testrun;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One detection file as read from disk.
#[derive(Debug, Clone)]
pub struct DetectionFile {
    pub path: PathBuf,
    /// The file's text, unchanged.
    pub text: String,
    pub name: String,
    pub search: String,
    /// `production`, `experimental`, `deprecated`, ... (empty when not given).
    pub status: String,
    /// The `data_source` list (`AWS CloudTrail`, ...).
    pub data_sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ContentError {}

/// What [`DetectionFile`] takes of a detection's YAML.
#[derive(Deserialize)]
pub(crate) struct RawDetection {
    name: Option<String>,
    search: Option<String>,
    status: Option<String>,
    #[serde(default)]
    data_source: Vec<String>,
}

/// A detection's name as its YAML `text` writes it on a top-level line of its own
/// (`name: AWS Thing`, `name: "AWS Thing"`, `name: 'AWS Thing'`), when it is written so
/// simply that the line alone says it: one such line, a plain scalar that no YAML
/// indicator starts and no comment or `: ` is in, or a quoted one without escapes, not
/// continued on the next line. `None` otherwise (the file must be parsed to know).
pub fn written_name(text: &str) -> Option<&str> {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut found = None;
    while let Some(line) = lines.next() {
        if line == "---" && found.is_some() || line.starts_with("--- ") {
            return None;
        }
        let Some(rest) = line.strip_prefix("name:") else { continue };
        if found.is_some() {
            return None;
        }
        // Not continued: the next line starts a key, a document or nothing.
        if lines.clone().next().is_some_and(|next| next.starts_with([' ', '\t']) && !next.trim().is_empty()) {
            return None;
        }
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let value = rest.trim_matches([' ', '\t']);
        let name = if let Some(inner) = value.strip_prefix('"') {
            inner.strip_suffix('"').filter(|n| !n.contains(['"', '\\']))?
        } else if let Some(inner) = value.strip_prefix('\'') {
            inner.strip_suffix('\'').filter(|n| !n.contains('\''))?
        } else {
            let indicator = value.starts_with(|c: char| "-?:,[]{}#&*!|>%@`".contains(c));
            let comment = value.contains(" #") || value.contains("\t#");
            if value.is_empty() || indicator || comment || value.contains(": ") || value.ends_with(':') {
                return None;
            }
            value
        };
        found = Some(name);
    }
    found
}

/// Every `*.yml`/`*.yaml` file below `dir`, recursively, in path order.
pub fn find_yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads one detection file. A file without a `search` is an error naming the file.
pub fn read_detection(path: &Path) -> Result<DetectionFile, ContentError> {
    detection_from_text(path, read_text(path)?)
}

/// A detection file's text (UTF-8).
pub(crate) fn read_text(path: &Path) -> Result<String, ContentError> {
    let err = |message: String| ContentError { path: path.to_path_buf(), line: None, column: None, message };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(format!("not UTF-8: {e}")))
}

/// [`read_detection`] of a file's text.
pub(crate) fn detection_from_text(path: &Path, text: String) -> Result<DetectionFile, ContentError> {
    let raw: RawDetection = serde_saphyr::from_str(&text).map_err(|e| {
        let loc = e.location();
        ContentError {
            path: path.to_path_buf(),
            line: loc.map(|l| l.line() as usize),
            column: loc.map(|l| l.column() as usize),
            message: format!("invalid YAML: {e}"),
        }
    })?;
    DetectionFile::of(path, text, raw)
}

impl DetectionFile {
    /// The file at `path` whose `text` gave `raw`; an error naming the file when it has no
    /// `search`.
    pub(crate) fn of(path: &Path, text: String, raw: RawDetection) -> Result<DetectionFile, ContentError> {
        let Some(search) = raw.search else {
            let message = "no `search:` in this detection".to_string();
            return Err(ContentError { path: path.to_path_buf(), line: None, column: None, message });
        };
        let name =
            raw.name.unwrap_or_else(|| path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned()));
        Ok(DetectionFile {
            path: path.to_path_buf(),
            text,
            name,
            search,
            status: raw.status.unwrap_or_default(),
            data_sources: raw.data_source,
        })
    }
}

impl DetectionFile {
    /// 1-based line and column in the YAML file where byte `offset` of the search was
    /// written.
    ///
    /// YAML quoting and folding change the text (`''` is `'`, line breaks fold into
    /// spaces), but what the value holds is, character for character, a subsequence of
    /// what the file holds; the search is aligned with the file greedily from the start of
    /// the `search:` value. Escapes that make a character that is not in the file
    /// (`\n` in a double-quoted scalar) are skipped over.
    pub fn search_position(&self, offset: usize) -> (usize, usize) {
        let Some(start) = self.search_value_start() else { return (1, 1) };
        let file = &self.text;
        // Past an opening quote, the value's first character.
        let mut fpos = if file[start..].starts_with(['\'', '"']) { start + 1 } else { start };
        for (k, c) in self.search.char_indices() {
            // Look ahead a bounded distance for this character; one made by an escape
            // (`\n`) is not in the file, and the position stays.
            let window_end = file[fpos..].char_indices().nth(256).map_or(file.len(), |(j, _)| fpos + j);
            if let Some(j) = file[fpos..window_end].find(c) {
                if k == offset {
                    return crate::diagnostic::line_col(file, fpos + j);
                }
                fpos += j + c.len_utf8();
            }
            if k >= offset {
                break;
            }
        }
        crate::diagnostic::line_col(file, fpos)
    }

    /// Byte offset where the top-level `search:` value starts (its opening quote, or the
    /// first line of a block scalar).
    fn search_value_start(&self) -> Option<usize> {
        let t = &self.text;
        let key = if t.starts_with("search:") { 0 } else { t.find("\nsearch:")? + 1 };
        let after = key + "search:".len();
        let rest = &t[after..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let v = after + skipped;
        if t[v..].starts_with(['|', '>']) || t[v..].starts_with(['\n', '\r']) {
            // Block scalar or value on the next line: the first non-blank after the break.
            let nl = t[v..].find('\n')? + v + 1;
            let body = &t[nl..];
            return Some(nl + (body.len() - body.trim_start().len()));
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(text: &str, search: &str) -> DetectionFile {
        DetectionFile {
            path: "d.yml".into(),
            text: text.into(),
            name: "d".into(),
            search: search.into(),
            status: String::new(),
            data_sources: Vec::new(),
        }
    }

    #[test]
    fn position_in_single_quoted_search() {
        let text = "name: x\nsearch: '`cloudtrail` | eval a=''b'' | stats'\nother: 1\n";
        let d = det(text, "`cloudtrail` | eval a='b' | stats");
        assert_eq!(d.search_position(0), (2, 10));
        let off = d.search.find("stats").unwrap();
        assert_eq!(d.search_position(off), (2, 10 + off + 2), "two '' escapes before it");
    }

    #[test]
    fn position_in_block_scalar() {
        let text = "name: x\nsearch: >-\n    a=1\n    | stats count by\n";
        let d = det(text, "a=1 | stats count by");
        let off = d.search.find("stats").unwrap();
        assert_eq!(d.search_position(off), (4, 7));
    }

    #[test]
    fn only_a_name_the_line_alone_says_is_given() {
        let cases: &[(&str, Option<&str>)] = &[
            ("name: AWS Thing\nid: 1\n", Some("AWS Thing")),
            ("id: 1\nname:   AWS Thing  \r\nsearch: x\n", Some("AWS Thing")),
            ("---\nname: \"Quoted: yes\"\n", Some("Quoted: yes")),
            ("name: 'Single'\n", Some("Single")),
            ("name: AWS Thing\n  continued\nid: 1\n", None),
            ("name: \"Escaped \\\" quote\"\n", None),
            ("name: 'It''s'\n", None),
            ("name: Thing # a comment\n", None),
            ("name: a: b\n", None),
            ("name: >\n  folded\n", None),
            ("name: |\n  block\n", None),
            ("name: &anchor Thing\n", None),
            ("name: *alias\n", None),
            ("name: [a]\n", None),
            ("name:\n  Thing\n", None),
            ("name:Thing\n", None),
            ("name: One\nname: Two\n", None),
            ("name: One\n---\nname: Two\n", None),
            ("name: \"unclosed\n", None),
            ("id: 1\n", None),
            ("  name: nested\n", None),
        ];
        for (text, want) in cases {
            assert_eq!(written_name(text), *want, "{text:?}");
        }
    }
}
