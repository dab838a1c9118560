//! The generated blocking client against real servers, from synchronous code: a plain
//! `fn main` (`blocking-client`) calling the cross-test server process, and, in this test's
//! own thread with no runtime, a bidirectional client whose callbacks its background thread
//! serves while a blocking call waits.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::process::Command;
use std::time::Duration;

use thrift_bidi::{BlockingClient as _, Error, Server};
use thrift_bidi_tests::approvals::desk;
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, Denied, RequestsBlockingClient, RequestsClient,
    RequestsSubmitError,
};
use thrift_bidi_tests::peers::{run_client, start_server};

#[test]
fn a_plain_main_calls_a_real_server() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_cross-server"));
    server.args([
        "--port",
        "0",
        "--transport",
        "framed",
        "--protocol",
        "binary",
    ]);
    let server = start_server(server, Duration::from_secs(30)).unwrap();
    let port = server.address.rsplit(':').next().unwrap().to_owned();
    let mut client = Command::new(env!("CARGO_BIN_EXE_blocking-client"));
    client.args(["--port", &port]);
    let finished = run_client(client, Duration::from_mins(1));
    assert_eq!(finished.code, Some(0), "{}", finished.stderr);
}

/// Approves what starts with `ok`.
struct Picky;

impl Approver for Picky {
    async fn approve(&self, request: String) -> Result<bool, ApproverApproveError> {
        if request.starts_with("ok") {
            return Ok(true);
        }
        Err(ApproverApproveError::Denied(Denied { reason: request }))
    }
}

#[test]
fn a_blocking_client_serves_its_callbacks_while_it_waits() {
    // The server runs on a runtime of its own thread; this thread has none.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            let make = desk;
            let shutdown = async move {
                let _ = tokio::time::timeout(Duration::from_mins(1), stopped).await;
            };
            Server::builder().serve_with(listener, make, shutdown).await;
        });
    });
    let addr = addr_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let options = RequestsClient::builder(Picky).call_timeout(Duration::from_secs(30));
    let client = RequestsBlockingClient::connect_with(options, addr).unwrap();
    assert_eq!(client.submit("ok then".into()).unwrap(), "ok then: true");
    match client.submit("no".into()) {
        Err(RequestsSubmitError::Refused(Denied { reason })) => assert_eq!(reason, "no"),
        other => panic!("expected the callback's denial, got {other:?}"),
    }
    // A clone shares the connection and the runtime.
    let again = client.clone();
    drop(client);
    assert_eq!(again.submit("ok".into()).unwrap(), "ok: true");
    drop(again);
    let _ = stop.send(());
    server.join().unwrap();
}

#[test]
fn connecting_to_nothing_fails_with_an_error() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let result = RequestsBlockingClient::connect(("127.0.0.1", port));
    assert!(matches!(result, Err(Error::Io(_))), "{result:?}");
}
