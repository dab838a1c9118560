//! Connecting an HTTP client's pool to the server of a URL: TCP with `TCP_NODELAY` within the
//! connect timeout, then TLS for `https` (the URL's host the name checked, unless the
//! channel's TLS names one), as hyper-util's pool asks for connections.
//!
//! Input: the channel's target and a URI. Output: a connected stream for hyper.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::client::Target;
use crate::Error;

/// Connects to the server of a URL: TCP with `TCP_NODELAY`, then TLS for `https`.
#[derive(Clone)]
pub(super) struct Connector {
    connect_timeout: Option<Duration>,
    #[cfg(feature = "tls")]
    tls: Option<crate::ClientTls>,
}

impl Connector {
    pub(super) fn new(target: &Target, https: bool) -> Result<Self, Error> {
        #[cfg(feature = "tls")]
        let tls = match (&target.tls, https, target.uri.host()) {
            (Some(tls), true, Some(host)) if tls.server_name.is_none() => {
                // The URL's host is the name to check (an address, when it is one).
                let host = host.trim_start_matches('[').trim_end_matches(']');
                Some(
                    tls.clone()
                        .server_name(host)
                        .unwrap_or_else(|_| tls.clone()),
                )
            }
            (tls, true, _) => tls.clone(),
            (_, false, _) => None,
        };
        #[cfg(feature = "tls")]
        let missing = https && tls.is_none();
        #[cfg(not(feature = "tls"))]
        let missing = https;
        if missing {
            return Err(Error::Http {
                status: None,
                message: "an https:// URL needs the channel's TLS (ChannelBuilder::tls)".into(),
            });
        }
        Ok(Self {
            connect_timeout: target.connect_timeout,
            #[cfg(feature = "tls")]
            tls,
        })
    }

    async fn connect(self, uri: Uri) -> io::Result<HttpStream> {
        let host = uri.host().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let https = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let dial = async {
            let stream = TcpStream::connect((host, port)).await?;
            stream.set_nodelay(true)?;
            #[cfg(feature = "tls")]
            if let Some(tls) = &self.tls {
                return Ok(HttpStream::Tls(Box::new(tls.handshake(stream).await?)));
            }
            Ok(HttpStream::Tcp(stream))
        };
        let limit = self.connect_timeout.unwrap_or(Duration::from_secs(10));
        tokio::time::timeout(limit, dial)
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connecting timed out"))?
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<HttpStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move { connector.connect(uri).await.map(TokioIo::new) })
    }
}

/// A connection to an HTTP server.
pub(super) enum HttpStream {
    Tcp(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<crate::TlsStream<TcpStream>>),
}

impl Connection for HttpStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// The one place that says which stream an `HttpStream` is.
macro_rules! either {
    ($self:ident, $stream:ident => $body:expr) => {
        match $self.get_mut() {
            HttpStream::Tcp($stream) => {
                let $stream = Pin::new($stream);
                $body
            }
            #[cfg(feature = "tls")]
            HttpStream::Tls($stream) => {
                let $stream = Pin::new(&mut **$stream);
                $body
            }
        }
    };
}

impl AsyncRead for HttpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_read(cx, buf))
    }
}

impl AsyncWrite for HttpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_shutdown(cx))
    }
}
