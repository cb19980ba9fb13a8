//! What a run found besides its log: the race's final value, the times the
//! work measured itself, a note. Part of the run's record; a scenario's Rust
//! code returns it, and so does a foreign backend's program
//! ([`Foreign`](crate::model::foreign::Foreign)).

use std::time::Duration;

/// What a scenario reports besides its log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The result value: the race's final value.
    pub value: Option<i64>,
    /// Time measured by the work itself, when the log's total is not the
    /// right measure (the sort times only the sorting).
    pub wall: Option<Duration>,
    /// CPU time measured by the work itself (the sort counts its children).
    pub cpu: Option<Duration>,
    /// Threads or processes used, when the work counts them itself.
    pub threads: Option<usize>,
    /// Anything else worth a few words in the table (bytes moved, ...).
    pub note: Option<String>,
}
