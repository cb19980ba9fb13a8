//! Finding a test's own processes in `/proc`: `concur` and every process it
//! starts carry an environment variable with a value unique to the test,
//! which children inherit. Other engineers' tests on the same machine start
//! `deadlock-child`s and `bench-child`s too; the tag tells ours apart.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The variable that marks a test's processes.
const TAG_VARIABLE: &str = "CONCUR_TEST_TAG";

/// One process carrying a tag.
#[derive(Debug, Clone)]
pub(crate) struct Process {
    /// Its process id.
    pub(crate) pid: u32,
    /// Its state letter from `/proc/<pid>/stat`: `R`, `S`, `Z` (zombie)...
    pub(crate) state: char,
    /// Its arguments, the program first.
    pub(crate) args: Vec<String>,
}

impl Process {
    /// Whether it is `concur <command>` (a `deadlock-child`, `sort-worker`...).
    pub(crate) fn runs(&self, command: &str) -> bool {
        self.args.get(1).is_some_and(|arg| arg == command)
    }
}

/// A tag for one test's processes, and every pid seen carrying it: a
/// zombie's environment can no longer be read, so a process reaped by
/// no one is found by the pid it had.
pub(crate) struct Tag(String, RefCell<BTreeSet<u32>>);

impl Tag {
    /// A tag no other test (here or in another checkout) uses.
    pub(crate) fn new(test: &str) -> Tag {
        Tag(format!("{test}-{}", std::process::id()), RefCell::default())
    }

    /// `concur` with `args`, tagged.
    pub(crate) fn concur(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_concur"));
        command.args(args).env(TAG_VARIABLE, &self.0);
        command.env("RUST_BACKTRACE", "0");
        command
    }

    /// The tagged processes alive now, and the zombies among those seen.
    pub(crate) fn processes(&self) -> Vec<Process> {
        let mut found = self.tagged();
        self.1
            .borrow_mut()
            .extend(found.iter().map(|process| process.pid));
        let seen = self.1.borrow().clone();
        let zombies = seen.into_iter().filter_map(read_process);
        let zombies = zombies.filter(|process| process.state == 'Z');
        let zombies: Vec<Process> = zombies.collect();
        for zombie in zombies {
            if found.iter().all(|process| process.pid != zombie.pid) {
                found.push(zombie);
            }
        }
        found
    }

    /// The processes whose environment carries the tag.
    fn tagged(&self) -> Vec<Process> {
        let wanted = format!("{TAG_VARIABLE}={}", self.0);
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let pids = entries.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok());
        pids.filter_map(|pid: u32| {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            let tagged = environ
                .split(|&byte| byte == 0)
                .any(|v| v == wanted.as_bytes());
            tagged.then(|| read_process(pid))?
        })
        .collect()
    }

    /// Waits up to `within` for a tagged process that `wanted` accepts.
    pub(crate) fn wait_for(&self, within: Duration, wanted: impl Fn(&Process) -> bool) -> Process {
        let start = Instant::now();
        loop {
            if let Some(found) = self.processes().into_iter().find(&wanted) {
                return found;
            }
            let seen = self.processes();
            assert!(
                start.elapsed() < within,
                "not found in {within:?}; seen {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Asserts that no tagged process is left, running or zombie, allowing
    /// `grace` for one that was just killed to go.
    pub(crate) fn assert_none_left(&self, grace: Duration) {
        let start = Instant::now();
        loop {
            let left = self.processes();
            if left.is_empty() {
                return;
            }
            if start.elapsed() > grace {
                self.kill_all();
                panic!("processes left behind: {left:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Asserts that no tagged process is left running, allowing `grace`;
    /// a zombie is ignored: reaping an orphan is init's job, and not every
    /// container's init does it.
    pub(crate) fn assert_none_running(&self, grace: Duration) {
        let start = Instant::now();
        loop {
            let running = self.processes().into_iter();
            let running: Vec<Process> = running.filter(|p| p.state != 'Z').collect();
            if running.is_empty() {
                return;
            }
            if start.elapsed() > grace {
                self.kill_all();
                panic!("processes left running: {running:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills every tagged process, so that a failed test leaves no orphan
    /// on the machine.
    pub(crate) fn kill_all(&self) {
        for process in self.processes() {
            signal(process.pid, "KILL");
        }
    }
}

/// Sends `signal` (`INT`, `TERM`, `KILL`) to `pid`.
pub(crate) fn signal(pid: u32, signal: &str) {
    send(&pid.to_string(), signal);
}

/// Sends `signal` to every process in the group led by `leader`, as a
/// terminal's Ctrl-C does to its foreground job.
pub(crate) fn signal_group(leader: u32, signal: &str) {
    send(&format!("-{leader}"), signal);
}

/// `kill -SIGNAL -- TARGET`.
fn send(target: &str, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {target}");
}

/// The state and arguments of `pid`, if it still exists.
fn read_process(pid: u32) -> Option<Process> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses.
    let state = stat.rsplit_once(") ")?.1.chars().next()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args = cmdline
        .split(|&byte| byte == 0)
        .filter(|arg| !arg.is_empty());
    let args = args
        .map(|arg| String::from_utf8_lossy(arg).into_owned())
        .collect();
    Some(Process { pid, state, args })
}

/// A `concur` started by a test, its output collected as it comes, so
/// that the test can watch its progress and a child left holding its
/// pipes cannot hang the test.
pub(crate) struct Running {
    /// The process.
    child: Child,
    /// Its stdout so far.
    stdout: Arc<Mutex<String>>,
    /// Its stderr so far.
    stderr: Arc<Mutex<String>>,
}

/// How a [`Running`] ended: its exit code (`None` if a signal ended it)
/// and what it printed.
#[derive(Debug)]
pub(crate) struct Ended {
    /// The exit code.
    pub(crate) code: Option<i32>,
    /// The signal that ended it, if one did.
    pub(crate) signal: Option<i32>,
    /// Everything on stdout.
    pub(crate) stdout: String,
    /// Everything on stderr.
    pub(crate) stderr: String,
}

impl Running {
    /// Starts `command` with its stdout and stderr collected.
    pub(crate) fn start(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("concur starts");
        let stdout = collect(child.stdout.take().expect("piped"));
        let stderr = collect(child.stderr.take().expect("piped"));
        Running {
            child,
            stdout,
            stderr,
        }
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `within` for it to end (killing it and every tagged
    /// process, and failing, if it does not), then up to a second more for
    /// its pipes to close: a child still holding them is reported by
    /// [`Tag::assert_none_left`], not by a hung test.
    pub(crate) fn finish(mut self, tag: &Tag, within: Duration) -> Ended {
        use std::os::unix::process::ExitStatusExt as _;
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                break status;
            }
            if start.elapsed() > within {
                let _ = self.child.kill();
                let _ = self.child.wait();
                tag.kill_all();
                panic!("concur did not end in {within:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let closed = Instant::now();
        while Arc::strong_count(&self.stderr) + Arc::strong_count(&self.stdout) > 2
            && closed.elapsed() < Duration::from_secs(1)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let text = |text: &Arc<Mutex<String>>| text.lock().unwrap().clone();
        Ended {
            code: status.code(),
            signal: status.signal(),
            stdout: text(&self.stdout),
            stderr: text(&self.stderr),
        }
    }
}

/// Reads `pipe` on a thread of its own into a string, until it closes;
/// the thread drops its handle on the string then.
fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(count @ 1..) = pipe.read(&mut buffer) {
            let more = String::from_utf8_lossy(&buffer[..count]);
            sink.lock().unwrap().push_str(&more);
        }
    });
    text
}
