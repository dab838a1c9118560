//! The cross test, as processes over real sockets: `cross-client` and `cross-server` against
//! Python peers on Apache's `thrift` and on `thriftpy2` (`tests/python/cross.py`), in both
//! directions, on the cells of Apache's cross-test matrix for Python (its `test/tests.json`:
//! transports × protocols × sockets) that Python runs against itself; and against each other.
//! Every ThriftTest method is called and checked on each cell; the matrix is printed, and
//! every cell must pass.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use thrift_bidi_tests::{generated_dir, peers, venv_python};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Peer {
    Ours,
    Apache,
    Thriftpy2,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Ours => "ours",
            Peer::Apache => "apache",
            Peer::Thriftpy2 => "thriftpy2",
        }
    }

    /// The command of this peer's `role` (`server` or `client`), before the shared options.
    fn command(self, role: &str) -> Command {
        match self {
            Peer::Ours => Command::new(match role {
                "server" => env!("CARGO_BIN_EXE_cross-server"),
                _ => env!("CARGO_BIN_EXE_cross-client"),
            }),
            Peer::Apache | Peer::Thriftpy2 => {
                let generated = generated_dir();
                let idl = match self {
                    Peer::Apache => "ThriftTest.thrift",
                    _ => "ThriftTest-thriftpy2.thrift",
                };
                let mut command = Command::new(venv_python());
                command
                    .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/python/cross.py"))
                    .args([role, "--impl", self.name(), "--idl"])
                    .arg(generated.join("idl").join(idl))
                    .arg("--gen-py")
                    .arg(generated.join("gen-py"))
                    .arg("--certs")
                    .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/certs"));
                command
            }
        }
    }
}

/// Where the cell's connection runs: Apache's `sockets`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Socket {
    Ip,
    IpSsl,
    Domain,
}

impl Socket {
    fn name(self) -> &'static str {
        match self {
            Socket::Ip => "ip",
            Socket::IpSsl => "ip-ssl",
            Socket::Domain => "domain",
        }
    }
}

/// Apache's `tests.json` entry for Python (`py`): its transports, protocols and sockets.
/// (`binary:accel`, `compact:accelc`, `multi:multia` and `multic:multiac` pair Python's
/// C-accelerated codecs with the plain ones: the same bytes on the wire, and the same cells
/// here.)
const TRANSPORTS: [&str; 4] = ["buffered", "framed", "zlib", "http"];
const PROTOCOLS: [&str; 8] = [
    "binary", "compact", "json", "header", "multi", "multic", "multij", "multih",
];
const SOCKETS: [Socket; 3] = [Socket::Ip, Socket::IpSsl, Socket::Domain];

/// Whether a Python `peer` can run the cell against itself as `role`, and so whether it runs
/// with us: thriftpy2 0.7.1 has no zlib transport and no THeader, its `TApacheJSONProtocol`
/// fails against itself (`json` and `multij`: its client's first call, `testVoid`, comes back
/// `MISSING_RESULT` from its own server, over sockets and over HTTP alike), and its HTTP
/// server has no TLS (its HTTP client has, and runs `ip-ssl`).
fn python_can_run(peer: Peer, role: &str, socket: Socket, transport: &str, protocol: &str) -> bool {
    peer != Peer::Thriftpy2
        || (transport != "zlib"
            && !matches!(protocol, "header" | "multih" | "json" | "multij")
            && !(transport == "http" && role == "server" && socket == Socket::IpSsl))
}

/// The cells that are another cell again: over HTTP, Apache's Python programs ignore
/// `--domain-socket` (`THttpServer` listens on TCP, `THttpClient` calls a URL), and ours do
/// the same, so `http` on `domain` is `http` on `ip`, run once.
fn is_repeat(socket: Socket, transport: &str) -> bool {
    transport == "http" && socket == Socket::Domain
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    client: Peer,
    server: Peer,
    socket: Socket,
    transport: &'static str,
    protocol: &'static str,
}

fn unix_socket_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("thrift-bidi-cross-{}-{n}.sock", std::process::id()))
}

/// Starts the server, runs the client against it; `Err` says what failed. Both get the
/// arguments Apache's runner (`test/crossrunner`) gives: `--transport`, `--protocol`, `--zlib`
/// with the zlib transport, `--ssl` on `ip-ssl`, `--domain-socket` on `domain`. (`http` is a
/// POST to `http://localhost:PORT/`, or `https` with `--ssl`.)
fn run(cell: Cell) -> Result<(), String> {
    let mut options = vec![
        format!("--transport={}", cell.transport),
        format!("--protocol={}", cell.protocol),
    ];
    if cell.transport == "zlib" {
        options.push("--zlib".to_owned());
    }
    if cell.socket == Socket::IpSsl {
        options.push("--ssl".to_owned());
    }
    let socket = (cell.socket == Socket::Domain).then(unix_socket_path);
    let mut server = cell.server.command("server");
    server.args(&options);
    match &socket {
        Some(path) => server.arg("--domain-socket").arg(path),
        None => server.args(["--port", "0"]),
    };
    let server = peers::start_server(server, Duration::from_secs(30))?;
    let mut client = cell.client.command("client");
    client.args(&options);
    match &socket {
        Some(path) => client.arg("--domain-socket").arg(path),
        None => {
            let port = server.address.rsplit(':').next().unwrap_or_default();
            client.args(["--port", port])
        }
    };
    let finished = peers::run_client(client, Duration::from_mins(1));
    drop(server);
    if let Some(path) = socket {
        let _ = std::fs::remove_file(path);
    }
    match finished.code {
        Some(0) => Ok(()),
        code => Err(format!(
            "exit code {code:?}\n{}",
            finished.stderr.trim_end()
        )),
    }
}

/// Every cell of the matrix for each pair that both peers can run, in the printed order.
fn cells(pairs: &[(Peer, Peer)]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for &(client, server) in pairs {
        for socket in SOCKETS {
            for transport in TRANSPORTS {
                for protocol in PROTOCOLS {
                    if python_can_run(client, "client", socket, transport, protocol)
                        && python_can_run(server, "server", socket, transport, protocol)
                        && !is_repeat(socket, transport)
                    {
                        cells.push(Cell {
                            client,
                            server,
                            socket,
                            transport,
                            protocol,
                        });
                    }
                }
            }
        }
    }
    cells
}

/// Runs the cells on a few threads, prints the matrix (a row per pair, socket and transport,
/// a column per protocol; `-` where the cell is not run), fails listing the failed cells.
fn run_matrix(title: &str, cells: &[Cell]) {
    let results: Mutex<Vec<(usize, Result<(), String>)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..6 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&cell) = cells.get(i) else { break };
                let result = run(cell);
                results.lock().expect("no panics").push((i, result));
            });
        }
    });
    let mut results = results.into_inner().expect("no panics");
    results.sort_by_key(|(i, _)| *i);
    let mut table = format!("{title}\n{:<44}", "client → server (socket, transport)");
    for protocol in PROTOCOLS {
        let _ = write!(table, " {protocol:>8}");
    }
    let mut rows: Vec<(String, [&str; PROTOCOLS.len()])> = Vec::new();
    let mut failures = Vec::new();
    for (i, result) in &results {
        let cell = cells[*i];
        let label = format!(
            "{} → {} ({}, {})",
            cell.client.name(),
            cell.server.name(),
            cell.socket.name(),
            cell.transport
        );
        if rows.last().is_none_or(|(last, _)| *last != label) {
            rows.push((label, ["-"; PROTOCOLS.len()]));
        }
        let column = PROTOCOLS
            .iter()
            .position(|p| *p == cell.protocol)
            .unwrap_or(0);
        if let Some((_, marks)) = rows.last_mut() {
            marks[column] = if result.is_ok() { "pass" } else { "FAIL" };
        }
        if let Err(why) = result {
            failures.push(format!("{cell:?}: {why}"));
        }
    }
    for (label, marks) in &rows {
        let _ = write!(table, "\n{label:<44}");
        for mark in marks {
            let _ = write!(table, " {mark:>8}");
        }
    }
    let passed = cells.len() - failures.len();
    println!("{table}\n{passed} of {} cells pass", cells.len());
    assert!(
        failures.is_empty(),
        "failed cells:\n{}",
        failures.join("\n")
    );
}

#[test]
fn python_peers_both_directions() {
    let pairs = [
        (Peer::Apache, Peer::Ours),
        (Peer::Ours, Peer::Apache),
        (Peer::Thriftpy2, Peer::Ours),
        (Peer::Ours, Peer::Thriftpy2),
    ];
    run_matrix("cross test with Python peers", &cells(&pairs));
}

#[test]
fn ours_with_ours() {
    run_matrix(
        "cross test, ours with ours",
        &cells(&[(Peer::Ours, Peer::Ours)]),
    );
}

/// The client's exit code says what failed: nothing listening is "unknown" (64), and a
/// server speaking another protocol fails every group of checks.
#[test]
fn client_exit_codes_report_failures() {
    let mut nothing = Peer::Ours.command("client");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("bound").port().to_string();
    drop(listener);
    nothing.args(["--port", &port]);
    let finished = peers::run_client(nothing, Duration::from_secs(30));
    assert_eq!(finished.code, Some(64), "{}", finished.stderr);

    let mut server = Peer::Ours.command("server");
    server.args(["--port", "0", "--protocol", "compact"]);
    let server = peers::start_server(server, Duration::from_secs(30)).expect("starts");
    let mut client = Peer::Ours.command("client");
    let port = server.address.rsplit(':').next().expect("port");
    client.args(["--port", port, "--protocol", "binary"]);
    let finished = peers::run_client(client, Duration::from_mins(1));
    let code = finished.code.expect("exits");
    assert_eq!(
        code & 0b1111,
        0b1111,
        "every group fails: {}",
        finished.stderr
    );
}
