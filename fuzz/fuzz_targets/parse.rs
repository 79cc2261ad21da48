//! No input makes the front end panic: expansion, parsing, error mapping and rendering.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let macros = common::table();
    match spelunk::compile(src, macros) {
        Ok(q) => {
            let _ = spelunk::syntax::print(&q.pipeline);
        }
        Err(d) => {
            assert!(d.span.start <= d.span.end && d.span.end <= src.len(), "span outside the input");
            let _ = d.line_col(src);
            let _ = d.render_plain("fuzz", src);
        }
    }
    let _ = spelunk::syntax::parse_expr(src);
});
