//! Suite 8's trusted client: one load generator, the same for every
//! server, in its own process (the bench child), on one thread pinned to
//! its own core, driving a server process (`net.rs`) pinned to the other.
//!
//! It is written on the kernel's interface alone (nonblocking sockets and
//! one level-triggered epoll, through rustix's safe wrappers), not on any
//! runtime under test, so that no server is measured by its own kind, and
//! so that it costs as little per request as a client can: one `write`,
//! one `read` and a share of one `epoll_wait`.
//!
//! What a child at `n` connections measures, each bounded in count and time:
//!
//! - **echo** (every `n`): `n` connections, each once echoed (then idle:
//!   the server's resident bytes per connection), then a closed loop of
//!   64 B requests, each sent as soon as the last answer came: [`WARMUP`]
//!   unrecorded, then [`WINDOW`] recorded: requests per second, latency
//!   percentiles, the server's CPU per request, errors, and the
//!   connections left unanswered (the pool's queue);
//! - **idle** (at [`idle_max`], where the limits allow more than 10,000):
//!   only the connections and their bytes, no load;
//! - **syscalls** (at [`SYSCALLS_N`]): a second server under `strace -c -f`,
//!   [`SYSCALL_REQUESTS`] requests; skipped with a note without strace;
//! - **timers under load** (at [`TIMERS_N`], not on the pool): a server
//!   with its 1 ms sleeps task, lateness recorded over [`WINDOW`] of echo;
//! - **accept storm** (at [`STORM_N`]): `n` × (connect, one request,
//!   close), at most [`STORM_IN_FLIGHT`] at a time.
//!
//! Notes for the table (a server that could not start threads, failures,
//! a missing strace) go to stderr as `note: ...` lines, which the runner
//! gathers into the suite's notes.
//!
//! The connections of the closed loop are in `loadgen/clients.rs`; the
//! server process it drives, and the control protocol it speaks to it, in
//! `loadgen/server.rs`.

use super::measure::{metrics, percentile, Metrics};
use super::pin;
use anyhow::{bail, Context, Result};
use rustix::event::epoll::{self, EventData, EventFlags};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod clients;
mod server;
use clients::{payload, start_connect, wait, Clients, CONNECT_LIMIT, MESSAGE};
use server::Server;

/// The echo sizes of the plan: connections held, each in a closed loop.
pub(crate) const ECHO_SIZES: [usize; 4] = [1, 100, 1_000, 10_000];

/// The size whose child also counts the server's system calls.
pub(crate) const SYSCALLS_N: usize = 100;

/// The size whose child also measures timers under load.
pub(crate) const TIMERS_N: usize = 1_000;

/// The size whose child also runs the accept storm (that many connections).
pub(crate) const STORM_N: usize = 10_000;

/// The closed loop's unrecorded start: connections and caches settle.
pub(crate) const WARMUP: Duration = Duration::from_millis(200);

/// The closed loop's recorded stretch.
pub(crate) const WINDOW: Duration = Duration::from_secs(1);

/// After the window, how long the answers in flight may take to arrive.
const DRAIN: Duration = Duration::from_millis(300);

/// The accept storm's connections in flight at once, for the same reason.
pub(crate) const STORM_IN_FLIGHT: usize = 100;

/// How long the first echo on every connection may take.
const PRIME_LIMIT: Duration = Duration::from_secs(3);

/// Requests of the system-call count (besides the first one of each connection).
pub(crate) const SYSCALL_REQUESTS: u64 = 20_000;

/// How long a server may take to answer a control line.
const ANSWER_LIMIT: Duration = Duration::from_secs(10);

/// Descriptors kept free of the idle connections: pipes, epoll, the
/// runtime's own.
const FD_MARGIN: u64 = 1_000;

/// The most idle connections tried, however high the limits.
const IDLE_CAP: u64 = 50_000;

/// One measurement of suite 8 against the server `backend` at `n`
/// connections (see the module's list for what each size adds).
///
/// # Errors
///
/// A server that cannot start or stops answering its control lines;
/// failed connections and requests are counted, not errors.
pub(crate) fn measure(backend: &str, n: usize) -> Result<Metrics> {
    raise_descriptor_limit();
    let pinned = pin::cpus().and_then(|(client, _)| pin::pin(client));
    if let Err(why) = pinned {
        eprintln!("note: load generator not pinned: {why}");
    }
    let idle_only = n > STORM_N && n == idle_max();
    let mut metrics = echo(backend, n, idle_only)?;
    if n == SYSCALLS_N {
        match strace_available() {
            true => metrics.extend(syscalls(backend, n)?),
            false => {
                eprintln!("note: syscalls per request not measured: strace is not on the path")
            }
        }
    }
    if n == TIMERS_N && backend != "pool" {
        metrics.extend(timers_under_load(backend, n)?);
    }
    if n == STORM_N {
        metrics.extend(storm(backend, n)?);
    }
    Ok(metrics)
}

/// The idle connections the limits here allow: the open-file limit (each
/// side of a connection is a descriptor in its own process) and the
/// ephemeral ports (each connection takes one, all to one server port),
/// less a margin, in whole thousands, at most [`IDLE_CAP`].
pub(crate) fn idle_max() -> usize {
    let files = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .unwrap_or(u64::MAX);
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range");
    let ports = range.ok().and_then(|text| {
        let mut bounds = text.split_whitespace().map(|n| n.parse::<u64>().ok());
        let (low, high) = (bounds.next()??, bounds.next()??);
        Some(high.saturating_sub(low) + 1)
    });
    let limit = files.min(ports.unwrap_or(28_232)).min(IDLE_CAP + FD_MARGIN);
    (limit.saturating_sub(FD_MARGIN) / 1_000 * 1_000) as usize
}

/// Raises this process's open-file limit to its hard limit (the server,
/// started after, inherits it): 10,000 connections need more than the
/// usual soft 1,024.
fn raise_descriptor_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    if let Err(error) = setrlimit(Resource::Nofile, raised) {
        eprintln!("note: open-file limit left at {:?}: {error}", limit.current);
    }
}

/// The echo measurement (and the idle one), on a fresh server.
fn echo(backend: &str, n: usize, idle_only: bool) -> Result<Metrics> {
    let mut server = Server::start(backend, false, None)?;
    let before = server.stats()?;
    let mut clients = Clients::connect(server.addr, n)?;
    clients.send_idle();
    clients.run(Instant::now() + PRIME_LIMIT, &mut 0, false);
    let idle = server.stats()?;
    let connected = clients.open();
    let mut metrics = metrics([(
        "bytes_per_idle_connection",
        idle.rss.saturating_sub(before.rss) as f64 / connected.max(1) as f64,
    )]);
    if !idle_only {
        clients.send_idle();
        let mut budget = u64::MAX;
        clients.run(Instant::now() + WARMUP, &mut budget, false);
        let start = server.stats()?;
        let started = Instant::now();
        let recorded = clients.run(started + WINDOW, &mut budget, true);
        let elapsed = started.elapsed();
        let end = server.stats()?;
        clients.run(Instant::now() + DRAIN, &mut 0, false);
        let answered = recorded.latencies_us.len() as f64;
        let cpu = end.cpu_ns.saturating_sub(start.cpu_ns) as f64;
        metrics.extend(self::metrics([
            ("requests_per_s", answered / elapsed.as_secs_f64()),
            ("p50_us", percentile(&recorded.latencies_us, 50.0)),
            ("p99_us", percentile(&recorded.latencies_us, 99.0)),
            ("p999_us", percentile(&recorded.latencies_us, 99.9)),
            ("cpu_ns_per_request", cpu / answered.max(1.0)),
            ("server_threads", end.threads as f64),
        ]));
    }
    let end = server.stats()?;
    metrics.extend(self::metrics([
        ("errors", clients.errors as f64),
        ("unanswered", clients.in_flight() as f64),
    ]));
    clients.explain(backend, n, end.spawn_failures);
    server.finish()?;
    Ok(metrics)
}

/// Timers under load: a server with its 1 ms sleeps while `n`
/// connections echo in a closed loop.
fn timers_under_load(backend: &str, n: usize) -> Result<Metrics> {
    let mut server = Server::start(backend, true, None)?;
    let mut clients = Clients::connect(server.addr, n)?;
    clients.send_idle();
    let mut budget = u64::MAX;
    clients.run(Instant::now() + WARMUP, &mut budget, false);
    server.ask("timers")?;
    clients.run(Instant::now() + WINDOW, &mut budget, false);
    let answer = server.ask("timers")?;
    clients.run(Instant::now() + DRAIN, &mut 0, false);
    server.finish()?;
    let number = |at: usize| -> Result<f64> {
        let field = answer.get(at).context("a short timers line")?;
        field
            .parse()
            .with_context(|| format!("timers line: `{field}`"))
    };
    if number(1)? < 1.0 {
        bail!("no timer fired on the {backend} server under load");
    }
    Ok(metrics([
        ("timer_p50_us", number(2)?),
        ("timer_p99_us", number(3)?),
    ]))
}

/// The system calls per request: a server under `strace -c -f` (all its
/// threads), `n` connections, [`SYSCALL_REQUESTS`] requests. strace counts
/// the server's whole life, so its start and the `n` accepts are in the
/// figure too (a few hundred calls, about 0.02 per request).
fn syscalls(backend: &str, n: usize) -> Result<Metrics> {
    let trace = std::env::temp_dir().join(format!(
        "concur-strace-{}-{backend}.txt",
        std::process::id()
    ));
    let outcome = (|| {
        let server = Server::start(backend, false, Some(&trace))?;
        let mut clients = Clients::connect(server.addr, n)?;
        clients.send_idle();
        let mut budget = SYSCALL_REQUESTS;
        let deadline = Instant::now() + CONNECT_LIMIT;
        while clients.in_flight() > 0 && Instant::now() < deadline {
            clients.run(deadline, &mut budget, false);
        }
        let requests = clients.answered;
        drop(clients);
        server.finish()?;
        let text = std::fs::read_to_string(&trace).context("reading strace's summary")?;
        Ok::<_, anyhow::Error>((requests, parse_strace(&text)))
    })();
    let _ = std::fs::remove_file(&trace);
    let (requests, calls) = outcome?;
    let total: u64 = calls.values().sum();
    if requests == 0 || total == 0 {
        bail!("strace counted {total} calls for {requests} requests");
    }
    let mut top: Vec<(&String, &u64)> = calls.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1));
    let per = |count: u64| count as f64 / requests as f64;
    let listed: Vec<String> = top
        .iter()
        .take(4)
        .map(|(name, &count)| format!("{name} {:.2}", per(count)))
        .collect();
    eprintln!(
        "note: {backend}: system calls per request ({requests} requests, strace -c -f): {}",
        listed.join(", ")
    );
    Ok(metrics([("syscalls_per_request", per(total))]))
}

/// The calls of each system call in `strace -c`'s table.
fn parse_strace(text: &str) -> BTreeMap<String, u64> {
    let mut calls = BTreeMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // "% time, seconds, usecs/call, calls, [errors,] syscall"; the
        // header, rules and total line do not parse.
        let (Some(name), Some(count)) = (fields.last(), fields.get(3)) else {
            continue;
        };
        let numeric = fields.first().is_some_and(|f| f.parse::<f64>().is_ok());
        if let (true, Ok(count)) = (numeric, count.parse::<u64>()) {
            if *name != "total" {
                *calls.entry((*name).to_string()).or_default() += count;
            }
        }
    }
    calls
}

/// Whether `strace` can be run here.
fn strace_available() -> bool {
    let probe = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    probe.is_ok_and(|status| status.success())
}

/// The accept storm: `total` × (connect, one 64 B request, close), at most
/// [`STORM_IN_FLIGHT`] at once, on a fresh server.
fn storm(backend: &str, total: usize) -> Result<Metrics> {
    let server = Server::start(backend, false, None)?;
    let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut slots: Vec<Option<Storming>> = (0..STORM_IN_FLIGHT).map(|_| None).collect();
    let (mut started, mut finished, mut failures) = (0, 0, 0usize);
    let mut connect_us = Vec::with_capacity(total);
    let mut first_failure: Option<String> = None;
    let mut fail = |failures: &mut usize, why: String| {
        *failures += 1;
        first_failure.get_or_insert(why);
    };
    let begun = Instant::now();
    let deadline = begun + CONNECT_LIMIT;
    let mut events = Vec::with_capacity(STORM_IN_FLIGHT);
    while finished < total && Instant::now() < deadline {
        for (slot, state) in slots.iter_mut().enumerate() {
            if state.is_none() && started < total {
                started += 1;
                match start_connect(server.addr) {
                    Ok(socket) => {
                        let data = EventData::new_u64(slot as u64);
                        epoll::add(&epoll, &socket, data, EventFlags::OUT)?;
                        *state = Some(Storming::Connecting(socket, Instant::now()));
                    }
                    Err(error) => {
                        finished += 1;
                        fail(&mut failures, format!("connect: {error}"));
                    }
                }
            }
        }
        wait(&epoll, &mut events, Duration::from_millis(100))?;
        for event in &events {
            let slot = event.data.u64() as usize;
            match slots[slot].take() {
                Some(Storming::Connecting(socket, at)) => {
                    let connected = rustix::net::sockopt::socket_error(&socket)?;
                    if let Err(error) = connected {
                        finished += 1;
                        fail(
                            &mut failures,
                            format!("connect: {}", io::Error::from(error)),
                        );
                        continue;
                    }
                    connect_us.push(at.elapsed().as_secs_f64() * 1e6);
                    let mut stream = TcpStream::from(socket);
                    let sent = stream.write(&payload(slot as u64));
                    if !matches!(sent, Ok(MESSAGE)) {
                        finished += 1;
                        fail(&mut failures, format!("request: {sent:?}"));
                        continue;
                    }
                    let data = EventData::new_u64(slot as u64);
                    epoll::modify(&epoll, &stream, data, EventFlags::IN)?;
                    slots[slot] = Some(Storming::Waiting(stream, 0, [0; MESSAGE]));
                }
                Some(Storming::Waiting(mut stream, got, mut answer)) => {
                    match stream.read(&mut answer[got..]) {
                        Ok(0) => {
                            finished += 1;
                            fail(&mut failures, "closed before it answered".into());
                        }
                        Ok(read) if got + read < MESSAGE => {
                            slots[slot] = Some(Storming::Waiting(stream, got + read, answer));
                        }
                        Ok(_) => {
                            finished += 1;
                            if answer != payload(slot as u64) {
                                fail(&mut failures, "a wrong answer".into());
                            }
                            // Dropped: closed, and out of the epoll set with it.
                        }
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                            slots[slot] = Some(Storming::Waiting(stream, got, answer));
                        }
                        Err(error) => {
                            finished += 1;
                            fail(&mut failures, format!("answer: {error}"));
                        }
                    }
                }
                None => {}
            }
        }
    }
    let wall = begun.elapsed();
    let unfinished = total - finished;
    failures += unfinished;
    server.finish()?;
    if failures > 0 {
        let why = first_failure
            .unwrap_or_else(|| format!("{unfinished} unfinished after {CONNECT_LIMIT:?}"));
        eprintln!("note: {backend}: accept storm: {failures} of {total} failed (first: {why})");
    }
    Ok(metrics([
        (
            "storm_connections_per_s",
            (total - failures) as f64 / wall.as_secs_f64(),
        ),
        ("storm_connect_p99_us", percentile(&connect_us, 99.0)),
        ("storm_failures", failures as f64),
    ]))
}

/// One connection of the storm.
enum Storming {
    /// Connecting since then.
    Connecting(OwnedFd, Instant),
    /// Its request sent; the bytes of the answer so far.
    Waiting(TcpStream, usize, [u8; MESSAGE]),
}

#[cfg(test)]
mod tests {
    use super::{idle_max, parse_strace};

    /// strace's table: the calls column of each syscall line, no total.
    #[test]
    fn parses_strace_summaries() {
        let text = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 55.00    0.001000          50     20100       100 recvfrom
 40.00    0.000800          40     20000           sendto
  5.00    0.000100          10       373           epoll_wait
------ ----------- ----------- --------- --------- ----------------
100.00    0.001900          47     40473       100 total
";
        let calls = parse_strace(text);
        assert_eq!(calls.len(), 3);
        assert_eq!(calls["recvfrom"], 20_100);
        assert_eq!(calls.values().sum::<u64>(), 40_473);
    }

    /// The idle size is whole thousands, within the cap.
    #[test]
    fn idle_max_is_whole_thousands() {
        let n = idle_max();
        assert!(n % 1_000 == 0 && n <= 50_000, "{n}");
    }
}
