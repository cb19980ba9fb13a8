//! Output through semihosting: QEMU prints it on the host's stdout.
//!
//! Timeline lines are the host run's at a unit shorter than a second
//! (`src/log.rs` of the harness): elapsed time with milliseconds, the
//! thread, the message, as in `0.100s:MainThread:Printing ONE`.

use core::fmt;
use core::time::Duration;
use cortex_m_semihosting::hprintln;

/// A line of the timeline, `at` after the scenario's start. The board has
/// one thread, the article's `MainThread`.
pub(crate) fn line(at: Duration, message: fmt::Arguments<'_>) {
    hprintln!(
        "{}.{:03}s:MainThread:{}",
        at.as_secs(),
        at.subsec_millis(),
        message
    );
}

/// A line outside any timeline: a heading, a figure.
pub(crate) fn heading(text: fmt::Arguments<'_>) {
    hprintln!("{}", text);
}
