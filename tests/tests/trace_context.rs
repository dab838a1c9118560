//! W3C trace context over THeader, on real loopback sockets: a client's call, the callback
//! the server makes while serving it, and the call the client's callback handler makes back
//! into the server all join one trace, each naming the one that made it as its parent (read
//! from the `traceparent` each side received). A client whose calls are traced (a subscriber
//! records their spans, `trace_recorded.rs`) starts a trace with each call made outside any
//! other; an untraced one sends none, and the server starts the trace. Over a framed
//! transport, which carries no headers, each side starts its own.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use thrift_bidi::Transport;
use thrift_bidi_tests::traces::{find, run};

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
