//! Messages: a call, reply or exception as one encoded frame body, and the
//! `TApplicationException` that peers send when a call fails outside the IDL's exceptions.

use std::fmt;

use bytes::{Bytes, BytesMut};

use crate::budget::Held;
use crate::headers::Headers;
use crate::protocol::{
    Limits, MessageHeader, MessageType, Protocol, ProtocolError, Reader, TType, Writer,
};
use crate::transport::{Frame, Framing};
use crate::value::Value;

/// Bytes kept free at the start of every outgoing message for the framed transport's length.
pub(crate) const FRAME_HEADER: usize = 4;

/// The body of a call this side makes (its args struct), which can encode itself into a message
/// in whatever protocol the connection speaks: a call kept to be sent again (by a retry
/// layer) holds it as `Arc<dyn Body>`.
pub(crate) trait Body: Send + Sync {
    /// The message with `header` and this body.
    fn message(&self, protocol: Protocol, header: &MessageHeader) -> Outgoing;
}

impl<T: Value + Send + Sync> Body for T {
    fn message(&self, protocol: Protocol, header: &MessageHeader) -> Outgoing {
        Outgoing::encode(protocol, header, self)
    }
}

/// An encoded message, with room for a frame header reserved in front of it, and what its
/// framing needs: its protocol and sequence id, how to frame it, its headers.
#[derive(Debug)]
pub struct Outgoing {
    pub(crate) buf: BytesMut,
    pub(crate) protocol: Protocol,
    pub(crate) seqid: i32,
    /// How to frame it (`None`: as the connection's codec says).
    pub(crate) framing: Option<Framing>,
    pub(crate) headers: Headers,
}

impl Outgoing {
    /// Encodes a message: `header`, then `body` (an args or result struct, or an exception).
    pub(crate) fn encode<T: Value>(protocol: Protocol, header: &MessageHeader, body: &T) -> Self {
        let mut buf = BytesMut::with_capacity(256);
        buf.extend_from_slice(&[0; FRAME_HEADER]);
        protocol.encode_message(header, body, &mut buf);
        Self {
            buf,
            protocol,
            seqid: header.seqid,
            framing: None,
            headers: Headers::new(),
        }
    }

    /// An EXCEPTION answering the call `(name, seqid)`, in the protocol and framing it came
    /// in.
    pub(crate) fn exception_to(
        (name, seqid): (&str, i32),
        protocol: Protocol,
        framing: Framing,
        exception: &ApplicationException,
    ) -> Self {
        let header = MessageHeader {
            name: name.to_owned(),
            kind: crate::protocol::MessageType::Exception,
            seqid,
        };
        Self::encode(protocol, &header, exception).framed(framing)
    }

    /// Its length in bytes (with room for a frame header).
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Carrying `headers` (over THeader), if there are any.
    pub(crate) fn carrying(mut self, headers: Option<&Headers>) -> Self {
        if let Some(headers) = headers {
            self.headers.clone_from(headers);
        }
        self
    }

    /// Framed as `framing`, whatever the connection's codec says (an answer, framed as its
    /// call was).
    pub(crate) fn framed(mut self, framing: Framing) -> Self {
        self.framing = Some(framing);
        self
    }
}

/// A received message: its header, and the whole encoded message for decoding its body.
#[derive(Debug)]
pub struct Incoming {
    pub(crate) header: MessageHeader,
    pub(crate) protocol: Protocol,
    pub(crate) frame: Bytes,
    pub(crate) limits: Limits,
    /// How it was framed (its answer is framed the same way).
    pub(crate) framing: Framing,
    pub(crate) headers: Headers,
    /// Its share of its connection's budget for incoming calls (its frame, then what its body
    /// decodes to too), given back when it is dropped.
    pub(crate) held: Option<Held>,
}

/// A copy that holds no share of the connection's budget.
impl Clone for Incoming {
    fn clone(&self) -> Self {
        Self {
            header: self.header.clone(),
            protocol: self.protocol,
            frame: self.frame.clone(),
            limits: self.limits,
            framing: self.framing,
            headers: self.headers.clone(),
            held: None,
        }
    }
}

impl Incoming {
    /// Reads the message header of `frame`.
    pub(crate) fn parse(frame: Frame, limits: Limits) -> Result<Self, ProtocolError> {
        let header = frame
            .protocol
            .decode_message_header(frame.bytes.clone(), limits)?;
        Ok(Self {
            header,
            protocol: frame.protocol,
            frame: frame.bytes,
            limits,
            framing: frame.framing,
            headers: frame.headers,
            held: None,
        })
    }

    /// The headers it came with (THeader only).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The method name (without the service prefix once a multiplexer has routed it).
    pub fn method(&self) -> &str {
        &self.header.name
    }

    /// The sequence id.
    pub fn seqid(&self) -> i32 {
        self.header.seqid
    }

    /// Call, oneway, reply or exception.
    pub fn kind(&self) -> MessageType {
        self.header.kind
    }

    /// Decodes the body as a `T` (an args or result struct, or an application exception).
    /// What it decodes to counts against its connection's budget for incoming calls while
    /// this message is held.
    pub fn body<T: Value>(&self) -> Result<T, ProtocolError> {
        let (body, decoded) = self
            .protocol
            .decode_body_counted(self.frame.clone(), self.limits)?;
        if let Some(held) = &self.held {
            held.grow(decoded);
        }
        Ok(body)
    }
}

/// The standard kinds of [`ApplicationException`], with Apache's codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApplicationErrorKind {
    /// 0: unspecified.
    Unknown,
    /// 1: the server has no such method.
    UnknownMethod,
    /// 2: a message type that makes no sense here.
    InvalidMessageType,
    /// 3: the reply names a different method than the call.
    WrongMethodName,
    /// 4: the reply's sequence id matches no call.
    BadSequenceId,
    /// 5: a reply with neither a result nor a declared exception.
    MissingResult,
    /// 6: the handler failed in a way the IDL does not declare.
    InternalError,
    /// 7: the call could not be decoded.
    ProtocolError,
    /// 8: an unsupported transform.
    InvalidTransform,
    /// 9: an unsupported protocol.
    InvalidProtocol,
    /// 10: an unsupported client type.
    UnsupportedClientType,
    /// 11 (fbthrift's code): the server refused the call, being over a limit (load shedding);
    /// a caller may try again later or elsewhere.
    Loadshedding,
    /// 12 (fbthrift's code): the call's deadline passed before its handler answered, and the
    /// handler was cancelled. A client maps it to [`Error::Timeout`](crate::Error::Timeout).
    Timeout,
    /// Any other code.
    Other(i32),
}

impl ApplicationErrorKind {
    /// The wire code.
    pub fn code(self) -> i32 {
        match self {
            Self::Unknown => 0,
            Self::UnknownMethod => 1,
            Self::InvalidMessageType => 2,
            Self::WrongMethodName => 3,
            Self::BadSequenceId => 4,
            Self::MissingResult => 5,
            Self::InternalError => 6,
            Self::ProtocolError => 7,
            Self::InvalidTransform => 8,
            Self::InvalidProtocol => 9,
            Self::UnsupportedClientType => 10,
            Self::Loadshedding => 11,
            Self::Timeout => 12,
            Self::Other(code) => code,
        }
    }

    /// The kind with wire code `code`.
    pub fn from_code(code: i32) -> Self {
        const KINDS: [ApplicationErrorKind; 13] = [
            ApplicationErrorKind::Unknown,
            ApplicationErrorKind::UnknownMethod,
            ApplicationErrorKind::InvalidMessageType,
            ApplicationErrorKind::WrongMethodName,
            ApplicationErrorKind::BadSequenceId,
            ApplicationErrorKind::MissingResult,
            ApplicationErrorKind::InternalError,
            ApplicationErrorKind::ProtocolError,
            ApplicationErrorKind::InvalidTransform,
            ApplicationErrorKind::InvalidProtocol,
            ApplicationErrorKind::UnsupportedClientType,
            ApplicationErrorKind::Loadshedding,
            ApplicationErrorKind::Timeout,
        ];
        usize::try_from(code)
            .ok()
            .and_then(|i| KINDS.get(i).copied())
            .unwrap_or(Self::Other(code))
    }
}

/// Apache's `TApplicationException`: the struct `{1: string message, 2: i32 type}` sent in an
/// EXCEPTION message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationException {
    /// What went wrong.
    pub kind: ApplicationErrorKind,
    /// Said by the peer.
    pub message: String,
}

impl ApplicationException {
    /// An exception of `kind` saying `message`.
    pub fn new(kind: ApplicationErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for ApplicationException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApplicationException {}

impl Value for ApplicationException {
    const TTYPE: TType = TType::Struct;

    fn write<W: Writer>(&self, w: &mut W) {
        w.write_struct_begin();
        crate::__codegen::write_field(w, 1, &self.message);
        crate::__codegen::write_field(w, 2, &self.kind.code());
        w.write_field_stop();
        w.write_struct_end();
    }

    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let mut exception = Self::new(ApplicationErrorKind::Unknown, "");
        r.read_struct_begin()?;
        while let Some((ty, id)) = r.read_field_begin()? {
            match (id, ty) {
                (1, TType::String) => exception.message = r.read_string()?,
                (2, TType::I32) => exception.kind = ApplicationErrorKind::from_code(r.read_i32()?),
                _ => r.skip(ty)?,
            }
            r.read_field_end()?;
        }
        r.read_struct_end()?;
        Ok(exception)
    }
}
