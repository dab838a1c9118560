//! The server side: an accept loop that runs each connection on its own tasks, with a bound
//! on connections and a graceful shutdown (stop accepting, stop reading, let running calls
//! finish within a bound), and the [`Connection`] handle each connection's service is made
//! with, from which a bidirectional server calls its client back.

mod events;
mod handshakes;
mod peers;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::bidi::{self, Greeter};
use crate::client::Channel;
use crate::connection::{self, CloseReason, Settings, Shared};
use crate::io::{Listener, Peer, Stream};
use crate::service::Service;
pub use events::ConnectionEvent;
use events::{Closing, Events};
use handshakes::{Admitted, Handshakes, Next};
use peers::Peers;

/// A Thrift server; build one with [`Server::builder`].
#[derive(Clone, Debug)]
pub struct Server {
    settings: Settings,
    max_connections: usize,
    max_connections_per_peer: usize,
    shutdown_timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<crate::ServerTls>,
    #[cfg(feature = "tls")]
    tls_handshake_timeout: Duration,
    #[cfg(feature = "http")]
    http: Option<crate::ServerHttp>,
    events: Events,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            settings: Settings {
                idle_timeout: Some(Duration::from_secs(300)),
                ..Settings::default()
            },
            max_connections: 10_000,
            max_connections_per_peer: 256,
            shutdown_timeout: Duration::from_secs(10),
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "tls")]
            tls_handshake_timeout: Duration::from_secs(10),
            #[cfg(feature = "http")]
            http: None,
            events: Events::default(),
        }
    }
}

impl Server {
    /// A server with the default settings: framed, binary, 10,000 connections (256 from one
    /// peer), 16 MiB frames; `docs/limits.md` lists every limit and timeout.
    pub fn builder() -> Self {
        Self::default()
    }

    crate::connection::connection_setters!();

    /// Connections served at once (10,000 by default); further ones wait to be accepted.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Connections served at once from one peer (256 by default): one IPv4 address, or one
    /// IPv6 /64 network (what one host is usually given). Further ones are closed as soon as
    /// they are accepted, so that one peer cannot take every slot. (Unix sockets have no
    /// peer address, and no such limit.)
    #[must_use]
    pub fn max_connections_per_peer(mut self, connections: usize) -> Self {
        self.max_connections_per_peer = connections.max(1);
        self
    }

    /// How long a shutdown waits for running calls before dropping them.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Serves over TLS (feature `tls`): each connection accepted is handshaken on its own task
    /// (holding its connection slot meanwhile) before its service is made.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, tls: crate::ServerTls) -> Self {
        self.tls = Some(tls);
        self
    }

    /// How long a client may take over the TLS handshake (10 s by default); one slower is
    /// dropped.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.tls_handshake_timeout = timeout;
        self
    }

    /// Serves HTTP (feature `http`), as Apache's `THttpServer`: each POST's body one call
    /// (its content type `application/x-thrift`, or `application/vnd.apache.thrift.` then
    /// `binary`, `compact` or `json`, which chooses the protocol), its response's body the
    /// reply. Connections are accepted, limited and (with [`Server::tls`]) encrypted as
    /// ever; each connection's requests are answered one at a time. Callbacks cannot travel
    /// over HTTP: [`Connection::callbacks`] fails with [`crate::Error::Unavailable`].
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, http: crate::ServerHttp) -> Self {
        self.http = Some(http);
        self
    }

    /// Reports each connection's start and end (with why it ended) to `report`, which runs
    /// on the connection's task and should return quickly.
    ///
    /// ```no_run
    /// use thrift_bidi::{ConnectionEvent, Server};
    /// let server = Server::builder().events(|event| match event {
    ///     ConnectionEvent::Connected { id, peer } => println!("#{id} from {:?}", peer.addr()),
    ///     ConnectionEvent::Closed { id, reason, .. } => println!("#{id} closed: {reason}"),
    ///     _ => {}
    /// });
    /// ```
    #[must_use]
    pub fn events(mut self, report: impl Fn(&ConnectionEvent<'_>) + Send + Sync + 'static) -> Self {
        self.events = Events::new(report);
        self
    }

    /// Serves `service` on every connection from `listener`, until `shutdown` resolves; then
    /// stops accepting and reading, and waits (up to the shutdown timeout) for the calls
    /// running to be answered.
    pub async fn serve<L, S>(self, listener: L, service: S, shutdown: impl Future<Output = ()>)
    where
        L: Listener,
        S: Service + Clone,
    {
        self.serve_with(listener, move |_| service.clone(), shutdown)
            .await;
    }

    /// Like [`Server::serve`], with a service made for each connection by `make`, which is
    /// given the [`Connection`]: for a bidirectional service, the way to call that
    /// connection's client back.
    pub async fn serve_with<L, S>(
        self,
        mut listener: L,
        make: impl Fn(&Connection) -> S,
        shutdown: impl Future<Output = ()>,
    ) where
        L: Listener,
        S: Service,
    {
        let slots = Arc::new(Semaphore::new(self.max_connections));
        let mut peers = Peers::new(self.max_connections_per_peer);
        let (stop, stopped) = watch::channel(false);
        let mut connections = JoinSet::new();
        #[cfg(feature = "tls")]
        let mut handshakes = Handshakes::new(
            self.tls
                .clone()
                .map(|tls| (tls, self.tls_handshake_timeout)),
        );
        #[cfg(not(feature = "tls"))]
        let mut handshakes = Handshakes::new(None);
        let start = Start {
            settings: self.settings,
            stopped: &stopped,
            #[cfg(feature = "http")]
            http: self.http.clone(),
            events: &self.events,
        };
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                () = &mut shutdown => break,
                Some(ended) = connections.join_next(), if !connections.is_empty() => {
                    if let Ok(Some(peer)) = ended {
                        peers.leave(peer);
                    }
                    continue;
                }
                encrypted = handshakes.next() => {
                    match encrypted {
                        Ok((stream, admitted)) => start.spawn(stream, admitted, &make, &mut connections),
                        Err(admitted) => {
                            if let Some(peer) = admitted.peer {
                                peers.leave(peer);
                            }
                        }
                    }
                    continue;
                }
                accepted = accept(&mut listener, &slots) => accepted,
            };
            let Some((stream, slot)) = accepted else {
                continue;
            };
            let peer = stream.peer().addr().map(|addr| peers::key(addr.ip()));
            if peer.is_some_and(|peer| !peers.enter(peer)) {
                // Closed at once: the slot goes back with it.
                continue;
            }
            match handshakes.start(stream, Admitted { slot, peer }) {
                Next::Serve(stream, admitted) => {
                    start.spawn(stream, admitted, &make, &mut connections);
                }
                #[cfg(feature = "tls")]
                Next::Handshaking => {}
            }
        }
        drop(listener);
        stop.send_replace(true);
        let drained = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(self.shutdown_timeout, drained)
            .await
            .is_err()
        {
            tracing::warn!("shutdown timeout: dropping the calls still running");
            connections.shutdown().await;
        }
    }
}

/// What starting a connection takes, besides the function making its service.
struct Start<'a> {
    settings: Settings,
    stopped: &'a watch::Receiver<bool>,
    #[cfg(feature = "http")]
    http: Option<crate::ServerHttp>,
    events: &'a Events,
}

impl Start<'_> {
    /// Starts serving `stream` with the service `make` makes, its task in `connections`
    /// answering the peer it counted against when it ends.
    fn spawn<S: Service>(
        &self,
        stream: impl Stream,
        admitted: Admitted,
        make: &impl Fn(&Connection) -> S,
        connections: &mut JoinSet<Option<std::net::IpAddr>>,
    ) {
        let peer = Arc::new(stream.peer());
        #[cfg(feature = "http")]
        if let Some(http) = &self.http {
            let shared = Shared::detached(&self.settings, peer);
            let closing = self
                .events
                .connected(shared.origin.connection, shared.origin.peer.clone());
            let service = make(&Connection {
                shared: shared.clone(),
                bidi: Arc::default(),
            });
            let stop = self.stopped.clone();
            let serving = crate::transport::http::serve(
                stream,
                service,
                self.settings,
                http.clone(),
                stop,
                shared,
            );
            Self::track(tokio::spawn(serving), closing, admitted, connections);
            return;
        }
        let mut closing = None;
        let make = |shared: &Arc<Shared>| {
            let origin = &shared.origin;
            closing = Some(
                self.events
                    .connected(origin.connection, origin.peer.clone()),
            );
            let state = Arc::new(bidi::State::default());
            let service = make(&Connection {
                shared: Arc::clone(shared),
                bidi: state.clone(),
            });
            let callback = service.callback();
            (service, Greeter { callback, state })
        };
        let stop = self.stopped.clone();
        let (_, task) = connection::start(stream.split(), self.settings, (peer, true), make, stop);
        let closing = closing.expect("the service is made at the start");
        Self::track(task, closing, admitted, connections);
    }

    /// Keeps a connection's `task` in `connections`, giving back its slot when it ends.
    fn track(
        task: tokio::task::JoinHandle<CloseReason>,
        closing: Closing,
        admitted: Admitted,
        connections: &mut JoinSet<Option<std::net::IpAddr>>,
    ) {
        let Admitted { slot, peer } = admitted;
        connections.spawn(async move {
            // Dropped (at the shutdown timeout), it stops the connection too, and `closing`
            // reports the shutdown.
            let mut task = AbortOnDrop(task);
            let reason = (&mut task.0).await;
            closing.closed(reason.unwrap_or_else(|e| CloseReason::Failed(e.to_string())));
            drop(slot);
            peer
        });
    }
}

/// Aborts a connection's task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<CloseReason>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Waits for a connection slot, then accepts; `None` after an accept error (logged, and
/// followed by a short pause so that running out of file descriptors does not spin).
async fn accept<L: Listener>(
    listener: &mut L,
    slots: &Arc<Semaphore>,
) -> Option<(L::Stream, tokio::sync::OwnedSemaphorePermit)> {
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok(stream) => Some((stream, slot)),
        Err(e) => {
            tracing::warn!(error = %e, "accept failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// One connection, as its server sees it: the way to call the client back, and to learn when
/// it goes. Given to the function that makes each connection's service
/// ([`Server::serve_with`]).
#[derive(Clone)]
pub struct Connection {
    shared: Arc<Shared>,
    bidi: Arc<bidi::State>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A channel calling the client's callback service: wrap it in the generated callback
    /// client. Its calls fail with [`crate::Error::Unavailable`] unless the client said hello
    /// (a plain Thrift client would take a call for its own reply). Holding it does not keep
    /// the connection open.
    pub fn callbacks(&self) -> Channel {
        Channel::to_client(self.shared.clone(), self.bidi.clone())
    }

    /// The client: its address and, over TLS, the certificates it presented.
    pub fn peer(&self) -> &Peer {
        &self.shared.origin.peer
    }

    /// The connection's id, unique in this process (the one its calls'
    /// [`Context::connection_id`](crate::call::Context::connection_id) gives).
    pub fn id(&self) -> u64 {
        self.shared.origin.connection
    }

    /// Whether the client said hello, so that it can be called back.
    pub fn has_callbacks(&self) -> bool {
        self.bidi.has_peer_hello()
    }

    /// Whether the connection has closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Resolves when the connection closes.
    pub async fn closed(&self) {
        self.shared.closed().await;
    }
}
