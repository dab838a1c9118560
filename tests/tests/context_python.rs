//! The per-call context against Apache's Python over THeader, with real processes on
//! loopback: headers Apache's Python client sets reach the Rust handler's `call::context()`
//! (with the method, seqid and peer), and the header the handler sets comes back on the reply;
//! headers a Rust client sends, and the deadline it sends with them (`client_timeout`), reach
//! Apache's Python server, which records what its protocol read.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::call::{self, Context};
use thrift_bidi::{Channel, Error, Headers, Server, Transport};
use thrift_bidi_tests::generated::default::ledger::{Ledger, LedgerClient, LedgerServer};
use thrift_bidi_tests::{generated_dir, peers, venv_python};
use tokio::net::TcpListener;

const BOUND: Duration = Duration::from_secs(30);

fn peer(role: &str) -> Command {
    let mut command = Command::new(venv_python());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/context_peer.py");
    command
        .arg(script)
        .arg(role)
        .arg("--gen-py")
        .arg(generated_dir().join("gen-py"));
    command
}

/// Keeps the context of every call; answers with the length of the `user` header.
#[derive(Clone, Default)]
struct Recording(Arc<Mutex<Vec<Context>>>);

impl Recording {
    fn answer(&self) -> i64 {
        let context = call::context().expect("inside a handler");
        let user = context
            .headers()
            .get("user")
            .map_or(0, thrift_bidi::Bytes::len);
        self.0.lock().unwrap().push(context);
        call::set_reply_header("served-by", "rust");
        i64::try_from(user).unwrap()
    }
}

impl Ledger for Recording {
    async fn balance(&self, _: String) -> Result<i64, Error> {
        Ok(self.answer())
    }

    async fn deposit(&self, _: String, _: i64) -> Result<i64, Error> {
        Ok(self.answer())
    }

    async fn audit(&self, _: String) -> Result<i64, Error> {
        Ok(self.answer())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apache_pythons_headers_reach_the_handlers_context() {
    let recording = Recording::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = Server::builder().transport(Transport::Header);
    let service = LedgerServer::new(recording.clone());
    tokio::spawn(server.serve(listener, service, std::future::pending()));
    let mut client = peer("client");
    client.args(["--port", &port.to_string()]);
    let finished = tokio::task::spawn_blocking(move || peers::run_client(client, BOUND))
        .await
        .unwrap();
    assert_eq!(finished.code, Some(0), "{}", finished.stderr);
    let seen = recording.0.lock().unwrap();
    let [context] = seen.as_slice() else {
        panic!("expected one call, got {}", seen.len());
    };
    assert_eq!(context.method(), "balance");
    assert_eq!(context.seqid(), 0, "Apache's Python client numbers from 0");
    assert!(!context.is_oneway());
    let headers: BTreeMap<&[u8], &[u8]> = context
        .headers()
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    let sent = [(&b"request-id"[..], &b"42"[..]), (b"user", b"alice")];
    assert_eq!(headers, BTreeMap::from(sent));
    assert!(context.deadline().is_none(), "Apache's Python sends none");
    let peer = context.peer().addr().expect("a TCP peer");
    assert!(peer.ip().is_loopback(), "{peer}");
}

#[tokio::test]
async fn a_rust_clients_headers_and_deadline_reach_apache_pythons_server() {
    let record = std::env::temp_dir().join(format!("thrift-bidi-context-{}", std::process::id()));
    let _ = std::fs::remove_file(&record);
    let mut server = peer("server");
    server.arg("--record").arg(&record);
    let server = peers::start_server(server, BOUND).expect("the server starts");
    let port: u16 = server.address.parse().unwrap();
    let channel = Channel::builder()
        .transport(Transport::Header)
        .call_timeout(Duration::from_secs(20))
        .connect(("127.0.0.1", port))
        .await
        .unwrap();
    let headers: Headers = [("user", "carol")].into_iter().collect();
    let client = LedgerClient::new(channel.with_headers(headers));
    assert_eq!(client.deposit("a".into(), 5).await.unwrap(), 0);
    drop(server);
    let lines = std::fs::read_to_string(&record).unwrap();
    let _ = std::fs::remove_file(&record);
    let calls: Vec<serde_json::Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let [call] = calls.as_slice() else {
        panic!("expected one call recorded, got {lines}");
    };
    assert_eq!(call["method"], "deposit");
    assert_eq!(call["headers"]["user"], "carol");
    let left: u64 = call["headers"]["client_timeout"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20_000).contains(&left), "{left} ms left of 20 s");
}
