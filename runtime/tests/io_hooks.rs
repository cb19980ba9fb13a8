//! I/O seen from outside: a layer hears which task waited on which socket,
//! and when the socket became ready, so a request's timeline can show what
//! it waited on.

use minirt::net::{TcpListener, TcpStream};
use minirt::{Hooks, Instant, TaskId};
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

#[derive(Default)]
struct IoLog(RefCell<Vec<String>>);

impl Hooks for IoLog {
    fn watches_polls(&self) -> bool {
        false
    }
    fn io_waiting(&self, task: TaskId, _source: u64, read: bool) {
        let at = Instant::now().duration_since(Instant::ZERO).as_secs();
        let way = if read { "read" } else { "write" };
        self.0
            .borrow_mut()
            .push(format!("{at}s {task} waits to {way}"));
    }
    fn io_ready(&self, _source: u64, read: bool, _write: bool) {
        let at = Instant::now().duration_since(Instant::ZERO).as_secs();
        if read {
            self.0.borrow_mut().push(format!("{at}s readable"));
        }
    }
}

#[test]
fn a_layer_sees_a_read_wait_for_the_data_written_ten_virtual_seconds_later() {
    let log = Rc::new(IoLog::default());
    let rt = minirt::Runtime::builder()
        .virtual_clock()
        .hooks(log.clone())
        .prove_deadlocks(false)
        .build();
    rt.block_on(async {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        log.0.borrow_mut().clear(); // the connect and accept are not this test's
        let writer = minirt::spawn(async move {
            minirt::sleep(Duration::from_secs(10)).await;
            server.write_all(b"hello").await.unwrap();
        });
        let mut buffer = [0; 5];
        assert_eq!(client.read(&mut buffer).await.unwrap(), 5);
        writer.await.unwrap();
    });
    let lines = log.0.borrow();
    assert_eq!(
        lines.first().map(String::as_str),
        Some("0s task-0 waits to read"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|line| line == "10s readable"), "{lines:?}");
}

/// Counts the loop's questions "is it stuck for good?".
#[derive(Default)]
struct StuckCount(std::cell::Cell<usize>);

impl Hooks for StuckCount {
    fn watches_polls(&self) -> bool {
        false
    }
    fn stuck(&self, _census: &minirt::hooks::Census<'_>) -> Option<minirt::Deadlock> {
        self.0.set(self.0.get() + 1);
        None
    }
}

/// The loop idles with no timer, waiting on a wake from another thread:
/// with no socket open it asks whether it is stuck (a pass over every
/// task); with one open it does not, since an event on it may yet wake a
/// task (a server with thousands of connections idles like this often).
#[test]
fn with_a_socket_open_an_idle_loop_looks_for_no_deadlock() {
    let idle_once = |with_socket: bool| {
        let count = Rc::new(StuckCount::default());
        let rt = minirt::Runtime::builder()
            .hooks(count.clone())
            .prove_deadlocks(false)
            .build();
        rt.block_on(async {
            let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
            let listener = with_socket.then_some(listener);
            let (sender, receiver) = futures::channel::oneshot::channel();
            let thread = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                sender.send(()).unwrap();
            });
            receiver.await.unwrap();
            thread.join().unwrap();
            drop(listener);
        });
        count.0.get()
    };
    assert!(idle_once(false) >= 1, "without a socket the loop asks");
    assert_eq!(idle_once(true), 0, "with one it does not");
}
