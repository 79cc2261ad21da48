//! Reading macro definitions: security_content's `macros/*.yml` and Splunk's
//! `macros.conf` (docs/spl-semantics.md 9.1, 9.2).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{MacroDef, MacroTable};

/// A macro file that could not be read; names the file and, where known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path, l, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// security_content's macro YAML.
#[derive(Deserialize)]
struct YamlMacro {
    name: String,
    definition: String,
    #[serde(default)]
    arguments: Option<Vec<String>>,
}

impl MacroTable {
    /// Loads one security_content macro file (`name`, `definition`, `arguments`).
    pub fn load_yaml_str(&mut self, text: &str, origin: &str) -> Result<(), LoadError> {
        let m: YamlMacro = serde_saphyr::from_str(text).map_err(|e| LoadError {
            path: origin.to_string(),
            line: e.location().map(|l| l.line() as usize),
            message: format!("not a macro definition: {e}"),
        })?;
        self.insert(MacroDef {
            name: m.name,
            args: m.arguments.unwrap_or_default(),
            definition: m.definition,
            iseval: false,
            origin: origin.to_string(),
        });
        Ok(())
    }

    /// Loads Splunk's macros.conf: `[name]` or `[name(N)]` stanzas with `definition`,
    /// `args` and `iseval`; a line ending in `\` continues on the next. Returns how many
    /// macros it defined.
    pub fn load_conf_str(&mut self, text: &str, origin: &str) -> Result<usize, LoadError> {
        let err = |line: usize, message: String| LoadError { path: origin.to_string(), line: Some(line), message };
        let mut count = 0;
        let mut current: Option<(usize, String, Option<usize>, ConfStanza)> = None;
        let mut lines = text.lines().enumerate().peekable();
        let mut finish = |cur: Option<(usize, String, Option<usize>, ConfStanza)>, table: &mut MacroTable| {
            if let Some((line, name, arity, st)) = cur {
                let Some(definition) = st.definition else {
                    return Err(err(
                        line,
                        format!("stanza [{}] has no `definition`", super::key(&name, arity.unwrap_or(0))),
                    ));
                };
                let args = st.args.unwrap_or_default();
                if let Some(n) = arity {
                    if n != args.len() {
                        return Err(err(
                            line,
                            format!("stanza [{name}({n})] declares {} argument name(s) in `args`", args.len()),
                        ));
                    }
                } else if !args.is_empty() {
                    return Err(err(line, format!("stanza [{name}] has `args` but no argument count in its name")));
                }
                table.insert(MacroDef { name, args, definition, iseval: st.iseval, origin: origin.to_string() });
                count += 1;
            }
            Ok(())
        };
        while let Some((k, raw)) = lines.next() {
            let lineno = k + 1;
            // Continuation lines: a trailing backslash joins the next line.
            let mut line = raw.to_string();
            while line.ends_with('\\') {
                line.pop();
                match lines.next() {
                    Some((_, next)) => {
                        line.push('\n');
                        line.push_str(next);
                    }
                    None => break,
                }
            }
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(stanza) = trimmed.strip_prefix('[') {
                let Some(stanza) = stanza.strip_suffix(']') else {
                    return Err(err(lineno, format!("malformed stanza header `{trimmed}`")));
                };
                finish(current.take(), self)?;
                let (name, arity) = match stanza.split_once('(') {
                    Some((name, rest)) => {
                        let n = rest
                            .strip_suffix(')')
                            .and_then(|n| n.trim().parse::<usize>().ok())
                            .ok_or_else(|| err(lineno, format!("malformed stanza name `[{stanza}]`")))?;
                        (name.trim().to_string(), Some(n))
                    }
                    None => (stanza.trim().to_string(), None),
                };
                current = Some((lineno, name, arity, ConfStanza::default()));
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(err(lineno, format!("expected `key = value`, found `{trimmed}`")));
            };
            let Some((_, _, _, st)) = current.as_mut() else {
                continue; // settings before any stanza ([default]) do not define macros
            };
            let value = value.trim().to_string();
            match key.trim() {
                "definition" => st.definition = Some(value),
                "args" => {
                    st.args = Some(value.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect())
                }
                "iseval" => st.iseval = matches!(value.to_ascii_lowercase().as_str(), "1" | "true" | "t" | "yes"),
                _ => {} // description, validation, errormsg: not needed to expand
            }
        }
        finish(current.take(), self)?;
        Ok(count)
    }

    /// Loads every `*.yml`/`*.yaml` (security_content format) and `*.conf` (macros.conf
    /// format) file directly in `dir`, in name order. Returns how many macros it defined.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, LoadError> {
        let io = |e: std::io::Error, p: &Path| LoadError {
            path: p.display().to_string(),
            line: None,
            message: e.to_string(),
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(e, dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        let mut count = 0;
        for p in paths {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "yml" | "yaml" | "conf") {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| io(e, &p))?;
            let origin = p.display().to_string();
            if ext == "conf" {
                count += self.load_conf_str(&text, &origin)?;
            } else {
                self.load_yaml_str(&text, &origin)?;
                count += 1;
            }
        }
        Ok(count)
    }
}

#[derive(Default)]
struct ConfStanza {
    definition: Option<String>,
    args: Option<Vec<String>>,
    iseval: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_with_arguments_becomes_name_with_arity() {
        let mut t = MacroTable::new();
        t.load_yaml_str(
            "arguments:\n  - field\ndefinition: 'convert timeformat=\"%Y\" ctime($field$)'\nname: security_content_ctime\n",
            "x.yml",
        )
        .unwrap();
        let m = t.get("security_content_ctime", 1).expect("keyed by arity");
        assert_eq!(m.args, vec!["field"]);
        assert_eq!(m.key(), "security_content_ctime(1)");
        assert!(t.get("security_content_ctime", 0).is_none());
    }

    #[test]
    fn yaml_that_is_not_a_macro_names_the_file() {
        let e = MacroTable::new().load_yaml_str("name: x\n", "bad.yml").unwrap_err();
        assert_eq!(e.path, "bad.yml");
        assert!(e.message.contains("definition"), "{e}");
    }

    #[test]
    fn conf_stanzas_args_and_continuations() {
        let conf = "# comment\n[cloudtrail]\ndefinition = sourcetype=aws:cloudtrail\n\n\
                    [ctime(1)]\nargs = field\ndefinition = convert ctime($field$) \\\n  | fields - x\n\
                    [two(2)]\nargs = a, b\ndefinition = eval $a$=$b$\niseval = 0\n";
        let mut t = MacroTable::new();
        assert_eq!(t.load_conf_str(conf, "macros.conf").unwrap(), 3);
        assert_eq!(t.get("cloudtrail", 0).unwrap().definition, "sourcetype=aws:cloudtrail");
        assert_eq!(t.get("ctime", 1).unwrap().definition, "convert ctime($field$) \n  | fields - x");
        assert_eq!(t.get("two", 2).unwrap().args, vec!["a", "b"]);
    }

    #[test]
    fn conf_arity_must_match_args() {
        let e = MacroTable::new().load_conf_str("[m(2)]\nargs = a\ndefinition = x\n", "m.conf").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("1 argument"), "{e}");
    }

    #[test]
    fn conf_stanza_without_definition_is_an_error() {
        let e = MacroTable::new().load_conf_str("[m]\nargs =\n", "m.conf").unwrap_err();
        assert!(e.message.contains("no `definition`"), "{e}");
    }

    #[test]
    fn builtin_has_drop_dm_object_name() {
        let t = MacroTable::builtin();
        assert_eq!(t.get("drop_dm_object_name", 1).unwrap().definition, "rename $object$.* as *");
    }
}
