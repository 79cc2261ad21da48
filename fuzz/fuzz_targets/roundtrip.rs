//! Whatever parses prints to text that parses to the same tree, and printing is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let macros = common::table();
    if let Ok(q) = spelunk::compile(src, macros) {
        let printed = spelunk::syntax::print(&q.pipeline);
        let again = match spelunk::syntax::parse(&printed) {
            Ok(p) => p,
            Err(e) => panic!("printed text does not parse: {}\n{printed}", e.message),
        };
        assert_eq!(again, q.pipeline, "tree changed through\n{printed}");
        assert_eq!(spelunk::syntax::print(&again), printed);
    }
});
