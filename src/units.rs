//! Durations typed by a person: the unit (`--unit`, and the examples'
//! `CONCUR_UNIT`), the stall threshold and the timeout, each checked
//! against its range with a message that says what is accepted.
//!
//! Low in the harness, beside the clock, because both the command line and
//! the examples' log lines read a unit, and one parser serves both.

use std::time::Duration;

/// The shortest unit accepted: below a millisecond, timer resolution and
/// scheduling noise swamp the timeline.
pub const MIN_UNIT: Duration = Duration::from_millis(1);

/// The longest unit accepted: at 10 s, scenario 6 alone takes 80 s.
pub const MAX_UNIT: Duration = Duration::from_secs(10);

/// Parses the unit of the hidden `deadlock-child`, in whole milliseconds:
/// the range of [`parse_unit`], as the parent passes it.
///
/// # Errors
///
/// Not a number, or out of range.
///
/// # Examples
///
/// ```
/// use concur::units::parse_unit_ms;
/// assert_eq!(parse_unit_ms("250"), Ok(250));
/// assert!(parse_unit_ms("0").unwrap_err().contains("from 1 to 10000"));
/// ```
pub fn parse_unit_ms(text: &str) -> Result<u64, String> {
    let (min, max) = (MIN_UNIT.as_millis(), MAX_UNIT.as_millis());
    let accepted = format!("use a whole number of milliseconds from {min} to {max}");
    match text.parse::<u64>() {
        Ok(ms) if (min..=max).contains(&u128::from(ms)) => Ok(ms),
        Ok(ms) => Err(format!("a unit of {ms} ms is out of range; {accepted}")),
        Err(_) => Err(format!("'{text}' is not a whole number; {accepted}")),
    }
}

/// Parses a unit such as `100ms` or `1s` (humantime syntax): a whole number
/// of milliseconds from [`MIN_UNIT`] to [`MAX_UNIT`].
///
/// # Errors
///
/// Anything else, with a message saying what is accepted.
///
/// # Examples
///
/// ```
/// use concur::units::parse_unit;
/// use std::time::Duration;
/// assert_eq!(parse_unit("250ms"), Ok(Duration::from_millis(250)));
/// assert!(parse_unit("0s").is_err());
/// assert!(parse_unit("1h").is_err());
/// assert!(parse_unit("fast").is_err());
/// ```
pub fn parse_unit(text: &str) -> Result<Duration, String> {
    parse_whole_millis("unit", text)
}

/// Parses a `--stall-threshold` such as `50ms`: the same range as a unit,
/// with a message that names the flag's own value.
///
/// # Errors
///
/// Anything else, with a message saying what is accepted.
///
/// # Examples
///
/// ```
/// use concur::units::parse_stall_threshold;
/// use std::time::Duration;
/// assert_eq!(parse_stall_threshold("50ms"), Ok(Duration::from_millis(50)));
/// assert!(parse_stall_threshold("0ms").unwrap_err().starts_with("stall threshold"));
/// ```
pub fn parse_stall_threshold(text: &str) -> Result<Duration, String> {
    parse_whole_millis("stall threshold", text)
}

/// A whole number of milliseconds from [`MIN_UNIT`] to [`MAX_UNIT`]; `what`
/// names the value in the error.
fn parse_whole_millis(what: &str, text: &str) -> Result<Duration, String> {
    let accepted = "a whole number of milliseconds from 1ms to 10s, like 50ms or 1s";
    let value = humantime::parse_duration(text)
        .map_err(|error| format!("'{text}' is not a duration ({error}); use {accepted}"))?;
    if value < MIN_UNIT || value > MAX_UNIT || value.subsec_nanos() % 1_000_000 != 0 {
        return Err(format!("{what} {text} is out of range; use {accepted}"));
    }
    Ok(value)
}

/// The longest `--timeout` accepted: longer is no guard at all.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Parses a `--timeout` such as `90s` or `5m` (humantime syntax): from 1 ms
/// to [`MAX_TIMEOUT`].
///
/// # Errors
///
/// Anything else, with a message saying what is accepted.
///
/// # Examples
///
/// ```
/// use concur::units::parse_timeout;
/// use std::time::Duration;
/// assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
/// assert!(parse_timeout("0s").is_err());
/// assert!(parse_timeout("2h").is_err());
/// ```
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let accepted = "a duration from 1ms to 1h, like 90s or 5m";
    let timeout = humantime::parse_duration(text)
        .map_err(|error| format!("'{text}' is not a duration ({error}); use {accepted}"))?;
    if timeout < MIN_UNIT || timeout > MAX_TIMEOUT {
        return Err(format!("timeout {text} is out of range; use {accepted}"));
    }
    Ok(timeout)
}
