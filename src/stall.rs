//! Stall attribution and timer lateness, computed from a run's trace.
//!
//! asyncio's debug mode names a slow step (`Executing <Task> took 3.0
//! seconds`) but not the damage. Here a poll longer than a threshold is a
//! [`Stall`], and the trace tells the rest: which sleeps fired late because
//! of it and by how much, and which tasks were ready but had to wait. Every
//! number comes from the poll wrapper's events (see
//! [`model::traced`](crate::model::traced)), so minirt, smol and tokio are
//! judged by the same rule. [`lateness`] sums up how late every sleep woke.

use crate::run::Run;
use crate::trace::{Kind, TaskId, Trace};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// One poll that held the loop for longer than the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Stall {
    /// The task whose poll it was.
    pub task: String,
    /// When the poll began, since the run's start.
    pub begin: Duration,
    /// When it returned.
    pub end: Duration,
    /// Sleeps due during the stall, which fired only after it: (the
    /// sleeping task, how late).
    pub late: Vec<(String, Duration)>,
    /// Tasks that could have run during the stall but had to wait: spawned
    /// and not yet polled, or with a sleep due.
    pub waiting: Vec<String>,
}

impl Stall {
    /// How long the loop was held.
    pub fn held(&self) -> Duration {
        self.end.saturating_sub(self.begin)
    }

    /// The warning printed under the scenario's log, times in units:
    /// `THREE held the loop for 3.00 units (t=0.00..3.00); ...`.
    pub fn describe(&self, unit: Duration) -> String {
        let units = |duration: Duration| duration.as_secs_f64() / unit.as_secs_f64();
        let mut text = format!(
            "{} held the loop for {:.2} units (t={:.2}..{:.2})",
            self.task,
            units(self.held()),
            units(self.begin),
            units(self.end)
        );
        if !self.late.is_empty() {
            let late: Vec<String> = (self.late.iter())
                .map(|(task, by)| format!("{task} by {:.2}", units(*by)))
                .collect();
            text += &format!("; sleeps fired late: {} units", late.join(", "));
        }
        if !self.waiting.is_empty() {
            text += &format!("; ready but kept waiting: {}", self.waiting.join(", "));
        }
        text
    }
}

/// The default stall threshold at `unit`: asyncio's 100 ms
/// (`slow_callback_duration`), but at most half a unit, so that a short
/// unit still shows its stalls, and at least 1 ms, below which an ordinary
/// poll on a busy machine would count.
///
/// # Examples
///
/// ```
/// use concur::stall::default_threshold;
/// use std::time::Duration;
/// let ms = Duration::from_millis;
/// assert_eq!(default_threshold(Duration::from_secs(1)), ms(100));
/// assert_eq!(default_threshold(ms(20)), ms(10));
/// assert_eq!(default_threshold(ms(1)), ms(1));
/// ```
pub fn default_threshold(unit: Duration) -> Duration {
    (unit / 2).clamp(Duration::from_millis(1), Duration::from_millis(100))
}

/// Every poll in `trace` that lasted `threshold` or longer, with its damage.
pub fn stalls(trace: &Trace, threshold: Duration) -> Vec<Stall> {
    (trace.polls().into_iter())
        .filter(|&(_, begin, end)| end.saturating_sub(begin) >= threshold)
        .map(|(task, begin, end)| damage(trace, task, begin, end))
        .collect()
}

/// The stall of `task` from `begin` to `end`, with what it cost the others.
fn damage(trace: &Trace, task: TaskId, begin: Duration, end: Duration) -> Stall {
    let name = |id: TaskId| trace.name(Some(id), "?").to_string();
    let mut late = Vec::new();
    // Tasks by number, so they are listed in the order they were made.
    let mut waiting = BTreeSet::new();
    let mut first_poll: HashMap<TaskId, Duration> = HashMap::new();
    let mut started: Vec<(TaskId, Duration)> = Vec::new();
    for event in &trace.events {
        let Some(id) = event.task else { continue };
        match event.kind {
            Kind::TaskStart => started.push((id, event.at)),
            Kind::PollBegin => {
                first_poll.entry(id).or_insert(event.at);
            }
            Kind::SleepFired { deadline, .. }
                if deadline >= begin && deadline < end && event.at >= end =>
            {
                late.push((name(id), event.at.saturating_sub(deadline)));
                waiting.insert(id);
            }
            _ => {}
        }
    }
    for (id, at) in started {
        let polled_after = first_poll.get(&id).is_none_or(|first| *first >= end);
        if id != task && at < end && polled_after {
            waiting.insert(id);
        }
    }
    Stall {
        task: name(task),
        begin,
        end,
        late,
        waiting: waiting.into_iter().map(name).collect(),
    }
}

/// How late a run's sleeps woke: the time from each deadline to the moment
/// the sleeping task ran again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lateness {
    /// How many sleeps fired.
    pub sleeps: usize,
    /// The median.
    pub p50: Duration,
    /// The 99th percentile (nearest rank).
    pub p99: Duration,
    /// The latest.
    pub max: Duration,
}

/// The lateness of every sleep in `trace`; `None` if none fired.
///
/// # Examples
///
/// ```
/// let trace = concur::trace::Trace::default();
/// assert_eq!(concur::stall::lateness(&trace), None);
/// ```
pub fn lateness(trace: &Trace) -> Option<Lateness> {
    let mut late: Vec<Duration> = (trace.events.iter())
        .filter_map(|event| match event.kind {
            Kind::SleepFired { deadline, .. } => Some(event.at.saturating_sub(deadline)),
            _ => None,
        })
        .collect();
    if late.is_empty() {
        return None;
    }
    late.sort_unstable();
    // Nearest rank: the smallest value with at least p% of values at or below it.
    let rank = |percent: usize| late[(late.len() * percent).div_ceil(100).max(1) - 1];
    Some(Lateness {
        sleeps: late.len(),
        p50: rank(50),
        p99: rank(99),
        max: late[late.len() - 1],
    })
}

/// The lines printed under a run's log: a warning per stall (at
/// `threshold`, or [`default_threshold`]), the tasks dropped while still
/// pending, then how late its sleeps woke.
pub fn report(run: &Run, threshold: Option<Duration>) -> Vec<String> {
    let threshold = threshold.unwrap_or_else(|| default_threshold(run.unit));
    let trace = &run.record.trace;
    let mut lines: Vec<String> = (stalls(trace, threshold).iter())
        .map(|stall| format!("warning: {}", stall.describe(run.unit)))
        .collect();
    let dropped: Vec<&str> = (trace.events.iter())
        .filter(|event| event.kind == Kind::TaskDropped)
        .map(|event| trace.name(event.task, &event.lane))
        .collect();
    if !dropped.is_empty() {
        lines.push(format!(
            "warning: dropped while pending (asyncio: \"Task was destroyed but it is pending!\"): {}",
            dropped.join(", ")
        ));
    }
    if let Some(late) = lateness(trace) {
        let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
        lines.push(format!(
            "timers: {} sleeps woke late by p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            late.sleeps,
            ms(late.p50),
            ms(late.p99),
            ms(late.max)
        ));
    }
    lines
}
