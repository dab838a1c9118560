//! The per-call context: what a handler may want to know about the call it is answering (the
//! method, its seqid, the connection and peer it came from, its headers, its deadline) and
//! typed extensions that middleware fills in for the handler (an authenticated user, say).
//!
//! Input: an incoming call and its connection. Output: a [`Context`], cheap to clone, that
//! the call's task sees through [`Context::current`](super::context).

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::trace::{Trace, TRACEPARENT_HEADER};
use crate::headers::Headers;
use crate::io::Peer;

/// The header that carries a call's deadline over THeader, as the milliseconds the caller
/// will still wait (fbthrift's key): a relative time, since the two clocks may differ.
pub const TIMEOUT_HEADER: &str = "client_timeout";

/// The time `left` before a deadline as the deadline headers carry it: whole milliseconds,
/// rounded up, and at least one (zero would read as no time at all).
pub(crate) fn timeout_millis(left: Duration) -> u64 {
    u64::try_from(left.as_micros().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// What is known about the call being handled; see [`context`](super::context).
///
/// ```no_run
/// # async fn handler() -> Result<String, thrift_bidi::Error> {
/// let cx = thrift_bidi::call::context().expect("inside a handler");
/// let user = cx.headers().get("user").cloned();
/// if cx.remaining().is_some_and(|left| left.as_millis() < 5) {
///     return Err(thrift_bidi::Error::internal("no time left to do it well"));
/// }
/// println!("{} #{} from {:?}", cx.method(), cx.seqid(), cx.peer().addr());
/// # Ok(String::new())
/// # }
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    method: String,
    seqid: i32,
    oneway: bool,
    origin: Origin,
    headers: Headers,
    deadline: Option<Instant>,
    /// Made when first asked for (an untraced call never pays for its ids).
    trace: OnceLock<Trace>,
    extensions: Mutex<http::Extensions>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("method", &self.inner.method)
            .field("seqid", &self.inner.seqid)
            .field("connection", &self.inner.origin.connection)
            .field("peer", &self.inner.origin.peer.addr())
            .field("deadline", &self.inner.deadline)
            .field("trace", &self.inner.trace)
            .finish_non_exhaustive()
    }
}

/// Where a call came from: its connection's id and peer, and whether this side accepted the
/// connection (a server), so that calls coming the other way are callbacks.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) connection: u64,
    pub(crate) peer: Arc<Peer>,
    pub(crate) accepted: bool,
}

impl Context {
    /// The context of a call of `method` (`seqid`) from `origin`, with its `headers`; its
    /// deadline is the one they carry, if any, counted from now.
    pub(crate) fn new(
        origin: &Origin,
        method: &str,
        seqid: i32,
        oneway: bool,
        headers: Headers,
    ) -> Self {
        let deadline = headers
            .get(TIMEOUT_HEADER)
            .and_then(|ms| std::str::from_utf8(ms).ok()?.trim().parse::<u64>().ok())
            .map(|ms| Instant::now() + Duration::from_millis(ms));
        Self {
            inner: Arc::new(Inner {
                trace: OnceLock::new(),
                method: method.to_owned(),
                seqid,
                oneway,
                origin: origin.clone(),
                headers,
                deadline,
                extensions: Mutex::default(),
            }),
        }
    }

    /// The method called, as the caller named it (with the service's prefix when it came
    /// multiplexed).
    pub fn method(&self) -> &str {
        &self.inner.method
    }

    /// The call's sequence id on its connection.
    pub fn seqid(&self) -> i32 {
        self.inner.seqid
    }

    /// Whether the call is a oneway (no reply will go back).
    pub fn is_oneway(&self) -> bool {
        self.inner.oneway
    }

    /// The connection's id: unique among this process's connections, for logs and for
    /// keying per-connection state.
    pub fn connection_id(&self) -> u64 {
        self.inner.origin.connection
    }

    /// The peer: its address and, over TLS, the certificates it presented.
    pub fn peer(&self) -> &Peer {
        &self.inner.origin.peer
    }

    /// Where the call came from.
    pub(crate) fn inner_origin(&self) -> &Origin {
        &self.inner.origin
    }

    /// The headers that came with the call (over THeader; empty otherwise).
    pub fn headers(&self) -> &Headers {
        &self.inner.headers
    }

    /// When the caller stops waiting, if it said (over THeader, and over HTTP). A handler
    /// still running then is cancelled, and the caller answered with a timeout.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    /// Where the call stands in its trace (continuing the `traceparent` it came with, or
    /// starting a trace); calls made while serving it continue the same trace.
    pub fn trace(&self) -> Trace {
        *self
            .inner
            .trace
            .get_or_init(|| Trace::continuing(self.inner.headers.get(TRACEPARENT_HEADER)))
    }

    /// The time left before the deadline (zero once it has passed).
    pub fn remaining(&self) -> Option<Duration> {
        self.inner
            .deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Stores `value` for the rest of the call, replacing a value of its type (a layer that
    /// authenticates the caller stores who it is, for the handler).
    pub fn insert<T: Clone + Send + Sync + 'static>(&self, value: T) {
        self.extensions().insert(value);
    }

    /// The value of type `T` stored for this call, if any.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.extensions().get::<T>().cloned()
    }

    fn extensions(&self) -> std::sync::MutexGuard<'_, http::Extensions> {
        self.inner
            .extensions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
