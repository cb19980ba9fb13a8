//! Every timer queue against one model, an ordered map of what is armed:
//! whatever the sequence of inserts, cancels, stale-key uses and advances,
//! each queue must fire exactly what the model says is due, in deadline
//! order, never early, and ignore every key whose timer is gone.
//!
//! The tests are written once, generic over [`TimerQueue`], and run on the
//! wheel, the heap and the ordered map.

use super::{BinaryHeapQueue, OrderedMapQueue, TimerKey, TimerQueue, Wheel};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use proptest::prelude::*;

/// A millisecond, in ticks (1 µs each).
const MS: u64 = 1_000;
/// A year of ticks: high on the wheel's levels, so long cascades are
/// exercised too.
const YEAR: u64 = 365 * 24 * 3_600 * 1_000 * MS;

/// What the tests arm: the timer's own deadline and a serial number, so a
/// fired payload says which timer it was and when it was due.
type Payload = (u64, u32);

/// Runs the named generic check on each of the three queues.
macro_rules! on_every_queue {
    ($check:ident $(, $argument:expr)*) => {{
        $check::<Wheel<_>>($($argument),*)?;
        $check::<BinaryHeapQueue<_>>($($argument),*)?;
        $check::<OrderedMapQueue<_>>($($argument),*)?;
    }};
}

/// A timer fires at its deadline, and not one tick before.
fn fires_at_deadline_not_before<Q: TimerQueue<char>>() -> Result<(), TestCaseError> {
    let mut queue = Q::new(0);
    let mut fired = Vec::new();
    queue.insert(5 * MS, 'a').unwrap();
    queue.advance(5 * MS - 1, &mut fired);
    prop_assert!(fired.is_empty(), "one tick early must not fire");
    queue.advance(5 * MS, &mut fired);
    prop_assert_eq!(fired, [(5 * MS, 'a')]);
    prop_assert!(queue.is_empty());
    Ok(())
}

/// A deadline at or before the time reached comes back as already due.
fn a_due_deadline_is_refused<Q: TimerQueue<char>>() -> Result<(), TestCaseError> {
    let mut queue = Q::new(100);
    prop_assert_eq!(queue.insert(100, 'a'), Err('a'));
    prop_assert_eq!(queue.insert(99, 'b'), Err('b'));
    prop_assert_eq!(queue.len(), 0);
    Ok(())
}

/// Cancel is final, and a stale key cannot reach the timer that reuses
/// its slab entry: not to read it, replace it, nor cancel it.
fn stale_keys_are_harmless<Q: TimerQueue<char>>() -> Result<(), TestCaseError> {
    let mut queue = Q::new(0);
    let key = queue.insert(10, 'a').unwrap();
    prop_assert_eq!(queue.cancel(key), Some('a'));
    prop_assert_eq!(queue.cancel(key), None);
    let reused = queue.insert(20, 'b').unwrap();
    queue.update(key, 'x');
    prop_assert_eq!(queue.payload(key), None);
    prop_assert_eq!(queue.cancel(key), None);
    prop_assert_eq!(queue.payload(reused), Some(&'b'));
    prop_assert_eq!(queue.next_expiration(), Some(20));
    Ok(())
}

#[test]
fn simple_cases_hold_on_every_queue() -> Result<(), TestCaseError> {
    on_every_queue!(fires_at_deadline_not_before);
    on_every_queue!(a_due_deadline_is_refused);
    on_every_queue!(stale_keys_are_harmless);
    Ok(())
}

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum Op {
    /// Arm a timer this many ticks after the time reached (at least 1).
    Insert(u64),
    /// Cancel the n-th armed timer (modulo how many there are).
    Cancel(usize),
    /// Use the n-th dead key (modulo how many): read, update and cancel
    /// through it, all of which must do nothing.
    Stale(usize),
    /// Move time forward by this many ticks.
    Advance(u64),
}

/// Delays from a tick to a year, weighted toward the short end.
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
        4 => delay().prop_map(Op::Insert),
        1 => any::<usize>().prop_map(Op::Cancel),
        1 => any::<usize>().prop_map(Op::Stale),
        2 => delay().prop_map(Op::Advance),
    ]
}

/// Replays `ops` on a fresh `Q` and on the model, comparing after each step.
fn matches_the_model<Q: TimerQueue<Payload>>(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut queue = Q::new(0);
    // The model: (deadline, id) -> key; ordered, so "due" is a range.
    let mut model: BTreeMap<Payload, TimerKey> = BTreeMap::new();
    let mut dead: Vec<TimerKey> = Vec::new();
    let (mut now, mut next_id) = (0u64, 0u32);
    let mut fired = Vec::new();
    for op in ops {
        match *op {
            Op::Insert(delay) => {
                let deadline = now + delay;
                let key = queue.insert(deadline, (deadline, next_id)).unwrap();
                model.insert((deadline, next_id), key);
                next_id += 1;
            }
            Op::Cancel(n) if !model.is_empty() => {
                let victim = *model.keys().nth(n % model.len()).unwrap();
                let key = model.remove(&victim).unwrap();
                prop_assert_eq!(queue.cancel(key), Some(victim));
                dead.push(key);
            }
            Op::Stale(n) if !dead.is_empty() => {
                let key = dead[n % dead.len()];
                prop_assert_eq!(queue.payload(key), None);
                // Were the key not stale, this would corrupt a live timer,
                // which the comparison at its firing would catch.
                queue.update(key, (u64::MAX, u32::MAX));
                prop_assert_eq!(queue.cancel(key), None);
            }
            Op::Cancel(_) | Op::Stale(_) => {}
            Op::Advance(by) => {
                let before = now;
                now += by;
                fired.clear();
                queue.advance(now, &mut fired);
                prop_assert_eq!(queue.reached(), now, "the time reached");
                let still_armed = model.split_off(&(now + 1, 0));
                let due = core::mem::replace(&mut model, still_armed);
                let deadlines = fired.iter().map(|&(deadline, _)| deadline);
                prop_assert!(deadlines.clone().all(|d| d > before && d <= now));
                prop_assert!(deadlines
                    .clone()
                    .zip(deadlines.skip(1))
                    .all(|(a, b)| a <= b));
                prop_assert!(fired
                    .iter()
                    .all(|&(deadline, (armed, _))| deadline == armed));
                let mut payloads: Vec<Payload> = fired.iter().map(|&(_, p)| p).collect();
                payloads.sort_unstable();
                prop_assert_eq!(&payloads, &due.keys().copied().collect::<Vec<_>>());
                dead.extend(due.values());
            }
        }
        prop_assert_eq!(queue.len(), model.len());
        let earliest = model.keys().next().map(|&(deadline, _)| deadline);
        let next = queue.next_expiration();
        prop_assert_eq!(next.is_some(), earliest.is_some());
        if let (Some(next), Some(earliest)) = (next, earliest) {
            prop_assert!(next <= earliest, "the queue would sleep past a deadline");
            prop_assert!(next > now, "the queue names a tick it has passed");
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn every_queue_matches_an_ordered_map(ops in prop::collection::vec(op(), 1..200)) {
        on_every_queue!(matches_the_model, &ops);
    }
}
