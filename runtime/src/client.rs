//! The client side: a [`Channel`] is one connection that any number of tasks share, each call
//! waiting for its own reply (matched by seqid, so replies may come in any order). Generated
//! clients wrap a `Channel`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpStream, ToSocketAddrs, UnixStream};

use crate::bidi::{self, Callbacks};
use crate::connection::{self, Settings, Shared};
use crate::message::{ApplicationErrorKind, ApplicationException};
use crate::protocol::MessageType;
use crate::service::{NoService, Service};
use crate::stream::Stream;
use crate::value::Value;
use crate::Error;

/// A connection to a server: cheap to clone, shared by tasks, many calls in flight at once.
/// The connection closes when the last clone is dropped. (A server's channel back to its
/// client, from [`crate::Connection::callbacks`], leaves that to the server.)
#[derive(Clone)]
pub struct Channel {
    shared: Arc<Shared>,
    owner: Option<Arc<Owner>>,
    service: Option<Arc<str>>,
    call_timeout: Option<Duration>,
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

    /// This connection, naming `service` on every call (Apache's multiplexed protocol).
    #[must_use]
    pub fn multiplexed(&self, service: &str) -> Self {
        Self {
            service: Some(service.into()),
            ..self.clone()
        }
    }

    /// The channel a server calls its client back on.
    pub(crate) fn to_peer(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            owner: None,
            service: None,
            call_timeout: None,
        }
    }

    /// Fails unless this side may call: a server calls back only a client that said hello.
    fn check_peer(&self) -> Result<(), Error> {
        if self.owner.is_none() && !self.shared.has_peer_hello() {
            return Err(Error::Unavailable);
        }
        Ok(())
    }

    /// Calls `method` with `args`, decoding the reply's result struct as `R`.
    pub async fn call<A: Value, R: Value>(&self, method: &str, args: &A) -> Result<R, Error> {
        self.check_peer()?;
        let name = self.name(method);
        let reply = self
            .shared
            .call(name, MessageType::Call, args, self.call_timeout)
            .await?
            .ok_or(Error::Disconnected)?;
        if reply.kind() == MessageType::Exception {
            return Err(Error::Application(reply.body()?));
        }
        if !self.answers(reply.method(), method) {
            let message = format!("called {method}, reply names {}", reply.method());
            let exception =
                ApplicationException::new(ApplicationErrorKind::WrongMethodName, message);
            return Err(Error::Application(exception));
        }
        Ok(reply.body()?)
    }

    /// Calls oneway `method` with `args`: returns once the call is queued for sending.
    pub async fn oneway<A: Value>(&self, method: &str, args: &A) -> Result<(), Error> {
        self.check_peer()?;
        let name = self.name(method);
        self.shared
            .call(name, MessageType::Oneway, args, self.call_timeout)
            .await
            .map(drop)
    }

    /// Whether the connection has closed (calls fail with [`Error::Disconnected`]).
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Resolves when the connection closes.
    pub async fn closed(&self) {
        self.shared.closed().await;
    }

    /// What this client knows about its server calling it back (see
    /// [`ChannelBuilder::callbacks`]).
    pub fn callbacks(&self) -> Callbacks {
        *self.shared.callbacks.borrow()
    }

    /// Waits for the server's answer to the hello: whether it may call this client back.
    /// (`NotOffered` at once for a client serving no callbacks.)
    pub async fn callbacks_ready(&self) -> Callbacks {
        let mut state = self.shared.callbacks.subscribe();
        let ready = state.wait_for(|state| *state != Callbacks::Pending).await;
        // The sender lives as long as the connection's state, which `self` holds.
        ready.map_or(Callbacks::Unavailable, |state| *state)
    }

    /// Whether a reply named `reply` answers a call of `method`: multiplexed replies name the
    /// method alone (as Apache's processor sends them) or with the service prefix.
    fn answers(&self, reply: &str, method: &str) -> bool {
        let unprefixed = match &self.service {
            Some(service) => reply
                .strip_prefix(&**service)
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(reply),
            None => reply,
        };
        unprefixed == method
    }

    fn name(&self, method: &str) -> String {
        match &self.service {
            Some(service) => format!("{service}:{method}"),
            None => method.to_owned(),
        }
    }
}

/// Settings for [`Channel`]s: the codec (which must match the server's), limits and timeouts,
/// and the callback service the client serves, if any.
#[derive(Clone, Debug, Default)]
pub struct ChannelBuilder<S = NoService> {
    settings: Settings,
    connect_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    callbacks: Option<S>,
}

impl<S: Service + Clone> ChannelBuilder<S> {
    crate::transport::codec_setters!();

    /// Serves `service` (a generated callback server) to the server over the connection:
    /// the client says hello first, and a bidirectional server may then call it back.
    #[must_use]
    pub fn callbacks<T: Service + Clone>(self, service: T) -> ChannelBuilder<T> {
        ChannelBuilder {
            settings: self.settings,
            connect_timeout: self.connect_timeout,
            call_timeout: self.call_timeout,
            callbacks: Some(service),
        }
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

    /// Connects over TCP, with `TCP_NODELAY` set.
    pub async fn connect(self, addr: impl ToSocketAddrs) -> Result<Channel, Error> {
        let stream = self.timed(TcpStream::connect(addr)).await?;
        stream.set_nodelay(true)?;
        Ok(self.over(stream))
    }

    /// Connects to a Unix domain socket.
    pub async fn connect_unix(self, path: impl AsRef<Path>) -> Result<Channel, Error> {
        let stream = self.timed(UnixStream::connect(path)).await?;
        Ok(self.over(stream))
    }

    /// Runs a connection over an already connected `stream`.
    pub fn over(self, stream: impl Stream) -> Channel {
        // A client never stops reading on its own; it closes when its channels are dropped.
        let (_, never) = tokio::sync::watch::channel(false);
        let (shared, _) = match self.callbacks {
            Some(service) => {
                let name = service.name().to_owned();
                let started = connection::start(stream.split(), self.settings, |_| service, never);
                bidi::say_hello(&started.0, &name);
                started
            }
            None => connection::start(stream.split(), self.settings, |_| NoService, never),
        };
        Channel {
            owner: Some(Arc::new(Owner(shared.clone()))),
            shared,
            service: None,
            call_timeout: self.call_timeout,
        }
    }

    async fn timed<T>(
        &self,
        connect: impl std::future::Future<Output = std::io::Result<T>>,
    ) -> Result<T, Error> {
        match self.connect_timeout {
            Some(limit) => tokio::time::timeout(limit, connect)
                .await
                .map_err(|_| Error::Timeout)?
                .map_err(Error::from),
            None => connect.await.map_err(Error::from),
        }
    }
}
