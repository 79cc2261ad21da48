//! Reading macro definitions: security_content's `macros/*.yml` and Splunk's
//! `macros.conf` (docs/spl-semantics.md 9.1, 9.2).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{MacroDef, MacroTable};
use crate::conf::ConfFile;

/// A macro file that could not be read; names the file and, where known, the line.
pub type LoadError = crate::diagnostic::FileError;

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
            file: origin.to_string(),
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
    /// `args` and `iseval`. Returns how many macros it defined.
    pub fn load_conf_str(&mut self, text: &str, origin: &str) -> Result<usize, LoadError> {
        let conf = ConfFile::parse(text, origin)?;
        let err = |line: usize, message: String| LoadError { file: origin.to_string(), line: Some(line), message };
        let mut count = 0;
        for st in conf.stanzas.iter().filter(|s| s.name != "default") {
            let (name, arity) = match st.name.split_once('(') {
                Some((name, rest)) => {
                    let n = rest
                        .strip_suffix(')')
                        .and_then(|n| n.trim().parse::<usize>().ok())
                        .ok_or_else(|| err(st.line, format!("malformed stanza name `[{}]`", st.name)))?;
                    (name.trim().to_string(), Some(n))
                }
                None => (st.name.clone(), None),
            };
            let Some(definition) = st.get("definition") else {
                return Err(err(st.line, format!("stanza [{}] has no `definition`", st.name)));
            };
            let args: Vec<String> = st
                .get("args")
                .map(|a| a.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect())
                .unwrap_or_default();
            match arity {
                Some(n) if n != args.len() => {
                    return Err(err(
                        st.line,
                        format!("stanza [{name}({n})] declares {} argument name(s) in `args`", args.len()),
                    ));
                }
                None if !args.is_empty() => {
                    return Err(err(st.line, format!("stanza [{name}] has `args` but no argument count in its name")));
                }
                _ => {}
            }
            let iseval =
                st.get("iseval").is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "t" | "yes"));
            self.insert(MacroDef {
                name,
                args,
                definition: definition.to_string(),
                iseval,
                origin: origin.to_string(),
            });
            count += 1;
        }
        Ok(count)
    }

    /// Loads every `*.yml`/`*.yaml` (security_content format) and `*.conf` (macros.conf
    /// format) file directly in `dir`, in name order. Returns how many macros it defined.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, LoadError> {
        let io = |e: std::io::Error, p: &Path| LoadError {
            file: p.display().to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s9_2_yaml_with_arguments_becomes_name_with_arity() {
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
        assert_eq!(e.file, "bad.yml");
        assert!(e.message.contains("definition"), "{e}");
    }

    #[test]
    fn s9_1_conf_stanzas_args_and_continuations() {
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
    fn s9_1_conf_arity_must_match_args() {
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
