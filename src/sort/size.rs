//! The sizes the sort accepts: the article's default, and the bound.
//!
//! The CLI calls [`validate_size`] on `--lists` and `--len` before any work
//! and prints a [`SizeError`] as its one-line usage error; [`run`](super::run)
//! calls it again, so a library caller gets the same refusal.

use std::fmt;

/// The article's size: 1000 lists...
pub const DEFAULT_LISTS: usize = 1000;

/// ... of 30000 integers each.
pub const DEFAULT_LEN: usize = 30_000;

/// The most elements a run may sort in total: 2²⁸, 2 GiB of `i64`.
///
/// Every list lives in memory at once, and the machines this runs on are
/// small: this bound is 2 GiB of input, about nine times the article's
/// 3 × 10⁷ elements. It also keeps every list length within the `u32` of a
/// pipe frame.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// A size the sort refuses: see [`validate_size`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError {
    /// The number of lists asked for.
    pub lists: usize,
    /// The list length asked for.
    pub len: usize,
}

impl fmt::Display for SizeError {
    /// One line: the size asked for, then what is accepted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad sort size {} × {}: --lists and --len must each be at least 1, \
             and lists × len at most {MAX_ELEMENTS} (2 GiB of integers)",
            self.lists, self.len
        )
    }
}

impl std::error::Error for SizeError {}

/// Checks that `lists` lists of `len` integers is a size the sort accepts.
///
/// # Errors
/// A [`SizeError`], whose message is one line saying what is accepted, if
/// either is zero or their product exceeds [`MAX_ELEMENTS`].
///
/// # Examples
/// ```
/// use concur::sort::validate_size;
/// assert!(validate_size(1000, 30_000).is_ok());
/// assert!(validate_size(0, 30_000).is_err());
/// assert!(validate_size(usize::MAX, 2).is_err());
/// ```
pub fn validate_size(lists: usize, len: usize) -> Result<(), SizeError> {
    let within_bound = lists
        .checked_mul(len)
        .is_some_and(|total| total <= MAX_ELEMENTS);
    if lists == 0 || len == 0 || !within_bound {
        return Err(SizeError { lists, len });
    }
    Ok(())
}
