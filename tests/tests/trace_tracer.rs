//! A `Tracer` (as an OpenTelemetry bridge would be) supplies the ids of trace context: the
//! `traceparent` a call sends names the span id the tracer gave the call's span, and the
//! server's span for the call is handed to the tracer with that trace as its parent. Over a
//! transport without headers the tracer is not asked. A binary of its own: the tracer and a
//! subscriber recording spans are installed for the whole process.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use idl_examples::chat::{ChatCallback, ChatCallbackClient, ChatCallbackServer, Message};
use thrift_bidi::call::{self, Trace, Tracer};
use thrift_bidi::{Channel, Error, Server, Transport};
use thrift_bidi_tests::generated::default::ledger::{Ledger, LedgerClient, LedgerServer};
use tokio::net::TcpListener;

const TRACE_ID: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;

/// Gives every outgoing call's span the next span id of one trace, and keeps what it is told
/// of incoming calls: their span's name and the trace they continue.
#[derive(Default)]
struct Ids {
    next: AtomicU64,
    inbound: Mutex<Vec<(&'static str, Trace)>>,
}

struct Shared(Arc<Ids>);

impl Tracer for Shared {
    fn outbound(&self, _: &tracing::Span) -> Option<Trace> {
        let span = self.0.next.fetch_add(1, Ordering::SeqCst) + 0x100;
        Trace::new(TRACE_ID, span, true)
    }

    fn inbound(&self, span: &tracing::Span, trace: &Trace) {
        let name = span.metadata().map_or("disabled", |m| m.name());
        self.0.inbound.lock().unwrap().push((name, *trace));
    }
}

/// Answers with nothing but keeps the trace each call's context had.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Trace>>>);

impl Seen {
    fn keep(&self) -> i64 {
        let trace = call::context().unwrap().trace();
        self.0.lock().unwrap().push(trace);
        0
    }
}

impl ChatCallback for Seen {
    async fn on_message(&self, _: Message) -> Result<(), Error> {
        self.keep();
        Ok(())
    }

    async fn ask_nickname(&self, _: String) -> Result<String, Error> {
        self.keep();
        Ok(String::new())
    }

    async fn answer(&self, _question: idl_examples::chat::Question) -> Result<String, Error> {
        Err(Error::internal("this test asks no questions"))
    }
}

impl Ledger for Seen {
    async fn balance(&self, _: String) -> Result<i64, Error> {
        Ok(self.keep())
    }

    async fn deposit(&self, _: String, _: i64) -> Result<i64, Error> {
        Ok(self.keep())
    }

    async fn audit(&self, _: String) -> Result<i64, Error> {
        Ok(self.keep())
    }
}

#[tokio::test]
async fn the_installed_tracer_names_the_spans_on_both_sides() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry()).unwrap();
    let ids = Arc::new(Ids::default());
    assert!(call::set_tracer(Shared(ids.clone())).is_ok());
    assert!(
        call::set_tracer(Shared(ids.clone())).is_err(),
        "installed once"
    );
    let seen = Seen::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder().transport(Transport::Header);
    tokio::spawn(server.serve(
        listener,
        LedgerServer::new(seen.clone()),
        std::future::pending(),
    ));
    for transport in [Transport::Header, Transport::Framed] {
        let channel = Channel::builder().transport(transport).connect(addr).await;
        let client = LedgerClient::new(channel.unwrap());
        client.balance("a".into()).await.unwrap();
    }
    assert_eq!(
        ids.next.load(Ordering::SeqCst),
        1,
        "asked for the THeader call only"
    );
    let seen = seen.0.lock().unwrap().clone();
    let [over_header, framed] = seen.as_slice() else {
        panic!("expected two calls, got {seen:?}");
    };
    assert_eq!(over_header.trace_id(), TRACE_ID);
    assert_eq!(
        over_header.parent_id(),
        Some(0x100),
        "the tracer's span is the parent"
    );
    assert_ne!(framed.trace_id(), TRACE_ID, "nothing went over framed");
    assert_eq!(framed.parent_id(), None);
    let inbound = ids.inbound.lock().unwrap().clone();
    assert_eq!(
        inbound,
        [("thrift.call", *over_header)],
        "only the call that came traced"
    );
    drop(seen);
    // A oneway sent without waiting (`try_`) carries trace context too.
    let seen = Seen::default();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder().transport(Transport::Header);
    let service = ChatCallbackServer::new(seen.clone());
    tokio::spawn(server.serve(listener, service, std::future::pending()));
    let channel = Channel::builder()
        .transport(Transport::Header)
        .connect(addr);
    let client = ChatCallbackClient::new(channel.await.unwrap());
    client.try_on_message(Message::default()).unwrap();
    client.ask_nickname(String::new()).await.unwrap();
    // Oneways run on a task of their own: wait for it.
    let both = async {
        while seen.0.lock().unwrap().len() < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let bound = std::time::Duration::from_secs(10);
    tokio::time::timeout(bound, both)
        .await
        .expect("the oneway arrives");
    let seen = seen.0.lock().unwrap().clone();
    let mut parents: Vec<_> = seen.iter().map(|t| (t.trace_id(), t.parent_id())).collect();
    parents.sort_unstable();
    assert_eq!(parents, [(TRACE_ID, Some(0x101)), (TRACE_ID, Some(0x102))]);
}
