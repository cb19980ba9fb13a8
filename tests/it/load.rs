//! Busy cores change no race (issue 10, item 16): while spinning threads
//! keep every core busy, the races still end on their documented values.
//! (How the check allows for the lateness that load causes is tested on
//! made-up runs, in `src/check/tests.rs`: real lateness under load is too
//! uneven to assert on.)
//!
//! The unit is short on purpose: at 20 ms the think time between read and
//! write is 5 ms, well inside what a loaded scheduler may delay a thread.
//! The tests take turns, so the load is the same whichever runs.

use super::support::{backends_of, run};
use concur::backend::python::is_python;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Short, so that scheduling delays are large against the think time.
const UNIT: Duration = Duration::from_millis(20);

/// Runs of each pair: a lost (or kept) update that depends on timing
/// shows up in a few of them.
const REPEATS: usize = 16;

/// Runs of each Python pair: each starts an interpreter, which a loaded
/// machine makes slow, and the Python race is built as ours is (its
/// rendezvous is the same), so a few runs show it holds under load.
const PYTHON_REPEATS: usize = 3;

/// The longest a spinner spins, should a test forget to stop it.
const MAX_SPIN: Duration = Duration::from_secs(120);

/// Held by the test whose load is running, so that two never add up.
static LOADED: Mutex<()> = Mutex::new(());

/// Threads that keep every core busy until dropped.
struct Load {
    /// Set to stop the spinners.
    stop: Arc<AtomicBool>,
    /// The spinners, joined on drop.
    spinners: Vec<JoinHandle<()>>,
}

impl Load {
    /// Two spinning threads per core: more runnable threads than cores,
    /// as with the two busy processes on two cores and more.
    fn start() -> Self {
        let cores = thread::available_parallelism().map_or(2, |count| count.get());
        let stop = Arc::new(AtomicBool::new(false));
        let spinners = (0..2 * cores)
            .map(|_| {
                let stop = Arc::clone(&stop);
                thread::spawn(move || spin(&stop))
            })
            .collect();
        Self { stop, spinners }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for spinner in self.spinners.drain(..) {
            let _ = spinner.join();
        }
    }
}

/// Burns CPU until `stop` is set, or [`MAX_SPIN`] has passed.
fn spin(stop: &AtomicBool) {
    let started = Instant::now();
    let mut count = 0_u64;
    while !stop.load(Ordering::Relaxed) && started.elapsed() < MAX_SPIN {
        count = std::hint::black_box(count.wrapping_add(1));
    }
}

/// Runs `scenario` [`REPEATS`] times on each backend under load, and checks
/// every final value is `value`.
fn assert_value_under_load(scenario: &str, value: i64) {
    let _turn = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    let _load = Load::start();
    for backend in backends_of(scenario) {
        let repeats = if is_python(backend) {
            PYTHON_REPEATS
        } else {
            REPEATS
        };
        for attempt in 1..=repeats {
            let run = run(scenario, backend, UNIT, false);
            let label = format!("{scenario} on {backend}, run {attempt}");
            assert_eq!(run.value, Some(value), "{label}: {:?}", run.record.lines);
        }
    }
}

#[test]
fn busy_cores_do_not_save_the_lost_update() {
    assert_value_under_load("race", 1);
}

#[test]
fn busy_cores_do_not_break_the_lock() {
    assert_value_under_load("race-locked", 2);
}

#[test]
fn busy_cores_do_not_break_one_event_loop() {
    assert_value_under_load("race-async", 2);
}

#[test]
fn busy_cores_do_not_save_the_update_across_an_await() {
    assert_value_under_load("race-async-await", 1);
}

#[test]
fn busy_cores_do_not_save_the_update_on_many_threads() {
    assert_value_under_load("race-async-multithread", 1);
}
