//! What each suite runs: its backends, their sizes, and the limits on
//! `--n`. The sizes are the issue's, trimmed where a backend would take
//! minutes (Python's asyncio at 1M timers takes about a minute and 1.7 GB),
//! so that `concur bench all` at 5 repeats takes about 12 minutes on 2 cores.

use super::files::{FILES_BACKENDS, FILE_SIZES, MAX_FILE_SIZE};
use super::loadgen::{idle_max, ECHO_SIZES, STORM_N};
use super::net::NET_BACKENDS;
use super::queues::QUEUE_BACKENDS;
use super::rt::{ASYNC_BACKENDS, MINIRT_QUEUE_BACKENDS};
use std::fmt;

/// A benchmark suite, in the numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// 1: many tasks sleeping a seeded random time.
    Timers,
    /// 2: spawn and join trivial tasks.
    Spawn,
    /// 3: a token passed between two tasks through their wakers.
    Pingpong,
    /// 4: lateness of sequential 1 ms and 10 ms sleeps.
    Precision,
    /// 5: resident memory per idle task.
    Memory,
    /// 6: the article's merge sort on every strategy.
    Sort,
    /// 7: minirt's timer wheel against a binary heap and an ordered map.
    Queues,
    /// 8: a TCP echo server on each backend, driven by one trusted load
    /// generator in another process: echo, idle connections, an accept
    /// storm, timers under load, system calls per request.
    Net,
    /// 9: whole-file reads from a warm page cache, and the chunked-read
    /// pitfall.
    Files,
}

/// One backend of a suite and the sizes it runs at by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The backend's name, as the table and JSON show it.
    pub backend: &'static str,
    /// The sizes (`n`) it runs at.
    pub sizes: Vec<usize>,
}

impl Suite {
    /// Every suite, in the order `bench all` runs them.
    pub const ALL: [Suite; 9] = [
        Suite::Timers,
        Suite::Spawn,
        Suite::Pingpong,
        Suite::Precision,
        Suite::Memory,
        Suite::Sort,
        Suite::Queues,
        Suite::Net,
        Suite::Files,
    ];

    /// The name on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Timers => "timers",
            Suite::Spawn => "spawn",
            Suite::Pingpong => "pingpong",
            Suite::Precision => "precision",
            Suite::Memory => "memory",
            Suite::Sort => "sort",
            Suite::Queues => "queues",
            Suite::Net => "net",
            Suite::Files => "files",
        }
    }

    /// The suite called `name`, if any.
    pub fn find(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|suite| suite.name() == name)
    }

    /// The metric the ratio column compares.
    pub fn headline(self) -> &'static str {
        match self {
            Suite::Timers => "overhead_ms",
            Suite::Spawn => "ns_per_task",
            Suite::Pingpong => "ns_per_round_trip",
            Suite::Precision => "p50_us",
            Suite::Memory => "bytes_per_pending_task",
            Suite::Sort => "wall_ms",
            // A timer's whole life: insert, cancel or fire.
            Suite::Queues => "total_ns",
            Suite::Net => "requests_per_s",
            Suite::Files => "us_per_file",
        }
    }

    /// The backend the ratio column divides by: minirt, or in the queues
    /// suite minirt's own wheel.
    pub fn baseline(self) -> &'static str {
        match self {
            Suite::Queues => "wheel",
            _ => "minirt",
        }
    }

    /// The largest `--n` accepted: beyond it a run takes hours or the
    /// machine's memory.
    pub fn max_n(self) -> usize {
        match self {
            Suite::Timers | Suite::Spawn | Suite::Memory | Suite::Queues => 10_000_000,
            Suite::Pingpong => 100_000_000,
            Suite::Precision => 100_000,
            Suite::Sort => 100_000,
            // Connections: past what the ports and descriptors allow, the
            // connects fail and are counted, but nothing crashes.
            Suite::Net => 50_000,
            // Bytes per file.
            Suite::Files => MAX_FILE_SIZE,
        }
    }

    /// How many of the `asked` repeats a job of size `n` gets: all, except
    /// 10M timers in the queues suite, which run once. One pass of the
    /// three queues at 10M takes about 50 s (the ordered map alone 30 s);
    /// five would double the suite's time, and their gaps (2 to 5×) are
    /// far wider than a run-to-run spread.
    pub fn repeats(self, n: usize, asked: usize) -> usize {
        if self == Suite::Queues && n >= 10_000_000 {
            asked.min(1)
        } else {
            asked
        }
    }

    /// The backends and their default sizes. Threads and Python get
    /// smaller ones: a thread costs a stack, Python costs minutes.
    pub fn plan(self) -> Vec<Entry> {
        let entry = |backend, sizes: &[usize]| Entry {
            backend,
            sizes: sizes.to_vec(),
        };
        let with_async = |sizes: &[usize], rest: Vec<Entry>| {
            let mut entries: Vec<Entry> = ASYNC_BACKENDS.iter().map(|b| entry(b, sizes)).collect();
            entries.extend(rest);
            entries
        };
        match self {
            // minirt on its heap and its ordered map at 1M only: suite 7's
            // queues under a real loop, where their cost matters most.
            Suite::Timers => with_async(
                &[10_000, 100_000, 1_000_000],
                vec![
                    entry(MINIRT_QUEUE_BACKENDS[0], &[1_000_000]),
                    entry(MINIRT_QUEUE_BACKENDS[1], &[1_000_000]),
                    entry("threads", &[1_000, 10_000]),
                    entry("py-asyncio", &[10_000, 100_000]),
                    entry("py-threads", &[1_000]),
                ],
            ),
            Suite::Spawn => with_async(
                &[1_000_000],
                vec![
                    entry("threads", &[10_000]),
                    entry("py-asyncio", &[100_000]),
                    entry("py-threads", &[10_000]),
                ],
            ),
            Suite::Pingpong => with_async(
                &[1_000_000],
                vec![
                    entry("threads", &[200_000]),
                    entry("py-asyncio", &[100_000]),
                    entry("py-threads", &[20_000]),
                ],
            ),
            Suite::Precision => with_async(
                &[1_000],
                vec![
                    entry("threads", &[1_000]),
                    entry("py-asyncio", &[1_000]),
                    entry("py-threads", &[1_000]),
                ],
            ),
            Suite::Memory => with_async(
                &[1_000_000],
                vec![
                    entry("threads", &[10_000]),
                    entry("py-asyncio", &[100_000]),
                    entry("py-threads", &[1_000]),
                ],
            ),
            // 200 lists of 30 000: about 2 s on one core in release.
            Suite::Sort => ["sync", "rayon", "threads", "minirt", "processes"]
                .into_iter()
                .map(|backend| entry(backend, &[200]))
                .collect(),
            // Every queue from 1k to 10M timers: where log n starts to hurt.
            Suite::Queues => QUEUE_BACKENDS
                .iter()
                .map(|backend| entry(backend, &[1_000, 10_000, 100_000, 1_000_000, 10_000_000]))
                .collect(),
            // The echo sizes, and the most idle connections the limits here
            // allow, where that is more than the largest echo.
            Suite::Net => {
                let mut sizes = ECHO_SIZES.to_vec();
                if idle_max() > STORM_N {
                    sizes.push(idle_max());
                }
                NET_BACKENDS.iter().map(|b| entry(b, &sizes)).collect()
            }
            Suite::Files => FILES_BACKENDS
                .iter()
                .map(|b| entry(b, &FILE_SIZES))
                .collect(),
        }
    }

    /// The largest `n` `backend` takes from `--n`: threads and Python stop
    /// at 100k, where they would take minutes or gigabytes, or at the
    /// suite's own size for them when that is larger (threads ping-pong at
    /// 200k).
    pub fn cap(self, backend: &str) -> usize {
        let heavy = matches!(backend, "threads" | "py-threads" | "py-asyncio");
        let sized_apart = matches!(
            self,
            Suite::Sort | Suite::Precision | Suite::Net | Suite::Files
        );
        if !heavy || sized_apart {
            return self.max_n();
        }
        let planned = self
            .plan()
            .into_iter()
            .filter(|entry| entry.backend == backend);
        let largest = planned.flat_map(|entry| entry.sizes).max();
        largest.unwrap_or(0).max(100_000)
    }
}

impl fmt::Display for Suite {
    /// Writes [`Suite::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The names `concur bench` accepts, `all` included, for error messages.
pub fn names() -> String {
    let mut names: Vec<&str> = Suite::ALL.iter().map(|suite| suite.name()).collect();
    names.push("all");
    names.join(", ")
}
