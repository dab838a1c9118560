//! Topics: this node's subscribers of each topic, fed by its own publishes at once and by the
//! other nodes' through one broker subscription per topic. A payload goes in an envelope
//! naming the node that published it ([`crate::envelope`]), so a node drops its own coming
//! back.
//!
//! Input: publishes and the broker's messages. Output: payloads on subscriptions.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::broker::{to_owner, Broker};
use crate::options::is_token_byte;
use crate::{envelope, ClusterError, Options};

/// Payloads a subscriber has not taken yet, before more are dropped (and counted).
const BACKLOG: usize = 4096;

/// A payload published to a topic, and the node it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The node that published it.
    pub node: String,
    /// What it published.
    pub payload: Bytes,
}

/// What any node publishes to a topic, from the moment of subscribing.
#[derive(Debug)]
pub struct Subscription {
    rx: mpsc::Receiver<Delivery>,
}

impl Subscription {
    /// The next payload; `None` once this node has left the cluster.
    pub async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }
}

/// One topic on this node: its subscribers, and whether the broker's deliveries of it are
/// listened to (from the first subscriber on, once).
#[derive(Default)]
struct Topic {
    subscribers: Vec<mpsc::Sender<Delivery>>,
    listening: bool,
}

pub(crate) struct Topics {
    broker: Broker,
    options: Options,
    by_name: Mutex<HashMap<String, Topic>>,
}

impl std::fmt::Debug for Topics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topics")
            .field("node", &self.options.node)
            .finish_non_exhaustive()
    }
}

impl Topics {
    pub(crate) fn new(broker: Broker, options: Options) -> Self {
        Self {
            broker,
            options,
            by_name: Mutex::default(),
        }
    }

    pub(crate) fn node(&self) -> &str {
        &self.options.node
    }

    fn subject(&self, topic: &str) -> Result<String, ClusterError> {
        let valid = !topic.is_empty()
            && topic
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(is_token_byte));
        if !valid {
            return Err(ClusterError::Topic(topic.to_owned()));
        }
        Ok(format!("{}.topic.{topic}", self.options.prefix))
    }

    pub(crate) async fn publish(&self, topic: &str, payload: Bytes) -> Result<(), ClusterError> {
        let subject = self.subject(topic)?;
        crate::fits(payload.len(), self.options.max_message)?;
        let delivery = Delivery {
            node: self.options.node.clone(),
            payload: payload.clone(),
        };
        self.deliver(topic, &delivery);
        let sealed = envelope::seal(&self.options.node, &payload);
        self.broker.publish(&subject, sealed).await
    }

    pub(crate) async fn subscribe(
        self: &std::sync::Arc<Self>,
        topic: &str,
    ) -> Result<Subscription, ClusterError> {
        let subject = self.subject(topic)?;
        let (tx, rx) = mpsc::channel(BACKLOG);
        let first = {
            let mut topics = self.by_name.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = topics.entry(topic.to_owned()).or_default();
            entry.subscribers.push(tx);
            !std::mem::replace(&mut entry.listening, true)
        };
        if first {
            let name = topic.to_owned();
            let deliver = to_owner(self, move |topics, sealed| topics.received(&name, sealed));
            if let Err(e) = self.broker.subscribe(&subject, deliver).await {
                // The next subscriber tries again.
                let mut topics = self.by_name.lock().unwrap_or_else(PoisonError::into_inner);
                topics.remove(topic);
                return Err(e);
            }
        }
        Ok(Subscription { rx })
    }

    /// Hands on a payload of `topic` from the broker: not this node's own (delivered when
    /// published), nor one over this node's limit (the broker bounds payloads by its own
    /// setting), nor an envelope cut short.
    fn received(&self, topic: &str, sealed: Bytes) {
        let Some((node, payload)) = envelope::open(sealed) else {
            tracing::warn!(topic, "a payload without its envelope is dropped");
            return;
        };
        if payload.len() > self.options.max_message {
            let len = payload.len();
            tracing::warn!(topic, len, "a payload over the message limit is dropped");
        } else if node != self.options.node {
            self.deliver(topic, &Delivery { node, payload });
        }
    }

    /// Hands `delivery` to the topic's subscribers on this node: at once, never waiting; a
    /// subscriber that has left is forgotten, one that is behind by [`BACKLOG`] misses it.
    fn deliver(&self, topic: &str, delivery: &Delivery) {
        let mut topics = self.by_name.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = topics.get_mut(topic) else {
            return;
        };
        entry
            .subscribers
            .retain(|tx| match tx.try_send(delivery.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(topic, "a subscriber is behind: a payload is dropped for it");
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            });
    }
}
