//! What Linux says about this process in `/proc/self`: its resident memory
//! and which of its threads ran.
//!
//! A foundation, beside `clock.rs`: part 2's scenarios read it to show
//! what the runtimes do underneath (the helper threads an async runtime
//! reads files on, the memory a held connection costs), which no runtime
//! reports itself. Reading `/proc` is cheap (a few microseconds a file)
//! and needs no privilege; anywhere it cannot be read the numbers are
//! `None`, and the scenarios say "unknown".

use std::collections::HashMap;
use std::fs;

/// The process's resident memory (`VmRSS` in `/proc/self/status`), in bytes.
///
/// # Examples
///
/// ```
/// let rss = concur::procfs::resident_bytes().unwrap();
/// assert!(rss > 0);
/// ```
pub fn resident_bytes() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The soft limit on the process's open files (`Max open files` in
/// `/proc/self/limits`); `None` if unlimited or unreadable.
///
/// # Examples
///
/// ```
/// assert!(concur::procfs::open_file_limit().unwrap_or(u64::MAX) > 0);
/// ```
pub fn open_file_limit() -> Option<u64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?;
    soft.parse().ok()
}

/// The process's threads and how long each has run, at one moment: taken
/// before and after some work, [`ThreadTally::ran_since`] tells which
/// threads did it, whoever started them (a runtime's own helper threads).
#[derive(Debug, Clone, Default)]
pub struct ThreadTally {
    /// Each thread's id and its time on a CPU so far, in nanoseconds
    /// (`/proc/self/task/<tid>/schedstat`, first field).
    on_cpu: HashMap<u32, u64>,
}

impl ThreadTally {
    /// The threads now, and their time on a CPU.
    ///
    /// # Examples
    ///
    /// ```
    /// let before = concur::procfs::ThreadTally::now();
    /// let helper = std::thread::spawn(|| (0..100_000u64).sum::<u64>());
    /// let _ = helper.join();
    /// // The helper is gone: only threads alive at both moments are seen.
    /// assert!(concur::procfs::ThreadTally::now().ran_since(&before).len() <= 2);
    /// ```
    pub fn now() -> Self {
        let mut on_cpu = HashMap::new();
        let Ok(tasks) = fs::read_dir("/proc/self/task") else {
            return ThreadTally { on_cpu };
        };
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let schedstat = fs::read_to_string(task.path().join("schedstat"));
            let ran = schedstat.ok().and_then(|text| {
                let first = text.split_whitespace().next()?;
                first.parse().ok()
            });
            on_cpu.insert(tid, ran.unwrap_or(0));
        }
        ThreadTally { on_cpu }
    }

    /// The ids of the threads alive now that started after `before` or ran
    /// since (a thread that started and ended in between is not seen).
    pub fn ran_since(&self, before: &ThreadTally) -> Vec<u32> {
        let mut ran: Vec<u32> = (self.on_cpu.iter())
            .filter(|&(tid, now)| before.on_cpu.get(tid).is_none_or(|then| now > then))
            .map(|(&tid, _)| tid)
            .collect();
        ran.sort_unstable();
        ran
    }
}

/// The kernel's id of the calling thread (what `/proc/self/task` lists).
pub fn current_thread_id() -> u32 {
    rustix::thread::gettid()
        .as_raw_nonzero()
        .get()
        .unsigned_abs()
}

/// The kernel's id of the process, which is also its first thread's.
pub fn process_id() -> u32 {
    rustix::process::getpid()
        .as_raw_nonzero()
        .get()
        .unsigned_abs()
}
