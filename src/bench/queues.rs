//! Suite 7: minirt's timer wheel against a binary heap and an ordered map,
//! the three queues of `minirt::queues`, with no runtime around them.
//!
//! Each child arms `n` timers, cancels a seeded half of them in a seeded
//! order, then moves the clock forward a millisecond at a time until every
//! other timer has fired, and reports the cost of each phase per timer.
//! The queues are called directly and generically (one copy of the code
//! per queue, no dispatch), so the numbers are the queues' own.
//!
//! # Why these deadlines
//!
//! Deadlines are spread uniformly over one second at microsecond grain,
//! like suite 1's sleeps: a server's timeouts and retries, armed in no
//! particular order. One second is wide enough that the wheel must cascade
//! (its timers start on levels 2 and 3 and move down), so the wheel pays
//! its own hidden cost too. Half the timers are cancelled because most
//! timeouts never fire: the request answers first.
//!
//! The payload is a `u64`, not a waker, so that only the queue is measured.

use super::measure::{metrics, peak_rss_mib, rss_bytes, seeded_sleeps, Metrics, SplitMix};
use super::tasks::SEED;
use minirt::queues::{BinaryHeapQueue, OrderedMapQueue, TimerKey, TimerQueue, Wheel};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The queues, by the names the table shows, the wheel (the baseline) first.
pub(crate) const QUEUE_BACKENDS: [&str; 3] = ["wheel", "heap", "ordered-map"];

/// How far the clock moves per turn: a millisecond, as a busy loop that
/// wakes often would advance it.
const STEP_US: u64 = 1_000;

/// One measurement of the queue called `backend` (one of
/// [`QUEUE_BACKENDS`]) at `n` timers; `None` for another name.
pub(crate) fn measure(backend: &str, n: usize) -> Option<Metrics> {
    Some(match backend {
        "wheel" => life_cycle::<Wheel<u64>>(n),
        "heap" => life_cycle::<BinaryHeapQueue<u64>>(n),
        "ordered-map" => life_cycle::<OrderedMapQueue<u64>>(n),
        _ => return None,
    })
}

/// Insert `n`, cancel half, fire the rest, timing each phase.
fn life_cycle<Q: TimerQueue<u64>>(n: usize) -> Metrics {
    // Deadlines in 1..=1 000 000 µs: after the queue's start at 0.
    let deadlines: Vec<u64> = seeded_sleeps(n, SEED)
        .into_iter()
        .map(|sleep| sleep.as_micros() as u64 + 1)
        .collect();
    let victims = seeded_half(n);
    let mut keys: Vec<TimerKey> = Vec::with_capacity(n);
    let mut queue = Q::new(0);
    let before = rss_bytes();

    let start = Instant::now();
    for (id, &deadline) in (0..).zip(&deadlines) {
        keys.push(
            queue
                .insert(deadline, id)
                .expect("every deadline is after 0"),
        );
    }
    let insert = start.elapsed();
    // The queue's growth, less the keys' vector, which is the caller's.
    let queue_bytes =
        rss_bytes().saturating_sub(before) as f64 - (n * std::mem::size_of::<TimerKey>()) as f64;

    let start = Instant::now();
    for &victim in &victims {
        black_box(queue.cancel(keys[victim]).expect("each victim is armed"));
    }
    let cancel = start.elapsed();

    let start = Instant::now();
    let (mut now, mut count) = (0, 0);
    let mut fired = Vec::new();
    while !queue.is_empty() {
        now += STEP_US;
        queue.advance(now, &mut fired);
        count += fired.len();
        // The loop would wake each; here the payloads need only be read.
        black_box(fired.drain(..).map(|(_, id)| id).sum::<u64>());
    }
    let fire = start.elapsed();
    assert_eq!(count, n - victims.len(), "every timer not cancelled fires");

    metrics([
        ("insert_ns", ns_per(insert, n)),
        ("cancel_ns", ns_per(cancel, victims.len())),
        ("fire_ns", ns_per(fire, count)),
        ("total_ns", ns_per(insert + cancel + fire, n)),
        ("bytes_per_timer", (queue_bytes / n as f64).max(0.0)),
        ("rss_mib", peak_rss_mib()),
    ])
}

/// Nanoseconds of `duration` per one of `count`.
fn ns_per(duration: Duration, count: usize) -> f64 {
    duration.as_nanos() as f64 / count.max(1) as f64
}

/// Half of `0..n`, chosen and ordered by a seeded shuffle (Fisher–Yates),
/// so cancels land all over the queue, as they would in a server.
fn seeded_half(n: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..n).collect();
    let mut random = SplitMix::new(SEED + 1);
    for last in (1..n).rev() {
        let pick = (random.next_u64() % (last as u64 + 1)) as usize;
        indices.swap(last, pick);
    }
    indices.truncate(n / 2);
    indices
}

#[cfg(test)]
mod tests {
    use super::{measure, seeded_half, QUEUE_BACKENDS};

    /// Each queue measures every phase at a small size.
    #[test]
    fn every_queue_measures_every_phase() {
        for backend in QUEUE_BACKENDS {
            let metrics = measure(backend, 2_000).unwrap();
            for phase in ["insert_ns", "cancel_ns", "fire_ns", "total_ns"] {
                assert!(metrics[phase] > 0.0, "{backend} {phase}: {metrics:?}");
            }
        }
        assert!(measure("list", 10).is_none());
    }

    /// The half is half, without repeats, and the same for the same seed.
    #[test]
    fn the_cancelled_half_is_seeded() {
        let mut half = seeded_half(1_001);
        assert_eq!(half, seeded_half(1_001));
        assert_eq!(half.len(), 500);
        assert_ne!(half[..10], (0..10).collect::<Vec<_>>()[..], "not shuffled");
        half.sort_unstable();
        half.dedup();
        assert_eq!(half.len(), 500);
    }
}
