//! The chat with its spans exported through OpenTelemetry (feature `otel`, not in the default
//! build): a server and two clients in one process, over THeader, each call's span
//! (`thrift.call`, on both sides, callbacks included) exported by OpenTelemetry's SDK, here to
//! stdout (swap in an OTLP exporter to send them to a collector).
//!
//! The runtime carries trace context as W3C `traceparent` headers; [`Otel`] hands it the ids
//! OpenTelemetry gave each span, so a call, the server's handling of it, and the callbacks the
//! server makes while handling it are exported as one trace, each span the child of its cause,
//! as they would be across processes.
//!
//!     cargo run -p idl-examples --features otel --bin otel-demo

use std::time::Duration;

use idl_examples::chat::ChatClient;
use idl_examples::hub::Hub;
use idl_examples::printer::Printer;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use thrift_bidi::call::{Trace, Tracer};
use thrift_bidi::Transport;
use tokio::net::TcpListener;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The runtime's trace context from OpenTelemetry's ids, and back.
struct Otel;

impl Tracer for Otel {
    fn outbound(&self, span: &tracing::Span) -> Option<Trace> {
        let context = span.context();
        let span = context.span();
        let ids = span.span_context();
        let trace_id = u128::from_be_bytes(ids.trace_id().to_bytes());
        let span_id = u64::from_be_bytes(ids.span_id().to_bytes());
        Trace::new(trace_id, span_id, ids.is_sampled())
    }

    fn inbound(&self, span: &tracing::Span, trace: &Trace) {
        let Some(parent) = trace.parent_id() else {
            return;
        };
        let caller = SpanContext::new(
            TraceId::from_bytes(trace.trace_id().to_be_bytes()),
            SpanId::from_bytes(parent.to_be_bytes()),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let parent = opentelemetry::Context::new().with_remote_span_context(caller);
        if let Err(e) = span.set_parent(parent) {
            eprintln!("otel-demo: the call's span keeps no parent: {e}");
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .with_resource(Resource::builder().with_service_name("chat").build())
        .build();
    let otel = tracing_opentelemetry::layer().with_tracer(provider.tracer("otel-demo"));
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("thrift_bidi=info"))
        .with(otel)
        .init();
    if thrift_bidi::call::set_tracer(Otel).is_err() {
        return Err("a tracer was installed already".into());
    }

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let hub = Hub::new();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(Hub::server().transport(Transport::Header).serve_with(
        listener,
        move |connection| hub.session(connection),
        async {
            let _ = stopped.await;
        },
    ));
    let mut users = Vec::new();
    for name in ["alice", "bob"] {
        let printer = Printer::new(name);
        let mut received = printer.received();
        let builder = ChatClient::builder(printer).transport(Transport::Header);
        let chat = ChatClient::new(builder.connect(addr).await?);
        chat.channel().callbacks_ready().await;
        // Joining has the server ask the user's nickname, and push the join to the room.
        chat.join("otel".into()).await?;
        received.wait_for(|n| *n >= 1).await?;
        users.push((chat, received));
    }
    // One trace: alice's say, the server's handling of it, and its pushes to both users.
    users[0].0.say("otel".into(), "traced".into()).await?;
    for (_, received) in &mut users {
        tokio::time::timeout(Duration::from_secs(5), received.wait_for(|n| *n >= 2)).await??;
    }
    drop(users);
    let _ = stop.send(());
    server.await?;
    provider.shutdown()?;
    Ok(())
}
