//! contentctl's unit test, offline: where a test's dataset is on this machine, and whether
//! a detection's results pass.
//!
//! A test passes when the search over its datasets (all time) has at least one result,
//! every risk-object field is non-null in every result, and every threat-object field is
//! non-null in at least one.

use std::path::{Path, PathBuf};

use super::detection::Detection;
use crate::engine::Results;

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass { results: usize },
    Fail(String),
    Skip(String),
}

/// Where `data` (an attack_data URL or a path) is: a URL of the attack_data repository maps
/// to the same path under a local checkout; any other text is a path relative to the
/// content directory. `Err` is why the test is skipped.
pub fn locate(data: &str, content_root: &Path, attack_data: Option<&Path>) -> Result<PathBuf, String> {
    if data.starts_with("http://") || data.starts_with("https://") {
        let Some(rel) = attack_data_path(data) else {
            return Err(format!("dataset missing: {data} is not in the attack_data repository"));
        };
        let Some(root) = attack_data else {
            return Err(format!("dataset missing: {data} (give a local attack_data checkout with --attack-data DIR)"));
        };
        let path = root.join(rel);
        return if path.exists() { Ok(path) } else { Err(format!("dataset missing: {} not found", path.display())) };
    }
    let path = content_root.join(data);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("dataset missing: {} not found", path.display()))
    }
}

/// The path inside the attack_data repository a URL names
/// (`.../attack_data/master/datasets/x.json` → `datasets/x.json`).
fn attack_data_path(url: &str) -> Option<&str> {
    let after = &url[url.find("/attack_data/")? + "/attack_data/".len()..];
    // raw.githubusercontent.com may write `refs/heads/<branch>/`, github.com `blob/<branch>/`.
    let after = after.strip_prefix("refs/heads/").or_else(|| after.strip_prefix("blob/")).unwrap_or(after);
    // Then the branch (master, main, a commit), then the path.
    let (_, rest) = after.split_once('/')?;
    Some(rest)
}

/// Whether a file is a Git LFS pointer rather than the data.
pub fn is_lfs_pointer(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 64];
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let n = f.read(&mut head).unwrap_or(0);
    head[..n].starts_with(crate::events::input::LFS_POINTER)
}

/// The verdict on a detection's results.
pub fn judge(d: &Detection, r: &Results) -> Verdict {
    if r.rows == 0 {
        return Verdict::Fail("no results".into());
    }
    for o in &d.risk.objects {
        let missing = (0..r.rows).filter(|&i| crate::rba::events::values(r, &o.field, i).is_empty()).count();
        if missing > 0 {
            return Verdict::Fail(format!(
                "risk object field `{}` is empty in {missing} of {} results",
                o.field, r.rows
            ));
        }
    }
    for t in &d.risk.threats {
        if (0..r.rows).all(|i| crate::rba::events::values(r, &t.field, i).is_empty()) {
            return Verdict::Fail(format!("threat object field `{}` is empty in every result", t.field));
        }
    }
    Verdict::Pass { results: r.rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_data_urls_map_into_a_checkout() {
        assert_eq!(
            attack_data_path("https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/attack_techniques/T1537/x/aws.json"),
            Some("datasets/attack_techniques/T1537/x/aws.json")
        );
        assert_eq!(
            attack_data_path("https://raw.githubusercontent.com/splunk/attack_data/refs/heads/master/datasets/a.log"),
            Some("datasets/a.log")
        );
        assert_eq!(attack_data_path("https://example.com/x.json"), None);
        let e = locate(
            "https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/a.json",
            Path::new("."),
            None,
        )
        .unwrap_err();
        assert!(e.starts_with("dataset missing") && e.contains("--attack-data"), "{e}");
    }
}
