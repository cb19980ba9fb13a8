//! loom model checks of the transitions of `raw.rs` that race: every
//! interleaving of a wake, or a waker's drop, on another thread with the
//! loop polling, parking, ending the task and closing its queue.
//!
//! Part of `raw.rs`. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p minirt --lib --release loom`.
//! The loop's side is written out here as `executor.rs` and `clock.rs`
//! do it: pop an entry, poll (which clears `SCHEDULED` first); with
//! nothing queued, check the queue once more and park (an unpark that came
//! first is remembered, so the check-then-park cannot miss a wake). Every
//! model ends by checking that the task's block was freed: it holds a
//! clone of the queue's `Arc`, so the test's own is then the only one.

use super::{spawn, ReadyQueue, TaskRef};
use crate::task::TaskId;
use alloc::sync::Arc;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use loom::sync::atomic::{AtomicBool, Ordering};

/// A future that is done once `ready` is set, and hands its waker to
/// `send` at its first poll.
struct UntilReady {
    ready: loom::sync::Arc<AtomicBool>,
    send: Option<loom::sync::mpsc::Sender<core::task::Waker>>,
}

impl Future for UntilReady {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(send) = self.send.take() {
            send.send(cx.waker().clone())
                .expect("the other thread listens");
        }
        if self.ready.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// The queue, a task on it whose waker the returned thread receives, and
/// the flag that ends the task.
fn task_on_a_queue() -> (
    Arc<ReadyQueue>,
    TaskRef,
    super::Joinable<()>,
    loom::sync::Arc<AtomicBool>,
    loom::sync::mpsc::Receiver<core::task::Waker>,
) {
    let queue = Arc::new(ReadyQueue::new(Arc::new(loom::thread::current())));
    let ready = loom::sync::Arc::new(AtomicBool::new(false));
    let (send, receive) = loom::sync::mpsc::channel();
    let future = UntilReady {
        ready: ready.clone(),
        send: Some(send),
    };
    let (listed, handle, first) = spawn(future, TaskId(1), &queue);
    let task = first.into_task().expect("a task's entry");
    assert!(!task.poll(), "not ready at its first poll");
    drop(task);
    (queue, listed, handle, ready, receive)
}

/// Spins until `done`: loom lets an unpark resume a thread blocked in
/// `join` and then trips over it; spinning never blocks.
fn wait_for(done: &AtomicBool) {
    while !done.load(Ordering::Acquire) {
        loom::thread::yield_now();
    }
}

/// Runs `work` on another thread; the closure returned waits for it.
fn on_another_thread(work: impl FnOnce() + Send + 'static) -> impl FnOnce() {
    let finished = loom::sync::Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let other = loom::thread::spawn(move || {
        work();
        done.store(true, Ordering::Release);
    });
    move || {
        wait_for(&finished);
        drop(other);
    }
}

/// Runs the loop while `wakes` wakes come from another thread; returns
/// how many polls the task took after its first.
fn polls_with(wakes: usize) -> usize {
    let (queue, listed, handle, ready, receive) = task_on_a_queue();
    let finished = loom::sync::Arc::new(AtomicBool::new(false));
    let (flag, done) = (ready.clone(), finished.clone());
    let waker = receive.recv().expect("sent at the first poll");
    let other = loom::thread::spawn(move || {
        flag.store(true, Ordering::Release);
        for _ in 0..wakes {
            waker.wake_by_ref();
        }
        drop(waker);
        done.store(true, Ordering::Release);
    });
    let mut polls = 0;
    'run: loop {
        while let Some(entry) = queue.pop() {
            // Until its poll clears `SCHEDULED`, a wake must not queue it
            // again: a second copy would be a second poll for one wake.
            assert!(queue.is_empty(), "the task was queued twice");
            let task = entry.into_task().expect("a task's entry");
            polls += 1;
            if task.poll() {
                break 'run;
            }
        }
        if queue.is_empty() {
            loom::thread::park();
        }
    }
    wait_for(&finished);
    drop(other);
    let left = core::iter::from_fn(|| queue.pop()).count();
    assert!(left <= 1, "the task was queued twice");
    end(&listed);
    drop((listed, handle));
    assert_eq!(
        Arc::strong_count(&queue),
        1,
        "the task's block was not freed"
    );
    polls
}

/// What the registry does when a task ends, for a task nobody awaits.
fn end(task: &TaskRef) {
    drop(task.end());
}

#[test]
fn loom_a_wake_racing_the_park_is_never_lost() {
    // Reaching the end at all is the check: a lost wake-up would leave the
    // loop parked for ever, which loom reports as a deadlock.
    loom::model(|| {
        let polls = polls_with(1);
        assert_eq!(polls, 1, "{polls} polls");
    });
}

#[test]
fn loom_waking_twice_queues_once_never_a_double_poll() {
    loom::model(|| {
        let polls = polls_with(2);
        assert_eq!(polls, 1, "{polls} polls");
    });
}

#[test]
fn loom_a_wake_racing_the_runtimes_end_frees_the_task() {
    // The runtime cancels the task, lets go of it and closes its queue
    // while another thread wakes it (the waker's reference goes to a queue
    // entry) and drops the waker: whichever comes last frees the block,
    // and no entry keeps it alive in a closed queue.
    loom::model(|| {
        let (queue, listed, handle, _ready, receive) = task_on_a_queue();
        let waker = receive.recv().expect("sent at the first poll");
        let other = on_another_thread(move || waker.wake());
        assert!(listed.cancel(), "not running, so cancelled now");
        end(&listed);
        drop(handle);
        drop(listed);
        queue.close();
        other();
        assert_eq!(
            Arc::strong_count(&queue),
            1,
            "the task's block was not freed"
        );
    });
}

#[test]
fn loom_the_last_reference_frees_the_task_whichever_thread_drops_it() {
    // The task ends and the loop lets go of it (the registry's reference,
    // the handle's) while another thread drops a clone of its waker: the
    // count must reach zero exactly once, on one side or the other.
    loom::model(|| {
        let (queue, listed, handle, ready, receive) = task_on_a_queue();
        let waker = receive.recv().expect("sent at the first poll");
        let other = on_another_thread(move || drop(waker));
        ready.store(true, Ordering::Release);
        assert!(listed.cancel(), "not running, so cancelled now");
        end(&listed);
        drop((listed, handle));
        other();
        assert_eq!(
            Arc::strong_count(&queue),
            1,
            "the task's block was not freed"
        );
    });
}
