//! The front end over Splunk's whole detection corpus (../shared/corpus/security_content):
//! every search expands and parses, and printing then parsing gives the same tree.
//! Skipped, with a message, when ../shared is absent.

mod common;

use spelunk::compile;
use spelunk::content::{find_yaml_files, read_detection};
use spelunk::macros::MacroTable;
use spelunk::syntax::{parse, print};

fn corpus(test: &str) -> Option<(Vec<spelunk::content::DetectionFile>, MacroTable)> {
    let dir = common::security_content(test)?;
    let mut macros = MacroTable::builtin();
    macros.load_dir(&dir.join("macros")).expect("corpus macros load");
    let files = find_yaml_files(&dir.join("detections")).expect("detections dir");
    let dets = files.iter().map(|p| read_detection(p).unwrap_or_else(|e| panic!("{e}"))).collect();
    Some((dets, macros))
}

#[test]
fn every_corpus_search_parses() {
    let Some((dets, macros)) = corpus("every_corpus_search_parses") else { return };
    assert_eq!(dets.len(), 1711, "the corpus at its fixed commit has 1,711 detections");
    let failures: Vec<String> = dets
        .iter()
        .filter_map(|d| compile(&d.search, &macros).err().map(|e| format!("{}: {}", d.path.display(), e.message)))
        .collect();
    assert!(failures.is_empty(), "{} searches failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_corpus_search_round_trips_through_the_printer() {
    let Some((dets, macros)) = corpus("every_corpus_search_round_trips_through_the_printer") else { return };
    let mut failures = Vec::new();
    for d in &dets {
        let q = compile(&d.search, &macros).expect("parses (checked by the other test)");
        let printed = print(&q.pipeline);
        match parse(&printed) {
            Ok(again) if again == q.pipeline => {
                // The canonical text is a fixed point of print . parse.
                assert_eq!(print(&again), printed, "{}", d.path.display());
            }
            Ok(_) => {
                failures.push(format!("{}: tree differs after print -> parse\n  printed: {printed}", d.path.display()))
            }
            Err(e) => failures.push(format!(
                "{}: printed text does not parse: {}\n  printed: {printed}",
                d.path.display(),
                e.message
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} searches do not round-trip:\n{}",
        failures.len(),
        dets.len(),
        failures.join("\n")
    );
}

/// Every function name called in an eval/where expression anywhere in the corpus.
fn called_functions(p: &spelunk::syntax::Pipeline, out: &mut std::collections::BTreeSet<String>) {
    use spelunk::syntax::{AggArg, CommandKind, Expr, ExprKind};
    fn walk(e: &Expr, out: &mut std::collections::BTreeSet<String>) {
        match &e.kind {
            ExprKind::Call { name, args } => {
                out.insert(name.to_ascii_lowercase());
                args.iter().for_each(|a| walk(a, out));
            }
            ExprKind::Unary { expr, .. } => walk(expr, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
            ExprKind::In { expr, list } => {
                walk(expr, out);
                list.iter().for_each(|a| walk(a, out));
            }
            _ => {}
        }
    }
    for c in &p.commands {
        match &c.kind {
            CommandKind::Eval(assignments) => assignments.iter().for_each(|a| walk(&a.value, out)),
            CommandKind::Where(e) => walk(e, out),
            CommandKind::Stats(s)
            | CommandKind::Eventstats(s)
            | CommandKind::Streamstats(s)
            | CommandKind::Timechart(s) => {
                for a in &s.aggs {
                    if let Some(AggArg::Eval(e)) = &a.arg {
                        walk(e, out);
                    }
                }
            }
            CommandKind::Append { subsearch, .. } => called_functions(subsearch, out),
            CommandKind::Join(j) => called_functions(&j.subsearch, out),
            _ => {}
        }
    }
}

#[test]
fn every_eval_function_the_corpus_calls_is_implemented() {
    let Some((dets, macros)) = corpus("every_eval_function_the_corpus_calls_is_implemented") else { return };
    let mut names = std::collections::BTreeSet::new();
    for d in &dets {
        let q = compile(&d.search, &macros).expect("parses (checked above)");
        called_functions(&q.pipeline, &mut names);
    }
    let missing: Vec<&String> = names.iter().filter(|n| spelunk::eval::functions::lookup(n).is_none()).collect();
    assert!(names.len() > 30, "{} functions found", names.len());
    assert!(
        missing.is_empty(),
        "{} of {} functions the corpus calls are missing: {missing:?}",
        missing.len(),
        names.len()
    );
}
