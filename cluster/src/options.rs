//! How a node joins its cluster: its name, its message limit, the subjects' prefix, and its
//! heartbeat.
//!
//! Input: the application's settings. Output: [`Options`], checked when the node joins.

use std::time::Duration;

use crate::ClusterError;

/// The longest node name, in bytes.
pub const MAX_NODE: usize = 64;

/// How a node joins its cluster.
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) node: String,
    pub(crate) max_message: usize,
    pub(crate) prefix: String,
    pub(crate) heartbeat: Duration,
}

impl Options {
    /// A node called `node` (unique in the cluster: letters, digits, `-` and `_`, at most
    /// [`MAX_NODE`] bytes), with a message limit of 1,000,000 − 1,024 bytes (under NATS's
    /// default `max_payload` of 1 MB, with room for the headers), on subjects under
    /// `thrift-bidi.`.
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            node: node.into(),
            max_message: 1_000_000 - 1024,
            prefix: "thrift-bidi".into(),
            heartbeat: Duration::from_millis(3334),
        }
    }

    /// How often this node tells the others which clients it holds (every 3.3 s by default:
    /// a node that dies is forgotten after 3 missed heartbeats, within 10 s).
    #[must_use]
    pub fn heartbeat(mut self, interval: Duration) -> Self {
        self.heartbeat = interval;
        self
    }

    /// The largest payload published; larger ones fail with [`ClusterError::TooLarge`].
    #[must_use]
    pub fn max_message(mut self, bytes: usize) -> Self {
        self.max_message = bytes;
        self
    }

    /// The first part of every subject this cluster uses (several clusters may share a
    /// broker under different prefixes).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The node's name, if it is one a subject can carry.
    pub(crate) fn checked(self) -> Result<Self, ClusterError> {
        let valid = !self.node.is_empty()
            && self.node.len() <= MAX_NODE
            && self.node.bytes().all(is_token_byte);
        if valid {
            Ok(self)
        } else {
            Err(ClusterError::Node(self.node))
        }
    }
}

/// Whether `byte` may be in a subject's part (a topic's, a node's name).
pub(crate) fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}
