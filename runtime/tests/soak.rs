//! Soak: many tasks with seeded random sleeps, wakes from several OS threads,
//! aborts and panics, each checked against a model.
//!
//! Every task follows a random plan (sleep, yield, wait for a wake from
//! another thread; maybe panic; maybe be aborted before, during or after
//! its run). A probe inside the task records how it ended (see
//! `soak/model.rs`); the test checks that each task ended exactly once, was
//! never polled after it ended, was never woken before its deadline, and
//! that its handle reported that same ending with the right output. At the
//! end the runtime must hold no task, and on the virtual clock no timer.
//!
//! The short form (a few seconds in release) runs in CI. For the long form:
//! `MINIRT_SOAK_TASKS=1000000 cargo test --release -p minirt --test soak`.
//! A lost wake-up would hang the loop, so a watchdog fails the test instead.

#[path = "soak/model.rs"]
mod model;
#[path = "soak/outside.rs"]
mod outside;

use minirt::{Instant, JoinHandle, Runtime};
use model::{Abort, Outcome, Plan, Probe, Rng, Seen, Step};
use outside::{quiet_planned_panics, start_waker_threads, watchdog, RemoteWake, WakeRequest};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;

/// Tasks per test unless `MINIRT_SOAK_TASKS` says otherwise.
const DEFAULT_TASKS: u64 = 200_000;
/// Tasks alive at once: a bounded working set keeps a million-task soak's
/// memory flat while every batch still overlaps thousands of tasks.
const BATCH: u64 = 10_000;
/// The payload of a planned panic, which the panic hook keeps quiet.
const PLANNED: &str = "planned soak panic";

/// The output a completed task must deliver to its handle.
fn expected_output(index: u64) -> u64 {
    index.wrapping_mul(31) + 7
}

/// A task's body: follow the plan, count early timers, return the output.
async fn body(
    index: u64,
    steps: Vec<Step>,
    panic_at: Option<usize>,
    wakers: Rc<Vec<Sender<WakeRequest>>>,
    early: Rc<Cell<u64>>,
) -> u64 {
    for (number, step) in steps.into_iter().enumerate() {
        if panic_at == Some(number) {
            std::panic::panic_any(PLANNED);
        }
        match step {
            Step::Sleep(duration) => {
                let deadline = Instant::now() + duration;
                minirt::sleep_until(deadline).await;
                if Instant::now() < deadline {
                    early.set(early.get() + 1);
                }
            }
            Step::Yield => minirt::yield_now().await,
            Step::Remote { thread, twice } => {
                RemoteWake::new(wakers[thread].clone(), twice).await;
            }
        }
    }
    if panic_at.is_some() {
        std::panic::panic_any(PLANNED);
    }
    expected_output(index)
}

/// Compares one task's handle result and probe record with its plan.
fn check(
    index: u64,
    plan: &Plan,
    seen: &Seen,
    result: Result<u64, minirt::JoinError>,
) -> Result<(), String> {
    if seen.violations.get() != 0 {
        return Err(format!(
            "task {index} was polled after it ended, or ended twice"
        ));
    }
    let fine = match (&result, seen.outcome.get()) {
        (Ok(value), Outcome::Completed(inside)) => {
            *value == inside && inside == expected_output(index)
        }
        (Err(error), Outcome::Panicked) => error.is_panic() && plan.panic_at.is_some(),
        (Err(error), Outcome::Cancelled) => error.is_cancelled() && plan.abort.is_some(),
        _ => false,
    };
    match fine {
        true => Ok(()),
        false => Err(format!(
            "task {index}: handle says {result:?}, probe says {:?}",
            seen.outcome.get()
        )),
    }
}

/// Runs the soak on `rt` and checks every task, then that nothing is left.
fn soak(rt: &Runtime, seed: u64, max_sleep: Duration) {
    quiet_planned_panics();
    let tasks = std::env::var("MINIRT_SOAK_TASKS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_TASKS);
    let (senders, threads) = start_waker_threads(seed);
    let wakers = Rc::new(senders);
    let early = Rc::new(Cell::new(0));
    let (progress, done) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicBool::new(false)),
    );
    watchdog(progress.clone(), done.clone());
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    for first in (0..tasks).step_by(BATCH as usize) {
        let batch: Vec<(u64, Plan)> = (first..tasks.min(first + BATCH))
            .map(|index| (index, Plan::random(&mut rng, max_sleep)))
            .collect();
        rt.block_on(async {
            let mut running: Vec<(JoinHandle<u64>, Rc<Seen>)> = Vec::with_capacity(batch.len());
            for (index, plan) in &batch {
                let seen = Seen::new();
                let task = body(
                    *index,
                    plan.steps.clone(),
                    plan.panic_at,
                    wakers.clone(),
                    early.clone(),
                );
                let handle = minirt::spawn(Probe::new(task, seen.clone()));
                if plan.abort == Some(Abort::BeforeFirstPoll) {
                    handle.abort();
                }
                running.push((handle, seen));
            }
            for (when, pause) in [
                (Abort::MidFlight, Duration::ZERO),
                (Abort::Late, max_sleep / 2),
            ] {
                minirt::sleep(pause).await;
                minirt::yield_now().await;
                for ((_, plan), (handle, _)) in batch.iter().zip(&running) {
                    if plan.abort == Some(when) {
                        handle.abort();
                    }
                }
            }
            for ((index, plan), (handle, seen)) in batch.iter().zip(running) {
                let result = handle.await;
                if let Err(failure) = check(*index, plan, &seen, result) {
                    failures.push(failure);
                }
            }
        });
        progress.fetch_add(1, Ordering::Relaxed);
    }
    drop(wakers);
    for thread in threads {
        thread.join().expect("a waker thread panicked");
    }
    done.store(true, Ordering::Relaxed);
    assert!(
        failures.is_empty(),
        "{} of {tasks} tasks broke the model; first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(early.get(), 0, "timers fired before their deadline");
    assert_eq!(rt.task_count(), 0, "tasks left in the runtime");
    assert!(
        rt.pending_tasks().is_empty(),
        "pending tasks left: {:?}",
        rt.pending_tasks()
    );
}

#[test]
fn soak_on_the_system_clock() {
    soak(&Runtime::new(), 1, Duration::from_millis(2));
}

#[test]
fn soak_on_the_virtual_clock_leaves_no_timer_behind() {
    let rt = Runtime::with_virtual_clock();
    soak(&rt, 2, Duration::from_secs(60));
    // A timer left in the wheel would make the idle loop jump to it; with
    // none, virtual time stays put while the loop waits for an outside wake.
    let before = rt.now();
    let (sender, receiver) = channel::<WakeRequest>();
    let waker_thread = std::thread::spawn(move || {
        for request in receiver {
            std::thread::sleep(Duration::from_millis(20));
            request.flag.store(true, Ordering::Release);
            request.waker.wake();
        }
    });
    rt.block_on(RemoteWake::new(sender, false));
    waker_thread.join().expect("the waker thread panicked");
    assert_eq!(rt.now(), before, "a timer was left in the wheel");
}
