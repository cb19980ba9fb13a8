//! Join handles: outputs, aborts (which drop the future at once), detaching.

use minirt::Runtime;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

/// Sets a flag when dropped.
#[derive(Debug)]
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn abort_drops_the_future_at_once_and_reports_cancelled() {
    let rt = Runtime::with_virtual_clock();
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    rt.block_on(async {
        let task = minirt::spawn(async move {
            let _flag = flag;
            minirt::sleep(Duration::from_secs(3600)).await;
        });
        minirt::yield_now().await; // it is now asleep
        assert!(!task.is_finished());
        task.abort();
        assert!(dropped.get(), "abort drops the future before returning");
        assert!(task.is_finished());
        assert!(task.await.unwrap_err().is_cancelled());
    });
    // The aborted sleep's timer was cancelled: the virtual clock never moved.
    assert_eq!(rt.now(), minirt::Instant::ZERO);
}

#[test]
fn abort_before_the_first_poll_still_cancels() {
    let rt = Runtime::with_virtual_clock();
    let outcome = rt.block_on(async {
        let task = minirt::spawn(async { 1 });
        task.abort();
        task.await
    });
    assert!(outcome.unwrap_err().is_cancelled());
}

#[test]
fn a_task_may_abort_itself_and_is_dropped_after_its_poll() {
    let rt = Runtime::with_virtual_clock();
    let me = Rc::new(Cell::new(None));
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    rt.block_on(async {
        let slot = me.clone();
        let task = minirt::spawn(async move {
            let _flag = flag;
            let handle: minirt::JoinHandle<()> = slot.take().unwrap();
            handle.abort();
            minirt::yield_now().await; // never resumes: dropped at this Pending
            unreachable!("an aborted task was polled again");
        });
        // Hand the task its own handle before it first runs.
        me.set(Some(task));
        minirt::yield_now().await;
    });
    assert!(dropped.get());
    assert_eq!(rt.task_count(), 0);
}

#[test]
fn aborting_a_finished_task_keeps_its_output() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let task = minirt::spawn(async { "done" });
        minirt::yield_now().await;
        assert!(task.is_finished());
        task.abort();
        assert_eq!(task.await.unwrap(), "done");
    });
}

#[test]
fn a_dropped_handle_detaches_and_the_task_runs_on() {
    let rt = Runtime::with_virtual_clock();
    let ran = Rc::new(Cell::new(false));
    rt.block_on(async {
        let ran = ran.clone();
        drop(minirt::spawn(async move {
            minirt::sleep(Duration::from_secs(1)).await;
            ran.set(true);
        }));
        minirt::sleep(Duration::from_secs(2)).await;
    });
    assert!(ran.get());
}

#[test]
fn a_detached_task_drops_its_output_when_it_finishes() {
    let rt = Runtime::with_virtual_clock();
    let dropped = Rc::new(Cell::new(false));
    rt.block_on(async {
        let flag = dropped.clone();
        drop(minirt::spawn(async move {
            minirt::sleep(Duration::from_secs(1)).await;
            DropFlag(flag)
        }));
        minirt::sleep(Duration::from_millis(999)).await;
        assert!(!dropped.get(), "the task has not finished yet");
        minirt::sleep(Duration::from_millis(1)).await;
        minirt::yield_now().await;
        assert!(dropped.get(), "nobody can collect the output: it is gone");
        assert_eq!(minirt::task_count(), 1, "only main is left");
    });
}

#[test]
fn an_uncollected_output_lives_until_its_handle_drops() {
    let rt = Runtime::with_virtual_clock();
    let dropped = Rc::new(Cell::new(false));
    rt.block_on(async {
        let flag = dropped.clone();
        let handle = minirt::spawn(async move { DropFlag(flag) });
        minirt::yield_now().await;
        assert!(handle.is_finished());
        assert_eq!(minirt::task_count(), 1, "a finished task is not live");
        assert!(!dropped.get(), "the output waits for its handle");
        drop(handle);
        assert!(dropped.get());
    });
}

#[test]
fn a_finished_tasks_output_outlives_its_runtime_with_its_handle() {
    // As in tokio and async-executor: the output is the handle's, not the
    // runtime's. It used to be dropped with the runtime ("cancelled").
    let dropped = Rc::new(Cell::new(false));
    let rt = Runtime::with_virtual_clock();
    let flag = dropped.clone();
    let handle = rt.spawn(async move { DropFlag(flag) });
    let pending = rt.spawn(std::future::pending::<()>());
    rt.block_on(minirt::yield_now());
    assert!(handle.is_finished() && !dropped.get());
    drop(rt);
    assert!(!dropped.get(), "the handle still owns the output");
    assert!(handle.is_finished() && pending.is_finished());
    let other = Runtime::with_virtual_clock();
    let output = other.block_on(handle).expect("the output, not cancelled");
    assert!(!dropped.get());
    drop(output);
    assert!(dropped.get());
    assert!(other.block_on(pending).unwrap_err().is_cancelled());
}

#[test]
fn outputs_nobody_collected_are_dropped_with_the_runtime() {
    let dropped = Rc::new(Cell::new(false));
    let rt = Runtime::with_virtual_clock();
    let flag = dropped.clone();
    drop(rt.spawn(async move { DropFlag(flag) }));
    let _still_pending = rt.spawn(std::future::pending::<()>());
    rt.block_on(minirt::yield_now());
    assert!(dropped.get(), "a detached task's output goes when it ends");
    drop(rt);
}

#[test]
fn a_handle_awaited_from_another_task_gets_the_output_and_a_wake() {
    let rt = Runtime::with_virtual_clock();
    let got = rt.block_on(async {
        let worker = minirt::spawn(async {
            minirt::sleep(Duration::from_secs(2)).await;
            String::from("result")
        });
        let waiter = minirt::spawn(async move { worker.await.unwrap() + " relayed" });
        waiter.await.unwrap()
    });
    assert_eq!(got, "result relayed");
    assert_eq!(
        rt.now().duration_since(minirt::Instant::ZERO),
        Duration::from_secs(2)
    );
}

#[test]
fn dropping_a_handle_after_polling_it_forgets_its_waiter() {
    // A timeout around a join: the handle is polled (its waiter stored),
    // then dropped unfinished; the task runs on, detached, and the waiter's
    // task is not kept waiting.
    let rt = Runtime::with_virtual_clock();
    let ran = Rc::new(Cell::new(false));
    rt.block_on(async {
        let flag = ran.clone();
        let slow = minirt::spawn(async move {
            minirt::sleep(Duration::from_secs(5)).await;
            flag.set(true);
        });
        let timed_out = minirt::timeout(Duration::from_secs(1), slow).await;
        assert!(timed_out.is_err());
        minirt::sleep(Duration::from_secs(5)).await;
    });
    assert!(ran.get(), "the detached task ran to its end");
}

/// A pending future whose destructor spawns a task, which notes whether it
/// ever ran and when it was dropped.
struct SpawnsWhenDropped {
    /// Set if the spawned task ever runs.
    ran: Rc<Cell<bool>>,
    /// Set when the spawned task is dropped.
    dropped: Rc<Cell<bool>>,
}

impl Future for SpawnsWhenDropped {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for SpawnsWhenDropped {
    fn drop(&mut self) {
        let (ran, flag) = (self.ran.clone(), DropFlag(self.dropped.clone()));
        drop(minirt::spawn(async move {
            let _flag = flag;
            ran.set(true);
        }));
    }
}

#[test]
fn a_destructor_that_spawns_while_its_runtime_drops_spawns_into_it() {
    let (ran, dropped) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let rt = Runtime::with_virtual_clock();
    drop(rt.spawn(SpawnsWhenDropped {
        ran: ran.clone(),
        dropped: dropped.clone(),
    }));
    rt.block_on(minirt::yield_now());
    drop(rt); // Used to panic: "spawn called outside a runtime".
    assert!(dropped.get() && !ran.get());
}

#[test]
fn a_runtime_dropped_inside_another_keeps_its_spawns_to_itself() {
    let (ran, dropped) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let outer = Runtime::with_virtual_clock();
    outer.block_on(async {
        let inner = Runtime::with_virtual_clock();
        drop(inner.spawn(SpawnsWhenDropped {
            ran: ran.clone(),
            dropped: dropped.clone(),
        }));
        drop(inner);
        assert_eq!(
            minirt::task_count(),
            1,
            "nothing landed on the outer runtime"
        );
        minirt::yield_now().await;
    });
    assert!(dropped.get() && !ran.get());
    // The outer runtime is current again.
    outer.block_on(async { minirt::spawn(async {}).await.unwrap() });
}
