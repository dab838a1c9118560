//! Brokers for the cluster tests, started by the tests themselves: Debian's `nats-server`
//! (which `scripts/setup.sh` installs) on a loopback port, its files in a temporary
//! directory, stopped (and the directory removed) when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(20);

/// A `nats-server` process, killed (and its directory removed) when dropped.
pub struct Nats {
    child: Child,
    /// Its port.
    pub port: u16,
    dir: PathBuf,
}

impl Nats {
    /// Starts one on `port`, or on a free one.
    ///
    /// # Panics
    /// If it cannot be started, or does not listen within 20 s.
    pub fn start(port: Option<u16>) -> Self {
        let port = port.unwrap_or_else(|| {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
            probe.local_addr().expect("a free loopback port").port()
        });
        let dir =
            std::env::temp_dir().join(format!("thrift-bidi-nats-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .arg("--pid")
            .arg(dir.join("nats.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs (scripts/setup.sh installs it)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < BOUND, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port, dir }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
