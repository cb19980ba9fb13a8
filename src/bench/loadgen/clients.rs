//! The closed loop's client side: `n` nonblocking connections in one
//! epoll set, each with at most one 64 B request in flight, every answer
//! checked; and the socket calls the accept storm shares with it.
//!
//! Part of `bench/loadgen.rs`, which says what each measurement does with
//! these connections.

use anyhow::Result;
use rustix::event::epoll::{self, Event, EventData, EventFlags};
use rustix::event::Timespec;
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

/// The message: 64 bytes each way.
pub(super) const MESSAGE: usize = 64;

/// Connections being opened at once: under every server's listen backlog
/// (128 for std's listener, 1,024 for minirt's), so no connect is lost to
/// a full queue, only slowed by a slow accept.
const CONNECT_IN_FLIGHT: usize = 100;

/// How long opening all connections (or the storm) may take.
pub(super) const CONNECT_LIMIT: Duration = Duration::from_secs(30);

/// The request (and its echo) number `number`: its 8 bytes, 8 times, so
/// that an answer to another request, or a torn one, shows.
pub(super) fn payload(number: u64) -> [u8; MESSAGE] {
    let mut bytes = [0; MESSAGE];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&number.to_le_bytes());
    }
    bytes
}

/// A nonblocking TCP socket connecting to `addr`.
pub(super) fn start_connect(addr: SocketAddr) -> io::Result<OwnedFd> {
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::INET,
        SocketAddr::V6(_) => AddressFamily::INET6,
    };
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    let socket = rustix::net::socket_with(family, SocketType::STREAM, flags, None)?;
    rustix::net::sockopt::set_tcp_nodelay(&socket, true)?;
    match rustix::net::connect(&socket, &addr) {
        Ok(()) | Err(Errno::INPROGRESS) => Ok(socket),
        Err(error) => Err(error.into()),
    }
}

/// Waits at most `timeout` for events of `epoll` into `events`.
pub(super) fn wait(epoll: &OwnedFd, events: &mut Vec<Event>, timeout: Duration) -> io::Result<()> {
    events.clear();
    let timeout = Timespec::try_from(timeout).ok();
    match epoll::wait(
        epoll,
        rustix::buffer::spare_capacity(events),
        timeout.as_ref(),
    ) {
        Ok(_) | Err(Errno::INTR) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// One connection of the closed loop.
struct Client {
    /// The socket, nonblocking.
    stream: TcpStream,
    /// Requests sent on it; the number of the one in flight.
    sent: u64,
    /// When the request in flight went out, if one is.
    since: Option<Instant>,
    /// The bytes of its answer so far.
    got: usize,
    /// The answer being read.
    answer: [u8; MESSAGE],
    /// Given up after an error: out of the epoll set.
    broken: bool,
}

/// The client side of `n` connections, in one epoll set.
pub(super) struct Clients {
    /// Every connection, registered for reading with its index.
    clients: Vec<Client>,
    /// The epoll set.
    epoll: OwnedFd,
    /// Room for one wait's events.
    events: Vec<Event>,
    /// Connections that failed to open, or broke later.
    pub(super) errors: u64,
    /// The first error, for the note.
    first_error: Option<String>,
    /// Answers received, in all.
    pub(super) answered: u64,
}

/// What one stretch of the closed loop recorded.
pub(super) struct Stretch {
    /// Each answer's latency, in µs, when recording.
    pub(super) latencies_us: Vec<f64>,
}

impl Clients {
    /// Opens `n` connections to `addr`, at most [`CONNECT_IN_FLIGHT`] at
    /// a time, within [`CONNECT_LIMIT`]; those that fail are counted.
    pub(super) fn connect(addr: SocketAddr, n: usize) -> Result<Clients> {
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let mut clients = Clients {
            clients: Vec::with_capacity(n),
            epoll,
            events: Vec::with_capacity(1024),
            errors: 0,
            first_error: None,
            answered: 0,
        };
        let connecting = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let mut pending: BTreeMap<u64, OwnedFd> = BTreeMap::new();
        let (mut started, deadline) = (0u64, Instant::now() + CONNECT_LIMIT);
        let mut events = Vec::with_capacity(CONNECT_IN_FLIGHT);
        while (started as usize) < n || !pending.is_empty() {
            if Instant::now() >= deadline {
                let left = pending.len() + n - started as usize;
                clients.fail(
                    left as u64,
                    format!("not connected after {CONNECT_LIMIT:?}"),
                );
                break;
            }
            while pending.len() < CONNECT_IN_FLIGHT && (started as usize) < n {
                match start_connect(addr) {
                    Ok(socket) => {
                        epoll::add(
                            &connecting,
                            &socket,
                            EventData::new_u64(started),
                            EventFlags::OUT,
                        )?;
                        pending.insert(started, socket);
                    }
                    Err(error) => clients.fail(1, format!("connect: {error}")),
                }
                started += 1;
            }
            wait(&connecting, &mut events, Duration::from_millis(100))?;
            for event in &events {
                let Some(socket) = pending.remove(&event.data.u64()) else {
                    continue;
                };
                epoll::delete(&connecting, &socket)?;
                match rustix::net::sockopt::socket_error(&socket)? {
                    Ok(()) => clients.add(TcpStream::from(socket))?,
                    Err(error) => clients.fail(1, format!("connect: {}", io::Error::from(error))),
                }
            }
        }
        Ok(clients)
    }

    /// Counts `count` errors, keeping the first reason.
    fn fail(&mut self, count: u64, why: String) {
        self.errors += count;
        self.first_error.get_or_insert(why);
    }

    /// Takes in a connected socket.
    fn add(&mut self, stream: TcpStream) -> io::Result<()> {
        let index = self.clients.len() as u64;
        epoll::add(
            &self.epoll,
            &stream,
            EventData::new_u64(index),
            EventFlags::IN,
        )?;
        self.clients.push(Client {
            stream,
            sent: 0,
            since: None,
            got: 0,
            answer: [0; MESSAGE],
            broken: false,
        });
        Ok(())
    }

    /// Connections open (not broken).
    pub(super) fn open(&self) -> usize {
        self.clients.iter().filter(|client| !client.broken).count()
    }

    /// Connections with a request in flight.
    pub(super) fn in_flight(&self) -> usize {
        let waiting = self
            .clients
            .iter()
            .filter(|c| !c.broken && c.since.is_some());
        waiting.count()
    }

    /// Sends a request on every open connection that has none in flight.
    pub(super) fn send_idle(&mut self) {
        for index in 0..self.clients.len() {
            let client = &self.clients[index];
            if !client.broken && client.since.is_none() {
                self.send(index);
            }
        }
    }

    /// Sends the next request on connection `index`. 64 bytes always fit
    /// an empty socket buffer, so a short write is a broken connection.
    fn send(&mut self, index: usize) {
        let client = &mut self.clients[index];
        client.sent += 1;
        let sent = client.stream.write(&payload(client.sent));
        match sent {
            Ok(MESSAGE) => {
                client.since = Some(Instant::now());
                client.got = 0;
            }
            other => self.break_off(index, format!("request: {other:?}")),
        }
    }

    /// Gives connection `index` up, counting an error.
    fn break_off(&mut self, index: usize, why: String) {
        let client = &mut self.clients[index];
        client.broken = true;
        let _ = epoll::delete(&self.epoll, &client.stream);
        self.fail(1, why);
    }

    /// Runs the closed loop until `until`, or until no request is in
    /// flight: each answer is checked, and while `budget` lasts, answered
    /// by the next request (one unit of budget each). With `record`, each
    /// answer's latency is kept.
    pub(super) fn run(&mut self, until: Instant, budget: &mut u64, record: bool) -> Stretch {
        let mut stretch = Stretch {
            latencies_us: Vec::new(),
        };
        let mut events = std::mem::take(&mut self.events);
        loop {
            let now = Instant::now();
            if now >= until || self.in_flight() == 0 {
                break;
            }
            if wait(&self.epoll, &mut events, until - now).is_err() {
                break;
            }
            for event in &events {
                let index = event.data.u64() as usize;
                if let Some(latency) = self.receive(index) {
                    self.answered += 1;
                    if record {
                        stretch.latencies_us.push(latency.as_secs_f64() * 1e6);
                    }
                    if *budget > 0 {
                        *budget -= 1;
                        self.send(index);
                    }
                }
            }
        }
        self.events = events;
        stretch
    }

    /// Reads what connection `index` has: the request's latency once its
    /// whole answer is in and right.
    fn receive(&mut self, index: usize) -> Option<Duration> {
        let client = &mut self.clients[index];
        if client.broken {
            return None;
        }
        let read = client.stream.read(&mut client.answer[client.got..]);
        match read {
            Ok(0) => self.break_off(index, "closed by the server".into()),
            Ok(read) => {
                client.got += read;
                let since = client.since?;
                if client.got < MESSAGE {
                    return None;
                }
                if client.answer != payload(client.sent) {
                    self.break_off(index, "a wrong answer".into());
                    return None;
                }
                client.since = None;
                return Some(since.elapsed());
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => self.break_off(index, format!("answer: {error}")),
        }
        None
    }

    /// Notes on stderr what went wrong, if anything: errors with the first
    /// reason, the threads a server could not start, the unanswered.
    pub(super) fn explain(&self, backend: &str, n: usize, spawn_failures: u64) {
        if spawn_failures > 0 {
            let maps = std::fs::read_to_string("/proc/sys/vm/max_map_count").unwrap_or_default();
            eprintln!(
                "note: {backend} n={n}: the server closed {spawn_failures} connections it had no \
                 thread for: each thread takes 4 memory maps (stack, guard page, signal stack and \
                 its guard), and vm.max_map_count is {} here, room for about {} threads",
                maps.trim(),
                maps.trim().parse::<usize>().unwrap_or(0) / 4
            );
        }
        if let Some(why) = &self.first_error {
            eprintln!(
                "note: {backend} n={n}: {} errors (first: {why})",
                self.errors
            );
        }
        let waiting = self.in_flight();
        if waiting > 0 {
            eprintln!(
                "note: {backend} n={n}: {waiting} connections never answered: they wait for a \
                 free worker"
            );
        }
    }
}
