//! The call being handled, and the reply being awaited, as the task running it sees them:
//! the handler's [`Context`] (who called, the headers, the deadline, extensions), the headers
//! it sets for its reply, and the headers of the replies a caller receives. (A handler runs in
//! a task of its own, and a caller awaits its reply in its own task, so each sees only its own
//! call's.) A handler that needs none of it names none of it: the context is there for the
//! asking, and `docs/context.md` says why it is not a parameter.
//!
//! ```no_run
//! # async fn handler() -> Result<String, thrift_bidi::Error> {
//! // Inside a handler: the headers the client sent, and one for the reply.
//! let user = thrift_bidi::call::headers().get("user").cloned();
//! thrift_bidi::call::set_reply_header("served-by", "node-7");
//! # Ok(String::new())
//! # }
//! ```

mod context;
#[cfg(feature = "tower")]
mod middleware;
#[cfg(feature = "tower")]
mod outbound;
#[cfg(feature = "tower")]
mod retry;
mod trace;

use std::cell::RefCell;
use std::future::Future;

use tracing::Instrument;

pub(crate) use context::{timeout_millis, Origin};
pub use context::{Context, TIMEOUT_HEADER};
#[cfg(feature = "tower")]
pub use middleware::{BoxError, IntoTower, Layered};
#[cfg(feature = "tower")]
pub(crate) use outbound::Call;
#[cfg(feature = "tower")]
pub use outbound::{Layers, Outbound, Sender};
#[cfg(feature = "tower")]
pub use retry::Retry;
pub use trace::{set_tracer, Trace, Tracer, TRACEPARENT_HEADER};

use crate::headers::Headers;
use crate::message::Outgoing;

/// The call a handler is answering.
struct Handling {
    context: Context,
    reply: RefCell<Headers>,
}

tokio::task_local! {
    static HANDLING: Handling;
    static AWAITING: RefCell<Option<Headers>>;
}

/// The context of the call being handled (`None` outside a handler).
pub fn context() -> Option<Context> {
    HANDLING.try_with(|handling| handling.context.clone()).ok()
}

/// The deadline of the call being handled, if it has one (without a copy of its context).
pub(crate) fn deadline() -> Option<tokio::time::Instant> {
    HANDLING
        .try_with(|handling| handling.context.deadline())
        .ok()
        .flatten()
}

/// The trace of the call being handled, if there is one (without a copy of its context).
fn trace() -> Option<Trace> {
    HANDLING.try_with(|handling| handling.context.trace()).ok()
}

/// The headers of the call being handled (none outside a handler, or on a transport without
/// headers: framed or buffered).
pub fn headers() -> Headers {
    HANDLING
        .try_with(|handling| handling.context.headers().clone())
        .unwrap_or_default()
}

/// Adds a header to the reply of the call being handled (sent over THeader only; outside a
/// handler it does nothing).
pub fn set_reply_header(key: impl Into<bytes::Bytes>, value: impl Into<bytes::Bytes>) {
    let _ = HANDLING.try_with(|handling| handling.reply.borrow_mut().insert(key, value));
}

/// Runs a service's `call` as the handling of the call `context` describes, cancelled at its
/// deadline (then answered with what `timed_out` makes: nothing, for a oneway); its answer,
/// carrying the headers the handler set for it.
pub(crate) async fn answer(
    context: Context,
    call: impl Future<Output = Option<Outgoing>>,
    timed_out: impl FnOnce() -> Option<Outgoing>,
) -> Option<Outgoing> {
    let deadline = context.deadline();
    let span = inbound_span(&context);
    let handling = Handling {
        context,
        reply: RefCell::default(),
    };
    let handled = HANDLING.scope(handling, async {
        let answer = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, call).await.ok(),
            None => Some(call.await),
        };
        let reply = HANDLING.with(|handling| handling.reply.take());
        (answer, reply)
    });
    match handled.instrument(span).await {
        (Some(answer), reply_headers) => answer.map(|mut answer| {
            answer.headers = reply_headers;
            answer
        }),
        (None, _) => {
            tracing::debug!("the caller's deadline passed: the handler is cancelled");
            timed_out()
        }
    }
}

/// The span of an incoming call (a callback, when this side made the connection).
fn inbound_span(context: &Context) -> tracing::Span {
    let origin = &context.inner_origin();
    let span = tracing::info_span!(
        "thrift.call",
        direction = "inbound",
        callback = !origin.accepted,
        method = context.method(),
        seqid = context.seqid(),
        connection = origin.connection,
        peer = ?origin.peer.addr(),
        trace_id = %TraceId(context.trace().trace_id()),
    );
    let traced = !span.is_disabled() && context.trace().parent_id().is_some();
    if let Some(tracer) = trace::tracer().filter(|_| traced) {
        tracer.inbound(&span, &context.trace());
    }
    span
}

/// The span of a call this side makes (a callback, on a connection it accepted), and the trace
/// it carries to the peer when `carries` (a transport with headers): the one the installed
/// [`Tracer`] gave the span, or else the trace of the call being handled, or, when the span is
/// recorded, a trace of its own. (A call made outside any
/// call and untraced carries none: nobody would look for it.)
pub(crate) fn outbound(
    method: &str,
    origin: &Origin,
    carries: bool,
) -> (tracing::Span, Option<Trace>) {
    let span = tracing::info_span!(
        "thrift.call",
        direction = "outbound",
        callback = origin.accepted,
        method,
        connection = origin.connection,
        peer = ?origin.peer.addr(),
        trace_id = tracing::field::Empty,
    );
    let trace = carries
        .then(|| {
            let kept = trace::tracer().and_then(|tracer| tracer.outbound(&span));
            kept.or_else(|| trace().or_else(|| recorded(&span).then(Trace::root)))
        })
        .flatten();
    if let Some(trace) = &trace {
        span.record(
            "trace_id",
            tracing::field::display(TraceId(trace.trace_id())),
        );
    }
    (span, trace)
}

/// Whether `span` is recorded by a subscriber. (A span that the callsite's cached interest
/// made enabled may still have been created with no subscriber on this thread.)
fn recorded(span: &tracing::Span) -> bool {
    !span.is_disabled()
        && !tracing::dispatcher::get_default(|current| {
            current.is::<tracing::subscriber::NoSubscriber>()
        })
}

/// A trace id, written as W3C writes it (only when a span is recorded).
struct TraceId(u128);

impl std::fmt::Display for TraceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// Runs `call` (a client call, or several in turn) and returns, with its answer, the headers
/// of the last reply it received.
///
/// ```no_run
/// # async fn example(client: thrift_bidi::Channel) {
/// let (answer, headers) = thrift_bidi::call::with_reply_headers(async {
///     // a generated client's call on a THeader channel
/// })
/// .await;
/// # }
/// ```
pub async fn with_reply_headers<T>(call: impl Future<Output = T>) -> (T, Headers) {
    AWAITING
        .scope(RefCell::default(), async {
            let answer = call.await;
            let headers = AWAITING.with(RefCell::take).unwrap_or_default();
            (answer, headers)
        })
        .await
}

/// Keeps the headers of a reply for [`with_reply_headers`], when the caller asked for them.
pub(crate) fn received_reply(headers: &Headers) {
    let _ = AWAITING.try_with(|last| *last.borrow_mut() = Some(headers.clone()));
}
