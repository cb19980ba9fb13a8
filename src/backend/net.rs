//! Part 2's real parts, written once for every runtime: hyper's HTTP/1
//! client and server and a TCP echo server, on any [`LocalRuntime`].
//!
//! Each runtime's adapter gives its sockets and the smallest bridge to
//! hyper's I/O traits (`LocalRuntime::hyper_io`); the rest is here, the
//! same code on minirt, smol and tokio. The event loops' part-2 methods
//! ([`LoopIo::http_get`]
//! and the others) call these functions, and [`server::ServerThread`] runs a
//! server on a minirt loop of its own thread, started and stopped by the
//! harness, for the runs whose clients are not on a loop (or not on this
//! thread's). Every call is bounded by [`CALL_TIMEOUT`].

mod accept;
pub mod server;

use super::adapter::{loopback, LocalRuntime};
use crate::model::event_loop::{LocalFuture, LoopIo};
use crate::model::io::{BorrowedFuture, Connection, Response, Server, CALL_TIMEOUT};
use accept::{Accepted, Acceptor};
use anyhow::Context as _;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// An event loop of one runtime: what [`LoopIo`] needs to do part 2's I/O
/// on it, once for every backend.
pub(crate) trait OnRuntime {
    /// The runtime's adapter.
    type Runtime: LocalRuntime;

    /// The adapter of the runtime this loop runs on.
    fn runtime(&self) -> Self::Runtime;
}

impl<L: OnRuntime> LoopIo for L {
    fn http_get(&self, addr: SocketAddr, path: String) -> LocalFuture<anyhow::Result<Response>> {
        Box::pin(http_get(self.runtime(), addr, path))
    }

    fn serve(&self, server: Server) -> io::Result<SocketAddr> {
        serve_on(&self.runtime(), server)
    }

    fn read_file(&self, path: PathBuf) -> LocalFuture<io::Result<Vec<u8>>> {
        Box::pin(LocalRuntime::read_file(&self.runtime(), path))
    }

    fn connect(&self, addr: SocketAddr) -> LocalFuture<io::Result<Box<dyn Connection>>> {
        Box::pin(LoopConnection::connect(self.runtime(), addr))
    }
}

/// What a request's handler answers a path with.
pub type Answer = fn(&str) -> String;

/// `future`, or a `TimedOut` error after `limit` on `runtime`'s clock.
async fn bounded<R: LocalRuntime, T>(
    runtime: &R,
    limit: Duration,
    future: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let timer = runtime.sleep(limit);
    let timed_out = async {
        timer.await;
        let after = humantime::format_duration(limit);
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no answer after {after}"),
        ))
    };
    futures_lite::future::or(future, timed_out).await
}

/// One HTTP/1 GET of `path` from `addr` with hyper's client on a new
/// connection: the status and the whole body.
///
/// # Errors
///
/// A refused or reset connection, a malformed answer, a timeout.
pub async fn http_get<R: LocalRuntime>(
    runtime: R,
    addr: SocketAddr,
    path: String,
) -> anyhow::Result<Response> {
    let get = async {
        let stream = runtime.connect(addr).await?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(R::hyper_io(stream))
            .await
            .map_err(io::Error::other)?;
        // The connection's own task reads and writes; the request waits on it.
        drop(runtime.spawn(async move {
            let _ = connection.await;
        }));
        let request = hyper::Request::get(path.as_str())
            .header("host", addr.to_string())
            .body(Empty::<Bytes>::new())
            .map_err(io::Error::other)?;
        let response = sender
            .send_request(request)
            .await
            .map_err(io::Error::other)?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(io::Error::other)?;
        Ok(Response {
            status,
            body: body.to_bytes().to_vec(),
        })
    };
    let what = format!("GET {path}");
    bounded(&runtime, CALL_TIMEOUT, get)
        .await
        .with_context(|| what.clone())
}

/// Serves HTTP/1 with hyper on `listener` until dropped: each connection
/// is a task, each request answered with `answer(path)` after `delay`.
/// Out of file descriptors, a connection taken with the spare one is
/// answered 503 with the reason, so that its client hears why at once
/// (and with no spare either, the backlog is reset: see `net/accept.rs`).
pub fn serve_http<R: LocalRuntime>(
    runtime: R,
    listener: R::Listener,
    delay: Duration,
    answer: Answer,
) -> impl Future<Output = ()> {
    let mut acceptor = Acceptor::new(runtime.clone(), listener);
    async move {
        loop {
            let (stream, refusal) = match acceptor.next().await {
                Accepted::Serve(stream) => (stream, None),
                Accepted::Refuse(stream, error) => (stream, Some(refusal_of(&error))),
            };
            let refused = refusal.is_some();
            let handler = runtime.clone();
            let service = service_fn(move |request: hyper::Request<Incoming>| {
                let (handler, refusal) = (handler.clone(), refusal.clone());
                async move {
                    if let Some(reason) = refusal {
                        let mut refused = hyper::Response::new(Full::new(Bytes::from(reason)));
                        *refused.status_mut() = hyper::StatusCode::SERVICE_UNAVAILABLE;
                        return Ok::<_, Infallible>(refused);
                    }
                    handler.sleep(delay).await;
                    let body = answer(request.uri().path());
                    Ok(hyper::Response::new(Full::new(Bytes::from(body))))
                }
            });
            let spare = acceptor.spare();
            drop(runtime.spawn(async move {
                let mut connection = hyper::server::conn::http1::Builder::new();
                let _ = connection
                    .keep_alive(!refused)
                    .serve_connection(R::hyper_io(stream), service)
                    .await;
                if refused {
                    // Its descriptor is closed: take it back before another does.
                    spare.reopen();
                }
            }));
        }
    }
}

/// The body of a 503 that refuses a connection for `error`.
fn refusal_of(error: &io::Error) -> String {
    format!("the server is out of file descriptors: {error}")
}

/// Serves a TCP echo on `listener` until dropped: each connection is a
/// task that sends back whatever it reads, until the client closes. Out
/// of file descriptors, a connection taken with the spare one is closed at
/// once (an echo has no way to say why); with no spare, as for HTTP.
pub fn serve_echo<R: LocalRuntime>(runtime: R, listener: R::Listener) -> impl Future<Output = ()> {
    let mut acceptor = Acceptor::new(runtime.clone(), listener);
    async move {
        loop {
            let mut stream = match acceptor.next().await {
                Accepted::Serve(stream) => stream,
                Accepted::Refuse(..) => continue,
            };
            drop(runtime.spawn(async move {
                // Small, so that the server's share of a connection's memory is too.
                let mut buf = [0; 256];
                while let Ok(read @ 1..) = R::read(&mut stream, &mut buf).await {
                    if R::write_all(&mut stream, &buf[..read]).await.is_err() {
                        break;
                    }
                }
            }));
        }
    }
}

/// `error`, its message prefixed with `what` failed, its kind kept.
fn labelled(what: &str, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{what}: {error}"))
}

/// A connection to an echo server on a runtime's reactor.
pub struct LoopConnection<R: LocalRuntime> {
    /// The runtime, for the timeout's clock.
    runtime: R,
    /// The socket.
    stream: R::Stream,
}

impl<R: LocalRuntime> LoopConnection<R> {
    /// Connects to `addr` on `runtime`, within [`CALL_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// As `connect(2)`, or a timeout.
    pub async fn connect(runtime: R, addr: SocketAddr) -> io::Result<Box<dyn Connection>> {
        let connect = runtime.connect(addr);
        let stream = bounded(&runtime, CALL_TIMEOUT, connect).await;
        let stream = stream.map_err(|error| labelled("connect", error))?;
        Ok(Box::new(LoopConnection { runtime, stream }))
    }
}

impl<R: LocalRuntime> Connection for LoopConnection<R> {
    fn echo<'a>(&'a mut self, message: &'a [u8]) -> BorrowedFuture<'a, io::Result<Vec<u8>>> {
        let stream = &mut self.stream;
        let echo = async move {
            R::write_all(stream, message).await?;
            let mut echoed = vec![0; message.len()];
            let mut got = 0;
            while got < echoed.len() {
                match R::read(stream, &mut echoed[got..]).await? {
                    0 => break,
                    read => got += read,
                }
            }
            echoed.truncate(got);
            Ok(echoed)
        };
        let runtime = self.runtime.clone();
        Box::pin(async move {
            let echoed = bounded(&runtime, CALL_TIMEOUT, echo).await;
            echoed.map_err(|error| labelled("echo", error))
        })
    }
}

/// Starts `server` on a loopback listener of `runtime`, as tasks of this
/// loop: the address it listens on.
///
/// # Errors
///
/// If the listener cannot be bound.
pub fn serve_on<R: LocalRuntime>(runtime: &R, server: Server) -> io::Result<SocketAddr> {
    match server {
        Server::Http { delay, answer } => spawn_server(runtime, move |runtime, listener| {
            serve_http(runtime, listener, delay, answer)
        }),
        Server::Echo => spawn_server(runtime, serve_echo),
    }
}

/// Binds a loopback listener on `runtime` and spawns `serve` on it, as a
/// task of this loop: the address it listens on.
///
/// # Errors
///
/// If the listener cannot be bound.
pub fn spawn_server<R, F>(
    runtime: &R,
    serve: impl FnOnce(R, R::Listener) -> F,
) -> io::Result<SocketAddr>
where
    R: LocalRuntime,
    F: Future<Output = ()> + 'static,
{
    let listener = runtime.bind(loopback())?;
    let addr = R::local_addr(&listener)?;
    drop(runtime.spawn(serve(runtime.clone(), listener)));
    Ok(addr)
}
