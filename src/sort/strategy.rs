//! The ways of running the sort, and their names on the command line.
//!
//! [`run`](super::run) dispatches on a [`Strategy`] to `in_process.rs` or
//! `pool.rs`. The names are the backend names of the scenario table, so a sort
//! run reads like every other scenario in the harness's tables and JSON.

use std::fmt;
use std::str::FromStr;

/// A way of running the sort, named as the backends that run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// `sync`: one thread, one list after another.
    Sequential,
    /// `rayon`: rayon's work-stealing pool, one thread per core.
    Rayon,
    /// `threads`: one scoped `std` thread per core, each with a chunk of lists.
    ScopedThreads,
    /// `minirt`: a task per list on minirt's single-threaded loop.
    Minirt,
    /// `processes`: a pool of child processes, one per core, fed over pipes.
    Processes,
}

impl Strategy {
    /// Every strategy, sequential first since it is the baseline.
    pub const ALL: [Strategy; 5] = [
        Strategy::Sequential,
        Strategy::Rayon,
        Strategy::ScopedThreads,
        Strategy::Minirt,
        Strategy::Processes,
    ];

    /// The name used by the CLI and the JSON.
    ///
    /// # Examples
    /// ```
    /// use concur::sort::Strategy;
    /// assert_eq!(Strategy::ScopedThreads.name(), "threads");
    /// assert_eq!("threads".parse::<Strategy>().unwrap(), Strategy::ScopedThreads);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sequential => "sync",
            Strategy::Rayon => "rayon",
            Strategy::ScopedThreads => "threads",
            Strategy::Minirt => "minirt",
            Strategy::Processes => "processes",
        }
    }
}

impl fmt::Display for Strategy {
    /// Writes [`Strategy::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    /// A one-line message naming the accepted strategies, for the CLI.
    type Err = String;

    /// Parses a [`Strategy::name`]; the error lists the accepted names.
    fn from_str(name: &str) -> Result<Self, String> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Strategy::ALL
                    .iter()
                    .map(|strategy| strategy.name())
                    .collect();
                format!(
                    "unknown sort backend `{name}`; accepted: {}",
                    names.join(", ")
                )
            })
    }
}
