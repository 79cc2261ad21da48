//! The data options every subcommand that reads events shares, and loading with a
//! report of what was skipped.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use spelunk::eval::Context;
use spelunk::events::input::{load, KeyWhileLoading, LoadOptions, ScanWhileLoading};
use spelunk::frame::{Dataset, PassWhileLoading};
use spelunk::knowledge::{self, App};

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Events to read: files, directories (recursive) or `-` for standard input. NDJSON,
    /// CloudTrail `{"Records": [...]}` files, JSON arrays, gzip, Splunk CSV/JSON exports.
    /// Not needed by a search that generates its results (`| makeresults`, `| inputlookup`).
    #[arg(long = "data", short = 'd', value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Sourcetype of the events (default aws:cloudtrail; a Splunk export's own column wins).
    #[arg(long, value_name = "NAME")]
    pub sourcetype: Option<String>,
    /// `source` of the events (default: the file name).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// `host` of the events.
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// `index` of the events (default main).
    #[arg(long, value_name = "NAME")]
    pub index: Option<String>,
    /// Stop at the first unreadable line instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Search-time knowledge from an app directory (default/props.conf, transforms.conf,
    /// eventtypes.conf, tags.conf, lookups/), e.g. a Splunk_TA_aws checkout, instead of
    /// spelunk's built-in knowledge for aws:cloudtrail.
    #[arg(long, value_name = "DIR")]
    pub props: Option<PathBuf>,
}

/// Most problems listed one by one before the rest are only counted.
const SHOWN_PROBLEMS: usize = 10;

impl DataArgs {
    /// Loads the events and prepares the knowledge. Problems go to stderr: each skipped
    /// line (the first few), then a count. Exit code 1 for a fatal data problem
    /// (`--strict`), 2 for unreadable paths or knowledge.
    pub fn load(&self, now: f64) -> Result<Dataset, ExitCode> {
        self.load_with(now, None, &[])
    }

    /// [`DataArgs::load`], reading and writing load records of big files under `records`;
    /// the literals of `first` (the plans of the searches the run will make) are looked for
    /// in the events' text as it is read, when the run will look for them
    /// ([`spelunk::frame::needles_to_load`]).
    pub fn load_with(
        &self,
        now: f64,
        records: Option<std::path::PathBuf>,
        first: &[spelunk::frame::ScanPlan],
    ) -> Result<Dataset, ExitCode> {
        let app = match &self.props {
            Some(dir) => match App::load(dir) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Err(ExitCode::from(2));
                }
            },
            None => knowledge::builtin(),
        };
        // The knowledge of the sourcetype the events will have, prepared once: for the
        // literals to look for while loading, then for the dataset.
        let sourcetype = self.sourcetype.clone().unwrap_or_else(|| spelunk::events::Meta::default().sourcetype);
        let prepared = if first.is_empty() { None } else { app.for_sourcetype(&sourcetype).ok() };
        let scan = prepared
            .as_ref()
            .and_then(|k| spelunk::frame::needles_to_load(first, k))
            .and_then(|(needles, share)| ScanWhileLoading::new(needles, share))
            .map(Arc::new);
        // The knowledge's decision key (`eventName`), read from each event's text while
        // loading when a first search reads it: no shared pass reads every event's text
        // again for it.
        let key = prepared
            .as_ref()
            .and_then(|k| spelunk::frame::decision_key_in([k]))
            .filter(|name| first.iter().any(|p| p.first.contains(*name)))
            .and_then(KeyWhileLoading::new)
            .map(Arc::new);
        // A run of one broad search selecting by that key has the fields it reads over the
        // events it selects made as they are loaded.
        let pass = key
            .as_deref()
            .zip(prepared.as_ref())
            .and_then(|(key, k)| PassWhileLoading::of(first, key.name(), &sourcetype, k, Context { now }))
            .map(Arc::new);
        let opts = LoadOptions {
            sourcetype: self.sourcetype.clone(),
            source: self.source.clone(),
            host: self.host.clone(),
            index: self.index.clone(),
            strict: self.strict,
            records,
            scan: scan.clone(),
            key: key.clone(),
            while_loading: pass.clone().map(|p| p as Arc<dyn spelunk::events::input::WhileLoading>),
        };
        if self.data.is_empty() {
            return Dataset::new(Vec::new(), &knowledge::builtin(), Context { now }).map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            });
        }
        let names: Vec<String> = self.data.iter().map(|p| p.display().to_string()).collect();
        let progress = super::term::Progress::spinner(format!("loading {}", names.join(" ")));
        let loaded = load(&self.data, &opts);
        progress.finish();
        let mut loaded = match loaded {
            Ok(l) => l,
            Err(p) => {
                eprintln!("error: {p}");
                // No line: the path itself could not be read.
                return Err(ExitCode::from(if p.line.is_none() && !self.strict { 2 } else { 1 }));
            }
        };
        for p in loaded.problems.iter().take(SHOWN_PROBLEMS) {
            eprintln!("warning: skipped {p}");
        }
        if !loaded.problems.is_empty() {
            let more = loaded.problems.len().saturating_sub(SHOWN_PROBLEMS);
            let also = if more > 0 { format!(" ({more} not shown)") } else { String::new() };
            eprintln!(
                "warning: {} event{} read, {} skipped{also}; --strict stops at the first problem",
                loaded.events.len(),
                if loaded.events.len() == 1 { "" } else { "s" },
                loaded.problems.len()
            );
        }
        let digest = loaded.digest();
        let scanned = scan.as_deref().and_then(|s| loaded.scanned(s));
        let key_column = key.as_deref().zip(loaded.key_values());
        let made_while_loading = std::mem::take(&mut loaded.made_while_loading);
        // Every event loaded was checked to be JSON (`input::load`), or its line skipped.
        Dataset::with_knowledge(
            loaded.events,
            &app,
            Context { now },
            prepared.map(|k| (sourcetype, k)).into_iter().collect(),
        )
        .map(Dataset::with_checked_json)
        .map(|ds| match digest {
            Some(d) => ds.with_input_digest(d),
            None => ds,
        })
        .inspect(|ds| {
            if let Some((key, (values, codes))) = key_column {
                ds.insert_read_while_loading(key.name(), values, codes);
            }
            if let Some(pass) = &pass {
                ds.insert_made_while_loading(pass, made_while_loading);
            }
        })
        .map(|ds| match scanned {
            Some(found) => ds.with_scanned(found),
            None => ds,
        })
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })
    }
}

/// The time now, epoch seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}
