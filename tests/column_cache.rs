//! The on-disk column cache changes nothing but time: detections run over a dataset whose
//! columns came from a cache file give exactly the results of a run that extracted them.

mod common;

use std::path::Path;

use spelunk::engine::{run, Results};
use spelunk::eval::Context;
use spelunk::events::input::{load, LoadOptions};
use spelunk::frame::cache::Cache;
use spelunk::frame::Dataset;

fn dataset(data: &Path) -> Dataset {
    let loaded = load(&[data.to_path_buf()], &LoadOptions::default()).unwrap();
    Dataset::new(loaded.events, &spelunk::knowledge::builtin(), Context { now: 1_750_000_000.0 }).unwrap()
}

fn run_all(content: &spelunk::content::load::Content, ds: &Dataset) -> Vec<Result<Results, String>> {
    let opts = spelunk::engine::Options { lookups: Some(&content.lookups), ..Default::default() };
    content
        .detections
        .iter()
        .map(|d| {
            let q = spelunk::compile(&d.file.search, &content.macros).map_err(|e| e.message.clone())?;
            run(&q, ds, &opts).map_err(|e| e.message.clone())
        })
        .collect()
}

fn same_with_and_without_cache(content_dir: &Path, data: &Path, scratch: &str) {
    let content = spelunk::content::load::load(content_dir).unwrap();
    assert!(!content.detections.is_empty());
    let dir = std::env::temp_dir().join(format!("spelunk-column-cache-{scratch}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    // Cold: fields extracted from the JSON, then written to the cache.
    let cold = dataset(data);
    let cache = Cache::open(&cold, &dir);
    assert_eq!(cache.loaded(), 0);
    let cold_results = run_all(&content, &cold);
    cache.save(&cold).unwrap();
    assert!(cache.path().exists());

    // Warm: every column the cold run made comes from the file.
    let warm = dataset(data);
    let cache = Cache::open(&warm, &dir);
    assert_eq!(cache.loaded(), cold.cached_columns().len());
    assert!(cache.loaded() > 0);
    let warm_results = run_all(&content, &warm);

    for (d, (c, w)) in content.detections.iter().zip(cold_results.iter().zip(&warm_results)) {
        assert_eq!(c, w, "{}: results differ with the cache", d.file.name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn project_detections_give_the_same_results_from_the_cache() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    same_with_and_without_cache(root, &root.join("datasets"), "project");
}

#[test]
fn corpus_detections_give_the_same_results_from_the_cache() {
    let Some(shared) = common::shared_or_skip("corpus_detections_give_the_same_results_from_the_cache") else {
        return;
    };
    let content = std::env::temp_dir().join(format!("spelunk-column-cache-content-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&content);
    std::fs::create_dir_all(content.join("detections")).unwrap();
    let corpus = shared.join("corpus/security_content");
    for d in ["macros", "lookups"] {
        std::os::unix::fs::symlink(corpus.join(d), content.join(d)).unwrap();
    }
    for f in spelunk::content::find_yaml_files(&corpus.join("detections/cloud")).unwrap() {
        let d = spelunk::content::read_detection(&f).unwrap();
        if d.status != "deprecated" && d.search.contains("`cloudtrail`") {
            std::os::unix::fs::symlink(&f, content.join("detections").join(f.file_name().unwrap())).unwrap();
        }
    }
    same_with_and_without_cache(&content, &shared.join("cloudtrail"), "corpus");
    std::fs::remove_dir_all(&content).unwrap();
}
