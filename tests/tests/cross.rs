//! The cross test, as processes over real sockets: `cross-client` and `cross-server` against
//! Python peers on Apache's `thrift` and on `thriftpy2` (`tests/python/cross.py`), in both
//! directions, for every transport × protocol, plain, multiplexed and over Unix sockets; and
//! against each other. Every ThriftTest method is called and checked on each cell; the matrix
//! is printed, and every cell must pass.

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
                    .arg(generated.join("gen-py"));
                command
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Tcp,
    Multiplexed,
    Unix,
}

const TRANSPORTS: [&str; 2] = ["buffered", "framed"];
const PROTOCOLS: [&str; 2] = ["binary", "compact"];

#[derive(Clone, Copy, Debug)]
struct Cell {
    client: Peer,
    server: Peer,
    mode: Mode,
    transport: &'static str,
    protocol: &'static str,
}

fn unix_socket_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("thrift-bidi-cross-{}-{n}.sock", std::process::id()))
}

/// Starts the server, runs the client against it; `Err` says what failed.
fn run(cell: Cell) -> Result<(), String> {
    let mut options = vec![
        "--transport".to_owned(),
        cell.transport.to_owned(),
        "--protocol".to_owned(),
        cell.protocol.to_owned(),
    ];
    if cell.mode == Mode::Multiplexed {
        options.push("--multiplex".to_owned());
    }
    let socket = (cell.mode == Mode::Unix).then(unix_socket_path);
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

fn cells(pairs: &[(Peer, Peer)]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for &(client, server) in pairs {
        for mode in [Mode::Tcp, Mode::Multiplexed, Mode::Unix] {
            for transport in TRANSPORTS {
                for protocol in PROTOCOLS {
                    cells.push(Cell {
                        client,
                        server,
                        mode,
                        transport,
                        protocol,
                    });
                }
            }
        }
    }
    cells
}

/// Runs the cells on a few threads, prints the matrix, fails listing the failed cells.
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
    let mut table = format!("{title}\n{:<34}", "client → server (mode)");
    for transport in TRANSPORTS {
        for protocol in PROTOCOLS {
            let _ = write!(table, " {:>16}", format!("{transport}/{protocol}"));
        }
    }
    let mut failures = Vec::new();
    for (row, chunk) in results
        .chunks(TRANSPORTS.len() * PROTOCOLS.len())
        .enumerate()
    {
        let cell = cells[row * TRANSPORTS.len() * PROTOCOLS.len()];
        let label = format!(
            "{} → {} ({:?})",
            cell.client.name(),
            cell.server.name(),
            cell.mode
        );
        let _ = write!(table, "\n{label:<34}");
        for (i, result) in chunk {
            let _ = write!(
                table,
                " {:>16}",
                if result.is_ok() { "pass" } else { "FAIL" }
            );
            if let Err(why) = result {
                failures.push(format!("{:?}: {why}", cells[*i]));
            }
        }
    }
    println!("{table}");
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
