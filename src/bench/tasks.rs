//! The suites on async executors, each written once against [`LocalRuntime`] and run
//! by [`drive`](super::rt::drive) on minirt, smol, tokio and async-executor.
//!
//! Each job times only its work (a [`Stopwatch`] around it), and reads
//! peak RSS at the end. The thread versions are in `threads.rs`.

use super::measure::{metrics, ms, peak_rss_mib, percentile, rss_bytes, seeded_sleeps};
use super::measure::{Metrics, Stopwatch};
use super::rt::Job;
use crate::backend::adapter::LocalRuntime;
use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// The seed of every suite's random sleeps, so every backend sleeps alike.
pub(crate) const SEED: u64 = 2024;

/// Suite 1: `n` tasks each sleep a seeded 0..1 s; overhead is the wall
/// time beyond the longest sleep.
pub(crate) struct Timers(pub(crate) usize);

impl Job for Timers {
    type Output = Metrics;

    async fn run<R: LocalRuntime>(self, rt: R) -> Metrics {
        let sleeps = seeded_sleeps(self.0, SEED);
        let longest = sleeps.iter().copied().max().unwrap_or_default();
        let watch = Stopwatch::start();
        let handles: Vec<_> = sleeps
            .into_iter()
            .map(|duration| {
                let sleeper = rt.clone();
                rt.spawn(async move { sleeper.sleep(duration).await })
            })
            .collect();
        for handle in handles {
            handle.await;
        }
        let overhead = watch.wall().saturating_sub(longest);
        metrics([
            ("overhead_ms", ms(overhead)),
            ("cpu_ms", ms(watch.cpu())),
            ("rss_mib", peak_rss_mib()),
        ])
    }
}

/// Suite 2: spawn `n` tasks that do nothing, then join them all.
pub(crate) struct Spawn(pub(crate) usize);

impl Job for Spawn {
    type Output = Metrics;

    async fn run<R: LocalRuntime>(self, rt: R) -> Metrics {
        let watch = Stopwatch::start();
        let handles: Vec<_> = (0..self.0).map(|i| rt.spawn(async move { i })).collect();
        let mut sum = 0usize;
        for handle in handles {
            sum = sum.wrapping_add(handle.await);
        }
        let wall = watch.wall();
        // The sum keeps the tasks' results alive, so no step is optimized out.
        assert_eq!(sum, (0..self.0).fold(0usize, usize::wrapping_add));
        metrics([
            ("ns_per_task", wall.as_nanos() as f64 / self.0 as f64),
            ("cpu_ms", ms(watch.cpu())),
            ("rss_mib", peak_rss_mib()),
        ])
    }
}

/// Suite 3: two tasks pass a token back and forth `n` times; each pass
/// wakes the other task through its waker.
pub(crate) struct PingPong(pub(crate) usize);

/// The token: whose turn it is, and the waker of each side.
#[derive(Default)]
struct Baton {
    /// 0 or 1: the side that may go.
    turn: Cell<usize>,
    /// The waker each side left when it found it was not its turn.
    wakers: [RefCell<Option<Waker>>; 2],
}

impl Baton {
    /// Waits until it is `side`'s turn.
    async fn wait(&self, side: usize) {
        poll_fn(|cx| {
            if self.turn.get() == side {
                return Poll::Ready(());
            }
            let mut slot = self.wakers[side].borrow_mut();
            // Cloning a waker costs a refcount bump; skip it when unchanged.
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }

    /// Gives the turn to `side` and wakes it.
    fn pass(&self, side: usize) {
        self.turn.set(side);
        if let Some(waker) = self.wakers[side].borrow().as_ref() {
            waker.wake_by_ref();
        }
    }
}

impl Job for PingPong {
    type Output = Metrics;

    async fn run<R: LocalRuntime>(self, rt: R) -> Metrics {
        let baton = Rc::new(Baton::default());
        let rounds = self.0;
        let player = |side: usize| {
            let baton = Rc::clone(&baton);
            rt.spawn(async move {
                for _ in 0..rounds {
                    baton.wait(side).await;
                    baton.pass(1 - side);
                }
            })
        };
        let watch = Stopwatch::start();
        let (ping, pong) = (player(0), player(1));
        ping.await;
        pong.await;
        let wall = watch.wall();
        metrics([
            ("ns_per_round_trip", wall.as_nanos() as f64 / rounds as f64),
            ("cpu_ms", ms(watch.cpu())),
        ])
    }
}

/// Suite 4: `n` sequential 1 ms sleeps, then `n / 5` of 10 ms; lateness
/// is measured with `std::time::Instant`, outside the runtime's clock.
/// [`IDLE_SOCKETS`] idle loopback sockets are registered with the loop's
/// reactor meanwhile, as a server's would be: a loop that waits in epoll
/// must keep its timers precise all the same.
pub(crate) struct Precision(pub(crate) usize);

/// Sockets held open during the precision suite (both ends of half as many
/// connections).
pub(crate) const IDLE_SOCKETS: usize = 100;

impl Job for Precision {
    type Output = Metrics;

    async fn run<R: LocalRuntime>(self, rt: R) -> Metrics {
        let held = rt.idle_connections(IDLE_SOCKETS / 2).await;
        let _held = held.expect("loopback sockets open");
        let watch = Stopwatch::start();
        let short = lateness(self.0, Duration::from_millis(1), |d| rt.sleep(d)).await;
        let long = lateness(self.0 / 5, Duration::from_millis(10), |d| rt.sleep(d)).await;
        precision_metrics(&short, &long, watch.cpu())
    }
}

/// The lateness in µs of `count` sleeps of `duration`, one after another.
pub(crate) async fn lateness<F: Future<Output = ()>>(
    count: usize,
    duration: Duration,
    mut sleep: impl FnMut(Duration) -> F,
) -> Vec<f64> {
    let mut late = Vec::with_capacity(count);
    for _ in 0..count {
        let start = Instant::now();
        sleep(duration).await;
        late.push(start.elapsed().saturating_sub(duration).as_secs_f64() * 1e6);
    }
    late
}

/// The precision suite's metrics from the 1 ms and 10 ms lateness lists.
pub(crate) fn precision_metrics(short: &[f64], long: &[f64], cpu: Duration) -> Metrics {
    metrics([
        ("p50_us", percentile(short, 50.0)),
        ("p99_us", percentile(short, 99.0)),
        ("max_us", percentile(short, 100.0)),
        ("p50_us_10ms", percentile(long, 50.0)),
        ("p99_us_10ms", percentile(long, 99.0)),
        ("cpu_ms", ms(cpu)),
    ])
}

/// Suite 5: resident memory per idle task: `n` pending forever, then `n`
/// more asleep for an hour.
pub(crate) struct Memory(pub(crate) usize);

impl Job for Memory {
    type Output = Metrics;

    async fn run<R: LocalRuntime>(self, rt: R) -> Metrics {
        let n = self.0;
        let started = Rc::new(Cell::new(0usize));
        let mut handles = Vec::with_capacity(2 * n);
        let before = rss_bytes();
        for _ in 0..n {
            let started = Rc::clone(&started);
            handles.push(rt.spawn(async move {
                started.set(started.get() + 1);
                std::future::pending::<()>().await;
            }));
        }
        settle(&rt, &started, n).await;
        let pending = rss_bytes();
        for _ in 0..n {
            let (started, sleeper) = (Rc::clone(&started), rt.clone());
            handles.push(rt.spawn(async move {
                started.set(started.get() + 1);
                sleeper.sleep(Duration::from_secs(3600)).await;
            }));
        }
        settle(&rt, &started, 2 * n).await;
        let sleeping = rss_bytes();
        // The handles' own bytes count: a program that keeps a task keeps
        // its handle. They are forgotten with the runtime at exit.
        std::mem::forget(handles);
        metrics([
            ("bytes_per_pending_task", per(pending, before, n)),
            ("bytes_per_sleeping_task", per(sleeping, pending, n)),
            ("rss_mib", peak_rss_mib()),
        ])
    }
}

/// Yields until `count` tasks have been polled once (each bumps `started`),
/// so that every task has registered its waker or timer before RSS is read.
async fn settle<R: LocalRuntime>(rt: &R, started: &Cell<usize>, count: usize) {
    while started.get() < count {
        rt.yield_now().await;
    }
}

/// Bytes of growth from `before` to `after`, per one of `n`.
pub(crate) fn per(after: u64, before: u64, n: usize) -> f64 {
    after.saturating_sub(before) as f64 / n.max(1) as f64
}
