//! The article's programs (`python/article/*.py`), compiled into the binary,
//! and the command that runs one of them.
//!
//! As the benchmarks do with their scripts (`src/bench/python.rs`), the
//! files are handed to `python3 -c` as text, so `concur` runs from any
//! directory, not only from a checkout; the files in the repository are the
//! same text, for reading and for running by hand. A small bootstrap makes
//! each file a module of its own name, in an order where each imports only
//! those before it, then runs `main.py` as `__main__`.

use super::interpreter::Interpreter;
use std::process::Command;

/// The modules, in import order; `main` last.
const MODULES: [(&str, &str); 9] = [
    ("record", include_str!("../../../python/article/record.py")),
    (
        "traced_loop",
        include_str!("../../../python/article/traced_loop.py"),
    ),
    (
        "backends",
        include_str!("../../../python/article/backends.py"),
    ),
    (
        "waiting",
        include_str!("../../../python/article/waiting.py"),
    ),
    (
        "async_waiting",
        include_str!("../../../python/article/async_waiting.py"),
    ),
    ("races", include_str!("../../../python/article/races.py")),
    (
        "deadlock",
        include_str!("../../../python/article/deadlock.py"),
    ),
    (
        "sorting",
        include_str!("../../../python/article/sorting.py"),
    ),
    ("main", include_str!("../../../python/article/main.py")),
];

/// Run by `python3 -c` with (name, text) pairs, `--`, then `main.py`'s own
/// arguments. The file names in tracebacks are the repository's.
const BOOTSTRAP: &str = "\
import sys, types
end = sys.argv.index('--')
sources = sys.argv[1:end]
del sys.argv[1:end + 1]
for name, source in zip(sources[0::2], sources[1::2]):
    path = 'python/article/' + name + '.py'
    if name == 'main':
        exec(compile(source, path, 'exec'), {'__name__': '__main__'})
    else:
        module = types.ModuleType(name)
        module.__file__ = path
        sys.modules[name] = module
        exec(compile(source, path, 'exec'), module.__dict__)
";

/// The command that runs `main.py` with `arguments`.
pub(super) fn command(interpreter: &Interpreter, arguments: &[String]) -> Command {
    let mut command = interpreter.command();
    command.args(["-c", BOOTSTRAP]);
    for (name, source) in MODULES {
        command.args([name, source]);
    }
    command.arg("--").args(arguments);
    command
}
