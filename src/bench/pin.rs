//! Pinning suite 8's two processes to a core each: the load generator to
//! the first CPU this process may run on, the server to the second.
//!
//! On a 2-core machine, a server and its load generator left to the
//! scheduler share and swap cores, and a cheap server then shows as a
//! fast load generator. Pinned, each has a core to itself, and the
//! server's CPU per request is the server's alone. `sched_setaffinity`
//! through rustix's safe wrapper; a thread's affinity is inherited by the
//! threads it starts, so each process pins its first thread before it
//! starts any other. The load generator finds both CPUs before it pins
//! itself, and tells the server its CPU (`bench-server --cpu`).

use rustix::thread::{sched_getaffinity, sched_setaffinity, CpuSet};
use std::sync::OnceLock;

/// The two CPUs, the load generator's and the server's, or why there
/// are not two: found once, before the load generator pins itself (after,
/// it may run on one CPU only, and so would the server it starts, which
/// inherits its mask; so the server is told its CPU instead).
pub(crate) fn cpus() -> Result<(usize, usize), String> {
    static CPUS: OnceLock<Result<(usize, usize), String>> = OnceLock::new();
    CPUS.get_or_init(|| {
        let cpus = allowed()?;
        match cpus[..] {
            [client, server, ..] => Ok((client, server)),
            _ => Err(format!(
                "only {} CPU allowed to this process, so the server and the load generator share it",
                cpus.len()
            )),
        }
    })
    .clone()
}

/// The CPUs this thread may run on, in order.
fn allowed() -> Result<Vec<usize>, String> {
    let set = sched_getaffinity(None).map_err(|error| format!("sched_getaffinity: {error}"))?;
    Ok((0..CpuSet::MAX_CPU)
        .filter(|&cpu| set.is_set(cpu))
        .collect())
}

/// Pins the calling thread (and every thread it starts after) to `cpu`.
///
/// # Errors
///
/// Why not: a CPU outside the process's cgroup, say.
pub(crate) fn pin(cpu: usize) -> Result<(), String> {
    if cpu >= CpuSet::MAX_CPU {
        return Err(format!("there is no CPU {cpu}"));
    }
    let mut set = CpuSet::new();
    set.set(cpu);
    sched_setaffinity(None, &set).map_err(|error| format!("sched_setaffinity({cpu}): {error}"))
}

/// The suite's note on pinning, as the parent sees it before any child
/// runs: where each side goes, or why it cannot.
pub(crate) fn note() -> String {
    match cpus() {
        Ok((client, server)) => format!(
            "load generator pinned to CPU {client}, server to CPU {server} (sched_setaffinity)"
        ),
        Err(why) => format!("pinning not possible: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{cpus, note, pin};

    /// The two sides get different CPUs, or the note says why not; a CPU
    /// that does not exist is refused, not a panic.
    #[test]
    fn sides_differ_or_the_note_says_why() {
        match cpus() {
            Ok((client, server)) => {
                assert_ne!(client, server);
                assert!(note().contains("pinned"));
            }
            Err(_) => assert!(note().starts_with("pinning not possible")),
        }
        assert!(pin(1 << 20).is_err());
    }
}
