//! The error of a call, on either side of a connection.

use std::io;

use crate::message::{ApplicationErrorKind, ApplicationException};
use crate::protocol::ProtocolError;

/// Why a call (or a connection) failed: transport, protocol and application failures are
/// distinct, and declared IDL exceptions are not here at all (they have their own types).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Connecting, reading or writing failed.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The connection closed before the reply came (or was closed already).
    #[error("the connection is closed")]
    Disconnected,
    /// The peer is behind: the bytes queued for it are over the outgoing budget (from the
    /// `try_` calls, which do not wait).
    #[error("the peer is not keeping up")]
    Busy,
    /// A callback to a client that did not say hello: a plain Thrift client, which cannot
    /// take calls.
    #[error("the peer serves no callbacks")]
    Unavailable,
    /// No reply within the call timeout (or no connection within the connect timeout).
    #[error("timed out")]
    Timeout,
    /// A message could not be decoded.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// A message was longer than the frame limit allows.
    #[error("a message of {len} bytes is over the {max}-byte limit")]
    FrameTooLarge {
        /// Its length (as far as it is known).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A message's bytes, once they had begun to arrive, did not all arrive within the frame
    /// timeout (a peer trickling a message in, or gone silent in the middle of one).
    #[error("only {received} bytes of a message arrived within {after:?} of its first")]
    FrameTimeout {
        /// The bytes that had arrived.
        received: usize,
        /// The frame timeout.
        after: std::time::Duration,
    },
    /// The HTTP transport failed: the server answered with a status other than 200 OK (the
    /// status, and the start of what it said), or a URL or header was not valid HTTP.
    #[error("HTTP: {}{message}", status.map(|s| format!("{s} ")).unwrap_or_default())]
    Http {
        /// The status the server answered with (`None`: no answer came to be had).
        status: Option<u16>,
        /// What went wrong.
        message: String,
    },
    /// The peer answered with a `TApplicationException`, or its reply made no sense.
    #[error("application exception {0}")]
    Application(#[from] ApplicationException),
    /// A handler failed in a way the IDL does not declare; the caller gets an
    /// `INTERNAL_ERROR` application exception.
    #[error("handler failed: {0}")]
    Handler(Box<dyn std::error::Error + Send + Sync>),
    /// A client's middleware refused the call (tower's load shedding, say; see
    /// `call::Layers`). Tower's timeout gives [`Error::Timeout`] instead.
    #[error("refused by a layer: {0}")]
    Layer(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A handler failure saying `message` (sent to the caller as `INTERNAL_ERROR`).
    ///
    /// ```
    /// let error = thrift_bidi::Error::internal("database unavailable");
    /// assert_eq!(error.to_string(), "handler failed: database unavailable");
    /// ```
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Handler(message.into().into())
    }

    /// The application exception that tells the caller about this error. A handler that
    /// failed because a call it made timed out (its inherited deadline, or its own timeout)
    /// answers `TIMEOUT`, as it would had its own deadline passed: the two race when the
    /// deadline was inherited.
    pub(crate) fn to_application(&self) -> ApplicationException {
        match self {
            Error::Application(exception) => exception.clone(),
            Error::Protocol(e) => {
                ApplicationException::new(ApplicationErrorKind::ProtocolError, e.to_string())
            }
            Error::Timeout => ApplicationException::new(ApplicationErrorKind::Timeout, "timed out"),
            other => {
                ApplicationException::new(ApplicationErrorKind::InternalError, other.to_string())
            }
        }
    }
}
