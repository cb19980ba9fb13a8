//! The task count's one rule, checked by one test on each runtime.

use super::LocalRuntime;
use crate::backend::minirt::MinirtLoop;
use crate::backend::smol::SmolLoop;
use crate::backend::tokio::TokioLoop;
use std::panic;
use std::time::Duration;

/// Counts, on `R`: the main future; tasks from their spawn until they end
/// (completed, or panicked: the examples' old counters kept those for
/// ever), a finished task not at all though its handle is kept; a blocking
/// call while it runs.
async fn count_tasks<R: LocalRuntime>(rt: R) {
    assert_eq!(rt.task_count(), 1, "main alone");
    let (release, released) = ::smol::channel::bounded::<()>(1);
    let finished = rt.spawn(async {});
    // `resume_unwind` panics without the panic hook's message.
    let panicked = rt.spawn(async { panic::resume_unwind(Box::new("a failing task")) });
    let waiting = rt.spawn(async move {
        let _ = released.recv().await;
    });
    assert_eq!(rt.task_count(), 4, "three spawned, none polled yet");
    // Long enough for the first two to run to their end, handles held.
    rt.sleep(Duration::from_millis(5)).await;
    assert_eq!(
        rt.task_count(),
        2,
        "finished and panicked tasks no longer count"
    );
    let blocking = rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(5)));
    assert_eq!(rt.task_count(), 3, "a blocking call counts while it runs");
    blocking.await;
    assert_eq!(rt.task_count(), 2, "the blocking call is over");
    drop(release);
    waiting.await;
    assert_eq!(rt.task_count(), 1, "main alone again");
    drop((finished, panicked));
}

#[test]
fn minirt_counts_tasks_by_the_rule() {
    MinirtLoop::block_on(count_tasks).unwrap();
}

#[test]
fn smol_counts_tasks_by_the_rule() {
    SmolLoop::block_on(count_tasks).unwrap();
}

#[test]
fn tokio_counts_tasks_by_the_rule() {
    TokioLoop::block_on(count_tasks).unwrap();
}
