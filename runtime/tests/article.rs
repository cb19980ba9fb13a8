//! The article's async timelines, checked exactly on the virtual clock: each
//! log line is recorded with the virtual second it happened at. With the
//! `timer-queues` feature each runs once per timer queue (wheel, heap,
//! ordered map), and must read the same, to the microsecond, on every one.

use minirt::{Instant, Runtime};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// A shared log of (virtual seconds since start, line).
type Log = Rc<RefCell<Vec<(f64, String)>>>;

/// Appends a line stamped with the runtime's current time.
fn record(log: &Log, start: Instant, line: impl Into<String>) {
    let at = start.elapsed().as_secs_f64();
    log.borrow_mut().push((at, line.into()));
}

/// The article's `delay_message`: receive, sleep (or block), print.
async fn delay_message(
    log: Log,
    start: Instant,
    delay: u64,
    message: &'static str,
    blocking: bool,
) {
    record(&log, start, format!("{message} received"));
    if blocking {
        minirt::block_thread_for(Duration::from_secs(delay));
    } else {
        minirt::sleep(Duration::from_secs(delay)).await;
    }
    record(&log, start, format!("Printing {message}"));
}

/// A virtual-clock runtime per timer queue it can keep its sleeps in.
#[cfg(feature = "timer-queues")]
fn runtimes() -> impl Iterator<Item = Runtime> {
    use minirt::TimerQueueKind::{Heap, OrderedMap, Wheel};
    [Wheel, Heap, OrderedMap]
        .into_iter()
        .map(|kind| Runtime::builder().virtual_clock().timer_queue(kind).build())
}

/// A virtual-clock runtime: the wheel is the only timer queue.
#[cfg(not(feature = "timer-queues"))]
fn runtimes() -> impl Iterator<Item = Runtime> {
    std::iter::once(Runtime::with_virtual_clock())
}

/// Turns the log into comparable `(seconds, line)` pairs.
fn lines(log: &Log) -> Vec<(f64, String)> {
    log.borrow().clone()
}

fn expect(pairs: &[(f64, &str)]) -> Vec<(f64, String)> {
    pairs
        .iter()
        .map(|&(t, line)| (t, line.to_string()))
        .collect()
}

#[test]
fn create_task_counts_one_then_three() {
    for (queue, rt) in runtimes().enumerate() {
        let log: Log = Rc::default();
        rt.block_on(async {
            let start = Instant::now();
            record(
                &log,
                start,
                format!("Current registered tasks: {}", minirt::task_count()),
            );
            let two = minirt::spawn(delay_message(log.clone(), start, 2, "TWO", false));
            let three = minirt::spawn(delay_message(log.clone(), start, 3, "THREE", false));
            record(
                &log,
                start,
                format!("Current registered tasks: {}", minirt::task_count()),
            );
            two.await.unwrap();
            three.await.unwrap();
            record(&log, start, "Main Ended");
        });
        assert_eq!(
            lines(&log),
            expect(&[
                (0.0, "Current registered tasks: 1"), // only main
                (0.0, "Current registered tasks: 3"), // main + TWO + THREE
                (0.0, "TWO received"),                // tasks start when main awaits
                (0.0, "THREE received"),
                (2.0, "Printing TWO"),
                (3.0, "Printing THREE"), // 3 s in all, not 5: the sleeps overlap
                (3.0, "Main Ended"),
            ]),
            "on timer queue {queue}"
        );
    }
}

#[test]
fn gather_prints_each_at_its_own_second() {
    for (queue, rt) in runtimes().enumerate() {
        let log: Log = Rc::default();
        let wall = std::time::Instant::now();
        rt.block_on(async {
            let start = Instant::now();
            let names = ["ONE", "TWO", "THREE", "FOUR", "FIVE"];
            let tasks = names
                .iter()
                .zip(1..)
                .map(|(name, delay)| delay_message(log.clone(), start, delay, name, false));
            minirt::join_all(tasks).await;
            record(&log, start, "Main Ended");
        });
        let mut expected: Vec<(f64, String)> = ["ONE", "TWO", "THREE", "FOUR", "FIVE"]
            .iter()
            .map(|name| (0.0, format!("{name} received")))
            .collect();
        for (second, name) in (1..).zip(["ONE", "TWO", "THREE", "FOUR", "FIVE"]) {
            expected.push((f64::from(second), format!("Printing {name}")));
        }
        expected.push((5.0, "Main Ended".into()));
        assert_eq!(lines(&log), expected, "on timer queue {queue}");
        assert!(
            wall.elapsed() < Duration::from_secs(1),
            "virtual time must not take real time"
        );
    }
}

#[test]
fn a_blocking_call_stalls_the_whole_loop() {
    for (queue, rt) in runtimes().enumerate() {
        let log: Log = Rc::default();
        rt.block_on(async {
            let start = Instant::now();
            let tasks = [
                ("ONE", 1),
                ("TWO", 2),
                ("THREE", 3),
                ("FOUR", 4),
                ("FIVE", 5),
            ]
            .map(|(name, delay)| delay_message(log.clone(), start, delay, name, name == "THREE"));
            minirt::join_all(tasks).await;
            record(&log, start, "Main Ended");
        });
        assert_eq!(
            lines(&log),
            expect(&[
                (0.0, "ONE received"),
                (0.0, "TWO received"),
                (0.0, "THREE received"), // THREE blocks the thread for 3 s here...
                (3.0, "Printing THREE"), // ...so nothing else ran until now
                (3.0, "FOUR received"),  // FOUR and FIVE start 3 s late
                (3.0, "FIVE received"),
                (3.0, "Printing ONE"), // due at 1 and 2, printed late at 3
                (3.0, "Printing TWO"),
                (7.0, "Printing FOUR"), // 3 + 4
                (8.0, "Printing FIVE"), // 3 + 5: 8 s in all, as in the article
                (8.0, "Main Ended"),
            ]),
            "on timer queue {queue}"
        );
    }
}
