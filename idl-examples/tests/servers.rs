//! The server programs other implementations are tested against, run as processes:
//! `mailbox-server` keeps a long poll open while the same client's requests go through (and
//! says so through `waiting`), and `jobs-client` passes its checks against `jobs-server`, on
//! framed binary and on buffered compact. A channel over two `mailbox-server`s whose first is
//! killed mid-call fails that call, and sends it nowhere else. Every process is killed after a bound.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use idl_examples::mailbox::MailboxClient;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::Channel;

const BOUND: Duration = Duration::from_secs(30);

/// A server process, killed when the test ends, and where it listens.
struct Running(Child, String);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `program` with `args` and reads where it listens from its first line.
fn start(program: &str, args: &[&str]) -> Running {
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let Some((_, addr)) = line.trim().rsplit_once("listening on ") else {
        panic!("{program} printed {line:?}");
    };
    let addr = addr.to_owned();
    Running(child, addr)
}

/// Starts a `get_message` long poll on `client`, and waits until the server has it.
async fn long_poll(
    client: &MailboxClient,
) -> tokio::task::JoinHandle<Result<String, thrift_bidi::Error>> {
    let poll = tokio::spawn({
        let client = client.clone();
        async move { client.get_message().await }
    });
    let deadline = Instant::now() + BOUND;
    while client.waiting().await.expect("answers") == 0 {
        assert!(Instant::now() < deadline, "the long poll never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    poll
}

#[tokio::test]
async fn mailbox_server_answers_requests_while_a_long_poll_waits() {
    let server = start(
        env!("CARGO_BIN_EXE_mailbox-server"),
        &["--protocol", "compact"],
    );
    let channel = Channel::builder()
        .protocol(Protocol::Compact)
        .connect(server.1.as_str())
        .await
        .expect("connects");
    let client = MailboxClient::new(channel);
    let poll = long_poll(&client).await;
    client.send_request("hello".into()).await.expect("sent");
    let message = tokio::time::timeout(BOUND, poll).await.expect("answered");
    assert_eq!(message.expect("joined").expect("a message"), "hello");
    assert_eq!(client.waiting().await.expect("answers"), 0);
}

#[test]
fn jobs_client_passes_its_checks_against_jobs_server() {
    for codec in [
        ["--transport", "framed", "--protocol", "binary"],
        ["--transport", "buffered", "--protocol", "compact"],
    ] {
        let server = start(env!("CARGO_BIN_EXE_jobs-server"), &codec);
        let port = server.1.rsplit_once(':').expect("host:port").1.to_owned();
        let mut client = Command::new(env!("CARGO_BIN_EXE_jobs-client"))
            .args(["--port", &port])
            .args(codec)
            .spawn()
            .expect("runs");
        let deadline = Instant::now() + BOUND;
        let status = loop {
            if let Some(status) = client.try_wait().expect("waitable") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = client.kill();
                panic!("jobs-client did not finish");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{codec:?}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_under_way_on_a_killed_server_fails_and_is_not_sent_again() {
    let mut first = start(env!("CARGO_BIN_EXE_mailbox-server"), &[]);
    let second = start(env!("CARGO_BIN_EXE_mailbox-server"), &[]);
    let endpoints = [first.1.clone(), second.1.clone()];
    let channel = Channel::builder()
        .connect_any(endpoints, thrift_bidi::Reconnect::default())
        .await
        .expect("connects");
    let client = MailboxClient::new(channel);
    let poll = long_poll(&client).await;
    first.0.kill().expect("killed"); // SIGKILL, mid-call
    let failed = tokio::time::timeout(BOUND, poll)
        .await
        .expect("fails")
        .expect("joined");
    assert!(
        matches!(failed, Err(thrift_bidi::Error::Disconnected)),
        "{failed:?}"
    );
    // New calls go to the second server, where no poll was ever sent.
    let waiting = tokio::time::timeout(BOUND, client.waiting())
        .await
        .expect("answered");
    assert_eq!(
        waiting.expect("answers"),
        0,
        "get_message was not sent again"
    );
    drop(second);
}
