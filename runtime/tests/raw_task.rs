//! The edges of a task in one allocation (`src/raw.rs`), where a reference
//! count decides who frees it: a waker that outlives its task and its
//! runtime, dropped or woken on another thread; an outcome kept for a
//! handle past the runtime; a task aborted while queued; a thousand wakes
//! between two polls. Miri runs these (`.ci/run`), which is the point:
//! each would be a use after free, a double free or a leak if a count
//! were off by one.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// A future that gives its waker away at its first poll and never ends.
struct GiveWaker(Option<mpsc::Sender<Waker>>);

impl Future for GiveWaker {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(send) = self.0.take() {
            send.send(cx.waker().clone()).expect("listening");
        }
        Poll::Pending
    }
}

#[test]
fn a_waker_that_outlives_its_runtime_is_woken_and_dropped_on_another_thread() {
    let (send, wakers) = mpsc::channel();
    let rt = minirt::Runtime::with_virtual_clock();
    let handle = rt.spawn(GiveWaker(Some(send)));
    rt.block_on(minirt::yield_now());
    let waker = wakers.recv().expect("given at the first poll");
    drop(rt);
    // The task was cancelled with its runtime; its block lives on for the
    // waker and the handle.
    std::thread::spawn(move || {
        waker.wake_by_ref();
        waker.wake();
    })
    .join()
    .expect("the waker thread");
    let cancelled = futures::executor::block_on(handle);
    assert!(cancelled.expect_err("cancelled").is_cancelled());
}

#[test]
fn the_last_reference_dropped_on_another_thread_frees_the_task() {
    let (send, wakers) = mpsc::channel();
    let rt = minirt::Runtime::with_virtual_clock();
    drop(rt.spawn(GiveWaker(Some(send))));
    rt.block_on(minirt::yield_now());
    let waker = wakers.recv().expect("given at the first poll");
    drop(rt);
    std::thread::spawn(move || drop(waker))
        .join()
        .expect("the waker thread");
}

#[test]
fn an_output_waits_for_its_handle_after_the_runtime_is_gone() {
    let rt = minirt::Runtime::with_virtual_clock();
    let handle = rt.spawn(async { String::from("kept") });
    rt.block_on(minirt::yield_now());
    drop(rt);
    assert!(handle.is_finished());
    assert_eq!(
        futures::executor::block_on(handle).expect("finished"),
        "kept"
    );
}

#[test]
fn an_output_nobody_awaits_is_dropped_when_its_handle_goes() {
    let dropped = Rc::new(Cell::new(false));
    struct Output(Rc<Cell<bool>>);
    impl Drop for Output {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let rt = minirt::Runtime::with_virtual_clock();
    let flag = dropped.clone();
    let handle = rt.spawn(async move { Output(flag) });
    rt.block_on(minirt::yield_now());
    assert!(!dropped.get(), "kept for the handle");
    drop(handle);
    assert!(dropped.get(), "dropped with the handle");
}

#[test]
fn a_task_aborted_while_queued_is_never_polled() {
    let rt = minirt::Runtime::with_virtual_clock();
    let polled = Rc::new(Cell::new(false));
    let flag = polled.clone();
    let handle = rt.spawn(async move { flag.set(true) });
    handle.abort();
    assert!(handle.is_finished());
    rt.block_on(minirt::yield_now());
    assert!(!polled.get());
    let aborted = rt.block_on(handle);
    assert!(aborted.expect_err("aborted").is_cancelled());
}

#[test]
fn a_thousand_wakes_between_two_polls_queue_the_task_once() {
    let rt = minirt::Runtime::with_virtual_clock();
    let waker = Arc::new(Mutex::new(None::<Waker>));
    let polls = Rc::new(Cell::new(0));
    let (slot, count) = (waker.clone(), polls.clone());
    let handle = rt.spawn(std::future::poll_fn(move |cx| {
        count.set(count.get() + 1);
        *slot.lock().expect("not poisoned") = Some(cx.waker().clone());
        if count.get() == 2 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }));
    rt.block_on(async {
        minirt::yield_now().await;
        let waker = waker.lock().expect("not poisoned").clone().expect("polled");
        for _ in 0..1_000 {
            waker.wake_by_ref();
        }
        handle.await.expect("finished");
    });
    assert_eq!(polls.get(), 2);
}

#[test]
fn a_task_that_aborts_itself_ends_when_its_poll_returns() {
    let rt = minirt::Runtime::with_virtual_clock();
    let own = Rc::new(Cell::new(None::<minirt::JoinHandle<()>>));
    let slot = own.clone();
    let handle = rt.spawn(async move {
        let me = slot.take().expect("given");
        me.abort();
        assert!(!me.is_finished(), "still running its poll");
        slot.set(Some(me));
        minirt::yield_now().await;
        unreachable!("aborted at the end of its first poll");
    });
    own.set(Some(handle));
    rt.block_on(minirt::yield_now());
    let handle = own.take().expect("put back");
    assert!(handle.is_finished());
    assert!(rt.block_on(handle).expect_err("aborted").is_cancelled());
}
