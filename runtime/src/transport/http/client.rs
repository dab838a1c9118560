//! The HTTP client: a channel's connection core runs over an in-memory pipe, and this pumps
//! each message the core writes into a POST (over hyper-util's pool of kept-alive
//! connections, at most [`ClientHttp::max_connections`] requests at once), and each
//! response's body back into the pipe as the reply. A request that fails fails only its own
//! call, so pending calls, timeouts, headers and the multiplexed protocol are the core's, as
//! on any other transport.
//!
//! Input: the frames the core writes. Output: requests ([`Connector`] makes their connections);
//! the frames of their replies.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::Semaphore;

use super::connector::Connector;
use super::server::TIMEOUT_HEADER;
use super::{body_codec, message, X_THRIFT};
use crate::connection::Shared;
use crate::message::FRAME_HEADER;
use crate::protocol::MessageType;
use crate::transport::{Codec, Framing, Transport};
use crate::Error;

/// How a client speaks HTTP (feature `http`): extra request headers, how many requests may be
/// under way at once, and how long one may take. Give it to
/// [`ChannelBuilder::http`](crate::ChannelBuilder::http), then
/// [`connect_http`](crate::ChannelBuilder::connect_http).
#[derive(Clone, Debug)]
pub struct ClientHttp {
    pub(crate) headers: HeaderMap,
    pub(crate) max_connections: usize,
    pub(crate) request_timeout: Duration,
}

impl Default for ClientHttp {
    fn default() -> Self {
        Self {
            headers: HeaderMap::new(),
            max_connections: 4,
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl ClientHttp {
    /// The defaults: no extra headers, 4 requests at once, 60 s for each.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends the header `name: value` with every request (an `Authorization`, say); fails
    /// with [`Error::Http`] when either is not valid in HTTP.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let invalid = |what: &str| Error::Http {
            status: None,
            message: format!("not a valid header {what}: {name:?}"),
        };
        let name = HeaderName::try_from(name).map_err(|_| invalid("name"))?;
        let value = HeaderValue::try_from(value).map_err(|_| invalid("value"))?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// Requests under way at once (4 by default), each on a connection of its own, kept
    /// alive for the next: calls beyond it wait for one to finish.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// How long one request may take, from sending it to the last byte of its response (60 s
    /// by default): a call whose request takes longer fails with [`Error::Timeout`].
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

/// What the pump needs of the channel's builder.
pub(crate) struct Target {
    pub(crate) uri: Uri,
    pub(crate) codec: Codec,
    pub(crate) connect_timeout: Option<Duration>,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::ClientTls>,
}

/// The codec of the core that runs over the pipe: frames it can cut without parsing (THeader
/// frames as they are; anything else framed), uncompressed.
pub(crate) fn core_codec(codec: Codec) -> Codec {
    let transport = match codec.transport {
        header @ (Transport::Header | Transport::HeaderInFramed) => header,
        Transport::Framed | Transport::Buffered => Transport::Framed,
    };
    Codec {
        transport,
        zlib: false,
        ..codec
    }
}

/// Starts pumping the core's end of the pipe `pipe` to `target`'s server.
pub(crate) fn spawn(
    pipe: DuplexStream,
    shared: Arc<Shared>,
    http: ClientHttp,
    target: Target,
) -> Result<(), Error> {
    let https = match target.uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => {
            return Err(Error::Http {
                status: None,
                message: format!("not an http:// or https:// URL: {}", target.uri),
            })
        }
    };
    let connector = Connector::new(&target, https)?;
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(http.max_connections)
        .build(connector);
    let exchange = Arc::new(Exchange {
        client,
        target,
        headers: http.headers,
        request_timeout: http.request_timeout,
        shared,
    });
    tokio::spawn(pump(pipe, exchange, http.max_connections));
    Ok(())
}

/// Reads the core's frames and sends each as a request, at most `max` at once; each request's
/// task writes its reply back. Ends when the core closes its end.
async fn pump(pipe: DuplexStream, exchange: Arc<Exchange>, max: usize) {
    let (mut read, write) = tokio::io::split(pipe);
    // Whole frames at a time, written by the task that got them (no task in between).
    let write = Arc::new(tokio::sync::Mutex::new(write));
    let slots = Arc::new(Semaphore::new(max));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let frame = match read_frame(&mut read).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                tracing::debug!(error = %e, "the HTTP pump stops");
                break;
            }
        };
        let (exchange, write) = (exchange.clone(), write.clone());
        tokio::spawn(async move {
            if let Some(reply) = exchange.send(frame).await {
                drop(slot);
                // The core may be gone: nobody waits for the reply then.
                let _ = write.lock().await.write_all(&reply).await;
            }
        });
    }
}

/// One frame the core wrote (its 4-byte length, then the rest), or `None` at the end.
async fn read_frame(read: &mut (impl AsyncRead + Unpin)) -> io::Result<Option<Bytes>> {
    let mut header = [0; FRAME_HEADER];
    match read.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(header) as usize;
    let mut frame = BytesMut::zeroed(FRAME_HEADER + len);
    frame[..FRAME_HEADER].copy_from_slice(&header);
    read.read_exact(&mut frame[FRAME_HEADER..]).await?;
    Ok(Some(frame.freeze()))
}

/// Sends requests to one server.
struct Exchange {
    client: hyper_util::client::legacy::Client<Connector, Full<Bytes>>,
    target: Target,
    headers: HeaderMap,
    request_timeout: Duration,
    shared: Arc<Shared>,
}

impl Exchange {
    /// Sends the message in `frame`; the frame to hand the core for its reply, if it gets
    /// one (a call whose request fails is failed here).
    async fn send(&self, frame: Bytes) -> Option<Bytes> {
        let codec = self.target.codec;
        // A THeader frame goes whole (its length is part of it); a framed message without its
        // length, and so does a THeader frame framed again.
        let whole = codec.transport == Transport::Header;
        let body = if whole {
            frame
        } else {
            frame.slice(FRAME_HEADER..)
        };
        let call = message(body.clone(), body_codec(codec, codec.protocol))
            .await
            .inspect_err(|e| tracing::error!(error = %e, "an unreadable message of our own"))
            .ok()?;
        let seqid = call.seqid();
        // The call's deadline bounds its request, and goes with it as the time left; its
        // headers go as request headers.
        let mut limit = tokio::time::Instant::now() + self.request_timeout;
        let kept = self.shared.take_kept(seqid).unwrap_or_default();
        let left = kept.deadline.map(|deadline| {
            limit = limit.min(deadline);
            deadline.saturating_duration_since(tokio::time::Instant::now())
        });
        let answered = tokio::time::timeout_at(limit, self.post(body, left, &kept.headers))
            .await
            .unwrap_or(Err(Error::Timeout));
        if call.kind() == MessageType::Oneway {
            if let Err(e) = answered {
                tracing::warn!(error = %e, method = call.method(), "a oneway's request failed");
            }
            return None;
        }
        let reply = match answered {
            Ok(reply) => self.check(reply, seqid).await,
            Err(e) => Err(e),
        };
        match reply {
            Ok(reply) if whole => Some(reply),
            Ok(reply) => {
                let mut frame = BytesMut::with_capacity(FRAME_HEADER + reply.len());
                frame.put_u32(u32::try_from(reply.len()).unwrap_or(u32::MAX));
                frame.extend_from_slice(&reply);
                Some(frame.freeze())
            }
            Err(e) => {
                self.shared.fail(seqid, e);
                None
            }
        }
    }

    /// The body of a 200 response to a POST of `body`, whose caller waits `left` at most and
    /// sends `call_headers` (those that are valid HTTP headers; the deadline's own aside).
    async fn post(
        &self,
        body: Bytes,
        left: Option<Duration>,
        call_headers: &crate::Headers,
    ) -> Result<Bytes, Error> {
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.target.uri.clone();
        let headers = request.headers_mut();
        headers.extend(self.headers.clone());
        for (name, value) in call_headers.iter() {
            let name = HeaderName::from_bytes(name).ok();
            let value = HeaderValue::from_bytes(value).ok();
            if let (Some(name), Some(value)) = (name, value) {
                if name.as_str() != crate::call::TIMEOUT_HEADER {
                    headers.append(name, value);
                }
            }
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(X_THRIFT));
        if let Some(left) = left {
            let ms = crate::call::timeout_millis(left);
            headers.insert(TIMEOUT_HEADER, HeaderValue::from(ms));
        }
        let response = self.client.request(request).await.map_err(|e| {
            let message = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            Error::Http {
                status: None,
                message,
            }
        })?;
        let status = response.status();
        let max = self.target.codec.max_frame;
        let limit = if status == StatusCode::OK { max } else { 512 };
        let body = Limited::new(response.into_body(), limit).collect().await;
        if status != StatusCode::OK {
            let said = body
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            return Err(Error::Http {
                status: Some(status.as_u16()),
                message: String::from_utf8_lossy(&said).trim().to_owned(),
            });
        }
        match body {
            Ok(body) => Ok(body.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                Err(Error::FrameTooLarge { len: max + 1, max })
            }
            Err(e) => Err(Error::Http {
                status: Some(status.as_u16()),
                message: format!("reading the response: {e}"),
            }),
        }
    }

    /// `reply`, if it is one whole message answering the call `seqid` in the framing the
    /// core reads.
    async fn check(&self, reply: Bytes, seqid: i32) -> Result<Bytes, Error> {
        let codec = self.target.codec;
        let answer = message(reply.clone(), body_codec(codec, codec.protocol)).await?;
        let expected = if codec.transport.is_header() {
            Framing::Header
        } else {
            Framing::Unframed
        };
        let invalid = |what: String| Error::Protocol(crate::protocol::ProtocolError::invalid(what));
        if answer.framing != expected {
            return Err(invalid(format!(
                "a {:?} reply to a {:?} call",
                answer.framing, expected
            )));
        }
        if answer.seqid() != seqid || answer.kind() == MessageType::Call {
            return Err(invalid(format!(
                "the response is a {:?} with seqid {}, for the call with seqid {seqid}",
                answer.kind(),
                answer.seqid()
            )));
        }
        Ok(reply)
    }
}
