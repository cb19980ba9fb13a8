//! Every child process concur starts, in one registry, so that none
//! outlives the run that started it, or concur itself.
//!
//! A3 on smol and tokio runs in a `deadlock-child` that never ends on its
//! own; the `processes` sort starts sort workers; `bench` one child per
//! measurement. Each is started by [`spawn`], in a process group of its
//! own: a terminal's Ctrl-C goes to the whole foreground group, and a
//! child that took it for itself would die as if it had failed (A3's row
//! read "no deadlock happened") while concur still decides what the
//! interruption means. So concur alone hears it, and kills its children.
//! Three paths do:
//!
//! - dropping the [`Spawned`] handle, on every error path of its owner;
//! - [`abandon`]: the guard gives up on a hung run, whose thread cannot be
//!   stopped; the run's children are killed, and it may start no more;
//! - [`shut_down`]: Ctrl-C or SIGTERM; every child is killed, and none may
//!   start after.
//!
//! Each kills the child's whole process group (a Python child's children
//! too) and reaps the child, so that no zombie is left either. The
//! registry holds the [`Child`] itself, and only it reaps, under its lock:
//! a process id is never signalled after it was reaped (and perhaps given
//! to another process). A handle waits for its child without the lock, on
//! a pidfd that turns readable when the child ends.
//!
//! This is global state, by necessity: a signal or a timeout must reach
//! children started deep inside a scenario.

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::process::{Pid, PidfdFlags, Signal};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Who starts a child: one guarded run (see [`Owner::new`]), or the
/// process itself (the default of every thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner(u64);

impl Owner {
    /// A new owner, for one run that may be [`abandon`]ed.
    pub fn new() -> Owner {
        /// 0 is the process itself.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Owner(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Makes the children this thread starts from now on this owner's.
    /// A thread-local, not a parameter: the children are started deep in a
    /// scenario (the sort's pool, A3's watchdog), through interfaces that
    /// know nothing of runs.
    pub fn adopt_this_thread(self) {
        OWNER.with(|owner| owner.set(self.0));
    }
}

impl Default for Owner {
    fn default() -> Self {
        Owner::new()
    }
}

thread_local! {
    /// The owner of the children this thread starts.
    static OWNER: Cell<u64> = const { Cell::new(0) };
}

/// A child in the registry.
struct Entry {
    /// Whose it is.
    owner: u64,
    /// The process.
    child: Child,
    /// How it ended, once reaped.
    status: Option<ExitStatus>,
}

/// The live children, and who may start more.
struct Registry {
    /// The key of the next child.
    next: u64,
    /// The children not yet released by their handles.
    entries: BTreeMap<u64, Entry>,
    /// Owners whose run was abandoned: they may start no child.
    abandoned: BTreeSet<u64>,
    /// Set by [`shut_down`]: nobody may start a child.
    closed: bool,
}

/// The one registry.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    entries: BTreeMap::new(),
    abandoned: BTreeSet::new(),
    closed: false,
});

/// The registry, locked. A panic while it was held cannot have left it
/// half-changed (every change is one insert, remove or assignment), so a
/// poisoned lock is taken as it is.
fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A child started by [`spawn`], with the pipes `command` asked for.
/// Dropping it kills and reaps the child if it still runs.
#[derive(Debug)]
pub struct Spawned {
    /// Its key in the registry.
    key: u64,
    /// Its process id.
    id: u32,
    /// Readable once it has ended; `None` on a kernel without pidfds
    /// (before Linux 5.3), where waiting looks again every few ms.
    pidfd: Option<OwnedFd>,
    /// Its stdin, if piped.
    pub stdin: Option<ChildStdin>,
    /// Its stdout, if piped.
    pub stdout: Option<ChildStdout>,
    /// Its stderr, if piped.
    pub stderr: Option<ChildStderr>,
}

/// How long waiting naps without a pidfd.
const NAP: Duration = Duration::from_millis(5);

/// Starts `command` in a process group of its own, as a child of this
/// thread's [`Owner`].
///
/// # Errors
///
/// If the command cannot be started, or concur is shutting down, or this
/// thread's run was abandoned: a child started then would outlive it.
pub fn spawn(command: &mut Command) -> io::Result<Spawned> {
    command.process_group(0);
    let owner = OWNER.with(Cell::get);
    // Under the lock, so that a shut-down or an abandonment either comes
    // first and refuses the child, or comes after and kills it.
    let mut registry = registry();
    if registry.closed || registry.abandoned.contains(&owner) {
        let why = "concur is stopping this run: no new child process";
        return Err(io::Error::other(why));
    }
    let mut child = command.spawn()?;
    let pidfd = rustix::process::pidfd_open(Pid::from_child(&child), PidfdFlags::empty()).ok();
    let key = registry.next;
    registry.next += 1;
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let id = child.id();
    let entry = Entry {
        owner,
        child,
        status: None,
    };
    registry.entries.insert(key, entry);
    Ok(Spawned {
        key,
        id,
        pidfd,
        stdin,
        stdout,
        stderr,
    })
}

impl Spawned {
    /// Its process id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Waits until the child ends.
    ///
    /// # Errors
    ///
    /// If the system cannot wait for it.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.wait_timeout(Duration::MAX)? {
                return Ok(status);
            }
        }
    }

    /// Waits until the child ends, at most `timeout`; `None` if it still
    /// runs then.
    ///
    /// # Errors
    ///
    /// If the system cannot wait for it.
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
            if left == Some(Duration::ZERO) {
                return Ok(None);
            }
            self.sleep_until_ended(left)?;
        }
    }

    /// Kills the child (and its process group) if it still runs; waiting
    /// for it reaps it.
    pub fn kill(&self) {
        if let Some(entry) = registry().entries.get_mut(&self.key) {
            kill(entry);
        }
    }

    /// How the child ended, reaping it if it just did.
    fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        let mut registry = registry();
        let entry = registry.entries.get_mut(&self.key);
        let entry = entry.ok_or_else(|| io::Error::other("a child missing from the registry"))?;
        if entry.status.is_none() {
            entry.status = entry.child.try_wait()?;
        }
        Ok(entry.status)
    }

    /// Sleeps until the child ends, at most `at_most` (for ever if `None`);
    /// it may return early, on a signal.
    fn sleep_until_ended(&self, at_most: Option<Duration>) -> io::Result<()> {
        let Some(pidfd) = &self.pidfd else {
            std::thread::sleep(at_most.map_or(NAP, |left| left.min(NAP)));
            return Ok(());
        };
        let timeout = at_most.and_then(|left| Timespec::try_from(left).ok());
        let mut ready = [PollFd::new(pidfd, PollFlags::IN)];
        match rustix::event::poll(&mut ready, timeout.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Out of the registry first: the entry is ours alone then, and the
        // wait for a killed child holds no lock.
        let entry = registry().entries.remove(&self.key);
        if let Some(mut entry) = entry {
            end(&mut entry);
        }
    }
}

/// Kills and reaps every child `owner` started, and lets it start no more:
/// its run was abandoned, and its thread goes on without anyone waiting.
pub fn abandon(owner: Owner) {
    let mut registry = registry();
    registry.abandoned.insert(owner.0);
    // Reaping under the lock: a child killed with SIGKILL ends at once.
    let theirs = registry.entries.values_mut();
    theirs.filter(|entry| entry.owner == owner.0).for_each(end);
}

/// Kills and reaps every child, and lets nobody start another: concur is
/// stopping (a signal, or the end of `main`).
pub fn shut_down() {
    let mut registry = registry();
    registry.closed = true;
    registry.entries.values_mut().for_each(end);
}

/// Kills the child of `entry` if it still runs, and reaps it.
fn end(entry: &mut Entry) {
    kill(entry);
    if entry.status.is_none() {
        entry.status = entry.child.wait().ok();
    }
}

/// Sends SIGKILL to the process group of `entry`'s child, if it is not
/// reaped yet (so its id is still its own).
fn kill(entry: &mut Entry) {
    if entry.status.is_some() {
        return;
    }
    let group = Pid::from_child(&entry.child);
    if rustix::process::kill_process_group(group, Signal::KILL).is_err() {
        // The group is gone but the child is not reaped: it is a zombie,
        // and this does no harm.
        let _ = entry.child.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::{abandon, spawn, Owner};
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// A wait with a timeout returns at the timeout, or when the child ends.
    #[test]
    fn waits_with_a_timeout_and_to_the_end() {
        let mut child = spawn(Command::new("sleep").arg("0.2")).unwrap();
        let started = Instant::now();
        assert_eq!(child.wait_timeout(Duration::from_millis(10)).unwrap(), None);
        let status = child.wait_timeout(Duration::from_secs(30)).unwrap();
        assert!(status.unwrap().success());
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    /// Dropping a handle kills its child; an abandoned owner's children
    /// are killed, and it may start no more.
    #[test]
    fn drop_and_abandon_kill_the_children() {
        let child = spawn(Command::new("sleep").arg("30")).unwrap();
        let id = child.id();
        drop(child);
        assert!(!std::path::Path::new(&format!("/proc/{id}")).exists());
        let run = std::thread::spawn(|| {
            let owner = Owner::new();
            owner.adopt_this_thread();
            let mut child = spawn(Command::new("sleep").arg("30")).unwrap();
            abandon(owner);
            let status = child.wait().unwrap();
            let again = spawn(&mut Command::new("true"));
            (status, again.is_err())
        });
        let (status, refused) = run.join().unwrap();
        assert!(!status.success(), "killed, not ended: {status}");
        assert!(refused, "an abandoned run starts no more children");
    }
}
