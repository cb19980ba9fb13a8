//! The merge sort every strategy runs: textbook top-down, as in the article.
//!
//! This is the CPU work of scenario 10. Each strategy in `in_process.rs` and
//! `pool.rs` hands whole lists to [`merge_sort`]; nothing here knows about
//! threads or processes. We write it ourselves instead of calling
//! `slice::sort` so that the work is the article's algorithm, not the
//! standard library's tuned pattern-defeating sort: what is compared across
//! backends is the concurrency, not the algorithm.
//!
//! The shape is the article's Python: split in halves, sort each half
//! recursively, merge. The only departure is memory: Python builds new lists
//! at every level, while this version allocates one scratch buffer per call
//! of [`merge_sort`] and reuses it for every merge.

/// Sorts `list` in place, ascending, with a top-down merge sort.
///
/// The sort is stable (equal elements keep their order), takes
/// O(n log n) comparisons, and allocates one scratch buffer of `n / 2`
/// elements, once.
pub(crate) fn merge_sort<T: Ord + Copy>(list: &mut [T]) {
    // The merge copies out only the left half, so half the length is enough.
    let mut scratch = Vec::with_capacity(list.len() / 2);
    sort_with_scratch(list, &mut scratch);
}

/// Sorts `list` recursively, borrowing `scratch` for every merge below it.
fn sort_with_scratch<T: Ord + Copy>(list: &mut [T], scratch: &mut Vec<T>) {
    // A list of zero or one element is already sorted: the recursion's floor.
    if list.len() <= 1 {
        return;
    }
    let middle = list.len() / 2;
    let (left, right) = list.split_at_mut(middle);
    sort_with_scratch(left, scratch);
    sort_with_scratch(right, scratch);
    merge(list, middle, scratch);
}

/// Merges the sorted runs `list[..middle]` and `list[middle..]` into one
/// sorted run occupying all of `list`.
///
/// The left run is copied to `scratch`; then the smaller head of the two
/// runs is written to the front of `list`, one element at a time. The write
/// position never overtakes the right run's read position (it trails it by
/// exactly the left elements not yet written), so no unread element is
/// overwritten.
fn merge<T: Ord + Copy>(list: &mut [T], middle: usize, scratch: &mut Vec<T>) {
    scratch.clear();
    scratch.extend_from_slice(&list[..middle]);

    let (mut left, mut right, mut out) = (0, middle, 0);
    while left < scratch.len() && right < list.len() {
        // Taking from the left on ties keeps the sort stable.
        if list[right] < scratch[left] {
            list[out] = list[right];
            right += 1;
        } else {
            list[out] = scratch[left];
            left += 1;
        }
        out += 1;
    }
    // Left-over left elements go to the end; left-over right elements are
    // already where they belong.
    let rest = &scratch[left..];
    list[out..out + rest.len()].copy_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::merge_sort;
    use crate::sort::input::SplitMix64;

    /// Sorts `list` with both our sort and the standard library's, and
    /// checks they agree.
    fn assert_sorts_like_std(mut list: Vec<i64>) {
        let mut expected = list.clone();
        expected.sort();
        merge_sort(&mut list);
        assert_eq!(list, expected);
    }

    /// Empty, single, reversed, all-equal and extreme-valued lists.
    #[test]
    fn sorts_the_edge_cases() {
        assert_sorts_like_std(vec![]);
        assert_sorts_like_std(vec![7]);
        assert_sorts_like_std(vec![2, 1]);
        assert_sorts_like_std(vec![1, 2]);
        assert_sorts_like_std(vec![3, 3, 3]);
        assert_sorts_like_std(vec![i64::MAX, i64::MIN, 0, -1, 1]);
        assert_sorts_like_std((0..100).rev().collect());
    }

    /// Every length up to 200, with and without many duplicates.
    #[test]
    fn sorts_random_lists_of_every_small_length() {
        let mut random = SplitMix64::new(42);
        for len in 0..200 {
            // A narrow range gives many duplicates, a wide one almost none.
            let narrow = (0..len).map(|_| (random.next_u64() % 10) as i64).collect();
            let wide = (0..len).map(|_| random.next_u64() as i64).collect();
            assert_sorts_like_std(narrow);
            assert_sorts_like_std(wide);
        }
    }

    /// Equal keys keep their input order, as the article's merge does.
    #[test]
    fn is_stable() {
        /// A key and a tag; ordered by the key only, so equal keys with
        /// different tags reveal whether the sort kept their order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        struct Tagged(u8, usize);
        impl PartialOrd for Tagged {
            /// As [`Ord`].
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Tagged {
            /// By key only.
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.cmp(&other.0)
            }
        }
        let mut list: Vec<Tagged> = (0..50).map(|i| Tagged((i % 3) as u8, i)).collect();
        let mut expected = list.clone();
        expected.sort(); // std's sort is stable too
        merge_sort(&mut list);
        assert_eq!(list, expected);
    }
}
