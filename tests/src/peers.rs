//! Peer processes for the interop tests: servers that announce where they listen, and
//! clients run to completion. Every process is bounded in time and killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running server process, killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// What it said after `listening on ` (an address, a port, or a socket path).
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` and waits (up to `within`) for a stdout line containing `listening on `.
///
/// # Panics
/// Never: the pipes taken are the ones set up here.
pub fn start_server(mut command: Command, within: Duration) -> Result<Server, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    // Read all along, so that a server logging much never blocks on a full pipe.
    let mut stderr_pipe = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((_, address)) = line.split_once("listening on ") {
                let _ = tx.send(address.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(within) {
        Ok(address) => Ok(Server { child, address }),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            Err(format!("{command:?} did not start listening: {stderr}"))
        }
    }
}

/// How a client process ended.
#[derive(Debug)]
pub struct Finished {
    /// Its exit code (`None`: killed, or timed out).
    pub code: Option<i32>,
    /// What it wrote to stderr.
    pub stderr: String,
}

/// Runs `command` to completion, killing it after `within`.
///
/// # Panics
/// Never: the pipe taken is the one set up here.
pub fn run_client(mut command: Command, within: Duration) -> Finished {
    let mut child = match command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            return Finished {
                code: None,
                stderr: format!("cannot start {command:?}: {e}"),
            }
        }
    };
    let mut stderr_pipe = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + within;
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stderr = reader.join().unwrap_or_default();
    Finished { code, stderr }
}
