//! The trace-context tests' services (`tests/tests/trace_context*.rs`): a server whose handler
//! has the client approve each request, a client whose approval of "outer" first asks the
//! server something, and the traces every handler saw.

use std::sync::{Arc, Mutex, PoisonError};

use thrift_bidi::call::{self, Trace};
use thrift_bidi::{Channel, Connection, Server, Transport};
use tokio::net::TcpListener;

use crate::generated::default::approvals::{
    Approver, ApproverApproveError, ApproverClient, Requests, RequestsClient, RequestsServer,
    RequestsSubmitError,
};

/// The traces the handlers saw, by what each was handling.
pub type Traces = Arc<Mutex<Vec<(String, Trace)>>>;

/// Records the running call's trace as `what`.
///
/// # Panics
/// Outside a handler.
pub fn record(traces: &Traces, what: &str) {
    let trace = call::context().expect("in a handler").trace();
    let mut seen = traces.lock().unwrap_or_else(PoisonError::into_inner);
    seen.push((what.to_owned(), trace));
}

/// The trace recorded as `what`.
///
/// # Panics
/// If none was.
pub fn find<'a>(seen: &'a [(String, Trace)], what: &str) -> &'a Trace {
    &seen
        .iter()
        .find(|(w, _)| w == what)
        .unwrap_or_else(|| panic!("{what} in {seen:?}"))
        .1
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
            if inner.as_deref().ok() != Some("inner") {
                return Err(thrift_bidi::Error::internal(format!("inner: {inner:?}")).into());
            }
        }
        Ok(true)
    }
}

/// Submits "outer" (which nests a callback and a call back into the server) and "again" over
/// `transport`; the traces every handler saw.
///
/// # Panics
/// If a call fails.
pub async fn run(transport: Transport) -> Vec<(String, Trace)> {
    let traces = Traces::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("can listen");
    let addr = listener.local_addr().expect("bound");
    tokio::spawn(serve(listener, transport, traces.clone()));
    submit(addr, transport, traces.clone()).await;
    let seen = traces
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    seen
}

/// Serves the desk on `listener` over `transport`, recording its handlers' traces in `traces`.
pub async fn serve(listener: TcpListener, transport: Transport, traces: Traces) {
    let make = move |connection: &Connection| {
        RequestsServer::new(Desk {
            approver: ApproverClient::new(connection.callbacks()),
            traces: traces.clone(),
        })
    };
    let server = Server::builder().transport(transport);
    server
        .serve_with(listener, make, std::future::pending())
        .await;
}

/// Connects to the desk at `addr` with the approving callback (recording its traces in
/// `traces`), and submits "outer" and "again".
///
/// # Panics
/// If a call fails.
pub async fn submit(addr: std::net::SocketAddr, transport: Transport, traces: Traces) {
    let channel: Channel = RequestsClient::builder_with(move |server: &Channel| Approving {
        server: RequestsClient::new(server.clone()),
        traces,
    })
    .transport(transport)
    .connect(addr)
    .await
    .expect("can connect");
    let client = RequestsClient::new(channel);
    assert_eq!(
        client.submit("outer".into()).await.expect("answered"),
        "true"
    );
    assert_eq!(
        client.submit("again".into()).await.expect("answered"),
        "true"
    );
}

/// The lines `trace-peer` writes for `seen`: `what trace-id span-id parent-id` (hex; `-` for
/// no parent).
pub fn lines(seen: &[(String, Trace)]) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    for (what, trace) in seen {
        let parent = trace
            .parent_id()
            .map_or("-".to_owned(), |p| format!("{p:016x}"));
        let (id, span) = (trace.trace_id(), trace.span_id());
        let _ = writeln!(text, "{what}\t{id:032x}\t{span:016x}\t{parent}");
    }
    text
}
