//! Does a run tell the article's story? Its timeline, total and value
//! against the expected ones, within a tolerance.
//!
//! Each scenario states its [`Expected`] timeline in units; [`check`] finds
//! each expected line in the [`Record`] (the k-th expected `Printing TWO`
//! against the k-th logged one) and accepts it when it came within
//! [`tolerance`] of its expected time. Lines at the same expected time may
//! come in any order, as they do across threads.

use crate::recorder::Record;
use std::collections::HashMap;
use std::time::Duration;

/// What the article says a scenario does, in units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expected {
    /// Expected log lines: (time in units, message), in order.
    pub events: Vec<(f64, String)>,
    /// The total in units (the time of the last line), if the article has one.
    pub total: Option<f64>,
    /// The result value (the race's final value), if the scenario has one.
    pub value: Option<i64>,
}

/// Whether a run matches, and if not, the first reason why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The run matches the article.
    pub matches: bool,
    /// Why not, in a few words, when it does not.
    pub reason: Option<String>,
}

impl Verdict {
    /// A matching run.
    pub fn pass() -> Self {
        Self {
            matches: true,
            reason: None,
        }
    }

    /// A run that does not match, because of `reason`.
    pub fn fail(reason: impl Into<String>) -> Self {
        Self {
            matches: false,
            reason: Some(reason.into()),
        }
    }
}

/// Expected events from a list of (time in units, message).
///
/// # Examples
///
/// ```
/// let events = concur::check::events(&[(0.0, "Main started"), (5.0, "Main Ended")]);
/// assert_eq!(events[1], (5.0, "Main Ended".to_string()));
/// ```
pub fn events(list: &[(f64, &str)]) -> Vec<(f64, String)> {
    list.iter()
        .map(|&(at, message)| (at, message.to_string()))
        .collect()
}

/// How far from its expected time a line may come, in units: a fifth of a
/// unit plus 5 ms, for thread wake-ups and scheduling on a busy machine.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let tolerance = concur::check::tolerance(Duration::from_millis(50));
/// assert!((tolerance - 0.3).abs() < 1e-9); // 10 ms + 5 ms, of 50 ms
/// ```
pub fn tolerance(unit: Duration) -> f64 {
    0.2 + 0.005 / unit.as_secs_f64()
}

/// `duration` in units.
pub fn in_units(duration: Duration, unit: Duration) -> f64 {
    duration.as_secs_f64() / unit.as_secs_f64()
}

/// Checks a run's record and value against `expected`.
///
/// # Examples
///
/// ```
/// use concur::check::{check, Expected};
/// use concur::clock::SystemClock;
/// use concur::recorder::Recorder;
/// use std::{sync::Arc, time::Duration};
///
/// let rec = Recorder::new(Arc::new(SystemClock::new()), None);
/// rec.log("Main started");
/// let events = concur::check::events(&[(0.0, "Main started")]);
/// let expected = Expected { events, total: Some(0.0), value: None };
/// assert!(check(&expected, &rec.record(), None, Duration::from_secs(1)).matches);
/// ```
pub fn check(expected: &Expected, record: &Record, value: Option<i64>, unit: Duration) -> Verdict {
    let tolerance = tolerance(unit);
    let mut logged: HashMap<&str, Vec<f64>> = HashMap::new();
    for line in &record.lines {
        let at = in_units(line.at, unit);
        logged.entry(line.message.as_str()).or_default().push(at);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (at, message) in &expected.events {
        let (at, message) = (*at, message.as_str());
        let occurrence = seen.entry(message).or_default();
        let times = logged.get(message).map(Vec::as_slice).unwrap_or_default();
        let Some(&measured) = times.get(*occurrence) else {
            return Verdict::fail(format!("no '{message}' line (#{})", *occurrence + 1));
        };
        *occurrence += 1;
        if (measured - at).abs() > tolerance {
            return Verdict::fail(format!("'{message}' at {measured:.2}, expected {at:.2}"));
        }
    }
    if let Some(total) = expected.total {
        let measured = in_units(record.total, unit);
        if (measured - total).abs() > tolerance {
            return Verdict::fail(format!("total {measured:.2} units, expected {total:.2}"));
        }
    }
    if expected.value.is_some() && value != expected.value {
        let show = |value: Option<i64>| value.map_or("none".to_string(), |v| v.to_string());
        let (got, want) = (show(value), show(expected.value));
        return Verdict::fail(format!("final value {got}, expected {want}"));
    }
    Verdict::pass()
}
