//! W3C trace context from a client whose spans a subscriber records, on real loopback sockets:
//! its calls made outside any other start a trace, which the server's handler continues over
//! THeader; and over HTTP the trace and the channel's headers go as request headers. (The
//! one test of this binary, so that no other test thread's subscriber shares tracing's cached
//! interest in the runtime's spans.)
#![allow(clippy::unwrap_used)] // helpers of this test binary

use thrift_bidi::{call, Channel, Headers, Server, ServerHttp, Transport};
use thrift_bidi_tests::generated::default::approvals::{
    Requests, RequestsClient, RequestsServer, RequestsSubmitError,
};
use thrift_bidi_tests::traces::{find, record, run, Traces};
use tokio::net::TcpListener;

/// Records each call's trace, and answers its `x-user` header.
struct Recording(Traces);

impl Requests for Recording {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        record(&self.0, &request);
        let user = call::headers().get("x-user").cloned().unwrap_or_default();
        Ok(String::from_utf8_lossy(&user).into_owned())
    }
}

#[tokio::test]
async fn a_traced_client_starts_the_trace_its_server_continues_over_theader_and_http() {
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

    let traces = Traces::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = RequestsServer::new(Recording(traces.clone()));
    let server = Server::builder().http(ServerHttp::new());
    tokio::spawn(server.serve(listener, service, std::future::pending()));
    let channel = Channel::builder()
        .connect_http(&format!("http://{addr}/"))
        .unwrap()
        .with_headers(Headers::from_iter([("x-user", "carol")]));
    let client = RequestsClient::new(channel);
    assert_eq!(client.submit("first".into()).await.unwrap(), "carol");
    assert_eq!(client.submit("second".into()).await.unwrap(), "carol");
    let seen = traces.lock().unwrap().clone();
    let (first, second) = (find(&seen, "first"), find(&seen, "second"));
    assert!(
        first.parent_id().is_some(),
        "the client's traceparent: {first:?}"
    );
    assert_ne!(
        first.trace_id(),
        second.trace_id(),
        "a trace per call made outside any"
    );
}
