//! This side's calls awaiting replies, by seqid: numbering (from 1, wrapping, skipping ids
//! still pending), completion by the reader (or failure of one, by a transport that can lose
//! one call and go on: HTTP), and failure of them all at a close.

use std::collections::HashMap;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::headers::Headers;
use crate::message::Incoming;
use crate::Error;

/// The table of this side's calls awaiting replies.
pub(crate) struct Pending {
    open: bool,
    last_seqid: i32,
    calls: HashMap<i32, Waiting>,
    /// What the calls sent beside their messages, kept for a transport that sends it
    /// separately (HTTP).
    #[cfg(feature = "http")]
    kept: Option<HashMap<i32, Kept>>,
}

/// A call's deadline and headers, which HTTP sends as request headers.
#[cfg(feature = "http")]
#[derive(Debug, Default)]
pub(crate) struct Kept {
    pub(crate) deadline: Option<Instant>,
    pub(crate) headers: Headers,
}

/// Where a call's reply (or why it will get none) goes.
pub(crate) type Waiting = oneshot::Sender<Result<Incoming, Error>>;

/// Where a call waits for its reply.
pub(crate) type Reply = oneshot::Receiver<Result<Incoming, Error>>;

impl Default for Pending {
    fn default() -> Self {
        Self {
            open: true,
            last_seqid: 0,
            calls: HashMap::new(),
            #[cfg(feature = "http")]
            kept: None,
        }
    }
}

impl Pending {
    /// Picks the next seqid not in use, and a slot for its reply when one is expected; keeps
    /// the call's `deadline` and `headers` when they are kept.
    #[cfg_attr(not(feature = "http"), allow(unused_variables))]
    pub(crate) fn register(
        &mut self,
        expects_reply: bool,
        deadline: Option<Instant>,
        headers: Option<&Headers>,
    ) -> Result<(i32, Option<Reply>), Error> {
        if !self.open {
            return Err(Error::Disconnected);
        }
        let mut seqid = self.last_seqid;
        loop {
            seqid = seqid.checked_add(1).unwrap_or(1);
            if !self.calls.contains_key(&seqid) {
                break;
            }
        }
        self.last_seqid = seqid;
        #[cfg(feature = "http")]
        if let Some(kept) = &mut self.kept {
            if deadline.is_some() || headers.is_some() {
                let headers = headers.cloned().unwrap_or_default();
                kept.insert(seqid, Kept { deadline, headers });
            }
        }
        if !expects_reply {
            return Ok((seqid, None));
        }
        let (tx, rx) = oneshot::channel();
        self.calls.insert(seqid, tx);
        Ok((seqid, Some(rx)))
    }

    /// The waiting call a reply with `seqid` answers, taken out of the table.
    pub(crate) fn take(&mut self, seqid: i32) -> Option<Waiting> {
        self.calls.remove(&seqid)
    }

    /// Keeps the deadlines and headers of the calls registered from now on.
    #[cfg(feature = "http")]
    pub(crate) fn keep(&mut self) {
        self.kept.get_or_insert_with(HashMap::new);
    }

    /// What was kept for `seqid`, taken.
    #[cfg(feature = "http")]
    pub(crate) fn take_kept(&mut self, seqid: i32) -> Option<Kept> {
        self.kept.as_mut()?.remove(&seqid)
    }

    /// Whether no call awaits a reply.
    pub(crate) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Refuses new calls and hands back the waiting ones (dropping them fails them).
    pub(crate) fn close(&mut self) -> HashMap<i32, Waiting> {
        self.open = false;
        std::mem::take(&mut self.calls)
    }
}
