//! The Python backends: `py-asyncio` and `py-threads`, run by the scripts
//! in `bench/python/` when `python3` is on the path.
//!
//! The scripts are compiled into the binary (`include_str!`) and handed to
//! `python3 -c`, so `concur bench` works from any directory, not only from
//! a checkout; the files in the repository are the same text, for reading
//! and for running by hand. What the two share (the seed, RSS and
//! percentiles) is `measure.py`, which a small bootstrap loads as the
//! module `measure` before it runs the script.

use super::plan::Suite;
use anyhow::{bail, Result};
use std::process::{Command, Stdio};

/// The asyncio script.
const ASYNCIO: &str = include_str!("../../bench/python/asyncio_bench.py");

/// The threading script.
const THREADING: &str = include_str!("../../bench/python/threading_bench.py");

/// The helpers both scripts import as `measure`.
const MEASURE: &str = include_str!("../../bench/python/measure.py");

/// Run by `python3 -c` with `measure.py`'s text and a script's text as its
/// first two arguments: makes the first the module `measure`, then runs the
/// second as `__main__` with the remaining arguments.
const BOOTSTRAP: &str = "\
import sys, types
measure_source, script_source = sys.argv[1], sys.argv[2]
del sys.argv[1:3]
measure = types.ModuleType('measure')
exec(compile(measure_source, 'measure.py', 'exec'), measure.__dict__)
sys.modules['measure'] = measure
exec(compile(script_source, 'bench.py', 'exec'), {'__name__': '__main__'})
";

/// Whether `python3` can be started here.
pub(crate) fn available() -> bool {
    Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether `backend` is one of the Python ones.
pub(crate) fn is_python(backend: &str) -> bool {
    backend.starts_with("py-")
}

/// The command that measures `suite` on the Python `backend` at size `n`.
///
/// # Errors
/// A backend that is not a Python one.
pub(crate) fn command(suite: Suite, backend: &str, n: usize) -> Result<Command> {
    let script = match backend {
        "py-asyncio" => ASYNCIO,
        "py-threads" => THREADING,
        _ => bail!("no Python backend `{backend}`"),
    };
    let mut command = Command::new("python3");
    // With `-c`, the words after the code are its sys.argv[1:].
    command.args([
        "-c",
        BOOTSTRAP,
        MEASURE,
        script,
        suite.name(),
        &n.to_string(),
    ]);
    Ok(command)
}
