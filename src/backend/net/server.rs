//! A server on a thread of its own: hyper's, or the echo, on a minirt loop,
//! on loopback, started and stopped by the harness.
//!
//! Part of `backend/net.rs`: the servers of the runs whose clients are
//! blocking threads, or an event loop on the system clock (the server then
//! waits on its own thread's clock, as a server elsewhere would).

use super::serve_on;
use crate::backend::adapter::LocalRuntime;
use crate::backend::minirt::MinirtLoop;
use crate::model::io::Server;
use anyhow::Context as _;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

/// A server on a minirt loop of its own thread, on loopback and an
/// ephemeral port, stopped (its connections closed, its thread joined)
/// when dropped.
pub struct ServerThread {
    /// Where it listens.
    addr: SocketAddr,
    /// Its thread's kernel id, for a scenario that counts the threads
    /// that ran and must leave the server's out.
    thread_id: u32,
    /// Dropped to stop it: its loop waits for this channel to close.
    stop: Option<smol::channel::Sender<()>>,
    /// Its thread.
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Starts `server` on a minirt loop on a thread of its own (on the
    /// system clock).
    ///
    /// # Errors
    ///
    /// If its thread or its listener cannot be made.
    pub fn start(server: Server) -> anyhow::Result<Self> {
        let name = match server {
            Server::Http { .. } => "http-server",
            Server::Echo => "echo-server",
        };
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let (started, addr) = mpsc::channel();
        let thread = thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let served = MinirtLoop::block_on(|runtime| async move {
                    let tid = crate::procfs::current_thread_id();
                    let _ = started.send(serve_on(&runtime, server).map(|addr| (addr, tid)));
                    // Nothing is ever sent: this ends when the harness drops `stop`.
                    let _ = stopped.recv().await;
                });
                drop(served);
            });
        let thread = thread.with_context(|| format!("starting the {name}'s thread"))?;
        let addr = addr
            .recv()
            .map_err(|_| anyhow::anyhow!("the {name} ended at its start"));
        let (addr, thread_id) =
            addr?.with_context(|| format!("starting the {name} on loopback"))?;
        Ok(ServerThread {
            addr,
            thread_id,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its thread's kernel id (see [`crate::procfs`]).
    pub fn thread_id(&self) -> u32 {
        self.thread_id
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
