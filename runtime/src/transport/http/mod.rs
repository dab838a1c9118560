//! The HTTP transport (feature `http`), as Apache's `THttpClient` and `THttpServer`: each call
//! is a POST whose body is one message (a THeader frame over THeader), and its response's body
//! the reply (empty for a oneway). Over hyper: the [`client`] pumps a channel's messages into
//! requests over a small pool of kept-alive connections; the [`server`] answers the requests
//! of each connection a `Server` accepts. Callbacks cannot travel over request and response
//! (`docs/bidi.md` §7).
//!
//! Input: messages, or request bodies. Output: requests, or responses.

mod client;
mod connector;
mod server;

use std::time::Duration;

use bytes::Bytes;

use super::{Codec, MessageReader, Transport};
use crate::message::Incoming;
use crate::protocol::{Protocol, ProtocolError};
use crate::Error;
pub use client::ClientHttp;
pub(crate) use client::{core_codec, spawn, Target};
pub(crate) use server::serve;
pub use server::ServerHttp;

/// The content type Apache's clients send, whatever the protocol.
const X_THRIFT: &str = "application/x-thrift";

/// The protocol of a body of `content_type`: the server's own for `application/x-thrift`, the
/// one named by Apache's `application/vnd.apache.thrift.{binary,compact,json}`; `None` for
/// any other (parameters, such as a charset, aside).
fn protocol_of(content_type: &str, server: Protocol) -> Option<Protocol> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(X_THRIFT) {
        return Some(server);
    }
    let prefix = "application/vnd.apache.thrift.";
    let named = essence
        .get(..prefix.len())
        .filter(|start| start.eq_ignore_ascii_case(prefix))
        .map(|_| essence[prefix.len()..].to_ascii_lowercase())?;
    match named.as_str() {
        "binary" => Some(Protocol::Binary),
        "compact" => Some(Protocol::Compact),
        "json" => Some(Protocol::Json),
        _ => None,
    }
}

/// How a body in `protocol` is read and written under the connection's `codec`: one
/// unframed message, or a THeader frame (THeader servers take unframed and framed binary and
/// compact bodies too, as on a socket).
fn body_codec(codec: Codec, protocol: Protocol) -> Codec {
    let transport = if codec.transport.is_header() {
        Transport::Header
    } else {
        Transport::Buffered
    };
    Codec {
        transport,
        protocol,
        zlib: false,
        ..codec
    }
}

/// The one message `body` holds, read as `codec` says, within its limits.
async fn message(body: Bytes, codec: Codec) -> Result<Incoming, Error> {
    // The body is all here: reading it never waits, so no timeout can pass.
    let mut reader = MessageReader::new(&body[..], codec, Duration::from_secs(3600));
    let invalid = |what: &str| Error::Protocol(ProtocolError::invalid(what));
    let frame = reader
        .next()
        .await?
        .ok_or_else(|| invalid("no message in the body"))?;
    if !matches!(reader.next().await, Ok(None)) {
        return Err(invalid("more than one message in the body"));
    }
    Ok(Incoming::parse(frame, codec.limits)?)
}
