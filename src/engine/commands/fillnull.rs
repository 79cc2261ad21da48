//! `fillnull [value=V] [fields]` (docs/spl-semantics.md 5.4): listed fields are filled (and
//! created); without a list every field some result has is filled, none is created.

use super::{known_options, option};
use crate::engine::EngineError;
use crate::events::Value;
use crate::frame::Frame;
use crate::syntax::{CmdOption, Ident};

pub fn run(f: &mut Frame, options: &[CmdOption], list: &[Ident]) -> Result<(), EngineError> {
    known_options(options, &["value"], "fillnull")?;
    let fill = option(options, "value").map_or("0".to_string(), |o| o.value.text.clone());
    let names: Vec<String> = if list.is_empty() {
        f.ensure_all();
        f.names().into_iter().filter(|n| !n.starts_with('_')).collect()
    } else {
        let names: Vec<String> = list.iter().map(|i| i.name.clone()).collect();
        f.ensure(&names.iter().cloned().collect());
        names
    };
    for n in names {
        let mut v = f.values(&n);
        // Without a list, a field no result has (a column the frame holds only because a
        // command asked for it) is not created.
        if list.is_empty() && v.iter().all(Value::is_null) {
            continue;
        }
        for cell in v.iter_mut().filter(|c| c.is_null()) {
            *cell = Value::Str(fill.clone());
        }
        f.set(&n, &v);
    }
    Ok(())
}
