//! minirt runs hyper: a real HTTP/1 server and client on `minirt::net`,
//! through the futures-io traits and smol-hyper's adapter to hyper's own
//! I/O traits, both on one loop, on loopback.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response};
use minirt::net::{TcpListener, TcpStream};
use smol_hyper::rt::FuturesIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

/// Answers every request with its path, after `delay` on the runtime's clock.
async fn serve(listener: TcpListener, connections: usize, delay: Duration) {
    for _ in 0..connections {
        let (stream, _) = listener.accept().await.unwrap();
        let service = service_fn(move |request: Request<hyper::body::Incoming>| async move {
            minirt::sleep(delay).await;
            let body = format!("you asked for {}", request.uri().path());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
        });
        drop(minirt::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new();
            connection
                .serve_connection(FuturesIo::new(stream), service)
                .await
                .unwrap();
        }));
    }
}

/// One GET of `path` on a new connection: the status and the body.
async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(FuturesIo::new(stream))
        .await
        .unwrap();
    drop(minirt::spawn(async move { connection.await.unwrap() }));
    let request = Request::get(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

#[test]
fn ten_requests_to_a_hyper_server_overlap_on_one_loop() {
    let rt = minirt::Runtime::new();
    rt.block_on(async {
        let listener = TcpListener::bind(loopback()).unwrap();
        let addr = listener.local_addr().unwrap();
        drop(minirt::spawn(serve(
            listener,
            10,
            Duration::from_millis(100),
        )));
        let start = std::time::Instant::now();
        let requests = (0..10).map(|k| async move { get(addr, &format!("/{k}")).await });
        let responses = minirt::join_all(requests).await;
        for (k, (status, body)) in responses.into_iter().enumerate() {
            assert_eq!((status, body), (200, format!("you asked for /{k}")));
        }
        // Ten 100 ms answers, together: about 100 ms, not a second.
        assert!(
            start.elapsed() < Duration::from_millis(600),
            "{:?}",
            start.elapsed()
        );
    });
}

#[test]
fn on_the_virtual_clock_a_request_takes_exactly_its_handler_delay() {
    let rt = minirt::Runtime::with_virtual_clock();
    rt.block_on(async {
        let listener = TcpListener::bind(loopback()).unwrap();
        let addr = listener.local_addr().unwrap();
        drop(minirt::spawn(serve(listener, 1, Duration::from_secs(10))));
        let start = minirt::Instant::now();
        assert_eq!(
            get(addr, "/slow").await,
            (200, "you asked for /slow".to_string())
        );
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    });
}
