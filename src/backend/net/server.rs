//! A server on a thread of its own: hyper's, or the echo, on a minirt loop,
//! on loopback, started and stopped by the harness.
//!
//! Part of `backend/net.rs`: the servers of the runs whose clients are
//! blocking threads, or an event loop on the system clock (the server then
//! waits on its own thread's clock, as a server elsewhere would).

use super::{serve_echo, serve_http, spawn_server, Answer};
use crate::backend::adapter::LocalRuntime;
use crate::backend::minirt::MinirtLoop;
use anyhow::Context as _;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A server on a minirt loop of its own thread, on loopback and an
/// ephemeral port, stopped (its connections closed, its thread joined)
/// when dropped.
pub struct ServerThread {
    /// Where it listens.
    addr: SocketAddr,
    /// Dropped to stop it: its loop waits for this channel to close.
    stop: Option<smol::channel::Sender<()>>,
    /// Its thread.
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Starts hyper's server, each request answered with `answer(path)`
    /// after `delay` (on the system clock).
    ///
    /// # Errors
    ///
    /// If its thread or its listener cannot be made.
    pub fn http(delay: Duration, answer: Answer) -> anyhow::Result<Self> {
        Self::start("http-server", move |runtime, listener| {
            serve_http(runtime, listener, delay, answer)
        })
    }

    /// Starts the echo server.
    ///
    /// # Errors
    ///
    /// If its thread or its listener cannot be made.
    pub fn echo() -> anyhow::Result<Self> {
        Self::start("echo-server", serve_echo)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts `serve` on a minirt loop on a new thread called `name`.
    fn start<F>(
        name: &str,
        serve: impl FnOnce(MinirtLoop, minirt::net::TcpListener) -> F + Send + 'static,
    ) -> anyhow::Result<Self>
    where
        F: Future<Output = ()> + 'static,
    {
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let (started, addr) = mpsc::channel();
        let thread = thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let served = MinirtLoop::block_on(|runtime| async move {
                    let _ = started.send(spawn_server(&runtime, serve));
                    // Nothing is ever sent: this ends when the harness drops `stop`.
                    let _ = stopped.recv().await;
                });
                drop(served);
            });
        let thread = thread.with_context(|| format!("starting the {name}'s thread"))?;
        let addr = addr
            .recv()
            .map_err(|_| anyhow::anyhow!("the {name} ended at its start"));
        let addr = addr?.with_context(|| format!("starting the {name} on loopback"))?;
        Ok(ServerThread {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
