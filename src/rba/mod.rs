//! Risk-based alerting: what a detection's results become in Splunk Enterprise Security.
//!
//! | file | what |
//! |---|---|
//! | `events.rs` | notables and risk events (one per risk-object value), messages with `$field$` filled |
//! | `aggregate.rs` | risk per object over a sliding window, flagged over a threshold |
//! | `mitre.rs` | the ATT&CK tactics of the techniques the detections name |

pub mod aggregate;
pub mod events;
pub mod mitre;

pub use aggregate::{aggregate, ObjectRisk};
pub use events::{creates_risk, notables, risk_events, risk_tally, Notable, RiskEvent};
