//! `minirt::sync::Mutex` under the combinators real code uses: several lock
//! futures in one task, futures polled once and dropped, waiters aborted.
//! Each case used to hang (a lost wake-up); the timeouts turn a hang into
//! a failure.

use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use minirt::sync::Mutex;
use minirt::Runtime;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

/// Longer than any of these programs takes, in virtual time.
const PATIENCE: Duration = Duration::from_secs(3600);

/// Takes the lock, holds it across a sleep, and counts.
async fn hold_and_count(counter: Rc<Mutex<u32>>) {
    let mut value = counter.lock().await;
    minirt::sleep(Duration::from_millis(1)).await;
    *value += 1;
}

#[test]
fn lock_futures_sharing_one_task_inside_futures_unordered_are_each_woken() {
    let rt = Runtime::with_virtual_clock();
    let total = rt.block_on(async {
        let counter = Rc::new(Mutex::new(0));
        let mut all: FuturesUnordered<_> =
            (0..40).map(|_| hold_and_count(counter.clone())).collect();
        let done = minirt::timeout(PATIENCE, async { while all.next().await.is_some() {} });
        done.await.expect("every lock future got its turn");
        let total = *counter.lock().await;
        total
    });
    assert_eq!(total, 40);
}

#[test]
fn futures_join_all_of_many_lock_futures_completes() {
    let rt = Runtime::with_virtual_clock();
    let total = rt.block_on(async {
        let counter = Rc::new(Mutex::new(0));
        // Past 30 futures, `join_all` polls through a FuturesOrdered.
        let all = futures::future::join_all((0..50).map(|_| hold_and_count(counter.clone())));
        minirt::timeout(PATIENCE, all)
            .await
            .expect("no lost wake-up");
        let total = *counter.lock().await;
        total
    });
    assert_eq!(total, 50);
}

#[test]
fn a_lock_future_handed_the_lock_then_dropped_passes_it_on() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let guard = lock.lock().await;
        let mut first = Box::pin(lock.lock());
        assert!(futures::poll!(first.as_mut()).is_pending(), "queued");
        let second = minirt::spawn({
            let lock = lock.clone();
            async move { drop(lock.lock().await) }
        });
        minirt::yield_now().await; // `second` queues behind `first`.
        drop(guard); // Handed to `first`, which never runs again:
        drop(first); // it must hand the lock on.
        let waited = minirt::timeout(PATIENCE, second).await;
        assert!(waited.is_ok(), "the next waiter starved");
    });
}

#[test]
fn a_lock_lost_in_a_select_passes_it_on() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let other_branch_ready = Rc::new(Cell::new(false));
        let guard = lock.lock().await;
        let loser = minirt::spawn({
            let (lock, ready) = (lock.clone(), other_branch_ready.clone());
            async move {
                let other = std::future::poll_fn(|_| match ready.get() {
                    true => Poll::Ready(()),
                    false => Poll::Pending,
                });
                // Woken by the hand-over, this task finds the other branch
                // ready too: the select takes it and drops the granted lock.
                futures::select_biased! {
                    () = other.fuse() => {},
                    _ = lock.lock().fuse() => panic!("the other branch goes first"),
                }
            }
        });
        minirt::yield_now().await; // The loser is queued on the lock.
        let next = minirt::spawn({
            let lock = lock.clone();
            async move { drop(lock.lock().await) }
        });
        minirt::yield_now().await; // And `next` behind it.
        other_branch_ready.set(true);
        drop(guard);
        loser.await.unwrap();
        assert!(
            minirt::timeout(PATIENCE, next).await.is_ok(),
            "the next waiter starved"
        );
    });
}

#[test]
fn aborting_a_queued_waiter_lets_the_next_one_in() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let lock = Rc::new(Mutex::named("m", ()));
        let guard = lock.lock().await;
        let waiter = |lock: Rc<Mutex<()>>| async move { drop(lock.lock().await) };
        let first = minirt::spawn(waiter(lock.clone()));
        let second = minirt::spawn(waiter(lock.clone()));
        minirt::yield_now().await; // Both queued.
        first.abort(); // Aborted by this task, not by the waiter itself.
        drop(guard);
        assert!(minirt::timeout(PATIENCE, second).await.is_ok());
        assert!(lock.lock().now_or_never().is_some(), "nobody holds it");
    });
}

#[test]
fn the_lock_goes_to_waiters_in_the_order_they_asked() {
    let rt = Runtime::with_virtual_clock();
    let order = rt.block_on(async {
        let lock = Rc::new(Mutex::new(()));
        let order = Rc::new(RefCell::new(Vec::new()));
        let guard = lock.lock().await;
        let waiters: Vec<_> = (0..5)
            .map(|n| {
                let (lock, order) = (lock.clone(), order.clone());
                minirt::spawn(async move {
                    let _turn = lock.lock().await;
                    order.borrow_mut().push(n);
                    minirt::yield_now().await;
                })
            })
            .collect();
        minirt::yield_now().await;
        drop(guard);
        // A newcomer while others wait queues behind them: no barging.
        let late = lock.lock().await;
        order.borrow_mut().push(99);
        drop(late);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        order.take()
    });
    assert_eq!(order, [0, 1, 2, 3, 4, 99]);
}
