//! The content options `detect`, `test` and `risk` share: where the detections are and
//! which of them to run.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use spelunk::content::detection::Detection;
use spelunk::content::load::{load_named, Content, Selection};

#[derive(Args, Debug, Clone)]
pub struct ContentArgs {
    /// Detection content in security_content's layout (detections/, macros/, lookups/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub content: PathBuf,
    /// Only detections whose name matches (`*` wildcards, any case); repeatable.
    #[arg(long = "name", value_name = "PATTERN")]
    pub names: Vec<String>,
    /// Only detections of this type (TTP, Anomaly, Hunting, ...); repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only detections with this status (default: every status but deprecated); repeatable.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Only detections in this analytic story (`*` wildcards); repeatable.
    #[arg(long = "story", value_name = "STORY")]
    pub stories: Vec<String>,
    /// Only detections tagged with this MITRE ATT&CK technique (T1110 includes T1110.003).
    #[arg(long = "mitre", value_name = "ID")]
    pub mitre: Vec<String>,
    /// More macro definitions (security_content *.yml or macros.conf); later ones win.
    #[arg(long = "macros", value_name = "DIR")]
    pub macros: Vec<PathBuf>,
    /// More lookup tables (*.csv, security_content *.yml definitions).
    #[arg(long = "lookups", value_name = "DIR")]
    pub lookups: Vec<PathBuf>,
}

impl ContentArgs {
    /// The content and the indices of the selected detections. Unreadable detection files
    /// are reported on stderr and left out.
    pub fn load(&self) -> Result<(Content, Vec<usize>), ExitCode> {
        let mut content = load_named(&self.content, &self.names).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })?;
        for dir in &self.macros {
            if let Err(e) = content.macros.load_dir(dir) {
                eprintln!("error: {e}");
                return Err(ExitCode::from(2));
            }
        }
        for dir in &self.lookups {
            if let Err(e) = content.lookups.add_dir(dir) {
                eprintln!("error: {e}");
                return Err(ExitCode::from(2));
            }
        }
        for p in &content.problems {
            eprintln!("warning: skipped {p}");
        }
        let sel = Selection {
            names: self.names.clone(),
            types: self.types.clone(),
            statuses: self.statuses.clone(),
            stories: self.stories.clone(),
            mitre: self.mitre.clone(),
        };
        let chosen: Vec<usize> =
            content.detections.iter().enumerate().filter(|(_, d)| sel.matches(d)).map(|(k, _)| k).collect();
        Ok((content, chosen))
    }
}

/// `risk 80 (user_arn, aws_account_id)`, for headings.
pub fn risk_summary(d: &Detection) -> String {
    let scores: Vec<String> = d.risk.objects.iter().map(|o| format!("{}={}", o.field, o.score)).collect();
    if scores.is_empty() {
        "no risk objects".into()
    } else {
        format!("risk {}", scores.join(", "))
    }
}
