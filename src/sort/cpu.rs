//! CPU time of this process and its finished children, read from `/proc`.
//!
//! `sort.rs` reads [`process_tree_cpu`] before and after a run and reports
//! the difference. For the process pool, the children's time counts only
//! once they have been waited for, which `pool.rs` does before returning.
//!
//! Why `/proc/self/stat` and not `getrusage`: the workspace forbids
//! `unsafe`, and the safe wrappers around `getrusage` would add a
//! dependency for four numbers. The price is resolution: the kernel reports
//! these times in clock ticks of 10 ms. That is plenty for a sort that runs
//! for seconds, and too coarse for a tiny one; a production tool would call
//! `getrusage` for microseconds. Linux only, like `/proc`.

use anyhow::{Context, Result};
use std::time::Duration;

/// The length of one clock tick in `/proc/<pid>/stat`.
///
/// The kernel fixes this "USER_HZ" at 100 per second for user space on
/// every architecture it ships today, whatever its internal tick rate, so
/// we write it down instead of asking `sysconf(_SC_CLK_TCK)` (which would
/// need `libc`, and `unsafe`).
const TICK: Duration = Duration::from_millis(10);

/// User plus system CPU time of this process (all its threads, living and
/// exited) and of its children that have been waited for.
///
/// # Errors
/// Fails where `/proc/self/stat` cannot be read or parsed, that is, off Linux.
pub(crate) fn process_tree_cpu() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .context("reading /proc/self/stat for CPU time")?;
    let ticks = parse_cpu_ticks(&stat).context("parsing /proc/self/stat for CPU time")?;
    // Saturating: a count of ticks this large would mean centuries of CPU.
    Ok(TICK.saturating_mul(u32::try_from(ticks).unwrap_or(u32::MAX)))
}

/// Sums utime, stime, cutime and cstime (fields 14 to 17 of `proc(5)`'s
/// `stat`) from the text of a stat file.
///
/// The second field, the command name, sits in parentheses and may itself
/// hold spaces and parentheses, so the count starts after the *last* `)`.
fn parse_cpu_ticks(stat: &str) -> Result<u64> {
    let (_, after_name) = stat
        .rsplit_once(')')
        .context("no `)` after the command name")?;
    // After the name come field 3 (the state) onwards, so field 14 is the
    // twelfth of these.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let times = fields.get(11..15).context("fewer than 17 fields")?;
    times.iter().try_fold(0u64, |sum, field| {
        let ticks: u64 = field
            .parse()
            .with_context(|| format!("time field `{field}` is not a number"))?;
        Ok(sum + ticks)
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_cpu_ticks, process_tree_cpu};

    /// The four time fields are found even when the name has `) (` in it.
    #[test]
    fn parses_a_stat_line() {
        let stat = "4695 (we) (ird) R 4691 4691 3822 0 -1 4194304 100 0 1 0 7 3 2 1 20 0 1 0 28644";
        assert_eq!(parse_cpu_ticks(stat).unwrap(), 7 + 3 + 2 + 1);
        assert!(parse_cpu_ticks("4695 (short) R 1 2").is_err());
        assert!(parse_cpu_ticks("no name here").is_err());
    }

    /// This process's CPU time can be read and does not go backwards.
    #[test]
    fn reads_our_own_cpu_time() {
        let before = process_tree_cpu().unwrap();
        let spin_until = std::time::Instant::now() + std::time::Duration::from_millis(30);
        while std::time::Instant::now() < spin_until {
            std::hint::black_box(());
        }
        assert!(process_tree_cpu().unwrap() >= before);
    }
}
