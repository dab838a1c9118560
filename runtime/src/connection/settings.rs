//! The settings of one connection, shared by both ends' builders (`ChannelBuilder`,
//! `Server`): codec, queue, limits and timeouts.

use std::time::Duration;

use crate::transport::Codec;

/// Per-connection settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) codec: Codec,
    /// Outgoing messages queued before senders wait.
    pub(crate) queue: usize,
    /// Incoming calls running at once; more are answered "overloaded".
    pub(crate) max_in_flight: usize,
    /// Close after this long with nothing received and nothing running.
    pub(crate) idle_timeout: Option<Duration>,
    /// Close when a message takes longer than this from its first byte to its last.
    pub(crate) frame_timeout: Duration,
    /// Close when one write takes longer than this (a peer that stopped reading).
    pub(crate) write_timeout: Duration,
    /// Whether the calls running when the connection closes are cancelled (or left to finish,
    /// their answers going nowhere).
    pub(crate) cancel_on_disconnect: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            codec: Codec::default(),
            queue: 1024,
            max_in_flight: 10_000,
            idle_timeout: None,
            frame_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            cancel_on_disconnect: true,
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

        /// Binary (the default) or compact; both ends must agree.
        #[must_use]
        pub fn protocol(mut self, protocol: $crate::protocol::Protocol) -> Self {
            self.settings.codec.protocol = protocol;
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
        /// callbacks); more are answered with an `INTERNAL_ERROR` "overloaded" application
        /// exception.
        #[must_use]
        pub fn max_in_flight(mut self, calls: usize) -> Self {
            self.settings.max_in_flight = calls.max(1);
            self
        }
    };
}
pub(crate) use connection_setters;
