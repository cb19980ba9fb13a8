//! The sort's seeded input, and the check that its output is right.
//!
//! `sort.rs` calls [`generate`] before the clock starts, takes a
//! [`Fingerprint`] of every list, and after the clock stops calls [`check`]
//! on each. The same seed gives the same lists on every strategy, so their
//! times compare like for like.
//!
//! The generator is a self-written SplitMix64 rather than a crate: it is ten
//! lines, its output is fixed forever (a crate upgrade cannot change the
//! input and silently move a benchmark), and it needs no dependency.

use anyhow::{bail, Result};

/// SplitMix64, Steele, Lea and Flood's tiny generator (the one Java's
/// `SplittableRandom` uses): a counter stepped by a fixed odd constant, then
/// scrambled. Good enough for test data; not for cryptography.
///
/// # State
/// - `state`: the counter; each call adds the golden-ratio constant to it.
pub(crate) struct SplitMix64 {
    /// The counter the next output is scrambled from.
    state: u64,
}

impl SplitMix64 {
    /// A generator whose whole output is fixed by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        scramble(self.state)
    }
}

/// SplitMix64's output function: a bijection on `u64` that spreads every
/// input bit over every output bit. [`Fingerprint`] uses it too.
fn scramble(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `lists` lists of `len` random integers, spread over the whole `i64`
/// range, all drawn from one generator seeded with `seed`.
pub(crate) fn generate(lists: usize, len: usize, seed: u64) -> Vec<Vec<i64>> {
    let mut random = SplitMix64::new(seed);
    (0..lists)
        .map(|_| (0..len).map(|_| random.next_u64() as i64).collect())
        .collect()
}

/// What a list must still contain after sorting: its length and an
/// order-independent hash of its elements.
///
/// The hash is the wrapping sum of every element scrambled, a multiset
/// hash: reordering leaves it unchanged, while losing, duplicating or
/// altering an element changes it except with probability about 2⁻⁶⁴. A
/// plain sum would miss two errors that cancel out (one element +1, another
/// −1); scrambling first makes that vanishingly unlikely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// The number of elements.
    len: usize,
    /// The wrapping sum of `scramble(element)` over all elements.
    hash: u64,
}

impl Fingerprint {
    /// The fingerprint of `list`, in one pass.
    pub(crate) fn of(list: &[i64]) -> Self {
        let hash = list
            .iter()
            .fold(0u64, |sum, &x| sum.wrapping_add(scramble(x as u64)));
        Self {
            len: list.len(),
            hash,
        }
    }
}

/// Checks that list number `index` came out sorted and holds the same
/// elements it went in with.
///
/// # Errors
/// Names the list and the first out-of-order position, or says that its
/// elements changed.
pub(crate) fn check(index: usize, list: &[i64], before: Fingerprint) -> Result<()> {
    if let Some(position) = list.windows(2).position(|pair| pair[0] > pair[1]) {
        bail!(
            "list {index} is not sorted: element {position} ({}) > element {} ({})",
            list[position],
            position + 1,
            list[position + 1]
        );
    }
    let after = Fingerprint::of(list);
    if after != before {
        bail!(
            "list {index} is sorted but is not a permutation of its input \
             ({} elements in, {} out, or the values changed)",
            before.len,
            after.len
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check, generate, Fingerprint, SplitMix64};

    /// The same seed gives the same lists; another seed, other lists.
    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate(3, 50, 7), generate(3, 50, 7));
        assert_ne!(generate(3, 50, 7), generate(3, 50, 8));
        assert_eq!(generate(0, 50, 7).len(), 0);
        assert!(generate(4, 0, 7).iter().all(Vec::is_empty));
    }

    /// SplitMix64's published first output for seed 0, so a refactor
    /// cannot silently change every benchmark's input.
    #[test]
    fn generator_matches_the_reference() {
        assert_eq!(SplitMix64::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    /// A sorted permutation passes; unsorted, altered or shortened lists
    /// fail with an error naming the list.
    #[test]
    fn check_accepts_sorted_permutations_only() {
        let input = vec![3, -1, 2, 2];
        let before = Fingerprint::of(&input);
        assert!(check(0, &[-1, 2, 2, 3], before).is_ok());

        let unsorted = check(5, &[2, -1, 2, 3], before).unwrap_err();
        assert!(unsorted.to_string().contains("list 5 is not sorted"));

        let altered = check(1, &[-1, 2, 3, 3], before).unwrap_err();
        assert!(altered.to_string().contains("not a permutation"));
        assert!(check(1, &[-1, 2, 3], before).is_err());
        // Errors that cancel in a plain sum are still caught.
        assert!(check(1, &[-1, 1, 3, 3], before).is_err());
    }
}
