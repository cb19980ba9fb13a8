//! The article's log line, `HH:MM:SS:Thread:message`, and its short-unit form.
//!
//! The article logs with Python's `%(asctime)s:%(threadName)s:%(message)s`
//! and `%H:%M:%S`. That reads well when things happen whole seconds apart.
//! With a 50 ms unit every line would show the same second, so for units that
//! are not whole seconds we print the elapsed time with milliseconds instead.
//! The [`recorder`](crate::recorder) uses this for live output; the examples
//! use [`info`], at the [`unit()`] the environment asks for.

use std::io::Write;
use std::sync::OnceLock;
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant, SystemTime};

/// How the time column of a log line is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Time of day, `HH:MM:SS` (UTC), as in the article: for whole-second units.
    /// Holds the wall-clock moment that elapsed time zero corresponds to.
    TimeOfDay(SystemTime),
    /// Seconds since the start with milliseconds, `2.000s`: for shorter units.
    Elapsed,
}

impl Style {
    /// The style that keeps a timeline readable at `unit`: time of day when
    /// the unit is a whole number of seconds, elapsed time otherwise.
    pub fn for_unit(unit: Duration, started: SystemTime) -> Self {
        if unit.subsec_nanos() == 0 && unit.as_secs() > 0 {
            Style::TimeOfDay(started)
        } else {
            Style::Elapsed
        }
    }

    /// Formats one line: `time:thread:message`.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::log::Style;
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let noon = Style::TimeOfDay(UNIX_EPOCH + Duration::from_secs(12 * 3600));
    /// let line = noon.format(Duration::from_secs(2), "MainThread", "Printing TWO");
    /// assert_eq!(line, "12:00:02:MainThread:Printing TWO");
    /// let short = Style::Elapsed.format(Duration::from_millis(100), "Thread-1", "TWO received");
    /// assert_eq!(short, "0.100s:Thread-1:TWO received");
    /// ```
    pub fn format(self, at: Duration, thread: &str, message: &str) -> String {
        match self {
            Style::TimeOfDay(started) => {
                format!("{}:{thread}:{message}", time_of_day(started + at))
            }
            Style::Elapsed => format!("{:.3}s:{thread}:{message}", at.as_secs_f64()),
        }
    }
}

/// `HH:MM:SS` of a wall-clock moment, in UTC (no time-zone database needed).
fn time_of_day(moment: SystemTime) -> String {
    // RFC 3339 is `YYYY-MM-DDTHH:MM:SSZ`; the time of day is bytes 11..19.
    let stamp = humantime::format_rfc3339_seconds(moment).to_string();
    stamp.get(11..19).unwrap_or("??:??:??").to_string()
}

/// The article's name for the current thread: `MainThread` for `main` (or for
/// the thread whose id is given as `main`), otherwise the thread's own name
/// (`Thread-1`, `ThreadPoolExecutor-0_0`, ...).
pub fn thread_name(main: Option<ThreadId>) -> String {
    let current = thread::current();
    if main == Some(current.id()) {
        return "MainThread".to_string();
    }
    match current.name() {
        Some("main") => "MainThread".to_string(),
        Some(name) => name.to_string(),
        // Python names unnamed threads too; we show the id rather than guess.
        None => format!("{:?}", current.id()),
    }
}

/// The examples' unit: `CONCUR_UNIT` from the environment (`100ms`, `1s`),
/// or the article's one second. A bad value is reported once and ignored.
///
/// # Examples
///
/// ```
/// assert!(concur::log::unit() >= std::time::Duration::from_millis(1));
/// ```
pub fn unit() -> Duration {
    /// Read once: every line of an example uses the same unit.
    static UNIT: OnceLock<Duration> = OnceLock::new();
    *UNIT.get_or_init(|| match std::env::var("CONCUR_UNIT") {
        Err(_) => Duration::from_secs(1),
        Ok(text) => crate::units::parse_unit(&text).unwrap_or_else(|problem| {
            let _ = writeln!(std::io::stderr(), "CONCUR_UNIT: {problem}; using 1s");
            Duration::from_secs(1)
        }),
    })
}

/// Prints one line like the article's, for the examples: `HH:MM:SS` at a
/// whole-second [`unit()`], elapsed time since the first line otherwise.
///
/// Write errors (a closed pipe) are ignored: a log line is not worth a panic.
///
/// # Examples
///
/// ```
/// concur::log::info("Main started");
/// ```
pub fn info(message: impl AsRef<str>) {
    /// The first line's moment, as a monotonic and a wall-clock reading.
    static START: OnceLock<(Instant, SystemTime)> = OnceLock::new();
    let (start, started) = *START.get_or_init(|| (Instant::now(), SystemTime::now()));
    let style = Style::for_unit(unit(), started);
    let line = style.format(start.elapsed(), &thread_name(None), message.as_ref());
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
