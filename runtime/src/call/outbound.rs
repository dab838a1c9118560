//! Client middleware (feature `tower`): the calls a [`Channel`](crate::Channel) makes, passed
//! through tower layers before they go on the wire. A call is an [`Outbound`] request (its
//! method, args, headers and deadline), answered by the peer's reply; the innermost service,
//! [`Sender`], sends it on the connection it names. [`Layers`] is a stack built once around
//! that sender, which any number of channels share, with the state of its layers.
//!
//! Input: the calls of channels given [`Layers`]. Output: their replies, or the error a layer
//! or the connection gave.
//!
//! ```no_run
//! # async fn example(a: thrift_bidi::Channel, b: thrift_bidi::Channel) {
//! use std::time::Duration;
//! use thrift_bidi::call::{Layers, Retry};
//!
//! // One stack for both connections: at most one call at a time between them, and calls of
//! // idempotent methods tried up to 3 times, each try given 200 ms.
//! let layers = Layers::new(
//!     tower::ServiceBuilder::new()
//!         .concurrency_limit(1)
//!         .retry(Retry::new(3))
//!         .timeout(Duration::from_millis(200)),
//! );
//! let (a, b) = (a.with_layers(&layers), b.with_layers(&layers));
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::time::Instant;
use tower::util::BoxCloneSyncService;
use tower::ServiceExt;

use super::{BoxError, Trace};
use crate::connection::Shared;
use crate::headers::Headers;
use crate::io::Peer;
use crate::message::{Body, Incoming};
use crate::protocol::MessageType;
use crate::Error;

/// A call a channel makes, as its layers see it. Cloning it (as a retry layer does) shares
/// its encoded-on-demand args; each try is sent as a message of its own, with a new seqid.
///
/// ```
/// use thrift_bidi::call::{Layers, Outbound};
///
/// // A layer that adds a token to every call but `ping`.
/// let layers = Layers::new(tower::util::MapRequestLayer::new(|mut call: Outbound| {
///     if call.method() != "ping" {
///         call.headers_mut().insert("authorization", "Bearer t0ken");
///     }
///     call
/// }));
/// ```
#[derive(Clone)]
pub struct Outbound {
    shared: Arc<Shared>,
    /// The name on the wire (with the multiplexed service's prefix).
    name: String,
    /// Where the method's own name starts in `name`.
    method_at: usize,
    kind: MessageType,
    args: Arc<dyn Body>,
    headers: Headers,
    deadline: Option<Instant>,
    trace: Option<Trace>,
    idempotent: bool,
    /// For a channel of several endpoints: picks the connection of each try.
    route: Option<Arc<dyn crate::client::Route>>,
}

/// What a [`Channel`](crate::Channel) knows of a call when it hands it to its layers.
pub(crate) struct Call {
    pub(crate) name: String,
    pub(crate) method_len: usize,
    pub(crate) kind: MessageType,
    pub(crate) headers: Headers,
    pub(crate) deadline: Option<Instant>,
    pub(crate) trace: Option<Trace>,
    pub(crate) idempotent: bool,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("deadline", &self.deadline)
            .field("idempotent", &self.idempotent)
            .finish_non_exhaustive()
    }
}

impl Outbound {
    pub(crate) fn new(shared: Arc<Shared>, call: Call, args: Arc<dyn Body>) -> Self {
        Self {
            shared,
            method_at: call.name.len() - call.method_len,
            name: call.name,
            kind: call.kind,
            args,
            headers: call.headers,
            deadline: call.deadline,
            trace: call.trace,
            idempotent: call.idempotent,
            route: None,
        }
    }

    /// Sent, each try, on the connection `route` picks then (a channel of several endpoints).
    pub(crate) fn routed(mut self, route: Option<Arc<dyn crate::client::Route>>) -> Self {
        self.route = route;
        self
    }

    /// The method called (its IDL name, without a multiplexed service's prefix).
    pub fn method(&self) -> &str {
        &self.name[self.method_at..]
    }

    /// Whether it is a oneway call (its answer is `None`: no reply comes).
    pub fn is_oneway(&self) -> bool {
        self.kind == MessageType::Oneway
    }

    /// Whether its method is marked idempotent (the `bidi.idempotent` annotation, or
    /// `Config::idempotent`): whether sending it twice does no harm, so that it may be retried.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The headers it carries (over THeader and HTTP): the channel's, and any a layer added.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The headers it carries, for a layer to add to (an authorization token, say).
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// When it fails with [`Error::Timeout`], if it has a deadline (the channel's call timeout,
    /// or what is left of the call being handled).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The connection it goes over: its id (as `Context::connection_id` gives it on a server)
    /// and the peer. (For a channel of several endpoints, each try picks its connection when
    /// it is sent; this is the one the channel was made with.)
    pub fn connection(&self) -> (u64, &Peer) {
        (self.shared.origin.connection, &self.shared.origin.peer)
    }

    /// Sends it (another try, with a seqid of its own, if it was sent before): its reply
    /// (`None` for a oneway, once queued).
    async fn send(self) -> Result<Option<Incoming>, Error> {
        // A routed channel's try goes on the connection its route picks now (held, and
        // counted as under way, until it is answered).
        let picked = match &self.route {
            Some(route) => Some(route.pick().await?),
            None => None,
        };
        let shared = picked.as_ref().map_or(&self.shared, |p| p.channel.shared());
        let carries = shared.carries_headers();
        let headers = crate::client::wire_headers(
            Some(&self.headers),
            self.deadline,
            self.trace.as_ref(),
            carries,
        )?;
        let headers = headers.as_deref().filter(|headers| !headers.is_empty());
        let Self {
            name,
            kind,
            args,
            deadline,
            ..
        } = &self;
        shared
            .call(name.clone(), *kind, &**args, headers, *deadline)
            .await
    }
}

/// The innermost service of a client's stack: sends each call on the connection it names.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sender;

impl tower_service::Service<Outbound> for Sender {
    type Response = Option<Incoming>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Incoming>, Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, call: Outbound) -> Self::Future {
        Box::pin(call.send())
    }
}

/// Tower layers around [`Sender`], built once: every channel given them
/// ([`Channel::with_layers`](crate::Channel::with_layers)), and every clone of those, shares
/// the layers' state (a concurrency limit's permits, a rate's window).
#[derive(Clone)]
pub struct Layers(BoxCloneSyncService<Outbound, Option<Incoming>, BoxError>);

impl std::fmt::Debug for Layers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layers").finish_non_exhaustive()
    }
}

impl Layers {
    /// `layer` around the [`Sender`].
    pub fn new<L>(layer: L) -> Self
    where
        L: tower_layer::Layer<Sender>,
        L::Service: tower_service::Service<Outbound, Response = Option<Incoming>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower_service::Service<Outbound>>::Error: Into<BoxError>,
        <L::Service as tower_service::Service<Outbound>>::Future: Send + 'static,
    {
        Self(BoxCloneSyncService::new(
            layer.layer(Sender).map_err(Into::into),
        ))
    }

    /// Passes `call` through the layers: its reply, or what a layer or the connection gave.
    pub(crate) async fn call(&self, call: Outbound) -> Result<Option<Incoming>, Error> {
        // A clone per call, as tower's services expect: readiness is the clone's own.
        self.0.clone().oneshot(call).await.map_err(from_layers)
    }
}

/// The error a call gives for what its layers failed with: the connection's own errors as
/// they were, tower's timeout as [`Error::Timeout`], anything else as [`Error::Layer`].
fn from_layers(error: BoxError) -> Error {
    match error.downcast::<Error>() {
        Ok(error) => *error,
        Err(error) if error.is::<tower::timeout::error::Elapsed>() => Error::Timeout,
        Err(error) => Error::Layer(error),
    }
}
