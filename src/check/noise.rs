//! How noisy the machine was during a run: how late a short sleep woke.
//! Part of [`check`](super): the timing check allows for this much.
//!
//! A busy machine makes every wake-up late: a thread whose sleep is over
//! waits for a core. A run's lines are then late by the same cause, and a
//! check with a fixed tolerance calls that a mismatch (issue 10, item 16).
//! So while a run goes on, a [`NoiseProbe`] thread sleeps 1 ms again and
//! again and keeps the worst overshoot: the noise the run itself lived in.
//! The run's own blocking sleeps count too ([`Noise::or_later`]): the OS
//! may wake a thread that has run more later than the probe, which barely
//! runs.
//! It costs a few microseconds of CPU per wake, which [`Noise::cpu`] lets
//! the run subtract from its own CPU time.

use crate::trace::{Kind, Trace};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long each of the probe's sleeps is: short, to sample often, and
/// long against the cost of one wake.
pub const PROBE_SLEEP: Duration = Duration::from_millis(1);

/// What a [`NoiseProbe`] measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Noise {
    /// Sleeps the probe made (0 when nothing was probed).
    pub wakes: usize,
    /// How late the latest of them woke, past its [`PROBE_SLEEP`]; or a
    /// later wake of the run's own (see [`Noise::or_later`]).
    pub late_max: Duration,
    /// CPU time the probe's thread used.
    pub cpu: Duration,
}

impl Noise {
    /// No noise: a run on a virtual clock, or one that was not probed.
    pub fn none() -> Self {
        Self::default()
    }

    /// A machine whose wakes were up to `late_max` late: for tests and
    /// examples, where the noise is made up.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::check::noise::Noise;
    /// use std::time::Duration;
    /// let noise = Noise::late_by(Duration::from_millis(8));
    /// assert_eq!(noise.late_max, Duration::from_millis(8));
    /// ```
    pub fn late_by(late_max: Duration) -> Self {
        Self {
            wakes: 1,
            late_max,
            cpu: Duration::ZERO,
        }
    }
}

impl Noise {
    /// This noise, or `late` if a wake the run itself made was later: the
    /// probe is one thread, and the OS may treat the run's threads worse.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::check::noise::Noise;
    /// use std::time::Duration;
    /// let probed = Noise::late_by(Duration::from_millis(1));
    /// let noise = probed.or_later(Duration::from_millis(4));
    /// assert_eq!(noise.late_max, Duration::from_millis(4));
    /// ```
    pub fn or_later(self, late: Duration) -> Self {
        Self {
            late_max: self.late_max.max(late),
            ..self
        }
    }
}

/// A thread that measures scheduling noise until it is stopped, like a
/// tiny `cyclictest` running beside the run.
///
/// # Examples
///
/// ```
/// use concur::check::noise::NoiseProbe;
/// let probe = NoiseProbe::start();
/// std::thread::sleep(std::time::Duration::from_millis(20));
/// let noise = probe.stop();
/// assert!(noise.wakes >= 1);
/// ```
pub struct NoiseProbe {
    /// Set to stop the probe.
    stop: Arc<AtomicBool>,
    /// The probe's thread; `None` if it could not start (then no noise is
    /// known, and the check allows none).
    thread: Option<JoinHandle<Noise>>,
}

impl NoiseProbe {
    /// Starts probing on a thread of its own.
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("noise-probe".into())
            .spawn(move || probe(&flag))
            .ok();
        Self { stop, thread }
    }

    /// Stops probing (within one [`PROBE_SLEEP`]) and says what it saw.
    pub fn stop(self) -> Noise {
        self.stop.store(true, Ordering::Relaxed);
        let noise = self.thread.map(JoinHandle::join);
        noise.and_then(Result::ok).unwrap_or_default()
    }
}

/// Sleeps [`PROBE_SLEEP`] until `stop` is set, keeping the worst overshoot.
fn probe(stop: &AtomicBool) -> Noise {
    let mut noise = Noise::none();
    while !stop.load(Ordering::Relaxed) {
        let asleep = Instant::now();
        thread::sleep(PROBE_SLEEP);
        let late = asleep.elapsed().saturating_sub(PROBE_SLEEP);
        noise.late_max = noise.late_max.max(late);
        noise.wakes += 1;
    }
    noise.cpu = thread_cpu_time();
    noise
}

/// CPU time used so far by the calling thread.
fn thread_cpu_time() -> Duration {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    // The kernel never reports negative CPU time; clamp rather than panic.
    let seconds = u64::try_from(time.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(time.tv_nsec).unwrap_or(0);
    Duration::new(seconds, nanos)
}

/// How late the latest sleep woke whose deadline came while the loop was
/// idle (no poll running): then nothing in the loop kept the task waiting,
/// so its lateness is the machine's (and the runtime's timer), not the
/// story's. `None` if no such sleep fired. The check allows for it.
///
/// # Examples
///
/// ```
/// let trace = concur::trace::Trace::default();
/// assert_eq!(concur::check::noise::idle_lateness(&trace), None);
/// ```
pub fn idle_lateness(trace: &Trace) -> Option<Duration> {
    let polls = trace.polls();
    let busy_at = |deadline: Duration| {
        (polls.iter()).any(|&(_, begin, end)| begin <= deadline && deadline <= end)
    };
    (trace.events.iter())
        .filter_map(|event| match event.kind {
            Kind::SleepFired { deadline, .. } if !busy_at(deadline) => {
                Some(event.at.saturating_sub(deadline))
            }
            _ => None,
        })
        .max()
}
