//! Which Python runs the programs: `CONCUR_PYTHON` if set, else `python3`
//! on the path; and whether it is there and new enough (3.9, for
//! `asyncio.to_thread`). When it is not, the Python rows are skipped with
//! the reason, never failed: Python is a guest here.

use std::ffi::OsString;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The environment variable naming the interpreter.
pub(super) const VAR: &str = "CONCUR_PYTHON";

/// The oldest Python the programs run on.
const OLDEST: (u32, u32) = (3, 9);

/// A Python interpreter, and what was found out about it.
///
/// - `checked` is empty until [`Interpreter::check`] first runs it, then
///   holds the answer, so the five backends sharing it ask once.
pub(super) struct Interpreter {
    /// The program to start.
    program: OsString,
    /// Whether it was named by [`VAR`] (for the messages).
    from_env: bool,
    /// `Ok`, or why it cannot run the programs.
    checked: OnceLock<Result<(), String>>,
}

impl Interpreter {
    /// The interpreter [`VAR`] names, else `python3`.
    pub(super) fn from_env() -> Self {
        let named = std::env::var_os(VAR).filter(|program| !program.is_empty());
        Self {
            from_env: named.is_some(),
            program: named.unwrap_or_else(|| "python3".into()),
            checked: OnceLock::new(),
        }
    }

    /// A command that starts it isolated from the user's environment (`-I`:
    /// no `PYTHON*` variables, no user site), without `site` (`-S`: the
    /// programs need the standard library only, and start faster), and
    /// speaking UTF-8 whatever the locale (`-X utf8`), as concur reads it.
    pub(super) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(["-I", "-S", "-X", "utf8"]);
        command
    }

    /// How the messages name it: `python3`, or `CONCUR_PYTHON=...`.
    pub(super) fn describe(&self) -> String {
        let program = self.program.to_string_lossy();
        if self.from_env {
            format!("{VAR}={program}")
        } else {
            program.into_owned()
        }
    }

    /// `Ok` if it starts and is at least Python 3.9.
    ///
    /// # Errors
    ///
    /// Why not, in a few words.
    pub(super) fn check(&self) -> Result<(), String> {
        self.checked.get_or_init(|| self.probe()).clone()
    }

    /// Asks it its version.
    fn probe(&self) -> Result<(), String> {
        let asked = self
            .command()
            .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        let output = asked.map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound if !self.from_env => {
                format!("python3 is not on the path (or set {VAR} to an interpreter)")
            }
            _ => format!("{} cannot be started: {}", self.describe(), reason(&error)),
        })?;
        let text = String::from_utf8_lossy(&output.stdout);
        let version = parse_version(text.trim()).filter(|_| output.status.success());
        match version {
            Some(version) if version >= OLDEST => Ok(()),
            Some((major, minor)) => Err(format!(
                "{} is Python {major}.{minor}; the programs need {}.{} or newer",
                self.describe(),
                OLDEST.0,
                OLDEST.1
            )),
            None => Err(format!(
                "{} did not say its version ({})",
                self.describe(),
                output.status
            )),
        }
    }
}

/// `3.11` as (3, 11).
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// An I/O error's words, without `(os error 2)`.
fn reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    /// Only `major.minor` in numbers is a version.
    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("3.11"), Some((3, 11)));
        assert_eq!(parse_version("3"), None);
        assert_eq!(parse_version("three.eleven"), None);
        assert!(parse_version("3.8").unwrap() < (3, 9));
    }
}
