//! Connecting a [`Channel`]: over TCP (with TLS when the builder has it), a Unix socket, or a
//! stream connected some other way; then the hello, for a client with callbacks.
//!
//! Input: a [`ChannelBuilder`] and where to connect. Output: a [`Channel`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpStream, ToSocketAddrs, UnixStream};

use super::builder::Serving;
use super::{CallbackState, Channel, ChannelBuilder, MakeCallbacks, NoCallbacks, Owner};
use crate::bidi;
use crate::connection::{self, Shared};
use crate::io::Stream;
use crate::service::Service;
use crate::Error;

impl<C: MakeCallbacks> ChannelBuilder<C> {
    /// Connects over TCP, with `TCP_NODELAY` set (then TLS, if the builder has it).
    ///
    /// A client with callbacks waits for the server's answer to its hello (at most the
    /// connect timeout, or 10 s): a plain server that drops the connection instead of
    /// answering (as Apache's multiplexed processor without a default service does) is
    /// connected to once more, without the hello, and the channel reports
    /// [`CallbackState::Unavailable`].
    pub async fn connect(self, addr: impl ToSocketAddrs) -> Result<Channel, Error> {
        let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host(addr).await?.collect();
        let dial = || async {
            let stream = TcpStream::connect(&addrs[..]).await?;
            stream.set_nodelay(true)?;
            Ok(stream)
        };
        #[cfg(feature = "tls")]
        if let Some(tls) = self.tls.clone() {
            return self.connect_with(|| tls.over(dial())).await;
        }
        self.connect_with(dial).await
    }

    /// Connects to a Unix domain socket (then TLS, if the builder has it; a Unix socket has
    /// no address to check the server's certificate against, so name the server in
    /// [`ClientTls::server_name`](crate::ClientTls::server_name)). Callbacks as with
    /// [`ChannelBuilder::connect`].
    pub async fn connect_unix(self, path: impl AsRef<Path>) -> Result<Channel, Error> {
        let path = path.as_ref();
        let dial = || UnixStream::connect(path);
        #[cfg(feature = "tls")]
        if let Some(tls) = self.tls.clone() {
            return self.connect_with(|| tls.over(dial())).await;
        }
        self.connect_with(dial).await
    }

    /// Connects with `dial`, and says hello when serving callbacks; connects once more with
    /// `dial`, without the hello, when the server drops the connection at it.
    async fn connect_with<S, F>(self, dial: impl Fn() -> F) -> Result<Channel, Error>
    where
        S: Stream,
        F: std::future::Future<Output = std::io::Result<S>>,
    {
        let stream = self.timed(dial()).await?;
        let plain = self.with_callbacks(NoCallbacks);
        let wait = self.connect_timeout.unwrap_or(Duration::from_secs(10));
        let channel = self.over(stream);
        if channel.callbacks() != CallbackState::Pending {
            return Ok(channel);
        }
        let answered = tokio::time::timeout(wait, channel.callbacks_ready()).await;
        if answered != Ok(CallbackState::Unavailable) || !channel.is_closed() {
            return Ok(channel);
        }
        tracing::debug!("the server dropped the connection at the hello; connecting without");
        let stream = plain.timed(dial()).await?;
        let channel = plain.over(stream);
        channel
            .bidi
            .callbacks
            .send_replace(CallbackState::Unavailable);
        Ok(channel)
    }

    /// Calls the server at `url` (`http://host:port/path`, or `https://…` with
    /// [`ChannelBuilder::tls`]) over HTTP (feature `http`), as Apache's `THttpClient`: each
    /// call a POST of `application/x-thrift` whose response carries the reply, over a few
    /// kept-alive connections ([`ClientHttp`](crate::ClientHttp)). Connections are made as
    /// calls need them, so this fails only for a URL it cannot use; a request that fails
    /// fails its call alone. The transport setting is not used (the body is one message, or
    /// one THeader frame with [`Transport::Header`](crate::Transport::Header)), nor is zlib.
    /// Callbacks cannot travel over HTTP: a client with callbacks sends no hello, and reports
    /// them [`CallbackState::Unavailable`].
    #[cfg(feature = "http")]
    pub fn connect_http(self, url: &str) -> Result<Channel, Error> {
        use crate::transport::http;
        let uri = url.parse().map_err(|e| Error::Http {
            status: None,
            message: format!("not a URL: {url:?}: {e}"),
        })?;
        let serves = self.callbacks.serves();
        let mut plain = self.with_callbacks(NoCallbacks);
        let target = http::Target {
            uri,
            codec: http::core_codec(plain.settings.codec),
            connect_timeout: plain.connect_timeout,
            #[cfg(feature = "tls")]
            tls: plain.tls.take(),
        };
        plain.settings.codec = target.codec;
        // The pipe holds at most a few frames' worth: the core waits for room beyond.
        let (core, pump) = tokio::io::duplex(64 << 10);
        let channel = plain.clone().over(core);
        channel.shared.keep_sent();
        http::spawn(pump, channel.shared.clone(), plain.http, target)?;
        if serves {
            let callbacks = &channel.bidi.callbacks;
            callbacks.send_replace(CallbackState::Unavailable);
        }
        Ok(channel)
    }

    /// Runs a connection over an already connected `stream`.
    pub fn over(self, stream: impl Stream) -> Channel {
        // A client never stops reading on its own; it closes when its channels are dropped.
        let (_, never) = tokio::sync::watch::channel(false);
        let call_timeout = self.call_timeout;
        let state = Arc::new(bidi::State::default());
        let mut hello = None;
        let make = |shared: &Arc<Shared>| {
            let server = Channel::borrowed(shared.clone(), state.clone(), false, call_timeout);
            let service = self.callbacks.make(&server);
            hello = service.as_ref().map(|s| s.name().to_owned());
            (Serving(service), ())
        };
        let peer = Arc::new(stream.peer());
        let (shared, _) =
            connection::start(stream.split(), self.settings, (peer, false), make, never);
        if let Some(name) = hello {
            bidi::say_hello(&shared, &state, &name);
        }
        Channel {
            _owner: Some(Arc::new(Owner(shared.clone()))),
            ..Channel::borrowed(shared, state, false, call_timeout)
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
