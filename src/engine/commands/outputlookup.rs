//! `outputlookup`: in Splunk it writes the results to a lookup table and passes them on.
//! spelunk never modifies its inputs, and lookup tables are inputs: the results pass on
//! unchanged and the search is warned that nothing was written (a choice, see
//! ARCHITECTURE.md, "Choices where Splunk is not documented").

use super::Cx;
use crate::engine::EngineError;
use crate::frame::Frame;
use crate::syntax::Literal;

pub fn run(_f: &mut Frame, table: &Literal, cx: &Cx) -> Result<(), EngineError> {
    cx.warn(format!(
        "outputlookup `{}` was not written: spelunk does not modify lookup tables (results passed through)",
        table.text
    ));
    Ok(())
}
