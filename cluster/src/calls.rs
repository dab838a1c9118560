//! Calls to one client by its id, wherever it is connected: the caller's node finds the
//! client's node by presence and sends the request to that node's inbox subject; that node's
//! answerer (the application's: it calls its client back) gives the reply, which comes back
//! to the caller's inbox. Both backends carry it alike, on publish and subscribe alone.
//!
//! Input: requests to this node's clients, from any node; replies to this node's requests.
//! Output: replies, and the caller's result.
//!
//! Frames, on `<prefix>.node.<node>`:
//! - a request: `Q`, the call's id (8 bytes, big-endian), the milliseconds the caller waits
//!   (4 bytes), the calling node's name and the client's id (each one byte of length, then
//!   the bytes), then the request;
//! - a reply: `A`, the call's id, `1` then the reply, or `0` then why it was refused (UTF-8).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio::sync::{oneshot, Semaphore};

use crate::broker::{to_owner, Broker};
use crate::envelope::{put_name, take_name};
use crate::ClusterError;

/// Requests this node answers at once; more are refused as busy.
pub const MAX_ANSWERING: usize = 1024;

/// The longest client id, in bytes.
pub const MAX_CLIENT_ID: usize = 255;

/// What the application answers a request to one of its clients with.
type Answerer = dyn Fn(String, Bytes) -> Pin<Box<dyn Future<Output = Result<Bytes, String>> + Send>>
    + Send
    + Sync;

type Reply = Result<Bytes, String>;

pub(crate) struct Calls {
    broker: Broker,
    node: String,
    prefix: String,
    max: usize,
    answerer: OnceLock<Arc<Answerer>>,
    answering: Arc<Semaphore>,
    next: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
}

/// Forgets a pending call however its wait ends.
struct Pending<'a>(&'a Calls, u64);

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.pending().remove(&self.1);
    }
}

impl Calls {
    /// Listens on this node's inbox.
    pub(crate) async fn start(
        broker: Broker,
        (node, prefix, max): (String, String, usize),
    ) -> Result<Arc<Self>, ClusterError> {
        let calls = Arc::new(Self {
            broker,
            node,
            prefix,
            max,
            answerer: OnceLock::new(),
            answering: Arc::new(Semaphore::new(MAX_ANSWERING)),
            next: AtomicU64::new(1),
            pending: Mutex::default(),
        });
        let inbox = calls.inbox(&calls.node);
        let received = to_owner(&calls, |calls, frame| calls.received(&frame));
        calls.broker.subscribe(&inbox, received).await?;
        Ok(calls)
    }

    fn inbox(&self, node: &str) -> String {
        format!("{}.node.{node}", self.prefix)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<Reply>>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets what answers requests to this node's clients (once; later calls are ignored).
    pub(crate) fn answer(&self, answerer: Arc<Answerer>) {
        let _ = self.answerer.set(answerer);
    }

    /// Asks `client`, held by `node`, and waits up to `wait` for its reply.
    pub(crate) async fn call(
        &self,
        node: &str,
        client: &str,
        request: Bytes,
        wait: Duration,
    ) -> Result<Bytes, ClusterError> {
        if client.len() > MAX_CLIENT_ID {
            return Err(ClusterError::NotFound(client.to_owned()));
        }
        crate::fits(request.len(), self.max)?;
        let reply = if node == self.node {
            let answer = self.answer_here(client.to_owned(), request);
            tokio::time::timeout(wait, answer)
                .await
                .map_err(|_| ClusterError::Timeout)?
        } else {
            let id = self.next.fetch_add(1, Ordering::Relaxed);
            let (tx, rx) = oneshot::channel();
            self.pending().insert(id, tx);
            let _forget = Pending(self, id);
            let frame = request_frame(&Request {
                id,
                wait,
                from: self.node.clone(),
                client: client.to_owned(),
                body: request,
            });
            self.broker.publish(&self.inbox(node), frame).await?;
            match tokio::time::timeout(wait, rx).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(_)) | Err(_) => return Err(ClusterError::Timeout),
            }
        };
        reply.map_err(ClusterError::Refused)
    }

    /// The answerer's reply to `request` for `client`, or why there is none.
    fn answer_here(&self, client: String, request: Bytes) -> impl Future<Output = Reply> + use<> {
        let answerer = self.answerer.get().cloned();
        async move {
            match answerer {
                Some(answerer) => answerer(client, request).await,
                None => Err("this node answers no calls".to_owned()),
            }
        }
    }

    /// A frame on this node's inbox: a request to answer, or a reply to hand on. Malformed or
    /// oversized frames are dropped and logged.
    fn received(self: &Arc<Self>, frame: &Bytes) {
        if frame.len() > self.max + 2 * 256 + 16 {
            tracing::warn!(
                len = frame.len(),
                "a call over the message limit is dropped"
            );
            return;
        }
        let parsed = match frame.first() {
            Some(b'Q') => self.requested(frame.slice(1..)),
            Some(b'A') => replied(frame.slice(1..)).map(|(id, reply)| {
                if let Some(waiting) = self.pending().remove(&id) {
                    let _ = waiting.send(reply);
                }
            }),
            _ => None,
        };
        if parsed.is_none() {
            tracing::warn!("a malformed call frame is dropped");
        }
    }

    /// Answers a request in a task of its own, and sends the reply to the calling node.
    fn requested(self: &Arc<Self>, frame: Bytes) -> Option<()> {
        let Request {
            id,
            wait,
            from,
            client,
            body,
        } = parse_request(frame)?;
        let permit = self.answering.clone().try_acquire_owned();
        let calls: Weak<Self> = Arc::downgrade(self);
        let answer = self.answer_here(client, body);
        tokio::spawn(async move {
            let reply = match permit {
                Ok(_permit) => match tokio::time::timeout(wait, answer).await {
                    Ok(reply) => reply,
                    Err(_) => return, // the caller has stopped waiting
                },
                Err(_) => Err(format!("busy: {MAX_ANSWERING} calls are being answered")),
            };
            let Some(calls) = calls.upgrade() else { return };
            let reply = match reply {
                Ok(body) if body.len() > calls.max => {
                    Err(format!("a reply of {} bytes is over the limit", body.len()))
                }
                reply => reply,
            };
            let frame = reply_frame(id, &reply);
            if let Err(e) = calls.broker.publish(&calls.inbox(&from), frame).await {
                tracing::debug!(error = %e, "a reply was not sent");
            }
        });
        Some(())
    }
}

/// A request to a client of another node.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    id: u64,
    /// How long the caller waits.
    wait: Duration,
    /// The calling node.
    from: String,
    client: String,
    body: Bytes,
}

fn request_frame(request: &Request) -> Bytes {
    let Request {
        id,
        wait,
        from,
        client,
        body,
    } = request;
    let mut frame = BytesMut::with_capacity(15 + from.len() + client.len() + body.len());
    frame.put_u8(b'Q');
    frame.put_u64(*id);
    frame.put_u32(u32::try_from(wait.as_millis()).unwrap_or(u32::MAX));
    put_name(&mut frame, from);
    put_name(&mut frame, client);
    frame.put_slice(body);
    frame.freeze()
}

/// A request frame, after its `Q`.
fn parse_request(mut frame: Bytes) -> Option<Request> {
    if frame.remaining() < 12 {
        return None;
    }
    let id = frame.get_u64();
    let wait = Duration::from_millis(u64::from(frame.get_u32()));
    let from = take_name(&mut frame)?;
    let client = take_name(&mut frame)?;
    Some(Request {
        id,
        wait,
        from,
        client,
        body: frame,
    })
}

fn reply_frame(id: u64, reply: &Reply) -> Bytes {
    let (ok, body) = match reply {
        Ok(body) => (1, body.as_ref()),
        Err(why) => (0, why.as_bytes()),
    };
    let mut frame = BytesMut::with_capacity(10 + body.len());
    frame.put_u8(b'A');
    frame.put_u64(id);
    frame.put_u8(ok);
    frame.put_slice(body);
    frame.freeze()
}

/// A reply frame's call id and reply.
fn replied(mut frame: Bytes) -> Option<(u64, Reply)> {
    if frame.remaining() < 9 {
        return None;
    }
    let id = frame.get_u64();
    let reply = match frame.get_u8() {
        1 => Ok(frame),
        0 => Err(String::from_utf8_lossy(&frame).into_owned()),
        _ => return None,
    };
    Some((id, reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_parses_to_what_was_framed_and_a_cut_one_never_does() {
        let request = Request {
            id: 0x0102_0304_0506_0708,
            wait: Duration::from_millis(1500),
            from: "node-a".to_owned(),
            client: "ann".to_owned(),
            body: Bytes::from_static(b"question"),
        };
        let frame = request_frame(&request);
        assert_eq!(
            &frame[..13],
            b"Q\x01\x02\x03\x04\x05\x06\x07\x08\0\0\x05\xdc"
        );
        assert_eq!(parse_request(frame.slice(1..)), Some(request));
        // Cut anywhere before the body ends its names: no request.
        let names_end = 1 + 12 + 7 + 4;
        for cut in 1..names_end {
            assert_eq!(parse_request(frame.slice(1..cut)), None, "cut at {cut}");
        }
        // A name's length past the end.
        let mut long = BytesMut::from(&frame[1..13]);
        long.put_u8(200);
        long.put_slice(b"short");
        assert_eq!(parse_request(long.freeze()), None);
    }

    #[test]
    fn a_reply_parses_to_what_was_framed_and_a_bad_one_does_not() {
        let ok = reply_frame(7, &Ok(Bytes::from_static(b"yes")));
        assert_eq!(
            replied(ok.slice(1..)),
            Some((7, Ok(Bytes::from_static(b"yes"))))
        );
        let refused = reply_frame(8, &Err("not here".to_owned()));
        assert_eq!(
            replied(refused.slice(1..)),
            Some((8, Err("not here".to_owned())))
        );
        let mut bad = BytesMut::from(&ok[1..]);
        bad[8] = 2; // neither answered nor refused
        assert_eq!(replied(bad.freeze()), None);
        for cut in 1..10 {
            assert_eq!(replied(ok.slice(1..cut)), None, "cut at {cut}");
        }
    }
}
