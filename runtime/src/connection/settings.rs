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
            write_timeout: Duration::from_secs(30),
            cancel_on_disconnect: true,
        }
    }
}
