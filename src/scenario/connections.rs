//! Part 2, P3, `connections`: open many connections (1,000 by default,
//! `--connections`) to a local echo server, hold them all open, then have
//! each send one message and wait for it to come back.
//!
//! What a waiting connection costs. With blocking I/O a connection that
//! waits needs a thread that waits (one each, on 64 KiB stacks here); on
//! an event loop it is a task and a registered socket, all on one thread.
//! Sync holds them all on one thread too, but serves them in turn. The run
//! reports the memory each held connection added to the process (resident
//! memory, `procfs.rs`; the echo server's side, a minirt task and a socket
//! a connection on a thread of its own, is in it for every backend alike)
//! and the threads that ran, and checks every echo.

mod gate;

use super::{Ctx, IoSizes, Meta, Outcome, Scenario};
use crate::backend::net::server::ServerThread;
use crate::backend::Backend;
use crate::check::{self, Expected};
use crate::model::event_loop::Handle;
use crate::model::io::{BlockingConnection, IoStyle, Server};
use crate::model::workers::JobSet;
use crate::model::Model;
use crate::procfs::{self, ThreadTally};
use gate::Gate;
use std::cell::RefCell;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// P3.
pub struct Connections;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "connections",
    section: "P3",
    about:
        "hold connections (--connections, 1000) to a local echo server, then echo one message each",
    model: Model::Io,
};

/// The stack of each connection's thread: small, as a server with a
/// thread per connection would choose.
pub const STACK: usize = 64 << 10;

impl Scenario for Connections {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        expected_echoes(&IoSizes::default())
    }

    fn expected_on(&self, _unit: Duration, _backend: &Backend, sizes: &IoSizes) -> Expected {
        expected_echoes(sizes)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let count = ctx.io.connections;
        let style = backend.io()?;
        // On a virtual clock the server must wait on that clock: it runs on the loop.
        let served_here =
            matches!(style, IoStyle::EventLoop) && backend.clock(Model::Io).is_virtual();
        let server = (!served_here)
            .then(|| ServerThread::start(Server::Echo))
            .transpose()?;
        let before = procfs::resident_bytes();
        let addr = server.as_ref().map(ServerThread::addr);
        ctx.log(format!("Opening {count} connections"));
        let held = match style {
            IoStyle::Sequential => {
                let addr = addr.expect("a server thread for blocking clients");
                let open = (0..count).map(|_| BlockingConnection::connect(addr));
                let mut open = open.collect::<std::io::Result<Vec<_>>>()?;
                let held = hold(ctx, count, before, 1);
                let echoes = open
                    .iter_mut()
                    .enumerate()
                    .map(|(k, c)| echo_blocking(c, k));
                held.with_echoes(echoes.collect::<anyhow::Result<Vec<_>>>()?)
            }
            IoStyle::Workers { make, .. } => {
                // A pool as large as the connections: one that is smaller
                // could not hold them all open while each waits.
                let addr = addr.expect("a server thread for blocking clients");
                let mut workers = make(count);
                workers.set_stack_size(STACK);
                let (gate, mut jobs) = (Arc::new(Gate::new(count)), JobSet::new(workers.as_ref()));
                for k in 0..count {
                    let gate = Arc::clone(&gate);
                    jobs.submit(move || {
                        let open = gate.opened(BlockingConnection::connect(addr));
                        gate.wait_for_go()?;
                        Ok((echo_blocking(&mut open?, k)?, procfs::current_thread_id()))
                    });
                }
                let opened = gate.wait_until_all_opened();
                let held = opened.map(|()| hold(ctx, count, before, count + 1));
                gate.go();
                let done = jobs
                    .join_all()
                    .into_iter()
                    .collect::<anyhow::Result<Vec<_>>>();
                workers.join();
                let (done, held) = (done?, held?);
                let threads: HashSet<u32> = done.iter().map(|&(_, thread)| thread).collect();
                let echoes = done.into_iter().map(|(echoed, _)| echoed).collect();
                Held {
                    threads: threads.len() + 1,
                    ..held
                }
                .with_echoes(echoes)
            }
            IoStyle::EventLoop => {
                let result = Rc::new(RefCell::new(None));
                let (main_ctx, found, server_thread) = (
                    ctx.clone(),
                    Rc::clone(&result),
                    server.as_ref().map(ServerThread::thread_id),
                );
                ctx.event_loop(backend)?.run(Box::new(move |event_loop| {
                    Box::pin(on_loop(
                        event_loop,
                        main_ctx,
                        addr.ok_or(Server::Echo),
                        before,
                        server_thread,
                        found,
                    ))
                }))?;
                let taken = result.take();
                taken.unwrap_or_else(|| Err(anyhow::anyhow!("the loop ended early")))?
            }
        };
        drop(server);
        let matched = held.echoes.iter().filter(|&&echoed| echoed).count();
        ctx.log(format!("{matched} echoes received"));
        let per_connection = held.memory.map_or("unknown".into(), |bytes| {
            format!("{:.1} KiB", bytes as f64 / count.max(1) as f64 / 1024.0)
        });
        Ok(Outcome {
            value: Some(i64::try_from(matched).unwrap_or(i64::MAX)),
            threads: Some(held.threads),
            note: Some(format!("{count} held, {per_connection} each")),
            ..Outcome::default()
        })
    }
}

/// What a run must show: its first line at 0, and every echo back.
fn expected_echoes(sizes: &IoSizes) -> Expected {
    let first = format!("Opening {} connections", sizes.connections);
    Expected {
        events: check::events(&[(0.0, &first)]),
        total: None,
        value: Some(i64::try_from(sizes.connections).unwrap_or(i64::MAX)),
    }
}

/// The connections held open: what they cost, then whether each echoed.
struct Held {
    /// Resident memory they added, if `/proc` could tell.
    memory: Option<u64>,
    /// Threads that held them.
    threads: usize,
    /// Whether each one's message came back whole.
    echoes: Vec<bool>,
}

impl Held {
    /// The same, with `echoes`.
    fn with_echoes(self, echoes: Vec<bool>) -> Held {
        Held { echoes, ..self }
    }
}

/// All `count` are open: logs it, and measures what they cost.
fn hold(ctx: &Ctx, count: usize, before: Option<u64>, threads: usize) -> Held {
    ctx.log(format!("Holding {count} connections open"));
    let memory = before.zip(procfs::resident_bytes());
    let memory = memory.map(|(before, now)| now.saturating_sub(before));
    Held {
        memory,
        threads,
        echoes: Vec::new(),
    }
}

/// Connection `k`'s message, distinct from every other's.
fn message(k: usize) -> Vec<u8> {
    format!("hello from connection {k}\n").into_bytes()
}

/// Sends connection `k`'s message and checks that it came back.
fn echo_blocking(connection: &mut BlockingConnection, k: usize) -> anyhow::Result<bool> {
    Ok(connection.echo(&message(k))? == message(k))
}

/// The async `main`: a task per connection, each connecting and then
/// waiting for the gate; once all are open, measured, then let go.
async fn on_loop(
    event_loop: Handle,
    ctx: Ctx,
    addr: Result<SocketAddr, Server>,
    before: Option<u64>,
    server_thread: Option<u32>,
    found: Rc<RefCell<Option<anyhow::Result<Held>>>>,
) {
    let count = ctx.io.connections;
    // Given an address, or the server to start here.
    let addr = match addr.or_else(|server| event_loop.serve(server)) {
        Ok(addr) => addr,
        Err(error) => {
            let error = anyhow::anyhow!("starting the echo server: {error}");
            return *found.borrow_mut() = Some(Err(error));
        }
    };
    let tally = ThreadTally::now();
    let (opened_tx, opened) = smol::channel::unbounded::<std::io::Result<()>>();
    let (go, gate) = smol::channel::bounded::<()>(1);
    let echoed = Rc::new(RefCell::new(Vec::with_capacity(count)));
    let tasks: Vec<_> = (0..count)
        .map(|k| {
            let (opened_tx, gate, connect) =
                (opened_tx.clone(), gate.clone(), event_loop.connect(addr));
            let echoed = Rc::clone(&echoed);
            event_loop.spawn(Box::pin(async move {
                let connection = connect.await;
                let _ = opened_tx
                    .send(connection.as_ref().map(drop).map_err(copy))
                    .await;
                // The gate opens when `go` is dropped: nothing is ever sent.
                let _ = gate.recv().await;
                let echo = match connection {
                    Ok(mut connection) => {
                        connection.echo(&message(k)).await.map(|e| e == message(k))
                    }
                    Err(error) => Err(error),
                };
                echoed.borrow_mut().push(echo);
            }))
        })
        .collect();
    let mut all_open = Ok(());
    for _ in 0..count {
        match opened.recv().await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => all_open = Err(error),
            Err(_) => break,
        }
    }
    let ran = ThreadTally::now().ran_since(&tally);
    let harness = [Some(procfs::process_id()), server_thread];
    let here = procfs::current_thread_id();
    let threads = ran
        .iter()
        .filter(|&&tid| tid == here || !harness.contains(&Some(tid)))
        .count();
    let held = hold(&ctx, count, before, threads.max(1));
    drop(go);
    for task in tasks {
        task.await;
    }
    let echoes: std::io::Result<Vec<bool>> = echoed.take().into_iter().collect();
    let result = all_open.and(echoes).map(|echoes| held.with_echoes(echoes));
    *found.borrow_mut() = Some(result.map_err(anyhow::Error::from));
}

/// An I/O error again, with the same kind and words (they do not clone).
fn copy(error: &std::io::Error) -> std::io::Error {
    std::io::Error::new(error.kind(), error.to_string())
}
