//! Part 2, P1: ten HTTP GETs to a local server whose handler answers after
//! one second. Each request is a task; all ten wait at once, on one thread,
//! and the whole takes about one second, not ten. The server is hyper, as
//! tasks of the same loop; the client is hyper too.
//!
//! ```text
//! cargo run --example 12_requests                  # minirt
//! cargo run --example 12_requests --features smol
//! cargo run --example 12_requests --features tokio
//! ```

use concur::executor::{self, gather, http_get, serve};
use concur::log::{info, unit};
use concur::model::io::Server;
use std::net::SocketAddr;

/// What the server answers a GET of `path` with.
fn answer(path: &str) -> String {
    format!("response to {path}\n")
}

/// One request: sent, then its answer checked and logged.
async fn fetch(addr: SocketAddr, k: usize) {
    info(format!("Request {k} sent"));
    let response = http_get(addr, &format!("/{k}"))
        .await
        .expect("the local server answers");
    assert_eq!(response.body, answer(&format!("/{k}")).as_bytes());
    info(format!(
        "Response {k}: {}, {} bytes",
        response.status,
        response.body.len()
    ));
}

/// The `main` coroutine.
async fn main_task() {
    let delay = unit();
    let addr = serve(Server::Http { delay, answer }).expect("a loopback port");
    info("Main started");
    gather((1..=10).map(|k| fetch(addr, k))).await;
    info("Main Ended");
}

fn main() {
    eprintln!("(on {})", executor::NAME);
    executor::run(main_task());
}
