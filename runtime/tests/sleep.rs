//! Timers: exact on the virtual clock, never early on the real one,
//! cancelled when dropped, fair against busy tasks, and fine by the million.

use minirt::{Instant, Runtime};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

#[test]
fn timeout_gives_up_at_its_deadline_and_cancels_the_loser() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let start = Instant::now();
        let slow = minirt::sleep(Duration::from_secs(10));
        assert_eq!(
            minirt::timeout(Duration::from_secs(2), slow).await,
            Err(minirt::Elapsed)
        );
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    });
    // The 10 s timer was dropped with the timeout: nothing pulls time to 10 s.
    assert_eq!(
        rt.now().duration_since(Instant::ZERO),
        Duration::from_secs(2)
    );
}

#[test]
fn a_cancelled_timer_never_moves_the_virtual_clock() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let far = minirt::spawn(minirt::sleep(Duration::from_secs(3600)));
        minirt::sleep(Duration::from_millis(1)).await;
        far.abort();
        minirt::sleep(Duration::from_millis(1)).await;
    });
    assert_eq!(
        rt.now().duration_since(Instant::ZERO),
        Duration::from_millis(2)
    );
}

#[test]
fn a_year_long_sleep_fires_exactly_on_time() {
    let rt = Runtime::with_virtual_clock();
    let year = Duration::from_secs(365 * 24 * 3600);
    let slept = rt.block_on(async {
        let start = Instant::now();
        minirt::sleep(year).await;
        start.elapsed()
    });
    assert_eq!(slept, year);
}

#[test]
fn sub_millisecond_deadlines_are_rounded_up_never_down() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(async {
        let start = Instant::now();
        minirt::sleep(Duration::from_nanos(1_500)).await;
        // One tick is 1 µs: 1.5 µs wakes at 2 µs, never at 1.
        assert_eq!(start.elapsed(), Duration::from_micros(2));
    });
}

#[test]
fn a_yield_loop_cannot_starve_timers_or_other_tasks() {
    // The real clock: a virtual one only moves when nothing is ready, and a
    // spinner is always ready, so there time would rightly stand still.
    let rt = Runtime::new();
    let trace = Rc::new(RefCell::new(Vec::new()));
    rt.block_on(async {
        let spinner_trace = trace.clone();
        let spinner = minirt::spawn(async move {
            let mut turns = 0u64;
            loop {
                turns += 1;
                minirt::yield_now().await;
                if turns == 10_000 {
                    spinner_trace.borrow_mut().push("spinner still spinning");
                }
            }
        });
        let other = trace.clone();
        let neighbour = minirt::spawn(async move { other.borrow_mut().push("neighbour ran") });
        minirt::sleep(Duration::from_millis(1)).await;
        trace.borrow_mut().push("timer fired");
        neighbour.await.unwrap();
        spinner.abort();
    });
    let trace = trace.borrow();
    assert_eq!(
        trace[0], "neighbour ran",
        "FIFO: the neighbour runs after one spin"
    );
    assert!(
        trace.contains(&"timer fired"),
        "the sleep finished despite the spinner"
    );
}

#[test]
fn real_sleeps_are_never_early_and_not_very_late() {
    let rt = Runtime::new();
    rt.block_on(async {
        for millis in [1, 5, 20] {
            let wanted = Duration::from_millis(millis);
            let start = std::time::Instant::now();
            minirt::sleep(wanted).await;
            let took = start.elapsed();
            assert!(took >= wanted, "woke early: {took:?} < {wanted:?}");
            // Generous: a loaded 2-core machine can be late, but not by 200 ms.
            assert!(
                took < wanted + Duration::from_millis(200),
                "{took:?} for {wanted:?}"
            );
        }
    });
}

#[test]
fn a_million_pending_timers_fire_in_order() {
    let rt = Runtime::with_virtual_clock();
    let fired = Rc::new(RefCell::new(Vec::with_capacity(1_000_000)));
    rt.block_on(async {
        let start = Instant::now();
        // Deadlines spread over 0..1 s, scrambled so spawn order is not deadline order.
        let handles: Vec<_> = (0..1_000_000u64)
            .map(|n| {
                let micros = (n * 7_919) % 1_000_000;
                let fired = fired.clone();
                minirt::spawn(async move {
                    minirt::sleep(Duration::from_micros(micros)).await;
                    fired.borrow_mut().push(start.elapsed());
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    let fired = fired.borrow();
    assert_eq!(fired.len(), 1_000_000);
    assert!(
        fired.windows(2).all(|pair| pair[0] <= pair[1]),
        "fired out of deadline order"
    );
    assert_eq!(*fired.last().unwrap(), Duration::from_micros(999_999));
}

#[test]
fn sleeping_for_duration_max_neither_panics_nor_ends_early() {
    let rt = Runtime::with_virtual_clock();
    let gave_up = rt.block_on(async {
        let start = Instant::now();
        let result = minirt::timeout(Duration::from_secs(1), minirt::sleep(Duration::MAX)).await;
        (result.is_err(), start.elapsed())
    });
    assert_eq!(gave_up, (true, Duration::from_secs(1)));
    // On the system clock too: the deadline saturates instead of overflowing.
    let result = minirt::block_on(minirt::timeout(
        Duration::from_millis(5),
        minirt::sleep(Duration::MAX),
    ));
    assert!(result.is_err());
}

#[test]
fn a_deadline_past_the_last_tick_does_not_wrap_round_to_soon() {
    let rt = Runtime::with_virtual_clock();
    let far = Duration::from_micros(u64::MAX) + Duration::from_millis(1);
    let result = rt.block_on(minirt::timeout(Duration::from_secs(1), minirt::sleep(far)));
    assert!(
        result.is_err(),
        "a sleep of 584,942 years ended within a second"
    );
}

#[test]
fn timeout_duration_max_is_no_timeout() {
    let result = minirt::block_on(minirt::timeout(
        Duration::MAX,
        minirt::sleep(Duration::from_millis(2)),
    ));
    assert_eq!(result, Ok(()));
    let rt = Runtime::with_virtual_clock();
    let result = rt.block_on(async {
        minirt::timeout(Duration::MAX, minirt::sleep(Duration::from_secs(7))).await
    });
    assert_eq!(result, Ok(()));
}

#[test]
fn a_sleep_centuries_long_is_reached_in_a_few_jumps() {
    let rt = Runtime::with_virtual_clock();
    let centuries = Duration::from_secs(500 * 365 * 86_400);
    let wall = std::time::Instant::now();
    let elapsed = rt.block_on(async {
        let start = Instant::now();
        minirt::sleep(centuries).await;
        start.elapsed()
    });
    assert_eq!(elapsed, centuries);
    // One refiling at the timer's window, not one every 19 hours (230,000).
    assert!(
        wall.elapsed() < Duration::from_secs(1),
        "{:?}",
        wall.elapsed()
    );
}

#[test]
fn timers_are_built_without_a_runtime_and_count_from_their_first_poll() {
    let rt = Runtime::with_virtual_clock();
    rt.block_on(rt.sleep(Duration::from_secs(2)));
    // Made outside any runtime, as the argument of `block_on`.
    let result = rt.block_on(minirt::timeout(
        Duration::from_secs(1),
        minirt::sleep(Duration::from_secs(5)),
    ));
    assert!(result.is_err());
    assert_eq!(rt.now(), Instant::ZERO + Duration::from_secs(3));
    let sleep = minirt::sleep(Duration::from_secs(4));
    assert_eq!(sleep.deadline(), None, "not counting until polled");
    rt.block_on(sleep);
    assert_eq!(rt.now(), Instant::ZERO + Duration::from_secs(7));
}

#[test]
fn a_zero_sleep_after_a_blocking_call_is_one_turn_not_a_timer() {
    // The blocking call moves the virtual clock on while the wheel stays
    // behind it. A zero sleep is one turn of the loop (asyncio.sleep(0)),
    // not a timer that would wait until no task is ready at all.
    let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let rt = minirt::Runtime::with_virtual_clock();
    let (busy, main) = (log.clone(), log.clone());
    rt.block_on(async move {
        let spinner = minirt::spawn(async move {
            for turn in 0..3 {
                busy.borrow_mut().push(format!("spin {turn}"));
                minirt::yield_now().await;
            }
        });
        minirt::yield_now().await; // the spinner starts
        minirt::block_thread_for(std::time::Duration::from_secs(1));
        minirt::sleep(std::time::Duration::ZERO).await;
        main.borrow_mut().push("main".to_string());
        spinner.await.unwrap();
    });
    assert_eq!(*log.borrow(), ["spin 0", "spin 1", "main", "spin 2"]);
}
