//! Brokers for the cluster tests and bench, started by them: Debian's `nats-server` and
//! `redis-server` (which `scripts/setup.sh` installs) on a loopback port, their files in a
//! temporary directory, stopped (and the directory removed) when dropped; and chat nodes in
//! this process, on a broker or alone.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(20);

/// A chat node in this process, its rooms spanning `cluster`'s nodes if there is one: a hub
/// served by `server` (the chat's settings are `Hub::server()`) on a free loopback port,
/// until the runtime ends. Its address.
///
/// # Panics
/// If no loopback port is free.
pub async fn chat_node(
    cluster: Option<thrift_bidi_cluster::Cluster>,
    server: thrift_bidi::Server,
) -> std::net::SocketAddr {
    use idl_examples::hub::Hub;
    let hub = cluster.map_or_else(Hub::new, idl_examples::relay::clustered);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
    let listener = listener.expect("a free loopback port");
    let addr = listener.local_addr().expect("bound");
    let make = move |connection: &thrift_bidi::Connection| hub.session(connection);
    tokio::spawn(server.serve_with(listener, make, std::future::pending()));
    addr
}

/// A file of the test PKI (`tests/certs`).
pub fn cert(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("certs")
        .join(name)
}

/// Which broker a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `nats-server`.
    Nats,
    /// `redis-server`.
    Redis,
}

/// A broker process, killed (and its directory removed) when dropped.
pub struct Broker {
    child: Child,
    /// Which it is.
    pub kind: Kind,
    /// Its port.
    pub port: u16,
    /// The password it requires, if any (user `thrift` on NATS, the default user on Redis).
    password: Option<String>,
    /// Whether clients must speak TLS to it (with the test PKI's server certificate).
    tls: bool,
    dir: PathBuf,
}

impl Broker {
    /// Starts a broker of `kind` on `port`, or on a free one.
    ///
    /// # Panics
    /// If it cannot be started, or does not listen within 20 s.
    pub fn of(kind: Kind, port: Option<u16>) -> Self {
        Self::run(kind, port, None, false)
    }

    /// Starts a broker of `kind` on a free port that speaks TLS only, with the test PKI's
    /// server certificate (`tests/certs`, signed by its `ca.pem`).
    ///
    /// # Panics
    /// If it cannot be started, or does not listen within 20 s.
    pub fn with_tls(kind: Kind) -> Self {
        Self::run(kind, None, None, true)
    }

    /// Starts a broker of `kind` on a free port, requiring `password`.
    ///
    /// # Panics
    /// If it cannot be started, or does not listen within 20 s.
    pub fn with_password(kind: Kind, password: &str) -> Self {
        Self::run(kind, None, Some(password.to_owned()), false)
    }

    fn run(kind: Kind, port: Option<u16>, password: Option<String>, tls: bool) -> Self {
        let port = port.unwrap_or_else(|| {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
            probe.local_addr().expect("a free loopback port").port()
        });
        let dir = std::env::temp_dir().join(format!(
            "thrift-bidi-{kind:?}-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let port_flag = if tls { "--tls-port" } else { "--port" };
        let mut command = match kind {
            Kind::Nats => {
                let mut command = Command::new("nats-server");
                command.args(["-a", "127.0.0.1", "-p", &port.to_string()]);
                command.arg("--pid").arg(dir.join("nats.pid"));
                if let Some(password) = &password {
                    command.args(["--user", "thrift", "--pass", password]);
                }
                if tls {
                    command
                        .arg("--tls")
                        .arg("--tlscert")
                        .arg(cert("server.pem"));
                    command.arg("--tlskey").arg(cert("server.key"));
                }
                command
            }
            Kind::Redis => {
                let mut command = Command::new("redis-server");
                command.args(["--bind", "127.0.0.1", port_flag, &port.to_string()]);
                command.args(["--save", "", "--appendonly", "no", "--dir"]);
                command.arg(&dir);
                if let Some(password) = &password {
                    command.args(["--requirepass", password]);
                }
                if tls {
                    command.args(["--port", "0", "--tls-auth-clients", "no"]);
                    command.arg("--tls-cert-file").arg(cert("server.pem"));
                    command.arg("--tls-key-file").arg(cert("server.key"));
                    command.arg("--tls-ca-cert-file").arg(cert("ca.pem"));
                }
                command
            }
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the broker runs (scripts/setup.sh installs it)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < BOUND, "{kind:?} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            kind,
            port,
            password,
            tls,
            dir,
        }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        let scheme = match (self.kind, self.tls) {
            (Kind::Nats, false) => "nats",
            (Kind::Nats, true) => "tls",
            (Kind::Redis, false) => "redis",
            (Kind::Redis, true) => "rediss",
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Its URL with its credentials in it.
    ///
    /// # Panics
    /// If it requires no password.
    pub fn url_with_password(&self) -> String {
        let password = self.password.as_deref().expect("a broker with a password");
        let (scheme, user) = match self.kind {
            Kind::Nats => ("nats", "thrift"),
            Kind::Redis => ("redis", ""),
        };
        format!("{scheme}://{user}:{password}@127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs each named test (an `async fn(Kind)`) on both brokers: a module per test, with a
/// `nats` and a `redis` test in it.
#[macro_export]
macro_rules! on_both_brokers {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats() {
                super::$test($crate::brokers::Kind::Nats).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn redis() {
                super::$test($crate::brokers::Kind::Redis).await;
            }
        }
    )*};
}
