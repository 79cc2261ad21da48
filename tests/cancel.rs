//! `engine::Options::cancel`: a search whose flag is set stops with `spelunk::cancelled`,
//! between commands and inside a long `eval`; a flag that stays down changes nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use spelunk::engine::{run, Options};
use spelunk::eval::Context;
use spelunk::frame::Dataset;
use spelunk::macros::MacroTable;

fn empty() -> Dataset {
    Dataset::new(Vec::new(), &spelunk::knowledge::builtin(), Context { now: 0.0 }).unwrap()
}

#[test]
fn a_set_flag_stops_the_search_and_points_at_the_command() {
    let q = spelunk::compile("| makeresults count=3 | eval x=1 | stats count", &MacroTable::builtin()).unwrap();
    let flag = AtomicBool::new(true);
    let err = run(&q, &empty(), &Options { cancel: Some(&flag), ..Options::default() }).unwrap_err();
    assert_eq!(err.code, "spelunk::cancelled");
    assert_eq!(&q.source[err.span.range()], "eval x=1", "the first command after the generating one");

    let flag = AtomicBool::new(false);
    let r = run(&q, &empty(), &Options { cancel: Some(&flag), ..Options::default() }).unwrap();
    assert_eq!(r.column("count").unwrap()[0], spelunk::events::Value::from("3"));
}

#[test]
fn a_flag_set_while_eval_runs_stops_it() {
    // The flag is set by another thread once the search has started; eval checks it every
    // few thousand rows, so the search ends with the error instead of its result. A search
    // that has finished before the flag was set is also correct, so it is run again, larger,
    // until the flag lands inside it (a handful of times at most on any machine).
    let ds = empty();
    for count in [200_000, 2_000_000, 5_000_000] {
        let text = format!("| makeresults count={count} | eval a=tostring(_time).\"x\", b=upper(a), c=len(b)");
        let q = spelunk::compile(&text, &MacroTable::builtin()).unwrap();
        let flag = Arc::new(AtomicBool::new(false));
        let setter = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                flag.store(true, Ordering::SeqCst);
            })
        };
        let out = run(&q, &ds, &Options { cancel: Some(&flag), ..Options::default() });
        setter.join().unwrap();
        match out {
            Err(e) => {
                assert_eq!(e.code, "spelunk::cancelled", "{}", e.message);
                return;
            }
            Ok(r) => assert_eq!(r.rows, count),
        }
    }
    panic!("the flag never stopped a search of 5,000,000 rows");
}
