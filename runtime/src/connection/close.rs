//! Why a connection closed: the reader's verdict when it stops, which a server reports in its
//! connection events.
//!
//! Input: how the reader's loop ended. Output: a [`CloseReason`].

/// Why a connection closed (see [`Server::events`](crate::Server::events)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed it, between messages.
    PeerClosed,
    /// Nothing came, went or ran on it for the idle timeout.
    Idle,
    /// The server shut down (its running calls were let finish).
    Shutdown,
    /// This side closed it (a client's last channel dropped, or a handler's panic with
    /// `close_on_panic`).
    Local,
    /// It failed: the peer broke a limit or the protocol, or the stream broke; the text says
    /// how.
    Failed(String),
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::PeerClosed => f.write_str("the peer closed the connection"),
            CloseReason::Idle => f.write_str("idle timeout"),
            CloseReason::Shutdown => f.write_str("the server shut down"),
            CloseReason::Local => f.write_str("closed by this side"),
            CloseReason::Failed(why) => write!(f, "failed: {why}"),
        }
    }
}
