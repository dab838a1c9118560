//! Typed callbacks over real sockets: a client built with the generated `RequestsClient::builder`
//! serves an `Approver` (the only handler that constructor accepts), and the server's handler
//! (`thrift_bidi_tests::approvals::Desk`) calls it back and rethrows its `Denied` with `?`,
//! through the generated conversion from the callback's error into its own (`Denied` under
//! another variant name).
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift_bidi::{Error, Server};
use thrift_bidi_tests::approvals::desk;
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, Denied, RequestsClient, RequestsSubmitError,
};
use tokio::net::TcpListener;

/// The client side: approves requests that start with `ok`.
struct Picky;

impl Approver for Picky {
    async fn approve(&self, request: String) -> Result<bool, ApproverApproveError> {
        if request.starts_with("ok") {
            return Ok(true);
        }
        if request.starts_with("fail") {
            return Err(Error::internal("the approver broke").into());
        }
        Err(ApproverApproveError::Denied(Denied {
            reason: format!("not {request}"),
        }))
    }
}

#[tokio::test]
async fn a_handler_rethrows_a_callback_exception_with_the_question_mark() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = desk;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(Server::builder().serve_with(listener, make, async move {
        let _ = stopped.await;
    }));
    let calls = async {
        let channel = RequestsClient::builder(Picky).connect(addr).await.unwrap();
        let client = RequestsClient::new(channel);
        assert_eq!(client.submit("ok go".into()).await.unwrap(), "ok go: true");
        match client.submit("nope".into()).await {
            Err(RequestsSubmitError::Refused(denied)) => assert_eq!(denied.reason, "not nope"),
            other => panic!("expected the callback's denial, got {other:?}"),
        }
        // The callback's undeclared failure reaches the server as `Rpc`, which is not an
        // exception of `submit`: the client sees the call fail, not a declared exception.
        match client.submit("fail".into()).await {
            Err(RequestsSubmitError::Rpc(_)) => {}
            other => panic!("expected a failed call, got {other:?}"),
        }
    };
    tokio::time::timeout(Duration::from_secs(30), calls)
        .await
        .expect("the calls finish");
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server stops")
        .unwrap();
}
