//! The article's `FakeDatabase`, and the rendezvous that makes the race's
//! outcome a matter of construction, not of timing. Part of
//! [`race`](super); the scenarios 7, 8, 9 and A2 all update one of these.
//!
//! Two updates lose one when both read before either writes. With threads
//! that is possible, not certain: the second thread must read within the
//! first one's think time, and on a busy machine the OS may run it later
//! (issue 10, item 16: two busy processes turned the lost update into 2).
//! So the database is told how many updates can run at once, and an update
//! that has read waits, before it writes, until that many have read. Where
//! only one can run at a time (a lock, one event loop) nobody waits, and
//! the updates serialize as before; where two can (two threads), both read
//! first, every time. The wait never makes an update lost that the threads
//! could not have lost: it only removes the luck.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long an update waits for the others to read, at most: far beyond
/// any delay a busy scheduler causes. Only an executor that will not run
/// the other update while this one blocks waits this long; then this one
/// writes alone, the value comes out 2, and the verdict says so.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A value, a lock that only the locked update takes, and a count of the
/// reads so far. The value is atomic, so there is no data race: the race
/// is logical.
///
/// - `reads` only grows: one per [`FakeDb::read`].
/// - `at_once` is at least 1; with 1, [`FakeDb::wait_for_readers`] never waits.
#[derive(Debug)]
pub struct FakeDb {
    /// The stored value.
    value: AtomicI64,
    /// Held from read to write by `race-locked`.
    pub lock: Mutex<()>,
    /// How many updates run at the same time, so read before any writes.
    at_once: usize,
    /// Updates that have read so far.
    reads: Mutex<usize>,
    /// Notified at every read.
    read: Condvar,
}

impl FakeDb {
    /// An empty database (value 0) for updates of which `at_once` run at
    /// the same time: 2 on two threads, 1 under a lock or on one event loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::scenario::race::FakeDb;
    /// let db = FakeDb::new(1);
    /// let value = db.read();
    /// db.wait_for_readers(); // one at a time: nobody to wait for
    /// db.write(value * value + 1);
    /// assert_eq!(db.value(), 1);
    /// ```
    pub fn new(at_once: usize) -> Self {
        Self {
            value: AtomicI64::new(0),
            lock: Mutex::new(()),
            at_once: at_once.max(1),
            reads: Mutex::new(0),
            read: Condvar::new(),
        }
    }

    /// An update reads the stored value (and counts as having read).
    pub fn read(&self) -> i64 {
        let value = self.value.load(Ordering::SeqCst);
        *self.reads() += 1;
        self.read.notify_all();
        value
    }

    /// Blocks until as many updates as run at once have read, or for
    /// [`PATIENCE`] at most. A blocking wait, like the think time it ends:
    /// no `await`, so on an event loop it would hold the loop.
    pub fn wait_for_readers(&self) {
        let deadline = Instant::now() + PATIENCE;
        let mut reads = self.reads();
        while *reads < self.at_once {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            let waited = self.read.wait_timeout(reads, left);
            reads = waited.map_or_else(|poisoned| poisoned.into_inner().0, |(reads, _)| reads);
        }
    }

    /// Whether as many updates as run at once have read: the non-blocking
    /// question an async caller asks between its awaits (A5).
    pub fn all_read(&self) -> bool {
        *self.reads() >= self.at_once
    }

    /// Writes a new value.
    pub fn write(&self, value: i64) {
        self.value.store(value, Ordering::SeqCst);
    }

    /// The stored value, for the final line: not an update's read.
    pub fn value(&self) -> i64 {
        self.value.load(Ordering::SeqCst)
    }

    /// The read count, locked; a panicking update must not hide it.
    fn reads(&self) -> MutexGuard<'_, usize> {
        self.reads.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
