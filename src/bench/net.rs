//! Suite 8's servers: a TCP echo on each backend under test, in a process
//! of its own (`concur bench-server <backend>`), driven by the load
//! generator of `loadgen.rs` from another process.
//!
//! | backend | how it serves a connection |
//! |---|---|
//! | `threads` | a thread per connection (64 KiB stack), blocking reads and writes |
//! | `pool` | [`POOL_WORKERS`] threads; each serves one connection until it closes, the rest wait in a queue |
//! | `minirt`, `smol`, `tokio` | a task per connection on one thread (tokio's current-thread runtime), `backend::net::serve_echo` |
//!
//! The loops serve with the same code as part 2's `connections` scenario
//! (`serve_echo`), through each runtime's one adapter. The process pins
//! itself to the server's core (`pin.rs`) before it starts a thread.
//!
//! # The control protocol
//!
//! The load generator talks to the server over its stdin and stdout, one
//! line each way, answered by a control thread that is blocked in a read
//! the rest of the time (so it costs the server nothing measurable):
//!
//! | load generator writes | server answers |
//! |---|---|
//! | (nothing: at start) | `pinned <cpu>` or `unpinned <why>`, then `addr <ip:port>` |
//! | `stats` | `stats <cpu ns> <resident bytes> <threads> <spawn failures>` |
//! | `timers` (with `--timers`) | `timers <count> <p50 µs> <p99 µs>`, the sleeps since the last `timers` |
//! | end of input | (exits) |
//!
//! CPU time is the whole process's (`CLOCK_PROCESS_CPUTIME_ID`), so a
//! runtime's helper threads count, and the control thread too (a few
//! microseconds per line). With `--timers`, a task (a thread, on
//! `threads`) sleeps 1 ms at a time on the server and records how late
//! each sleep wakes: the precision suite, while the connections echo.

use super::measure::{percentile, rss_bytes};
use super::pin;
use super::rt::{drive, Job};
use crate::backend::adapter::{loopback, LocalRuntime};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The servers of suite 8, in the order the tables show them.
pub const NET_BACKENDS: [&str; 5] = ["minirt", "smol", "tokio", "threads", "pool"];

/// The `pool` server's workers: a fixed pool, as a blocking server sizes
/// it, far fewer than the connections at 100 and more. Connections beyond
/// it wait unanswered: that is what a fixed pool of blocking workers does
/// with long-lived connections, and the table counts them (`unanswered`).
pub(crate) const POOL_WORKERS: usize = 64;

/// The stack of a `threads` connection thread: small, as a server with
/// thousands would set it (part 2's `connections` uses the same).
const THREAD_STACK: usize = 64 * 1024;

/// The echo buffer of the thread servers, as `serve_echo`'s.
const BUFFER: usize = 256;

/// The sleep the timers task repeats.
const TICK: Duration = Duration::from_millis(1);

/// What the server counts for the control thread.
#[derive(Debug, Default)]
struct Shared {
    /// Connections the server dropped because it could not start a
    /// thread for them (the `threads` server near `vm.max_map_count`).
    spawn_failures: AtomicU64,
    /// How late each 1 ms sleep woke, in µs, since the last `timers`.
    lateness: Mutex<Vec<f64>>,
}

/// The notes the suite's table carries whatever ran: where each side is
/// pinned, the listen backlogs, the pool's size and the method.
pub(crate) fn suite_notes() -> Vec<String> {
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn").unwrap_or_default();
    vec![
        pin::note(),
        format!(
            "listen backlog: 1024 on minirt (minirt::net), 128 on the others (std's \
             TcpListener::bind, which smol's async-io and the tokio adapter go through too); \
             net.core.somaxconn is {}; at most {} connects in flight",
            somaxconn.trim(),
            super::loadgen::STORM_IN_FLIGHT
        ),
        format!(
            "pool: {POOL_WORKERS} workers, each serving one connection until it closes; the \
             connections beyond wait in its queue (unanswered)"
        ),
        format!(
            "echo: a closed loop of 64 B requests on every connection, {} ms of warm-up, then \
             {} ms recorded; server CPU is the server process's, every thread",
            super::loadgen::WARMUP.as_millis(),
            super::loadgen::WINDOW.as_millis()
        ),
    ]
}

/// `concur bench-server <backend> [--timers] [--cpu N]`: pins itself to
/// CPU `cpu` (if given), starts the control thread, and serves until
/// stdin ends.
///
/// # Errors
///
/// An unknown backend, or a listener that cannot be bound.
pub fn server_main(backend: &str, timers: bool, cpu: Option<usize>) -> Result<()> {
    if !NET_BACKENDS.contains(&backend) {
        bail!("suite net has no server `{backend}`");
    }
    match cpu.map(|cpu| (cpu, pin::pin(cpu))) {
        Some((cpu, Ok(()))) => say(&format!("pinned {cpu}")),
        Some((_, Err(why))) => say(&format!("unpinned {why}")),
        None => say("unpinned no CPU given"),
    }
    let shared = Arc::new(Shared::default());
    let control = Arc::clone(&shared);
    thread::Builder::new()
        .name("control".into())
        .spawn(move || control_loop(&control))
        .context("starting the control thread")?;
    match backend {
        "threads" => serve_threads(&shared, timers),
        "pool" => serve_pool(),
        runtime => drive(runtime, Serve { shared, timers })
            .context("an unknown runtime")?
            .context("serving"),
    }
}

/// Writes one line of the protocol to stdout; exits when nobody reads it.
fn say(line: &str) {
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// Answers the load generator's lines until its end of input, then ends
/// the process (the serving threads never return on their own).
fn control_loop(shared: &Shared) {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "stats" => {
                let cpu = crate::clock::process_cpu_time().as_nanos();
                let failures = shared.spawn_failures.load(Ordering::Relaxed);
                say(&format!(
                    "stats {cpu} {} {} {failures}",
                    rss_bytes(),
                    threads()
                ));
            }
            "timers" => {
                let late = std::mem::take(
                    &mut *shared
                        .lateness
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner),
                );
                let (p50, p99) = (percentile(&late, 50.0), percentile(&late, 99.0));
                say(&format!("timers {} {p50} {p99}", late.len()));
            }
            other => say(&format!("error unknown request `{other}`")),
        }
    }
    std::process::exit(0);
}

/// The threads of this process now (`Threads:` in `/proc/self/status`).
fn threads() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"));
    line.and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

/// Records one sleep's lateness.
fn record(shared: &Shared, started: Instant) {
    let late = started.elapsed().saturating_sub(TICK).as_secs_f64() * 1e6;
    let mut lateness = shared
        .lateness
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    lateness.push(late);
}

/// The echo of the thread servers: what it reads, back, until the end.
fn echo_blocking(mut stream: TcpStream) {
    let mut buf = [0; BUFFER];
    while let Ok(read @ 1..) = stream.read(&mut buf) {
        if stream.write_all(&buf[..read]).is_err() {
            break;
        }
    }
}

/// A bound loopback listener, its address announced.
fn listen() -> Result<TcpListener> {
    let listener = TcpListener::bind(loopback()).context("binding the listener")?;
    say(&format!("addr {}", listener.local_addr()?));
    Ok(listener)
}

/// Memory maps each connection thread takes: its stack and guard page,
/// and the signal stack std gives every thread, with its guard page.
const MAPS_PER_THREAD: usize = 4;

/// Maps left to the rest of the process (the heap, libraries, sockets'
/// buffers are not maps, but the allocator's arenas are).
const MAP_MARGIN: usize = 1_000;

/// How many connection threads fit under `vm.max_map_count` with the maps
/// this process has now; `None` where the kernel does not say.
///
/// Past the limit, a new thread's `mmap` fails, and it is not always a
/// failure `spawn` can return: when std sets up the thread's signal stack
/// it aborts the whole process. So the server counts, and refuses a
/// connection that would take the last maps, rather than crash.
fn thread_budget() -> Option<usize> {
    let limit = std::fs::read_to_string("/proc/sys/vm/max_map_count").ok()?;
    let limit: usize = limit.trim().parse().ok()?;
    let maps = std::fs::read_to_string("/proc/self/maps")
        .ok()?
        .lines()
        .count();
    Some(limit.saturating_sub(maps + MAP_MARGIN) / MAPS_PER_THREAD)
}

/// `threads`: a thread per connection. A connection past the map budget
/// ([`thread_budget`]), or whose thread cannot be started, is closed,
/// which the load generator sees, and counted.
fn serve_threads(shared: &Arc<Shared>, timers: bool) -> Result<()> {
    if timers {
        let shared = Arc::clone(shared);
        thread::spawn(move || loop {
            let started = Instant::now();
            thread::sleep(TICK);
            record(&shared, started);
        });
    }
    let budget = thread_budget().unwrap_or(usize::MAX);
    let live = Arc::new(AtomicUsize::new(0));
    let listener = listen()?;
    for stream in listener.incoming() {
        // A failed accept (out of descriptors, a reset) is the client's to see.
        let Ok(stream) = stream else { continue };
        if live.load(Ordering::Relaxed) >= budget {
            shared.spawn_failures.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        live.fetch_add(1, Ordering::Relaxed);
        let ended = Arc::clone(&live);
        let started = thread::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn(move || {
                echo_blocking(stream);
                ended.fetch_sub(1, Ordering::Relaxed);
            });
        if started.is_err() {
            live.fetch_sub(1, Ordering::Relaxed);
            shared.spawn_failures.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// `pool`: [`POOL_WORKERS`] threads, each taking the next accepted
/// connection from one queue and serving it until it closes.
fn serve_pool() -> Result<()> {
    let (queue, waiting) = mpsc::channel::<TcpStream>();
    let waiting = Arc::new(Mutex::new(waiting));
    for _ in 0..POOL_WORKERS {
        let waiting = Arc::clone(&waiting);
        thread::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn(move || loop {
                // The lock is held only to take a connection, not to serve it.
                let next = waiting
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                let Ok(stream) = next else { return };
                echo_blocking(stream);
            })
            .context("starting a pool worker")?;
    }
    let listener = listen()?;
    for stream in listener.incoming().flatten() {
        if queue.send(stream).is_err() {
            break;
        }
    }
    Ok(())
}

/// The loops: `serve_echo` on a loopback listener of the runtime, and with
/// `timers` a task of 1 ms sleeps beside it.
struct Serve {
    /// Where the timers task records.
    shared: Arc<Shared>,
    /// Whether to run the timers task.
    timers: bool,
}

impl Job for Serve {
    type Output = std::io::Result<()>;

    async fn run<R: LocalRuntime>(self, rt: R) -> std::io::Result<()> {
        let listener = rt.bind(loopback())?;
        say(&format!("addr {}", R::local_addr(&listener)?));
        if self.timers {
            let (sleeper, shared) = (rt.clone(), self.shared);
            drop(rt.spawn(async move {
                loop {
                    let started = Instant::now();
                    sleeper.sleep(TICK).await;
                    record(&shared, started);
                }
            }));
        }
        crate::backend::net::serve_echo(rt, listener).await;
        Ok(())
    }
}
