//! Part 2, P1, `requests`: ten HTTP GETs to a local server whose handler
//! answers after one unit.
//!
//! The article's refresher: threads suit network I/O, because a thread
//! that waits for the network holds no one up. One after another the ten
//! take ten units; on ten threads, one; on a pool of five, two (in waves
//! of five); on an event loop, one, on one thread. The server is hyper on
//! loopback, on a minirt loop of its own thread, started and stopped here
//! (on a virtual clock, tasks of the loop under test, so that its delay is
//! virtual too); the clients are ureq, blocking, on sync, threads and the
//! pool, and hyper on each event loop. Every response is checked.

use super::{Ctx, IoSizes, Meta, Outcome, Scenario};
use crate::backend::net::server::ServerThread;
use crate::backend::Backend;
use crate::check::Expected;
use crate::model::event_loop::{gather, Handle};
use crate::model::io::{blocking_get, IoStyle, Response, Server};
use crate::model::workers::JobSet;
use crate::model::Model;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

/// P1.
pub struct Requests;

/// Its name, section, summary and model: what the command line lists.
pub const META: Meta = Meta {
    name: "requests",
    section: "P1",
    about: "HTTP GETs (--requests, 10) to a local hyper server answering after 1 unit",
    model: Model::Io,
};

/// The pool's size, as in the article's `ThreadPoolExecutor(max_workers=5)`.
pub const POOL: usize = 5;

impl Scenario for Requests {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn expected(&self, _unit: Duration) -> Expected {
        expected_requests(IoSizes::default().requests, 1)
    }

    fn expected_on(&self, _unit: Duration, backend: &Backend, sizes: &IoSizes) -> Expected {
        let in_flight = backend
            .io()
            .map_or(1, |io| io.in_flight(POOL, sizes.requests));
        expected_requests(sizes.requests, in_flight)
    }

    fn run(&self, backend: &Backend, ctx: &Ctx) -> anyhow::Result<Outcome> {
        let count = ctx.io.requests;
        let style = backend.io()?;
        // On a virtual clock the server must wait on that clock: it runs on the loop.
        let on_loop = matches!(style, IoStyle::EventLoop) && backend.clock(Model::Io).is_virtual();
        let kind = Server::Http {
            delay: ctx.unit,
            answer,
        };
        let server = (!on_loop).then(|| ServerThread::start(kind)).transpose()?;
        let addr = server.as_ref().map(ServerThread::addr);
        match style {
            IoStyle::EventLoop => {
                let (main_ctx, failures) = (ctx.clone(), Rc::default());
                let failed = Rc::clone(&failures);
                ctx.event_loop(backend)?.run(Box::new(move |event_loop| {
                    Box::pin(main(event_loop, main_ctx, addr.ok_or(kind), count, failed))
                }))?;
                RefCell::<Failures>::take(&failures).into_result(count)?;
            }
            IoStyle::Sequential => {
                let addr = addr.expect("a server thread for blocking clients");
                ctx.log("Main started");
                for k in 1..=count {
                    fetch_blocking(ctx, addr, k)?;
                }
                ctx.log("Main Ended");
            }
            IoStyle::Workers { make, .. } => {
                let addr = addr.expect("a server thread for blocking clients");
                let workers = make(POOL);
                ctx.log("Main started");
                let mut jobs = JobSet::new(workers.as_ref());
                for k in 1..=count {
                    let ctx = ctx.clone();
                    jobs.submit(move || (k, fetch_blocking(&ctx, addr, k)));
                }
                let results = jobs.join_all();
                workers.join();
                let failed = results
                    .into_iter()
                    .filter_map(|(k, result)| Some((k, result.err()?)));
                Failures::of_requests(failed.collect()).into_result(count)?;
                ctx.log("Main Ended");
            }
        }
        drop(server);
        Ok(Outcome::default())
    }
}

/// What the server answers a GET of `path` with.
pub fn answer(path: &str) -> String {
    format!("response to {path}\n")
}

/// The timeline of `count` requests, `in_flight` at a time: request k is
/// sent when a wave starts and answered one unit later.
pub fn expected_requests(count: usize, in_flight: usize) -> Expected {
    let wave = |k: usize| ((k - 1) / in_flight.max(1)) as f64;
    let mut events = vec![(0.0, "Main started".to_string())];
    for k in 1..=count {
        events.push((wave(k), format!("Request {k} sent")));
        let bytes = answer(&format!("/{k}")).len();
        events.push((wave(k) + 1.0, format!("Response {k}: 200, {bytes} bytes")));
    }
    let total = count.div_ceil(in_flight.max(1)) as f64;
    events.push((total, "Main Ended".to_string()));
    Expected {
        events,
        total: Some(total),
        value: None,
    }
}

/// What went wrong in a run: its server, or some of its requests.
#[derive(Default)]
struct Failures {
    /// The server could not start (on the loop under test).
    server: Option<anyhow::Error>,
    /// The requests that failed, by number, each with its error.
    requests: Vec<(usize, anyhow::Error)>,
}

impl Failures {
    /// The failures of these requests.
    fn of_requests(requests: Vec<(usize, anyhow::Error)>) -> Self {
        Failures {
            server: None,
            requests,
        }
    }

    /// Ok if nothing failed; else one message that names every failed
    /// request of `count`, grouped by why (the innermost cause). The first
    /// alone may not say why: a client refused by a server out of
    /// descriptors hears only a reset, while the one that ran out first
    /// says so; and ten alike read as one.
    fn into_result(self, count: usize) -> anyhow::Result<()> {
        if let Some(error) = self.server {
            return Err(error.context("starting the server"));
        }
        let mut requests = self.requests;
        if requests.is_empty() {
            return Ok(());
        }
        requests.sort_by_key(|(k, _)| *k);
        let mut by_cause: Vec<(String, Vec<String>)> = Vec::new();
        for (k, error) in &requests {
            let cause = error.root_cause().to_string();
            match by_cause.iter_mut().find(|(seen, _)| *seen == cause) {
                Some((_, which)) => which.push(k.to_string()),
                None => by_cause.push((cause, vec![k.to_string()])),
            }
        }
        let groups = by_cause.iter().map(|(cause, which)| {
            let noun = if which.len() == 1 {
                "request"
            } else {
                "requests"
            };
            format!("{noun} {}: {cause}", which.join(", "))
        });
        let groups: Vec<String> = groups.collect();
        let failed = requests.len();
        anyhow::bail!("{failed} of {count} requests failed: {}", groups.join("; "))
    }
}

/// Checks the response to request `k` and logs it, or says what is wrong.
fn check(ctx: &Ctx, k: usize, response: anyhow::Result<Response>) -> anyhow::Result<()> {
    let response = response?;
    let want = answer(&format!("/{k}"));
    // A refusal's body says why; anything else is summed up by its size.
    anyhow::ensure!(
        response.status != 503,
        "status 503: {}",
        String::from_utf8_lossy(&response.body)
    );
    anyhow::ensure!(
        response.status == 200 && response.body == want.as_bytes(),
        "status {} and {} bytes, expected 200 and {want:?}",
        response.status,
        response.body.len()
    );
    let bytes = response.body.len();
    ctx.log(format!("Response {k}: {}, {bytes} bytes", response.status));
    Ok(())
}

/// Request `k` with the blocking client, as a span of its thread.
fn fetch_blocking(ctx: &Ctx, addr: SocketAddr, k: usize) -> anyhow::Result<()> {
    let _span = ctx.rec.span(format!("GET /{k}"));
    ctx.log(format!("Request {k} sent"));
    let path = format!("/{k}");
    let response = ctx
        .rec
        .blocking_io(format!("GET {path}"), || blocking_get(addr, &path));
    check(ctx, k, response)
}

/// The async `main`: every request a task, gathered; failures kept.
async fn main(
    event_loop: Handle,
    ctx: Ctx,
    addr: Result<SocketAddr, Server>,
    count: usize,
    failures: Rc<RefCell<Failures>>,
) {
    // Given an address, or the server to start here.
    let addr = match addr.or_else(|server| event_loop.serve(server)) {
        Ok(addr) => addr,
        Err(error) => {
            failures.borrow_mut().server = Some(error.into());
            return;
        }
    };
    ctx.log("Main started");
    let requests = (1..=count).map(|k| {
        let (event_loop, ctx, failures) = (event_loop.clone(), ctx.clone(), failures.clone());
        Box::pin(async move {
            ctx.rec.name_task(&format!("Request {k}"));
            ctx.log(format!("Request {k} sent"));
            let response = event_loop.http_get(addr, format!("/{k}")).await;
            if let Err(error) = check(&ctx, k, response) {
                failures.borrow_mut().requests.push((k, error));
            }
        }) as _
    });
    gather(&*event_loop, requests).await;
    ctx.log("Main Ended");
}

#[cfg(test)]
mod tests {
    use super::Failures;
    use anyhow::Context as _;
    use std::io;

    /// A failure like a client's: `GET /k`, caused by running out of descriptors.
    fn out_of_descriptors(k: usize) -> (usize, anyhow::Error) {
        let cause = io::Error::from_raw_os_error(24);
        let error = Err::<(), _>(cause)
            .context(format!("GET /{k}"))
            .unwrap_err();
        (k, error)
    }

    #[test]
    fn failed_requests_are_grouped_by_their_innermost_cause_in_order() {
        let refused = (2, anyhow::anyhow!("status 503: the server is out"));
        let failures = vec![out_of_descriptors(3), refused, out_of_descriptors(1)];
        let error = Failures::of_requests(failures).into_result(10).unwrap_err();
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(
            error.to_string(),
            format!(
                "3 of 10 requests failed: requests 1, 3: {emfile}; \
                 request 2: status 503: the server is out"
            )
        );
    }

    #[test]
    fn no_failure_is_ok_and_a_server_that_did_not_start_says_so() {
        assert!(Failures::default().into_result(10).is_ok());
        let failures = Failures {
            server: Some(anyhow::anyhow!("no listener")),
            ..Failures::default()
        };
        let error = failures.into_result(10).unwrap_err();
        assert_eq!(format!("{error:#}"), "starting the server: no listener");
    }
}
