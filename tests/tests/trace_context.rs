//! W3C trace context over THeader, on real loopback sockets: a client's call, the callback
//! the server makes while serving it, and the call the client's callback handler makes back
//! into the server all join one trace, each naming the one that made it as its parent (read
//! from the `traceparent` each side received). A client whose calls are traced (a subscriber
//! records their spans) starts a trace with each call made outside any other; an untraced one
//! sends none, and the server starts the trace. Over a framed transport, which carries no
//! headers, each side starts its own.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::{Arc, Mutex};

use thrift_bidi::call::{self, Trace};
use thrift_bidi::{Channel, Connection, Server, Transport};
use thrift_bidi_tests::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};
use tokio::net::TcpListener;

/// The traces each handler saw, by what it was handling.
type Traces = Arc<Mutex<Vec<(String, Trace)>>>;

fn record(traces: &Traces, what: &str) {
    let trace = call::context().expect("in a handler").trace();
    traces.lock().unwrap().push((what.to_owned(), trace));
}

/// The server: has the client approve each request but "inner".
struct Desk {
    approver: ApproverClient,
    traces: Traces,
}

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        record(&self.traces, &format!("submit {request}"));
        if request == "inner" {
            return Ok(request);
        }
        Ok(format!("{}", self.approver.approve(request).await?))
    }
}

/// The client's callback: approving "outer" takes asking the server something first.
struct Approving {
    server: RequestsClient,
    traces: Traces,
}

impl Approver for Approving {
    async fn approve(&self, request: String) -> Result<bool, ApproverApproveError> {
        record(&self.traces, &format!("approve {request}"));
        if request == "outer" {
            let inner = self.server.submit("inner".into()).await;
            assert_eq!(inner.map_err(|e| format!("{e:?}")).unwrap(), "inner");
        }
        Ok(true)
    }
}

async fn run(transport: Transport) -> Vec<(String, Trace)> {
    let traces = Traces::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server_traces = traces.clone();
    let make = move |connection: &Connection| {
        RequestsServer::new(Desk {
            approver: ApproverClient::new(connection.callbacks()),
            traces: server_traces.clone(),
        })
    };
    tokio::spawn(Server::builder().transport(transport).serve_with(
        listener,
        make,
        std::future::pending(),
    ));
    let client_traces = traces.clone();
    let channel: Channel = RequestsClient::builder_with(move |server: &Channel| Approving {
        server: RequestsClient::new(server.clone()),
        traces: client_traces,
    })
    .transport(transport)
    .connect(addr)
    .await
    .unwrap();
    let client = RequestsClient::new(channel);
    assert_eq!(client.submit("outer".into()).await.unwrap(), "true");
    assert_eq!(client.submit("again".into()).await.unwrap(), "true");
    let seen = traces.lock().unwrap().clone();
    seen
}

fn find<'a>(seen: &'a [(String, Trace)], what: &str) -> &'a Trace {
    &seen
        .iter()
        .find(|(w, _)| w == what)
        .unwrap_or_else(|| panic!("{what} in {seen:?}"))
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_its_callback_and_the_callbacks_call_share_one_trace() {
    let seen = run(Transport::Header).await;
    let (outer, approve, inner) = (
        find(&seen, "submit outer"),
        find(&seen, "approve outer"),
        find(&seen, "submit inner"),
    );
    // The client's call was not traced: the server's handler starts the trace.
    assert_eq!(outer.parent_id(), None, "{outer:?}");
    assert_eq!(approve.trace_id(), outer.trace_id());
    assert_eq!(inner.trace_id(), outer.trace_id());
    assert_eq!(
        approve.parent_id(),
        Some(outer.span_id()),
        "the callback's parent"
    );
    assert_eq!(
        inner.parent_id(),
        Some(approve.span_id()),
        "the nested call's parent"
    );
    // Another call from outside any call starts another trace.
    let again = find(&seen, "submit again");
    assert_ne!(again.trace_id(), outer.trace_id());
    assert_eq!(find(&seen, "approve again").trace_id(), again.trace_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_headers_each_side_starts_its_own_trace() {
    let seen = run(Transport::Framed).await;
    let (outer, approve) = (find(&seen, "submit outer"), find(&seen, "approve outer"));
    assert_eq!(outer.parent_id(), None);
    assert_eq!(approve.parent_id(), None);
    assert_ne!(approve.trace_id(), outer.trace_id());
}

#[tokio::test]
async fn a_traced_client_starts_the_trace_its_server_continues() {
    // A subscriber that records every span, on this thread, which runs the whole test.
    let _recording = tracing::subscriber::set_default(tracing_subscriber::registry());
    let seen = run(Transport::Header).await;
    let (outer, approve) = (find(&seen, "submit outer"), find(&seen, "approve outer"));
    assert!(
        outer.parent_id().is_some(),
        "the client's traceparent: {outer:?}"
    );
    assert_eq!(approve.trace_id(), outer.trace_id());
    assert_eq!(approve.parent_id(), Some(outer.span_id()));
}
