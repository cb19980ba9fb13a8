//! Network and file I/O: the model of part 2 (requests, file reads,
//! connections), which every kind of backend runs in its own way.
//!
//! Part 1's models are one each: a scenario of threads runs on threads.
//! Part 2 asks one question of all of them ("fetch these pages", "read
//! these files"), so its model, [`Model::Io`](super::Model::Io), is offered
//! by every backend that does I/O, each in its [`IoStyle`]: one call after
//! another on the main thread, blocking calls on worker threads, or async
//! calls on an event loop ([`EventLoop`](super::event_loop::EventLoop)'s
//! `http_get`, `read_file`, `connect`). The blocking calls are the same for
//! every threaded backend, so they are here, once: a blocking HTTP client
//! (ureq), `std::fs`, a `std::net` echo. The sizes are [`IoSizes`].

use super::workers::MakeWorkers;
use std::future::Future;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::pin::Pin;
use std::time::Duration;

/// How long any one network call may take before it fails: far above an
/// honest one on loopback (a unit is at most 10 s), so only a server that
/// is gone or stuck reaches it.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How a backend does I/O.
#[derive(Clone, Copy)]
pub enum IoStyle {
    /// One call after another on the main thread.
    Sequential,
    /// Blocking calls on OS-thread workers.
    Workers {
        /// Makes the workers, given the most threads the scenario wants.
        make: MakeWorkers,
        /// Whether they are a pool of at most that many threads (or a
        /// thread per job, however many are asked for).
        bounded: bool,
    },
    /// Async calls on a single-threaded event loop (the backend's).
    EventLoop,
}

impl IoStyle {
    /// How many of `jobs` calls are in flight at once when a scenario
    /// offers them to `pool` workers: 1 one after another, `pool` on a
    /// bounded pool, all of them on threads or an event loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use concur::model::io::IoStyle;
    /// assert_eq!(IoStyle::Sequential.in_flight(5, 10), 1);
    /// ```
    pub fn in_flight(&self, pool: usize, jobs: usize) -> usize {
        match self {
            IoStyle::Sequential => 1,
            IoStyle::Workers { bounded: true, .. } => pool.min(jobs),
            IoStyle::Workers { bounded: false, .. } | IoStyle::EventLoop => jobs,
        }
        .max(1)
    }
}

/// The sizes of part 2's scenarios, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoSizes {
    /// How many HTTP GETs `requests` makes (`--requests`).
    pub requests: usize,
    /// How many files `file-reads` reads (`--files`).
    pub files: usize,
    /// How long each of those files is, in bytes.
    pub file_size: usize,
    /// How many connections `connections` holds open (`--connections`).
    pub connections: usize,
}

impl Default for IoSizes {
    /// The issue's sizes: 10 requests, 200 files of 1 MiB, 1,000 connections.
    fn default() -> Self {
        IoSizes {
            requests: 10,
            files: 200,
            file_size: 1 << 20,
            connections: 1000,
        }
    }
}

/// A server the harness starts on loopback for a run.
#[derive(Debug, Clone, Copy)]
pub enum Server {
    /// hyper's HTTP/1 server: each request answered, after `delay`, with
    /// the body `answer` gives its path.
    Http {
        /// How long the handler waits before it answers.
        delay: Duration,
        /// The body for a path.
        answer: fn(&str) -> String,
    },
    /// A TCP echo: each connection gets back what it sends.
    Echo,
}

/// An HTTP response, as every client here reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code, `200`.
    pub status: u16,
    /// The whole body.
    pub body: Vec<u8>,
}

/// A boxed future that borrows what it works on and stays on its thread.
pub type BorrowedFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// An open TCP connection on an event loop, to an echo server.
pub trait Connection {
    /// Sends `message` and waits for it to come back: the bytes received,
    /// as many as were sent (fewer if the peer closed first).
    fn echo<'a>(&'a mut self, message: &'a [u8]) -> BorrowedFuture<'a, io::Result<Vec<u8>>>;
}

/// One blocking HTTP/1 GET of `path` from `addr`, on a connection of its
/// own, with ureq (the blocking client of sync, threads and pool).
///
/// # Errors
///
/// A refused or reset connection, a timeout, a malformed response: in
/// ureq's words. A status other than 2xx is a [`Response`], not an error.
pub fn blocking_get(addr: SocketAddr, path: &str) -> anyhow::Result<Response> {
    let agent = ureq::AgentBuilder::new().timeout(CALL_TIMEOUT).build();
    let response = match agent.get(&format!("http://{addr}{path}")).call() {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        // Kept as the source, so that its own cause (an `io::Error`) can be found.
        Err(error) => return Err(anyhow::Error::new(error).context(format!("GET {path}"))),
    };
    let status = response.status();
    let mut body = Vec::new();
    response.into_reader().read_to_end(&mut body)?;
    Ok(Response { status, body })
}

/// A blocking TCP connection to an echo server (sync, threads, pool).
pub struct BlockingConnection(TcpStream);

impl BlockingConnection {
    /// Connects to `addr`, with [`CALL_TIMEOUT`] on every call.
    ///
    /// # Errors
    ///
    /// As `connect(2)`: refused, out of file descriptors.
    pub fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, CALL_TIMEOUT)?;
        stream.set_read_timeout(Some(CALL_TIMEOUT))?;
        stream.set_write_timeout(Some(CALL_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(BlockingConnection(stream))
    }

    /// As [`Connection::echo`], blocking.
    ///
    /// # Errors
    ///
    /// A reset connection, a timeout.
    pub fn echo(&mut self, message: &[u8]) -> io::Result<Vec<u8>> {
        self.0.write_all(message)?;
        let mut echoed = vec![0; message.len()];
        let mut got = 0;
        while got < echoed.len() {
            match self.0.read(&mut echoed[got..])? {
                0 => break,
                read => got += read,
            }
        }
        echoed.truncate(got);
        Ok(echoed)
    }
}
