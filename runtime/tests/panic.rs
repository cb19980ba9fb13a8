//! Panics: caught per task, reported on the handle; the block_on future's
//! own panic reaches the caller.

use minirt::Runtime;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

#[test]
fn a_panicking_task_fails_alone() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let bad = minirt::spawn(async { panic!("boom") });
        let good = minirt::spawn(async {
            minirt::sleep(Duration::from_secs(1)).await;
            "still here"
        });
        let error = bad.await.unwrap_err();
        assert!(error.is_panic());
        assert_eq!(error.to_string(), "task panicked: boom");
        assert_eq!(good.await.unwrap(), "still here");
    });
}

#[test]
fn a_panic_after_an_await_is_caught_too() {
    let rt = Runtime::with_virtual_clock();
    let outcome = rt.block_on(async {
        minirt::spawn(async {
            minirt::sleep(Duration::from_millis(5)).await;
            let what = String::from("boom"); // a formatted message: a String payload
            panic!("late {what}");
        })
        .await
    });
    let payload = outcome.unwrap_err().into_panic().unwrap();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "late boom");
}

#[test]
fn the_block_on_future_panics_through_and_the_runtime_stays_usable() {
    let rt = Runtime::with_virtual_clock();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main failed") });
    }));
    assert!(caught.is_err());
    assert_eq!(rt.block_on(async { minirt::task_count() }), 1);
}

#[test]
fn join_all_reraises_a_child_panic() {
    let caught = std::panic::catch_unwind(|| {
        let child = |n: u32| async move {
            assert!(n != 2, "child");
            n
        };
        minirt::block_on(async { minirt::join_all([child(1), child(2)]).await });
    });
    let payload = caught.unwrap_err();
    assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "child");
}

/// A future that is ready at once (or never), and panics when dropped.
struct PanicsWhenDropped {
    /// Whether it is ever ready.
    ready: bool,
}

impl std::future::Future for PanicsWhenDropped {
    type Output = u32;

    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> Poll<u32> {
        if self.ready {
            Poll::Ready(5)
        } else {
            Poll::Pending
        }
    }
}

impl Drop for PanicsWhenDropped {
    fn drop(&mut self) {
        panic!("destructor panicked");
    }
}

#[test]
fn a_panic_in_a_finished_futures_destructor_is_the_tasks_panic() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let task = minirt::spawn(PanicsWhenDropped { ready: true });
        let error = task.await.unwrap_err();
        assert_eq!(error.to_string(), "task panicked: destructor panicked");
        assert_eq!(minirt::task_count(), 1, "the slot is free again");
    });
}

#[test]
fn abort_never_panics_and_the_handle_reports_the_destructors_panic() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let mut task = minirt::spawn(PanicsWhenDropped { ready: false });
        assert!(futures::poll!(&mut task).is_pending());
        task.abort();
        assert!(task.is_finished());
        assert!(task.await.unwrap_err().is_panic());
    });
}

#[test]
fn a_task_awaiting_an_aborted_handle_is_woken() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let victim = minirt::spawn(PanicsWhenDropped { ready: false });
        let shared = Rc::new(RefCell::new(victim));
        let awaiter = minirt::spawn({
            let shared = shared.clone();
            std::future::poll_fn(move |cx| std::pin::Pin::new(&mut *shared.borrow_mut()).poll(cx))
        });
        minirt::yield_now().await; // The awaiter now waits on the handle.
        shared.borrow().abort();
        let woken = minirt::timeout(Duration::from_secs(1), awaiter).await;
        assert!(woken.expect("woken").unwrap().unwrap_err().is_panic());
    });
}

#[test]
fn dropping_a_runtime_with_two_panicking_destructors_does_not_abort() {
    let rt = Runtime::with_virtual_clock();
    let first = rt.spawn(PanicsWhenDropped { ready: false });
    drop(rt.spawn(PanicsWhenDropped { ready: false }));
    rt.block_on(minirt::yield_now());
    drop(rt); // Used to be SIGABRT: a panic while unwinding from a panic.
    let other = Runtime::with_virtual_clock();
    assert!(other.block_on(first).unwrap_err().is_panic());
}

#[test]
fn a_detached_tasks_output_that_panics_when_dropped_harms_nobody() {
    struct Output;
    impl Drop for Output {
        fn drop(&mut self) {
            panic!("output destructor");
        }
    }
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        drop(minirt::spawn(async { Output }));
        minirt::yield_now().await;
        assert_eq!(minirt::task_count(), 1);
    });
}
