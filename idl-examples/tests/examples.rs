//! The example programs, run as processes: the chat demo's scripted conversation, the
//! interactive chat client against the server, and the jobs demo. Every process is killed
//! after a bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(30);

/// Waits for `child` to exit (killing it after `BOUND`); its exit code and stdout.
fn finish(mut child: Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + BOUND;
    let code = loop {
        match child.try_wait().expect("waitable") {
            Some(status) => break status.code(),
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            None => {
                let _ = child.kill();
                break None;
            }
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_string(&mut out).expect("UTF-8");
    }
    (code, out)
}

#[test]
fn the_demo_holds_its_conversation_and_exits_0() {
    let demo = Command::new(env!("CARGO_BIN_EXE_chat-demo"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let (code, out) = finish(demo);
    assert_eq!(code, Some(0), "{out}");
    for line in [
        "[alice] connected; server callbacks: Available",
        "[alice] <- server asks for a nickname (suggests guest-1); answering alice",
        "[bob] <- #rust alice: hi bob, the server pushed your join to me",
        "[alice] <- #rust bob: hello alice!",
        "[carol] <- NotJoined { room: \"rust\" }",
        "[alice] <- #rust carol: hi both",
        "[bob] <- #rust carol: hi both",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
}

/// The lines `out` prints, as they come.
fn lines_of(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Reads `lines` until one is `wanted` (failing after `BOUND`); all lines read.
fn wait_for(lines: &mpsc::Receiver<String>, wanted: &str) -> String {
    let deadline = Instant::now() + BOUND;
    let mut seen = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {wanted:?} within {BOUND:?}; got:\n{seen}"));
        seen += &line;
        seen.push('\n');
        if line == wanted {
            return seen;
        }
    }
}

/// Kills a process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn two_interactive_clients_talk_through_the_server() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_chat-server"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("the server says where it listens");
    let _server = Killed(server);
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .expect("an address")
        .to_owned();
    let client = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_chat-client"))
            .args(["--port", &port, "--name", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("runs")
    };
    let mut bob = client("bob");
    let mut bob_in = bob.stdin.take().expect("piped");
    let bob_lines = lines_of(bob.stdout.take().expect("piped"));
    let _bob = Killed(bob);
    writeln!(bob_in, "/join tea").expect("bob reads");
    // Bob is in the room once the server has pushed him his own join notice.
    let mut bob_out = wait_for(&bob_lines, "[bob] <- #tea server: bob joined");
    let mut ann = client("ann");
    let mut ann_in = ann.stdin.take().expect("piped");
    writeln!(ann_in, "/rooms\n/join tea\nhello bob").expect("ann reads");
    drop(ann_in);
    let (code, ann_out) = finish(ann);
    assert_eq!(code, Some(0), "{ann_out}");
    assert!(ann_out.contains("rooms: [\"tea\"]"), "{ann_out}");
    bob_out += &wait_for(&bob_lines, "[bob] <- #tea ann: hello bob");
    assert!(
        bob_out.contains("[bob] <- #tea server: ann joined"),
        "{bob_out}"
    );
}

#[test]
fn the_jobs_demo_pulls_its_input_mid_call() {
    let demo = Command::new(env!("CARGO_BIN_EXE_jobs-demo"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let (code, out) = finish(demo);
    assert_eq!(code, Some(0), "{out}");
    let pulls = out
        .lines()
        .filter(|l| l.starts_with("[server] pulled chunk"))
        .count();
    assert_eq!(pulls, 16, "1 MiB in 64 KiB chunks:\n{out}");
    assert!(
        out.contains("[client] progress of data.bin: 1048576 bytes"),
        "{out}"
    );
    assert!(
        out.contains("the client has no input \"missing.bin\""),
        "{out}"
    );
}
