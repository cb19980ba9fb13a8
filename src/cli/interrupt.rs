//! Ctrl-C, SIGTERM and SIGHUP: what stops concur from outside.
//!
//! Part of `cli.rs`. One listener thread hears them. The first signal sets
//! the flag a command watches and kills every child process at once
//! ([`children::shut_down`]); the command (`compare`, `run`, `bench`)
//! stops, prints and writes what finished, and exits with 128 + the
//! signal's number, as a shell reports a job ended by that signal. A
//! command with nothing to keep (`timeline`) exits at once instead. A second signal always exits at once:
//! the user who presses Ctrl-C twice means it.

use crate::children;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

/// What the first signal does once the children are killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnSignal {
    /// Set the flag: the command stops and keeps what finished.
    Stop,
    /// Exit at once: the command has nothing to keep.
    Exit,
}

/// The flag the first signal sets, and which signal it was.
#[derive(Debug, Clone, Default)]
pub(super) struct Interrupt {
    /// Set by a signal: stop, starting nothing more.
    stopped: Arc<AtomicBool>,
    /// The signal's number; 0 while none came.
    signal: Arc<AtomicI32>,
}

impl Interrupt {
    /// Starts listening. If the listener cannot be set up, the signals keep
    /// their default (ending the process) and the flag is never set.
    pub(super) fn watch(on_signal: OnSignal) -> Interrupt {
        use async_signal::{Signal, Signals};
        let interrupt = Interrupt::default();
        let Ok(mut signals) = Signals::new([Signal::Int, Signal::Term, Signal::Hup]) else {
            return interrupt;
        };
        let heard = interrupt.clone();
        let listener = move || {
            use futures_lite::StreamExt as _;
            while let Some(Ok(signal)) = futures_lite::future::block_on(signals.next()) {
                heard.heard(signal as i32, on_signal);
            }
        };
        // Without the listener thread the flag is never set; runs go on.
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(listener);
        interrupt
    }

    /// What the listener does with the signal numbered `number`.
    fn heard(&self, number: i32, on_signal: OnSignal) {
        let first = self
            .signal
            .compare_exchange(0, number, Ordering::SeqCst, Ordering::SeqCst);
        // The flag before the killing: a run whose children die under it
        // must find the flag set, or it would report their death as its
        // own failure. `main` may then return before this thread is done;
        // it shuts the children down itself.
        self.stopped.store(true, Ordering::SeqCst);
        children::shut_down();
        if first.is_err() || on_signal == OnSignal::Exit {
            std::process::exit(exit_code(number).into());
        }
    }

    /// The flag: set once a signal came.
    pub(super) fn stopped(&self) -> &Arc<AtomicBool> {
        &self.stopped
    }

    /// Whether a signal stopped the command.
    pub(super) fn is_set(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// The error that makes `main` exit with 128 + the signal, saying that
    /// `shown` (the runs that finished); `None` if no signal came.
    pub(super) fn error(&self, shown: &'static str) -> Option<Interrupted> {
        let signal = self.signal.load(Ordering::SeqCst);
        (signal != 0).then_some(Interrupted { signal, shown })
    }
}

/// The exit code after the signal numbered `number`: 128 + it.
fn exit_code(number: i32) -> u8 {
    u8::try_from(128 + number).unwrap_or(u8::MAX)
}

/// A signal stopped a command; `main` exits with 128 + its number (130
/// after Ctrl-C), as shells expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted {
    /// The signal's number.
    signal: i32,
    /// What is shown of the work, such as "the table shows the runs that
    /// finished".
    shown: &'static str,
}

impl Interrupted {
    /// A stop by Ctrl-C, for tests of what comes after one.
    #[cfg(test)]
    pub(crate) fn ctrl_c(shown: &'static str) -> Self {
        Interrupted {
            signal: async_signal::Signal::Int as i32,
            shown,
        }
    }

    /// The exit code: 128 + the signal's number.
    pub fn exit_code(&self) -> u8 {
        exit_code(self.signal)
    }
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use async_signal::Signal;
        let name = match self.signal {
            number if number == Signal::Int as i32 => "Ctrl-C".to_string(),
            number if number == Signal::Term as i32 => "SIGTERM".to_string(),
            number if number == Signal::Hup as i32 => "SIGHUP".to_string(),
            other => format!("signal {other}"),
        };
        write!(f, "interrupted ({name}); {}", self.shown)
    }
}

impl std::error::Error for Interrupted {}

#[cfg(test)]
mod tests {
    use super::Interrupted;

    /// 128 + the signal, and its name in the message.
    #[test]
    fn exit_codes_and_names() {
        let shown = "the table shows the runs that finished";
        let ctrl_c = Interrupted {
            signal: async_signal::Signal::Int as i32,
            shown,
        };
        assert_eq!(ctrl_c.exit_code(), 130);
        assert_eq!(ctrl_c.to_string(), format!("interrupted (Ctrl-C); {shown}"));
        let term = Interrupted {
            signal: async_signal::Signal::Term as i32,
            shown,
        };
        assert_eq!(
            (term.exit_code(), term.to_string().contains("SIGTERM")),
            (143, true)
        );
    }
}
