//! The macro table both targets expand with: ordinary, with arguments, and cyclic.

use spelunk::macros::{MacroDef, MacroTable};
use std::sync::OnceLock;

static MACROS: OnceLock<MacroTable> = OnceLock::new();

/// The table, built once per fuzzing process.
pub fn table() -> &'static MacroTable {
    MACROS.get_or_init(macros)
}

pub fn macros() -> MacroTable {
    let mut t = MacroTable::builtin();
    for (name, args, def) in [
        ("ct", vec![], "sourcetype=aws:cloudtrail"),
        ("cloudtrail", vec![], "sourcetype=aws:cloudtrail"),
        ("ctime", vec!["field"], "convert ctime($field$)"),
        ("two", vec!["a", "b"], "eval $a$=\"$b$\""),
        ("loop", vec![], "x `loop`"),
    ] {
        t.insert(MacroDef {
            name: name.into(),
            args: args.into_iter().map(String::from).collect(),
            definition: def.into(),
            iseval: false,
            origin: "fuzz".into(),
        });
    }
    t
}
