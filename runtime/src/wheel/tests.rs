//! Tests of what only the wheel has: its levels and its keys. The model
//! check that every queue (the wheel included) must pass is in
//! `queues/tests.rs`.

use super::Wheel;
use alloc::vec::Vec;

/// A year of ticks (1 µs each): on level 7, far above the others.
const YEAR: u64 = 365 * 24 * 3_600 * 1_000_000;

/// The payloads of fired timers, without their deadlines.
fn payloads<T: Copy>(fired: &[(u64, T)]) -> Vec<T> {
    fired.iter().map(|&(_, payload)| payload).collect()
}

/// A deadline a year away cascades down the levels and fires on its tick.
#[test]
fn a_year_away_fires_on_time_through_the_levels() {
    let mut wheel = Wheel::new(0);
    let mut fired = Vec::new();
    wheel.insert(YEAR, 'y').unwrap();
    // Walk the wheel the way a parked loop would: from one expiration to the next.
    let mut hops = 0;
    while let Some(next) = wheel.next_expiration() {
        wheel.advance(next, &mut fired);
        hops += 1;
    }
    assert_eq!(payloads(&fired), ['y']);
    assert_eq!(wheel.reached(), YEAR);
    // One hop per cascade, at most one per level.
    assert!(hops <= 11, "{hops} hops for a year");
}

/// A timer on level 2, one on level 1 and one on level 0 fire in deadline
/// order, whatever order they were armed in.
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

/// Through the public interface: a key whose entry was reused 2^32 times
/// must not cancel the timer that now lives there.
#[test]
fn a_key_from_2_pow_32_reuses_ago_cancels_nothing() {
    let mut wheel = Wheel::new(0);
    let old = wheel.insert(10, "old").unwrap();
    assert_eq!(wheel.cancel(old), Some("old"));
    wheel.entries[old.index as usize].generation = u32::MAX; // as if reused since
    let last = wheel.insert(10, "last").unwrap();
    assert_eq!(wheel.cancel(last), Some("last"));
    let new = wheel.insert(10, "new").unwrap();
    assert_eq!(
        wheel.cancel(old),
        None,
        "the old key cancelled the new timer"
    );
    assert_eq!(wheel.cancel(new), Some("new"));
}

/// A deadline at the very last tick neither overflows the wheel's
/// arithmetic nor takes more than a jump per level to reach.
#[test]
fn the_last_tick_is_reached_in_a_few_jumps() {
    let mut wheel = Wheel::new(0);
    wheel.insert(u64::MAX, "end of time").unwrap();
    let mut fired = Vec::new();
    let mut jumps = 0;
    while let Some(next) = wheel.next_expiration() {
        wheel.advance(next, &mut fired);
        jumps += 1;
    }
    assert_eq!(payloads(&fired), ["end of time"]);
    assert!(jumps <= 11, "{jumps} jumps");
}
