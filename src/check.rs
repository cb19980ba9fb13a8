//! Does a run tell the article's story? Its timeline, total and value
//! against the expected ones, within a tolerance.
//!
//! Each scenario states its [`Expected`] timeline in units; [`check`] finds
//! each expected line in the [`Record`] (the k-th expected `Printing TWO`
//! against the k-th logged one) and accepts it when it came within
//! [`tolerance`] of its expected time. Lines at the same expected time may
//! come in any order, as they do across threads.
//!
//! A busy machine makes lines late, never early: a sleep does not end
//! before its time. So a line may also be as late as the [`noise`] measured
//! during the run explains ([`allowance`]); and when the noise explains a
//! line a whole unit late, which could as well be a line of the wrong
//! time, the run is [`Judgement::TooNoisy`], neither match nor mismatch. A
//! missing line, an early one, a line later than the noise explains or a
//! wrong value is a mismatch however noisy the machine.

pub mod noise;

use crate::recorder::Record;
pub use noise::Noise;
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

/// What the check concluded about a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// The run tells the article's story, within the tolerance.
    Matches,
    /// It does not: a line is missing, early or too late, or the value is wrong.
    DoesNotMatch,
    /// Its lines came later than the tolerance allows, but the machine was
    /// so noisy that lines a unit apart could not be told apart: neither a
    /// match nor a mismatch. A longer unit, or a quieter machine, can judge.
    TooNoisy,
}

/// Whether a run matches, and the words that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The conclusion.
    pub judgement: Judgement,
    /// Why not, for a mismatch or a run too noisy to judge; for a match,
    /// the noise it was allowed, if it needed any.
    pub reason: Option<String>,
}

impl Verdict {
    /// A matching run.
    pub fn pass() -> Self {
        Self {
            judgement: Judgement::Matches,
            reason: None,
        }
    }

    /// A run that matches only once the measured noise is allowed for, as
    /// `reason` says.
    pub fn pass_within(reason: impl Into<String>) -> Self {
        Self {
            judgement: Judgement::Matches,
            reason: Some(reason.into()),
        }
    }

    /// A run that does not match, because of `reason`.
    pub fn fail(reason: impl Into<String>) -> Self {
        Self {
            judgement: Judgement::DoesNotMatch,
            reason: Some(reason.into()),
        }
    }

    /// A run that could not be judged, because of `reason`.
    pub fn too_noisy(reason: impl Into<String>) -> Self {
        Self {
            judgement: Judgement::TooNoisy,
            reason: Some(reason.into()),
        }
    }

    /// Whether the run matches.
    pub fn matches(&self) -> bool {
        self.judgement == Judgement::Matches
    }

    /// Whether the harness believes the run does not match: what the exit
    /// code reports.
    pub fn is_mismatch(&self) -> bool {
        self.judgement == Judgement::DoesNotMatch
    }

    /// The table's word for it: `yes`, `NO` or `too noisy`.
    pub fn word(&self) -> &'static str {
        match self.judgement {
            Judgement::Matches => "yes",
            Judgement::DoesNotMatch => "NO",
            Judgement::TooNoisy => "too noisy",
        }
    }
}

impl Expected {
    /// Whether anything is expected after time zero: a timeline that can
    /// come late.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::check::{events, Expected};
    /// let sort = Expected { events: events(&[(0.0, "Starting Sorting")]), ..Expected::default() };
    /// assert!(!sort.is_timed());
    /// ```
    pub fn is_timed(&self) -> bool {
        self.total.is_some() || self.events.iter().any(|&(at, _)| at > 0.0)
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

/// How far from its expected time a line may come, in units, whatever
/// the noise: a fifth of a unit plus 5 ms, for timer rounding and thread
/// wake-ups on a quiet machine.
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

/// How many late wakes one line may have waited for, one after another: a
/// sleep ends, then a think time, then the other thread's read, and only
/// then the line.
pub const WAKES_PER_LINE: u32 = 3;

/// From this lateness on, in units, a late line could be taken for one a
/// unit later (the article's lines are a unit apart): even when the noise
/// explains it, it says nothing about the story.
pub const JUDGEABLE: f64 = 1.0;

/// How late a line may come, in units, on a machine as noisy as `noise`:
/// the [`tolerance`], plus [`WAKES_PER_LINE`] times the latest wake seen.
///
/// # Examples
///
/// ```
/// use concur::check::{allowance, Noise};
/// use std::time::Duration;
/// let unit = Duration::from_millis(50);
/// let noise = Noise::late_by(Duration::from_millis(5));
/// assert!((allowance(unit, &noise) - 0.6).abs() < 1e-9); // 0.3 + 3 × 5 ms, of 50 ms
/// ```
pub fn allowance(unit: Duration, noise: &Noise) -> f64 {
    tolerance(unit) + f64::from(WAKES_PER_LINE) * in_units(noise.late_max, unit)
}

/// `duration` in units.
pub fn in_units(duration: Duration, unit: Duration) -> f64 {
    duration.as_secs_f64() / unit.as_secs_f64()
}

/// Checks a run's record and value against `expected`, allowing for the
/// `noise` measured while it ran.
///
/// # Examples
///
/// ```
/// use concur::check::{check, Expected, Noise};
/// use concur::clock::SystemClock;
/// use concur::recorder::Recorder;
/// use std::{sync::Arc, time::Duration};
///
/// let rec = Recorder::new(Arc::new(SystemClock::new()), None);
/// rec.log("Main started");
/// let events = concur::check::events(&[(0.0, "Main started")]);
/// let expected = Expected { events, total: Some(0.0), value: None };
/// let unit = Duration::from_secs(1);
/// assert!(check(&expected, &rec.record(), None, unit, &Noise::none()).matches());
/// ```
pub fn check(
    expected: &Expected,
    record: &Record,
    value: Option<i64>,
    unit: Duration,
    noise: &Noise,
) -> Verdict {
    let measured = match pair_lines(expected, record, unit) {
        Ok(measured) => measured,
        Err(missing) => return Verdict::fail(missing),
    };
    if expected.value.is_some() && value != expected.value {
        let show = |value: Option<i64>| value.map_or("none".to_string(), |v| v.to_string());
        let (got, want) = (show(value), show(expected.value));
        return Verdict::fail(format!("final value {got}, expected {want}"));
    }
    judge_times(&measured, unit, noise)
}

/// One timed fact of a run: what, when measured and when expected, in units.
struct Timed {
    /// The line (`'Printing TWO'`) or `total`.
    what: String,
    /// When it came.
    measured: f64,
    /// When the article says.
    expected: f64,
}

impl Timed {
    /// How late it came, in units; negative when early.
    fn late(&self) -> f64 {
        self.measured - self.expected
    }

    /// In words: `'Printing TWO' at 2.61, expected 2.00`.
    fn describe(&self) -> String {
        let (what, measured, expected) = (&self.what, self.measured, self.expected);
        format!("{what} at {measured:.2}, expected {expected:.2}")
    }
}

/// Each expected line's measured time (the k-th expected `Printing TWO`
/// against the k-th logged one), then the total's.
///
/// # Errors
///
/// The first expected line that was not logged, in words.
fn pair_lines(expected: &Expected, record: &Record, unit: Duration) -> Result<Vec<Timed>, String> {
    let mut logged: HashMap<&str, Vec<f64>> = HashMap::new();
    for line in &record.lines {
        let at = in_units(line.at, unit);
        logged.entry(line.message.as_str()).or_default().push(at);
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut measured = Vec::new();
    for (at, message) in &expected.events {
        let occurrence = seen.entry(message.as_str()).or_default();
        let times = logged.get(message.as_str()).map(Vec::as_slice);
        let Some(&time) = times.unwrap_or_default().get(*occurrence) else {
            return Err(format!("no '{message}' line (#{})", *occurrence + 1));
        };
        *occurrence += 1;
        let what = format!("'{message}'");
        measured.push(Timed {
            what,
            measured: time,
            expected: *at,
        });
    }
    if let Some(total) = expected.total {
        measured.push(Timed {
            what: "total".to_string(),
            measured: in_units(record.total, unit),
            expected: total,
        });
    }
    Ok(measured)
}

/// The verdict on the times alone: early past the tolerance is a mismatch;
/// late past it is a mismatch unless the noise explains it. A line the
/// noise explains matches if it is less than [`JUDGEABLE`] late; later
/// than that, it could as well be a line of the wrong time, so the run is
/// too noisy to judge.
fn judge_times(measured: &[Timed], unit: Duration, noise: &Noise) -> Verdict {
    let tolerance = tolerance(unit);
    if let Some(early) = measured.iter().find(|timed| timed.late() < -tolerance) {
        return Verdict::fail(early.describe());
    }
    // The first of the latest, so a late line is named before the total.
    let latest = measured.iter().reduce(|latest, timed| {
        if timed.late() > latest.late() {
            timed
        } else {
            latest
        }
    });
    let Some(latest) = latest.filter(|timed| timed.late() > tolerance) else {
        return Verdict::pass();
    };
    let (allowance, noise_words) = (allowance(unit, noise), noise_words(unit, noise));
    let (late, words) = (latest.late(), latest.describe());
    if late > allowance {
        return Verdict::fail(format!(
            "{words} (allowed {allowance:.2} late: {noise_words})"
        ));
    }
    if late >= JUDGEABLE {
        let judge = "too noisy to judge at this unit";
        return Verdict::too_noisy(format!("{judge}: {words}, and {noise_words}"));
    }
    Verdict::pass_within(format!(
        "up to {late:.2} late, within noise ({noise_words})"
    ))
}

/// The measured noise in words: `wakes up to 4.2 ms late`.
fn noise_words(unit: Duration, noise: &Noise) -> String {
    let ms = noise.late_max.as_secs_f64() * 1000.0;
    let units = in_units(noise.late_max, unit);
    format!("wakes up to {ms:.1} ms ({units:.2} units) late")
}

#[cfg(test)]
mod tests;
