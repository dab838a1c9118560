//! The settings a [`Channel`] is connected with ([`ChannelBuilder`]), and what a client
//! serves its server: nothing, or a callback service ([`MakeCallbacks`]).
//!
//! Input: the user's settings and callback service. Output: a builder that connects
//! ([`connect`](super::connect)).

use std::time::Duration;

use super::Channel;
use crate::connection::Settings;
use crate::message::{Incoming, Outgoing};
use crate::service::{NoService, Service};

/// Settings for [`Channel`]s: the codec (which must match the server's), limits and timeouts,
/// and the callback service the client serves, if any.
#[derive(Clone, Debug, Default)]
pub struct ChannelBuilder<C = NoCallbacks> {
    pub(super) settings: Settings,
    pub(super) connect_timeout: Option<Duration>,
    pub(super) call_timeout: Option<Duration>,
    pub(super) callbacks: C,
    #[cfg(feature = "tls")]
    pub(super) tls: Option<crate::ClientTls>,
    #[cfg(feature = "http")]
    pub(super) http: crate::ClientHttp,
}

/// What a client serves its server: nothing, a service, or a service made with a channel to
/// the server (see [`ChannelBuilder::callbacks`] and [`ChannelBuilder::callbacks_with`]).
pub trait MakeCallbacks {
    /// The service.
    type Service: Service;
    /// Makes it, given a channel to the server (`None`: the client serves nothing).
    fn make(self, server: &Channel) -> Option<Self::Service>;

    /// Whether the client serves callbacks (all but [`NoCallbacks`] do).
    fn serves(&self) -> bool {
        true
    }
}

/// The client side's service: its callbacks, if it serves any.
pub(super) struct Serving<S>(pub(super) Option<S>);

impl<S: Service> Service for Serving<S> {
    async fn call(&self, mut call: Incoming) -> Option<Outgoing> {
        let Some(service) = &self.0 else {
            return call.unknown_method();
        };
        // A multiplexing server names the callback service: `Service:method`.
        let prefixed = call.header.name.strip_prefix(service.name());
        if let Some(method) = prefixed.and_then(|rest| rest.strip_prefix(':')) {
            call.header.name = method.to_owned();
        }
        service.call(call).await
    }
}

/// A client that serves no callbacks.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCallbacks;

impl MakeCallbacks for NoCallbacks {
    type Service = NoService;
    fn make(self, _: &Channel) -> Option<NoService> {
        None
    }

    fn serves(&self) -> bool {
        false
    }
}

/// Serves a service made beforehand.
#[derive(Clone, Debug)]
pub struct Ready<S>(S);

impl<S: Service> MakeCallbacks for Ready<S> {
    type Service = S;
    fn make(self, _: &Channel) -> Option<S> {
        Some(self.0)
    }
}

/// Serves a service made with a channel to the server.
#[derive(Clone, Debug)]
pub struct MadeWith<F>(F);

impl<S: Service, F: FnOnce(&Channel) -> S> MakeCallbacks for MadeWith<F> {
    type Service = S;
    fn make(self, server: &Channel) -> Option<S> {
        Some((self.0)(server))
    }
}

impl<C: MakeCallbacks> ChannelBuilder<C> {
    crate::connection::connection_setters!();

    /// Serves `service` (a generated callback server) to the server over the connection:
    /// the client says hello first, and a bidirectional server may then call it back.
    #[must_use]
    pub fn callbacks<S: Service>(self, service: S) -> ChannelBuilder<Ready<S>> {
        self.with_callbacks(Ready(service))
    }

    /// Like [`ChannelBuilder::callbacks`], with a service `make` builds given a channel to
    /// the server, so that a callback can itself call the server. (That channel does not
    /// keep the connection open: the connection closes when the channels `connect` returns
    /// are all dropped.)
    #[must_use]
    pub fn callbacks_with<S, F>(self, make: F) -> ChannelBuilder<MadeWith<F>>
    where
        S: Service,
        F: FnOnce(&Channel) -> S,
    {
        self.with_callbacks(MadeWith(make))
    }

    pub(super) fn with_callbacks<D>(&self, callbacks: D) -> ChannelBuilder<D> {
        ChannelBuilder {
            settings: self.settings,
            connect_timeout: self.connect_timeout,
            call_timeout: self.call_timeout,
            callbacks,
            #[cfg(feature = "tls")]
            tls: self.tls.clone(),
            #[cfg(feature = "http")]
            http: self.http.clone(),
        }
    }

    /// Connects over TLS (feature `tls`), after the TCP connection or on the Unix socket,
    /// within the connect timeout (or 10 s).
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, tls: crate::ClientTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// How [`ChannelBuilder::connect_http`] speaks HTTP (feature `http`): extra headers, the
    /// requests under way at once, the time each may take.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, http: crate::ClientHttp) -> Self {
        self.http = http;
        self
    }

    /// How long connecting may take.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long each call may wait for its reply.
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }
}
