//! The measuring tape of a bench child: wall and CPU time, resident memory
//! from `/proc/self/status`, seeded sleep lengths, and percentiles.
//!
//! Every suite in `tasks.rs` and `threads.rs` reads these around its work
//! and returns a [`Metrics`] map, which `child.rs` prints as one JSON line.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One run's measurements, by metric name (`overhead_ms`, `cpu_ms`, ...).
pub(crate) type Metrics = BTreeMap<String, f64>;

/// Wall and CPU time since a start, read together so they cover the same work.
pub(crate) struct Stopwatch {
    /// When the work began, on the monotonic clock.
    wall: Instant,
    /// This process's CPU time (every thread) when the work began.
    cpu: Duration,
}

impl Stopwatch {
    /// Starts timing now.
    pub(crate) fn start() -> Self {
        Stopwatch {
            cpu: crate::clock::process_cpu_time(),
            wall: Instant::now(),
        }
    }

    /// Wall time since the start.
    pub(crate) fn wall(&self) -> Duration {
        self.wall.elapsed()
    }

    /// CPU time of the whole process since the start. It counts helper
    /// threads (async-io's, tokio's blocking pool) too, which is the point:
    /// a runtime that hides its work on another thread still pays for it.
    pub(crate) fn cpu(&self) -> Duration {
        crate::clock::process_cpu_time().saturating_sub(self.cpu)
    }
}

/// A size in bytes from `/proc/self/status`: `VmRSS` (resident now) or
/// `VmHWM` (the peak resident, the "high water mark"). 0 off Linux.
pub(crate) fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// Peak resident memory of this process so far, in MiB.
pub(crate) fn peak_rss_mib() -> f64 {
    status_bytes("VmHWM") as f64 / (1024.0 * 1024.0)
}

/// Resident memory now, in bytes.
pub(crate) fn rss_bytes() -> u64 {
    status_bytes("VmRSS")
}

/// `n` seeded sleep lengths, uniform in 0..1 s at microsecond grain; the
/// same for every backend, so they all sleep the same total.
pub(crate) fn seeded_sleeps(n: usize, seed: u64) -> Vec<Duration> {
    let mut random = SplitMix::new(seed);
    (0..n)
        .map(|_| Duration::from_micros(random.next_u64() % 1_000_000))
        .collect()
}

/// A seeded stream of random numbers (SplitMix64), because a dozen lines
/// beat a dependency for a benchmark that needs only "spread out and
/// repeatable".
pub(crate) struct SplitMix {
    /// Advanced by a fixed odd constant per number.
    state: u64,
}

impl SplitMix {
    /// The stream that starts from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix { state: seed }
    }

    /// The next number: the state, stepped and then scrambled.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The `p`-th percentile (0..=100) of `values` by nearest rank; 0 if empty.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds in `duration`, as a float.
pub(crate) fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Builds a [`Metrics`] map from pairs.
pub(crate) fn metrics<const N: usize>(pairs: [(&str, f64); N]) -> Metrics {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{percentile, rss_bytes, seeded_sleeps};

    /// Nearest-rank percentiles of a small list.
    #[test]
    fn percentiles() {
        let values = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&values, 50.0), 3.0);
        assert_eq!(percentile(&values, 100.0), 5.0);
        assert_eq!(percentile(&values, 0.0), 1.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    /// The sleeps repeat with the seed and stay under a second.
    #[test]
    fn sleeps_are_seeded() {
        let a = seeded_sleeps(1000, 7);
        assert_eq!(a, seeded_sleeps(1000, 7));
        assert!(a.iter().all(|d| d.as_secs() == 0));
        assert!(rss_bytes() > 0);
    }
}
