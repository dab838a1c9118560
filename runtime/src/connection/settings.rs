//! The settings of one connection, shared by both ends' builders (`ChannelBuilder`,
//! `Server`): codec, queue, limits and timeouts.

use std::time::Duration;

use crate::transport::Codec;

/// Per-connection settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) codec: Codec,
    /// Incoming calls running at once; more are answered "overloaded".
    pub(crate) max_in_flight: usize,
    /// Bytes held by incoming calls and oneways (frames, decoded values, replies waiting for
    /// room); a call over it is answered "overloaded", a oneway waits for room.
    pub(crate) max_incoming_bytes: usize,
    /// Bytes queued for the peer and not yet written; senders wait while it is over.
    pub(crate) max_outgoing_bytes: usize,
    /// Close after this long with nothing received and nothing running.
    pub(crate) idle_timeout: Option<Duration>,
    /// Close when a message takes longer than this from its first byte to its last.
    pub(crate) frame_timeout: Duration,
    /// Close when one write takes longer than this (a peer that stopped reading).
    pub(crate) write_timeout: Duration,
    /// Whether the calls running when the connection closes are cancelled (or left to finish,
    /// their answers going nowhere).
    pub(crate) cancel_on_disconnect: bool,
    /// Whether a handler's panic closes the connection (or fails only its own call).
    pub(crate) close_on_panic: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            codec: Codec::default(),
            max_in_flight: 1_000,
            max_incoming_bytes: 16 << 20,
            max_outgoing_bytes: 8 << 20,
            idle_timeout: None,
            frame_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            cancel_on_disconnect: true,
            close_on_panic: false,
        }
    }
}

/// The setters of the builders that keep a `settings: Settings` (`ChannelBuilder`,
/// `Server`): one definition, so the two sides cannot drift apart.
macro_rules! connection_setters {
    () => {
        /// Framed (the default) or buffered; both ends must agree.
        #[must_use]
        pub fn transport(mut self, transport: $crate::Transport) -> Self {
            self.settings.codec.transport = transport;
            self
        }

        /// Binary (the default), compact or JSON; both ends must agree.
        #[must_use]
        pub fn protocol(mut self, protocol: $crate::protocol::Protocol) -> Self {
            self.settings.codec.protocol = protocol;
            self
        }

        /// Compresses the whole stream with zlib, as Apache's `TZlibTransport` (off by
        /// default); both ends must agree.
        #[must_use]
        pub fn zlib(mut self, zlib: bool) -> Self {
            self.settings.codec.zlib = zlib;
            self
        }

        /// Sets the transport, protocol, compression and message limits at once.
        #[must_use]
        pub fn codec(mut self, codec: $crate::Codec) -> Self {
            self.settings.codec = codec;
            self
        }

        /// The longest message accepted, in bytes; a longer one closes the connection.
        #[must_use]
        pub fn max_frame(mut self, bytes: usize) -> Self {
            self.settings.codec.max_frame = bytes;
            self
        }

        /// Bounds on the values in the messages received.
        #[must_use]
        pub fn limits(mut self, limits: $crate::protocol::Limits) -> Self {
            self.settings.codec.limits = limits;
            self
        }

        /// Closes a connection after this long with nothing received, nothing sent and no
        /// call running in either direction (`None`: never). Servers: 5 minutes by default;
        /// clients: never.
        #[must_use]
        pub fn idle_timeout(mut self, timeout: impl Into<Option<std::time::Duration>>) -> Self {
            self.settings.idle_timeout = timeout.into();
            self
        }

        /// Closes a connection when a message, once its first byte has arrived, does not
        /// arrive whole within this long (30 s by default): a peer trickling a message in, or
        /// gone silent in the middle of one, cannot hold the connection.
        #[must_use]
        pub fn frame_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.frame_timeout = timeout;
            self
        }

        /// Closes a connection whose peer takes longer than this to take one write (30 s by
        /// default); nothing more is written to it.
        #[must_use]
        pub fn write_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.write_timeout = timeout;
            self
        }

        /// Whether the incoming calls running when a connection closes are cancelled (the
        /// default), or left to finish (for handlers with side effects that must complete),
        /// their answers going nowhere.
        #[must_use]
        pub fn cancel_on_disconnect(mut self, cancel: bool) -> Self {
            self.settings.cancel_on_disconnect = cancel;
            self
        }

        /// Incoming calls running at once on one connection (a server's calls, a client's
        /// callbacks; 1,000 by default); more are answered with a `LOADSHEDDING`
        /// "overloaded" application exception.
        #[must_use]
        pub fn max_in_flight(mut self, calls: usize) -> Self {
            self.settings.max_in_flight = calls.max(1);
            self
        }

        /// The bytes one connection may hold for incoming calls and oneways (16 MiB by
        /// default): their frames from arrival, what their arguments decode to, and their
        /// replies while they wait for room to be sent. A call that would go over is answered
        /// with a `LOADSHEDDING` "overloaded" application exception; a oneway waits, and
        /// nothing more is read until it fits. (One message goes in whatever its size when
        /// nothing is held.)
        #[must_use]
        pub fn max_incoming_bytes(mut self, bytes: usize) -> Self {
            self.settings.max_incoming_bytes = bytes;
            self
        }

        /// The bytes one connection may queue for its peer and not yet written (8 MiB by
        /// default): senders (calls, replies, oneways) wait while the queue is over it, and
        /// `try_` oneways fail with `Error::Busy`.
        #[must_use]
        pub fn max_outgoing_bytes(mut self, bytes: usize) -> Self {
            self.settings.max_outgoing_bytes = bytes;
            self
        }

        /// Whether a handler that panics closes its connection (failing every call on it)
        /// instead of failing only its own call with an `INTERNAL_ERROR` application exception
        /// (the default).
        #[must_use]
        pub fn close_on_panic(mut self, close: bool) -> Self {
            self.settings.close_on_panic = close;
            self
        }
    };
}
pub(crate) use connection_setters;
