//! Criterion micro benchmarks of the three costs the scale suites add up:
//! spawning a task, waking one, and inserting (then cancelling) a timer, on
//! minirt, smol and tokio. `cargo bench --bench micro`.
//!
//! Each iteration does a batch of [`BATCH`] operations inside one
//! `block_on`, so the runtime's setup is paid once per batch, not per
//! operation; criterion reports time per batch and, through the
//! throughput, per element. The scale suites (`concur bench`) measure the
//! same things at a million, in fresh processes.

use criterion::{criterion_main, Criterion, Throughput};
use futures_lite::future;
use std::hint::black_box;
use std::time::Duration;

/// Operations per measured iteration.
const BATCH: u64 = 1000;

/// Spawn and join a batch of empty tasks.
fn spawn(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    group.throughput(Throughput::Elements(BATCH));
    let minirt = minirt::Runtime::new();
    group.bench_function("minirt", |b| {
        b.iter(|| {
            minirt.block_on(async {
                let handles: Vec<_> = (0..BATCH)
                    .map(|i| minirt::spawn(async move { i }))
                    .collect();
                for handle in handles {
                    black_box(handle.await.unwrap());
                }
            })
        })
    });
    let smol = smol::LocalExecutor::new();
    group.bench_function("smol", |b| {
        b.iter(|| {
            future::block_on(smol.run(async {
                let handles: Vec<_> = (0..BATCH).map(|i| smol.spawn(async move { i })).collect();
                for handle in handles {
                    black_box(handle.await);
                }
            }))
        })
    });
    let tokio = tokio_runtime();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            tokio.block_on(async {
                let handles: Vec<_> = (0..BATCH).map(|i| tokio::spawn(async move { i })).collect();
                for handle in handles {
                    black_box(handle.await.unwrap());
                }
            })
        })
    });
    group.finish();
}

/// Wake a task through its waker a batch of times: a yield puts the task
/// back in the ready queue through its own waker, the cheapest wake there is.
fn wake(c: &mut Criterion) {
    let mut group = c.benchmark_group("wake");
    group.throughput(Throughput::Elements(BATCH));
    let minirt = minirt::Runtime::new();
    group.bench_function("minirt", |b| {
        b.iter(|| {
            minirt.block_on(async {
                for _ in 0..BATCH {
                    minirt::yield_now().await;
                }
            })
        })
    });
    let smol = smol::LocalExecutor::new();
    group.bench_function("smol", |b| {
        b.iter(|| {
            future::block_on(smol.run(smol.spawn(async {
                for _ in 0..BATCH {
                    future::yield_now().await;
                }
            })))
        })
    });
    let tokio = tokio_runtime();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            tokio.block_on(tokio.spawn(async {
                for _ in 0..BATCH {
                    tokio::task::yield_now().await;
                }
            }))
        })
    });
    group.finish();
}

/// Insert a batch of one-hour timers (the first poll registers each), then
/// drop them, which cancels them.
fn timer_insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("timer_insert");
    group.throughput(Throughput::Elements(BATCH));
    let hour = Duration::from_secs(3600);
    let minirt = minirt::Runtime::new();
    group.bench_function("minirt", |b| {
        b.iter(|| {
            minirt.block_on(async {
                let mut timers: Vec<_> =
                    (0..BATCH).map(|_| Box::pin(minirt::sleep(hour))).collect();
                for timer in &mut timers {
                    black_box(future::poll_once(timer).await);
                }
            })
        })
    });
    group.bench_function("smol", |b| {
        b.iter(|| {
            future::block_on(async {
                let mut timers: Vec<_> = (0..BATCH).map(|_| async_io::Timer::after(hour)).collect();
                for timer in &mut timers {
                    black_box(future::poll_once(timer).await);
                }
            })
        })
    });
    let tokio = tokio_runtime();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            tokio.block_on(async {
                let mut timers: Vec<_> = (0..BATCH)
                    .map(|_| Box::pin(tokio::time::sleep(hour)))
                    .collect();
                for timer in &mut timers {
                    black_box(future::poll_once(timer).await);
                }
            })
        })
    });
    group.finish();
}

/// A current-thread tokio runtime with timers.
fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread tokio runtime builds")
}

/// The group criterion runs, in its own module for the `allow` below.
// criterion_group! generates a `pub fn` without docs, which the workspace's
// missing_docs lint would refuse.
#[allow(missing_docs)]
mod groups {
    use super::{spawn, timer_insert, wake, Criterion, Duration};
    use criterion::criterion_group;

    criterion_group! {
        name = micro;
        // Short runs: these show orders of magnitude, not the last percent.
        config = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(20);
        targets = spawn, wake, timer_insert
    }
}
criterion_main!(groups::micro);
