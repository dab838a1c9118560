//! The client side: a [`Channel`] is one connection that any number of tasks share, each call
//! waiting for its own reply (matched by seqid, so replies may come in any order). Generated
//! clients wrap a `Channel`.

mod blocking;
mod builder;
mod connect;
mod route;
mod wire;

pub use blocking::{BlockingClient, BlockingRuntime};
pub use builder::{ChannelBuilder, MadeWith, MakeCallbacks, NoCallbacks, Ready};
pub(crate) use route::Route;
pub use route::{Balance, OnConnect, Reconnect};
use std::sync::Arc;
use std::time::Duration;
pub(crate) use wire::wire_headers;

use tokio::net::ToSocketAddrs;
use tokio::time::Instant;

use tracing::Instrument;

use crate::bidi::{self, Callbacks as CallbackState};
use crate::call::Trace;
use crate::connection::Shared;
use crate::headers::Headers;
use crate::message::Incoming;
use crate::protocol::MessageType;
use crate::value::Value;
use crate::Error;

/// A connection to a server: cheap to clone, shared by tasks, many calls in flight at once.
/// The connection closes when the last clone is dropped. (A server's channel back to its
/// client, from [`crate::Connection::callbacks`], leaves that to the server.)
#[derive(Clone)]
pub struct Channel {
    shared: Arc<Shared>,
    bidi: Arc<bidi::State>,
    /// Held for its drop, which closes the connection (none on borrowed channels).
    _owner: Option<Arc<Owner>>,
    /// Calls go to a client, which must have said hello.
    to_client: bool,
    service: Option<Arc<str>>,
    call_timeout: Option<Duration>,
    /// Sent with every call (over THeader).
    headers: Option<Arc<Headers>>,
    /// The middleware its calls pass.
    #[cfg(feature = "tower")]
    layers: Option<crate::call::Layers>,
    /// The connections its calls go on, for a channel of several endpoints
    /// ([`ChannelBuilder::connect_any`]); `shared` is then its first connection's.
    route: Option<Arc<dyn Route>>,
}

/// Closes the connection when the last channel goes.
struct Owner(Arc<Shared>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("codec", &self.shared.codec)
            .field("service", &self.service)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Channel {
    /// Settings for a new connection.
    pub fn builder() -> ChannelBuilder {
        ChannelBuilder::default()
    }

    /// Connects over TCP with the default settings (framed, binary).
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Self, Error> {
        Self::builder().connect(addr).await
    }

    /// This connection, with calls that fail with [`Error::Timeout`] when no reply comes
    /// within `timeout` (for a server's channel back to its client too).
    #[must_use]
    pub fn with_call_timeout(&self, timeout: Duration) -> Self {
        Self {
            call_timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// This connection, sending `headers` with every call (over THeader; other transports
    /// carry no headers). The headers of replies are in
    /// [`call::with_reply_headers`](crate::call::with_reply_headers).
    #[must_use]
    pub fn with_headers(&self, headers: Headers) -> Self {
        Self {
            headers: Some(Arc::new(headers)),
            ..self.clone()
        }
    }

    /// This connection, its calls passing `layers` (tower middleware, shared with every other
    /// channel given them) before they are sent; see [`call::Layers`](crate::call::Layers).
    #[cfg(feature = "tower")]
    #[must_use]
    pub fn with_layers(&self, layers: &crate::call::Layers) -> Self {
        Self {
            layers: Some(layers.clone()),
            ..self.clone()
        }
    }

    /// This connection, naming `service` on every call (Apache's multiplexed protocol).
    #[must_use]
    pub fn multiplexed(&self, service: &str) -> Self {
        Self {
            service: Some(service.into()),
            ..self.clone()
        }
    }

    /// The channel a server calls its client back on.
    pub(crate) fn to_client(shared: Arc<Shared>, bidi: Arc<bidi::State>) -> Self {
        Self::borrowed(shared, bidi, true, None)
    }

    /// A channel that does not keep the connection open (a server's to its client, and a
    /// client's callback handlers' to the server, which the connection itself holds).
    fn borrowed(
        shared: Arc<Shared>,
        bidi: Arc<bidi::State>,
        to_client: bool,
        call_timeout: Option<Duration>,
    ) -> Self {
        Self {
            shared,
            bidi,
            _owner: None,
            to_client,
            service: None,
            call_timeout,
            headers: None,
            #[cfg(feature = "tower")]
            layers: None,
            route: None,
        }
    }

    /// The route a call of this channel is handed to whole: a routed channel's, unless its
    /// layers must see the call first (then each try picks its connection: a retry may go
    /// to another server).
    fn delegating(&self) -> Option<&Arc<dyn Route>> {
        #[cfg(feature = "tower")]
        if self.layers.is_some() {
            return None;
        }
        self.route.as_ref()
    }

    /// The connection this channel's calls go on (for a routed channel, its first).
    #[cfg(feature = "tower")]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// This channel without a hold on its connection: it does not keep it open.
    fn watcher(&self) -> Self {
        Self {
            _owner: None,
            ..self.clone()
        }
    }

    /// This connection's channel with `from`'s options (service, timeout, headers, layers):
    /// where a routed channel's call goes.
    fn adopting(self, from: &Channel) -> Self {
        Self {
            service: from.service.clone(),
            call_timeout: from.call_timeout,
            headers: from.headers.clone(),
            #[cfg(feature = "tower")]
            layers: from.layers.clone(),
            ..self
        }
    }

    /// Fails unless this side may call: a server calls back only a client that said hello.
    fn check_peer(&self) -> Result<(), Error> {
        if self.to_client && !self.bidi.has_peer_hello() {
            return Err(Error::Unavailable);
        }
        Ok(())
    }

    /// This call's deadline: the call timeout from now, or the deadline of the call being
    /// handled (a call made while serving one, such as a callback, inherits what is left of
    /// it), whichever comes first.
    fn deadline(&self) -> Option<Instant> {
        let own = self.call_timeout.map(|timeout| Instant::now() + timeout);
        let inherited = crate::call::deadline();
        match (own, inherited) {
            (Some(own), Some(inherited)) => Some(own.min(inherited)),
            (own, inherited) => own.or(inherited),
        }
    }

    /// The span of a call of `method` made now, and the trace it carries: over THeader, the
    /// trace of the call being handled (whose span the peer's handler names as its parent).
    fn outbound(&self, method: &str) -> (tracing::Span, Option<Trace>) {
        let carries = self.shared.carries_headers();
        crate::call::outbound(method, &self.shared.origin, carries)
    }

    /// Calls `method` with `args`, decoding the reply's result struct as `R`.
    pub async fn call<A, R>(&self, method: &str, args: A) -> Result<R, Error>
    where
        A: Value + Send + Sync + 'static,
        R: Value,
    {
        self.call_marked(method, args, false).await
    }

    /// Calls `method`, marked idempotent (sending it twice does no harm), with `args`: as
    /// [`Channel::call`], except that a retry layer ([`call::Retry`](crate::call::Retry)) may
    /// send it again. Generated clients call this for methods annotated `bidi.idempotent`.
    pub async fn call_idempotent<A, R>(&self, method: &str, args: A) -> Result<R, Error>
    where
        A: Value + Send + Sync + 'static,
        R: Value,
    {
        self.call_marked(method, args, true).await
    }

    async fn call_marked<A, R>(&self, method: &str, args: A, idempotent: bool) -> Result<R, Error>
    where
        A: Value + Send + Sync + 'static,
        R: Value,
    {
        if let Some(route) = self.delegating() {
            let picked = route.pick().await?;
            let channel = picked.channel.clone().adopting(self);
            return Box::pin(channel.call_marked(method, args, idempotent)).await;
        }
        let (span, trace) = self.outbound(method);
        let call = async {
            let reply = self
                .send(method, MessageType::Call, args, trace, idempotent)
                .await?
                .ok_or(Error::Disconnected)?;
            self.read_reply(&reply, method)
        };
        call.instrument(span).await
    }

    /// Calls oneway `method` with `args`: returns once the call is queued for sending.
    pub async fn oneway<A>(&self, method: &str, args: A) -> Result<(), Error>
    where
        A: Value + Send + Sync + 'static,
    {
        if let Some(route) = self.delegating() {
            let picked = route.pick().await?;
            let channel = picked.channel.clone().adopting(self);
            return Box::pin(channel.oneway(method, args)).await;
        }
        let (span, trace) = self.outbound(method);
        self.send(method, MessageType::Oneway, args, trace, false)
            .instrument(span)
            .await
            .map(drop)
    }

    /// Sends a call of `method` (through the channel's layers, if it has any): its reply,
    /// `None` for a oneway.
    async fn send<A>(
        &self,
        method: &str,
        kind: MessageType,
        args: A,
        trace: Option<Trace>,
        idempotent: bool,
    ) -> Result<Option<Incoming>, Error>
    where
        A: Value + Send + Sync + 'static,
    {
        self.check_peer()?;
        let deadline = self.deadline();
        #[cfg(feature = "tower")]
        if let Some(layers) = &self.layers {
            let call = crate::call::Call {
                name: self.name(method),
                method_len: method.len(),
                kind,
                headers: self.headers.as_deref().cloned().unwrap_or_default(),
                deadline,
                trace,
                idempotent,
            };
            let call = crate::call::Outbound::new(self.shared.clone(), call, Arc::new(args));
            return layers.call(call.routed(self.route.clone())).await;
        }
        #[cfg(not(feature = "tower"))]
        let _ = idempotent;
        let carries = self.shared.carries_headers();
        let headers = wire_headers(self.headers.as_deref(), deadline, trace.as_ref(), carries)?;
        let name = self.name(method);
        let headers = headers.as_deref();
        self.shared.call(name, kind, &args, headers, deadline).await
    }

    /// Sends oneway `method` with `args` if that can be done without waiting: fails with
    /// [`Error::Busy`] while the peer is behind (the bytes queued for it over the outgoing
    /// budget, `max_outgoing_bytes`), so that a broadcaster can skip a slow peer instead of
    /// waiting for it.
    ///
    /// It does not wait, so it passes no layers ([`Channel::with_layers`]); it has a span and
    /// carries trace context and the channel's headers as [`Channel::oneway`] does.
    pub fn try_oneway<A: Value + Send + Sync>(&self, method: &str, args: &A) -> Result<(), Error> {
        if let Some(route) = &self.route {
            let current = route.current().ok_or(Error::Disconnected)?;
            return current.adopting(self).try_oneway(method, args);
        }
        self.check_peer()?;
        let (span, trace) = self.outbound(method);
        let _entered = span.enter();
        let carries = self.shared.carries_headers();
        let headers = wire_headers(self.headers.as_deref(), None, trace.as_ref(), carries)?;
        self.shared
            .try_oneway(&self.name(method), args, headers.as_deref())
    }

    /// Bytes queued for the peer and not yet written: how far behind it is.
    pub fn backlog(&self) -> usize {
        self.connection().shared.backlog()
    }

    /// Whether the connection has closed (calls fail with [`Error::Disconnected`]). A channel
    /// of several endpoints is closed while it has no healthy connection.
    pub fn is_closed(&self) -> bool {
        match &self.route {
            Some(route) => route.current().is_none(),
            None => self.shared.is_closed(),
        }
    }

    /// Resolves when the connection closes (for a channel of several endpoints: the one
    /// calls go on now).
    pub async fn closed(&self) {
        self.connection().shared.closed().await;
    }

    /// What this client knows about its server calling it back (see
    /// [`ChannelBuilder::callbacks`]).
    pub fn callbacks(&self) -> CallbackState {
        *self.connection().bidi.callbacks.borrow()
    }

    /// Waits for the server's answer to the hello: whether it may call this client back.
    /// (`NotOffered` at once for a client serving no callbacks.)
    pub async fn callbacks_ready(&self) -> CallbackState {
        let mut state = self.connection().bidi.callbacks.subscribe();
        let ready = state
            .wait_for(|state| *state != CallbackState::Pending)
            .await;
        // The sender lives as long as the connection's state, which `self` holds.
        ready.map_or(CallbackState::Unavailable, |state| *state)
    }

    /// The connection calls go on now: this one, or for a channel of several endpoints the
    /// one its route has (or its first, while it has none).
    fn connection(&self) -> std::borrow::Cow<'_, Channel> {
        match self.route.as_ref().and_then(|route| route.current()) {
            Some(current) => std::borrow::Cow::Owned(current),
            None => std::borrow::Cow::Borrowed(self),
        }
    }
}
