//! Tests of the timer wheel against an ordered map, the obvious model of a
//! timer queue: whatever the sequence of inserts, cancels and advances, the
//! wheel must fire exactly what the map says is due, never early.

use super::{TimerKey, Wheel};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use proptest::prelude::*;

/// One microsecond tick, in the units the wheel uses.
const MS: u64 = 1_000;
/// The payloads of fired timers, without their deadlines.
fn payloads<T: Copy>(fired: &[(u64, T)]) -> Vec<T> {
    fired.iter().map(|&(_, payload)| payload).collect()
}

/// A year of ticks: far past the wheel's ~19 h span, so overflow is exercised.
const YEAR: u64 = 365 * 24 * 3_600 * 1_000 * MS;

#[test]
fn fires_at_deadline_not_before() {
    let mut wheel = Wheel::new(0);
    let mut fired = Vec::new();
    wheel.insert(5 * MS, 'a').unwrap();
    wheel.advance(5 * MS - 1, &mut fired);
    assert!(fired.is_empty(), "one tick early must not fire");
    wheel.advance(5 * MS, &mut fired);
    assert_eq!(payloads(&fired), ['a']);
    assert_eq!(wheel.len(), 0);
}

#[test]
fn a_due_deadline_is_refused() {
    let mut wheel = Wheel::new(100);
    assert_eq!(wheel.insert(100, 'a'), Err('a'));
    assert_eq!(wheel.insert(99, 'b'), Err('b'));
}

#[test]
fn cancel_is_final_and_stale_keys_are_harmless() {
    let mut wheel = Wheel::new(0);
    let key = wheel.insert(10, 'a').unwrap();
    assert_eq!(wheel.cancel(key), Some('a'));
    assert_eq!(wheel.cancel(key), None);
    // The freed cell is reused; the old key must not reach the new timer.
    let reused = wheel.insert(20, 'b').unwrap();
    assert_eq!(wheel.cancel(key), None);
    assert_eq!(wheel.payload(reused), Some(&'b'));
    assert_eq!(wheel.next_expiration().map(|e| e.tick), Some(20));
}

#[test]
fn a_year_away_fires_on_time_through_overflow() {
    let mut wheel = Wheel::new(0);
    let mut fired = Vec::new();
    wheel.insert(YEAR, 'y').unwrap();
    // Walk the wheel the way a parked loop would: from one expiration to the next.
    let mut hops = 0;
    while let Some(next) = wheel.next_expiration() {
        wheel.advance(next.tick, &mut fired);
        hops += 1;
    }
    assert_eq!(payloads(&fired), ['y']);
    assert_eq!(wheel.elapsed(), YEAR);
    // One hop per ~19 h boundary, and a few cascades at the end.
    assert!(hops < 500, "{hops} hops for a year");
}

#[test]
fn lower_levels_expire_first() {
    let mut wheel = Wheel::new(0);
    let mut fired = Vec::new();
    for (deadline, name) in [(70_000, 'c'), (65, 'b'), (3, 'a')] {
        wheel.insert(deadline, name).unwrap();
    }
    wheel.advance(u64::MAX / 2, &mut fired);
    assert_eq!(payloads(&fired), ['a', 'b', 'c']);
}

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum Op {
    /// Arm a timer this many ticks after `elapsed` (at least 1).
    Insert(u64),
    /// Cancel the n-th armed timer (modulo how many there are).
    Cancel(usize),
    /// Move time forward by this many ticks.
    Advance(u64),
}

/// Delays from a millisecond to a year, weighted toward the short end.
fn delay() -> impl Strategy<Value = u64> {
    prop_oneof![
        1..=MS,
        MS..=1_000 * MS,
        1_000 * MS..=3_600_000 * MS,
        1..=YEAR
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => delay().prop_map(Op::Insert),
        1 => any::<usize>().prop_map(Op::Cancel),
        2 => delay().prop_map(Op::Advance),
    ]
}

proptest! {
    #[test]
    fn matches_an_ordered_map(ops in prop::collection::vec(op(), 1..200)) {
        let mut wheel = Wheel::new(0);
        // The model: (deadline, id) -> key; ordered, so "due" is a range.
        let mut model: BTreeMap<(u64, u32), TimerKey> = BTreeMap::new();
        let mut next_id = 0u32;
        let mut fired = Vec::new();
        for op in ops {
            match op {
                Op::Insert(delay) => {
                    let deadline = wheel.elapsed() + delay;
                    let key = wheel.insert(deadline, (deadline, next_id)).unwrap();
                    model.insert((deadline, next_id), key);
                    next_id += 1;
                }
                Op::Cancel(n) if !model.is_empty() => {
                    let victim = *model.keys().nth(n % model.len()).unwrap();
                    let key = model.remove(&victim).unwrap();
                    prop_assert_eq!(wheel.cancel(key), Some(victim));
                }
                Op::Cancel(_) => {}
                Op::Advance(by) => {
                    let now = wheel.elapsed() + by;
                    fired.clear();
                    wheel.advance(now, &mut fired);
                    let still_armed = model.split_off(&(now + 1, 0));
                    let due: Vec<_> = model.keys().copied().collect();
                    model = still_armed;
                    prop_assert!(fired.iter().all(|&(deadline, (armed, _))| deadline == armed));
                    let mut fired = payloads(&fired);
                    fired.sort_unstable();
                    prop_assert_eq!(&fired, &due);
                }
            }
            prop_assert_eq!(wheel.len(), model.len());
            let earliest = model.keys().next().map(|&(deadline, _)| deadline);
            if let (Some(next), Some(earliest)) = (wheel.next_expiration(), earliest) {
                prop_assert!(next.tick <= earliest, "the wheel would sleep past a deadline");
            }
            prop_assert_eq!(wheel.next_expiration().is_some(), earliest.is_some());
        }
    }
}
