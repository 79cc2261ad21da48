//! Splunk's `.conf` file format, shared by macros.conf, props.conf, transforms.conf,
//! eventtypes.conf and tags.conf: `[stanza]` headers, `key = value` settings, `#` comment
//! lines, a trailing `\` continuing a value on the next line. Settings before the first
//! stanza belong to `[default]`. A later setting of the same key in a stanza wins.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    pub path: String,
    pub stanzas: Vec<Stanza>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    pub name: String,
    /// 1-based line of the header (0 for the implicit `[default]`).
    pub line: usize,
    pub settings: Vec<Setting>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub value: String,
    pub line: usize,
}

impl Stanza {
    /// The value of `key` (the last one written).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.iter().rev().find(|s| s.key == key).map(|s| s.value.as_str())
    }

    /// The settings whose key starts with `prefix` (`FIELDALIAS-`), one per key (the last
    /// written), ordered by the rest of the key in ASCII order, which is how Splunk orders
    /// the classes of one kind.
    pub fn classes(&self, prefix: &str) -> Vec<(&str, &Setting)> {
        let mut out: Vec<(&str, &Setting)> = Vec::new();
        for s in &self.settings {
            if let Some(class) = s.key.strip_prefix(prefix) {
                out.retain(|(c, _)| *c != class);
                out.push((class, s));
            }
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }
}

/// A malformed line, with its file and line.
pub type ConfError = crate::diagnostic::FileError;

impl ConfFile {
    pub fn parse(text: &str, path: &str) -> Result<ConfFile, ConfError> {
        let mut stanzas: Vec<Stanza> = Vec::new();
        let mut lines = text.lines().enumerate();
        while let Some((k, raw)) = lines.next() {
            let line = k + 1;
            let mut content = raw.to_string();
            while content.ends_with('\\') {
                content.pop();
                match lines.next() {
                    Some((_, next)) => {
                        content.push('\n');
                        content.push_str(next);
                    }
                    None => break,
                }
            }
            let trimmed = content.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if trimmed.starts_with('[') {
                let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
                    return Err(ConfError {
                        file: path.into(),
                        line: Some(line),
                        message: format!("malformed stanza header `{trimmed}`"),
                    });
                };
                stanzas.push(Stanza { name: name.trim().to_string(), line, settings: Vec::new() });
                continue;
            }
            let Some((key, value)) = content.split_once('=') else {
                return Err(ConfError {
                    file: path.into(),
                    line: Some(line),
                    message: format!("expected `key = value`, found `{trimmed}`"),
                });
            };
            if stanzas.is_empty() {
                stanzas.push(Stanza { name: "default".into(), line: 0, settings: Vec::new() });
            }
            let stanza = stanzas.last_mut().expect("one stanza");
            stanza.settings.push(Setting { key: key.trim().to_string(), value: value.trim().to_string(), line });
        }
        Ok(ConfFile { path: path.to_string(), stanzas })
    }

    pub fn stanza(&self, name: &str) -> Option<&Stanza> {
        self.stanzas.iter().rev().find(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_settings_comments_and_continuations() {
        let f = ConfFile::parse(
            "top = 1\n# comment\n[aws:cloudtrail]\nKV_MODE = json\nEVAL-a = if(x, \\\n  1, 2)\n\n[other]\nk=v=w\n",
            "props.conf",
        )
        .unwrap();
        let names: Vec<&str> = f.stanzas.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["default", "aws:cloudtrail", "other"]);
        let st = f.stanza("aws:cloudtrail").unwrap();
        assert_eq!(st.get("KV_MODE"), Some("json"));
        assert_eq!(st.get("EVAL-a"), Some("if(x, \n  1, 2)"));
        assert_eq!(f.stanza("other").unwrap().get("k"), Some("v=w"));
    }

    #[test]
    fn classes_are_in_ascii_order_and_the_last_setting_wins() {
        let f =
            ConfFile::parse("[s]\nFIELDALIAS-b = x AS y\nFIELDALIAS-a = p AS q\nFIELDALIAS-b = z AS y\n", "p").unwrap();
        let c: Vec<(&str, &str)> =
            f.stanzas[0].classes("FIELDALIAS-").into_iter().map(|(c, s)| (c, s.value.as_str())).collect();
        assert_eq!(c, [("a", "p AS q"), ("b", "z AS y")]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = ConfFile::parse("[ok]\na = 1\nno equals sign\n", "x.conf").unwrap_err();
        assert_eq!(e.to_string(), "x.conf:3: expected `key = value`, found `no equals sign`");
        let e = ConfFile::parse("[broken\n", "x.conf").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
