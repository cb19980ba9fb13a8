//! Out of file descriptors: part 2's rows fail fast with the OS's reason,
//! and a server with none left refuses each waiting client with its spare
//! descriptor, or, without even that, resets its backlog; then it serves
//! again. Each test limits the descriptors of a process of its own.

use super::support::cells;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn part_2_out_of_file_descriptors_is_a_failed_row_with_the_reason() {
    // A real fault, not an injected one: the shell's open-file limit is set
    // so low that part 2's sockets cannot all open, while part 1's gather
    // needs none. Each request row fails with the OS's reason, fast (no
    // server spinning on a refused accept, no client left in the backlog
    // to time out: the server refuses it with its spare descriptor, or
    // resets its backlog if even that was taken), and the gather still runs.
    let concur = env!("CARGO_BIN_EXE_concur");
    let script = format!(
        "ulimit -n 16 && exec {concur} compare gather requests \
         --backend minirt --backend threads --unit 5ms --timeout 30s"
    );
    let started = Instant::now();
    let output = Command::new("bash")
        .args(["-c", &script])
        .env("CONCUR_PYTHON", "/python3-is-left-out-of-the-fault-tests")
        .output()
        .expect("bash starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let row = |scenario: &str, backend: &str| {
        let found = stdout.lines().find(|l| cells(l)[..] == [scenario, backend]);
        found.unwrap_or_else(|| panic!("no {scenario} {backend} row in {stdout}"))
    };
    assert!(row("gather", "minirt").contains("yes"), "{stdout}");
    for backend in ["minirt", "threads"] {
        let failed = row("requests", backend);
        assert!(failed.contains("FAILED"), "{failed}");
        assert!(failed.contains("Too many open files"), "{failed}");
    }
    // Far inside the 30 s run timeout: the failure is seen, not waited out.
    assert!(started.elapsed() < Duration::from_secs(25), "{stdout}");
}

/// Set in the child processes of the tests below, which run in them.
const OUT_OF_DESCRIPTORS: &str = "CONCUR_TEST_OUT_OF_DESCRIPTORS";

/// Runs the ignored test `helper` of this module alone, in this test binary
/// again, in a process limited to 64 descriptors (it uses them all up).
fn alone_with_few_descriptors(helper: &str) {
    let this = std::env::current_exe().expect("the test binary");
    let script = format!(
        "ulimit -n 64 && exec {} --exact descriptors::{helper} \
         --ignored --nocapture --test-threads 1",
        this.display()
    );
    let output = Command::new("bash")
        .args(["-c", &script])
        .env(OUT_OF_DESCRIPTORS, "1")
        .output()
        .expect("bash starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Whether this is the child process `alone_with_few_descriptors` started
/// (run anywhere else, a helper test does nothing).
fn in_a_process_of_its_own() -> bool {
    std::env::var_os(OUT_OF_DESCRIPTORS).is_some()
}

/// Every descriptor this process has left, held open.
fn hoard_every_descriptor() -> Vec<std::fs::File> {
    std::iter::from_fn(|| std::fs::File::open("/dev/null").ok()).collect()
}

/// A connection to `addr`. A server that resets its backlog closes its
/// listener and opens another at once, but a client on another thread can
/// come in between and be refused: it tries again for a few seconds.
fn connect_while_listening(addr: SocketAddr) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(addr) {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                assert!(Instant::now() < deadline, "not listening again: {error}");
                std::thread::sleep(Duration::from_millis(10));
            }
            connected => return connected.expect("connects"),
        }
    }
}

/// A GET of `path` from `addr` with one descriptor given back from `hoard`
/// for it: the connection, and what came back before the server closed it.
fn get(
    addr: SocketAddr,
    path: &str,
    hoard: &mut Vec<std::fs::File>,
) -> (TcpStream, std::io::Result<String>) {
    drop(hoard.pop());
    let mut client = connect_while_listening(addr);
    client
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a timeout");
    let request = format!("GET {path} HTTP/1.1\r\nhost: loopback\r\nconnection: close\r\n\r\n");
    client
        .write_all(request.as_bytes())
        .expect("the request is sent");
    let mut answer = String::new();
    let answered = client.read_to_string(&mut answer).map(|_| answer);
    (client, answered)
}

#[test]
fn a_server_out_of_descriptors_refuses_each_waiting_client_with_the_reason() {
    alone_with_few_descriptors("refusals_in_this_process");
}

#[test]
#[ignore = "run in a process of its own by the test above"]
fn refusals_in_this_process() {
    use concur::backend::net::server::ServerThread;
    use concur::model::io::Server;
    if !in_a_process_of_its_own() {
        return;
    }
    let server = ServerThread::start(Server::Http {
        delay: Duration::ZERO,
        answer: |path| path.to_string(),
    })
    .expect("the server starts");
    // Every descriptor is taken, then one is given back for a client to
    // connect with: the server has none to accept it with but its spare.
    let mut hoard = hoard_every_descriptor();
    let started = Instant::now();
    let (first, refused) = get(server.addr(), "/1", &mut hoard);
    let refused = refused.expect("an answer, then the end");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("Too many open files"), "{refused}");
    // With the first client's descriptor still held, the next is answered
    // too (refused again, or served with the descriptor the refusal freed).
    let (second, answered) = get(server.addr(), "/2", &mut hoard);
    let answered = answered.expect("an answer, then the end");
    assert!(answered.starts_with("HTTP/1.1 "), "{answered}");
    // At once, not after a timeout or a backoff each.
    assert!(started.elapsed() < Duration::from_secs(5));
    drop((first, second, hoard, server));
}

#[test]
fn a_server_without_even_its_spare_resets_its_backlog_then_serves_again() {
    alone_with_few_descriptors("resets_in_this_process");
}

#[test]
#[ignore = "run in a process of its own by the test above"]
fn resets_in_this_process() {
    use concur::backend::adapter::{loopback, LocalRuntime as _};
    use concur::backend::minirt::MinirtLoop;
    use concur::backend::net::serve_http;
    use std::sync::mpsc;
    if !in_a_process_of_its_own() {
        return;
    }
    // The server starts with every descriptor taken, so its spare cannot
    // open: the state a server is in when another thread takes the spare
    // it freed. Its thread runs on after this test; the process ends then.
    let (bound, addr) = mpsc::channel();
    let (hoarded, serve) = mpsc::channel();
    let (serving, started) = mpsc::channel();
    std::thread::spawn(move || {
        MinirtLoop::block_on(|runtime| async move {
            let listener = runtime.bind(loopback()).expect("a listener");
            let addr = MinirtLoop::local_addr(&listener).expect("its address");
            bound.send(addr).expect("the test waits");
            // Blocking this loop is harmless: it has nothing else to run yet.
            serve.recv().expect("the test hoards, then says so");
            let server = serve_http(runtime, listener, Duration::ZERO, |path| path.to_string());
            serving.send(()).expect("the test waits");
            server.await;
        })
    });
    let addr: SocketAddr = addr.recv().expect("the server binds");
    let mut hoard = hoard_every_descriptor();
    hoarded.send(()).expect("the server waits");
    started.recv().expect("the server starts, with no spare");
    // The client connects with the one descriptor given back, and waits in
    // the backlog of a server with none left: reset, long before its timeout.
    let waited = Instant::now();
    let (reset, answer) = get(addr, "/1", &mut hoard);
    let error = answer.expect_err("no answer but a reset");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    assert!(
        waited.elapsed() < Duration::from_secs(10),
        "{:?}",
        waited.elapsed()
    );
    // The server listens again at the same address, and with descriptors
    // back (the reset client's, and one more), serves the next client.
    drop(reset);
    drop(hoard.pop());
    let (served, answer) = get(addr, "/2", &mut hoard);
    let answer = answer.expect("an answer, then the end");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("/2"), "{answer}");
    drop((served, hoard));
}
