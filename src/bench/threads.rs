//! The suites on plain `std` threads: one OS thread per task, the model the
//! async executors are measured against.
//!
//! Threads get smaller sizes (`plan.rs`): each costs a stack and a kernel
//! task, which is the very point the suites make. Stacks are the default
//! size (2 MiB reserved, touched only as used), as a program would get.

use super::measure::{metrics, ms, peak_rss_mib, rss_bytes, seeded_sleeps, Metrics, Stopwatch};
use super::tasks::{per, precision_metrics, SEED};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// Suite 1 on threads: `n` threads each sleep a seeded 0..1 s.
pub(crate) fn timers(n: usize) -> Metrics {
    let sleeps = seeded_sleeps(n, SEED);
    let longest = sleeps.iter().copied().max().unwrap_or_default();
    let watch = Stopwatch::start();
    let handles: Vec<_> = sleeps
        .into_iter()
        .map(|duration| thread::spawn(move || thread::sleep(duration)))
        .collect();
    for handle in handles {
        handle.join().expect("a sleeping thread never panics");
    }
    metrics([
        ("overhead_ms", ms(watch.wall().saturating_sub(longest))),
        ("cpu_ms", ms(watch.cpu())),
        ("rss_mib", peak_rss_mib()),
    ])
}

/// Suite 2 on threads: start `n` threads that do nothing, then join them.
pub(crate) fn spawn(n: usize) -> Metrics {
    let watch = Stopwatch::start();
    let handles: Vec<_> = (0..n).map(|i| thread::spawn(move || i)).collect();
    let sum = handles
        .into_iter()
        .map(|handle| handle.join().expect("an empty thread never panics"))
        .fold(0usize, usize::wrapping_add);
    let wall = watch.wall();
    assert_eq!(sum, (0..n).fold(0usize, usize::wrapping_add));
    metrics([
        ("ns_per_task", wall.as_nanos() as f64 / n as f64),
        ("cpu_ms", ms(watch.cpu())),
        ("rss_mib", peak_rss_mib()),
    ])
}

/// Suite 3 on threads: two threads pass a token `n` times over two
/// channels; each pass parks one thread and unparks the other.
pub(crate) fn pingpong(n: usize) -> Metrics {
    let (to_pong, pong_inbox) = mpsc::channel::<usize>();
    let (to_ping, ping_inbox) = mpsc::channel::<usize>();
    let watch = Stopwatch::start();
    let pong = thread::spawn(move || {
        for token in pong_inbox {
            if to_ping.send(token + 1).is_err() {
                break;
            }
        }
    });
    let mut token = 0;
    for _ in 0..n {
        to_pong.send(token).expect("pong is alive");
        token = ping_inbox.recv().expect("pong answers");
    }
    let wall = watch.wall();
    drop(to_pong);
    pong.join().expect("pong never panics");
    assert_eq!(token, n);
    metrics([
        ("ns_per_round_trip", wall.as_nanos() as f64 / n as f64),
        ("cpu_ms", ms(watch.cpu())),
    ])
}

/// Suite 4 on a thread: `std::thread::sleep`, `n` of 1 ms and `n / 5` of 10 ms.
pub(crate) fn precision(n: usize) -> Metrics {
    let watch = Stopwatch::start();
    let lateness = |count: usize, duration: Duration| -> Vec<f64> {
        (0..count)
            .map(|_| {
                let start = Instant::now();
                thread::sleep(duration);
                start.elapsed().saturating_sub(duration).as_secs_f64() * 1e6
            })
            .collect()
    };
    let short = lateness(n, Duration::from_millis(1));
    let long = lateness(n / 5, Duration::from_millis(10));
    precision_metrics(&short, &long, watch.cpu())
}

/// Suite 5 on threads: resident memory per parked thread, `n` of them.
/// A thread has no "sleeping an hour" variant worth the name: it is
/// parked either way, so both metrics report the same threads.
pub(crate) fn memory(n: usize) -> Metrics {
    let started = Arc::new(Barrier::new(n + 1));
    let before = rss_bytes();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let started = Arc::clone(&started);
            thread::spawn(move || {
                started.wait();
                // Parked for good; the process exits around it.
                loop {
                    thread::park();
                }
            })
        })
        .collect();
    started.wait();
    let bytes = per(rss_bytes(), before, n);
    // Joining would wait forever: the child exits with the threads parked.
    std::mem::forget(handles);
    metrics([
        ("bytes_per_pending_task", bytes),
        ("rss_mib", peak_rss_mib()),
    ])
}
