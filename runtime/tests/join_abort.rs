//! Join handles: outputs, aborts (which drop the future at once), detaching.

use minirt::Runtime;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// Sets a flag when dropped.
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
