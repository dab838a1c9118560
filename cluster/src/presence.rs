//! Presence: which node holds which client. Each node publishes a heartbeat (its name and the
//! ids of the clients it holds) every interval, and soon after its clients change; each node
//! keeps what it last heard from each other node, and forgets a node not heard from for three
//! intervals.
//!
//! Input: this node's clients entering and leaving; the other nodes' heartbeats. Output: the
//! node that holds a client, and the nodes alive.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::broker::{to_owner, Broker};
use crate::ClusterError;

/// Heartbeats a node may miss before it is forgotten.
const MISSED: u32 = 3;

/// How long a heartbeat waits after a change of clients for more changes to go with it.
const GATHER: Duration = Duration::from_millis(50);

/// What starts the first line of a node's last word, before its name: it is leaving.
const BYE: &str = "!";

#[derive(Default)]
struct Table {
    /// This node's clients.
    local: BTreeSet<String>,
    /// Each other node's clients, and when it was last heard.
    others: HashMap<String, (BTreeSet<String>, Instant)>,
}

pub(crate) struct Presence {
    broker: Broker,
    subject: String,
    node: String,
    interval: Duration,
    /// The largest heartbeat taken from another node (the cluster's message limit).
    max: usize,
    table: Mutex<Table>,
    /// Set by [`Presence::bye`]: no more heartbeats.
    gone: std::sync::atomic::AtomicBool,
    /// Woken when this node's clients change, for an early heartbeat.
    changed: Arc<tokio::sync::Notify>,
}

impl Presence {
    /// Starts heartbeats on `broker` under `subject`, every `interval`, for as long as the
    /// returned presence is held.
    pub(crate) async fn start(
        broker: Broker,
        subject: String,
        node: String,
        (interval, max): (Duration, usize),
    ) -> Result<Arc<Self>, ClusterError> {
        let presence = Arc::new(Self {
            broker,
            subject,
            node,
            interval,
            max,
            table: Mutex::default(),
            gone: std::sync::atomic::AtomicBool::new(false),
            changed: Arc::default(),
        });
        let heard = to_owner(&presence, |presence, heartbeat| presence.heard(&heartbeat));
        let broker = &presence.broker;
        broker.subscribe(&presence.subject, heard).await?;
        tokio::spawn(beat(Arc::downgrade(&presence)));
        Ok(presence)
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A heartbeat: the node's name, then each client id, a line each.
    fn heartbeat(&self) -> Bytes {
        let table = self.table();
        let lines =
            std::iter::once(self.node.as_str()).chain(table.local.iter().map(String::as_str));
        Bytes::from(lines.collect::<Vec<_>>().join("\n"))
    }

    fn heard(&self, payload: &[u8]) {
        if payload.len() > self.max {
            tracing::warn!(
                len = payload.len(),
                "a heartbeat over the message limit is dropped"
            );
            return;
        }
        let text = String::from_utf8_lossy(payload);
        let mut lines = text.lines();
        let Some(node) = lines.next().filter(|node| *node != self.node) else {
            return;
        };
        if let Some(gone) = node.strip_prefix(BYE) {
            self.table().others.remove(gone);
            return;
        }
        let clients = lines.map(str::to_owned).collect();
        self.table()
            .others
            .insert(node.to_owned(), (clients, Instant::now()));
    }

    /// Tells the other nodes that this one holds no clients from now on and is leaving, so
    /// they forget it at once rather than after three heartbeats.
    pub(crate) async fn bye(&self) -> Result<(), ClusterError> {
        self.gone.store(true, std::sync::atomic::Ordering::Relaxed);
        self.table().local.clear();
        let bye = Bytes::from(format!("{BYE}{}", self.node));
        self.broker.publish(&self.subject, bye).await
    }

    pub(crate) fn enter(&self, client: &str) {
        self.table().local.insert(client.to_owned());
        self.changed.notify_one();
    }

    pub(crate) fn leave(&self, client: &str) {
        self.table().local.remove(client);
        self.changed.notify_one();
    }

    /// The nodes heard from within three intervals, this one first.
    pub(crate) fn nodes(&self) -> Vec<String> {
        let mut table = self.table();
        self.forget(&mut table);
        let mut nodes: Vec<String> = table.others.keys().cloned().collect();
        nodes.sort_unstable();
        nodes.insert(0, self.node.clone());
        nodes
    }

    /// The node holding `client`, if a live node says it does.
    pub(crate) fn locate(&self, client: &str) -> Option<String> {
        let mut table = self.table();
        if table.local.contains(client) {
            return Some(self.node.clone());
        }
        self.forget(&mut table);
        let mut holders = table
            .others
            .iter()
            .filter(|(_, (clients, _))| clients.contains(client));
        holders.next().map(|(node, _)| node.clone())
    }

    fn forget(&self, table: &mut Table) {
        let dead = self.interval * MISSED;
        table.others.retain(|_, (_, heard)| heard.elapsed() < dead);
    }
}

/// Publishes `presence`'s heartbeat every interval, and soon after its clients change (the
/// changes of [`GATHER`] in one heartbeat), until it is dropped.
async fn beat(presence: Weak<Presence>) {
    let Some(changed) = presence.upgrade().map(|p| p.changed.clone()) else {
        return;
    };
    loop {
        let Some(strong) = presence.upgrade() else {
            return;
        };
        if strong.gone.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        if let Err(e) = strong
            .broker
            .publish(&strong.subject, strong.heartbeat())
            .await
        {
            tracing::debug!(error = %e, "a heartbeat was not sent");
        }
        let interval = strong.interval;
        drop(strong);
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = changed.notified() => tokio::time::sleep(GATHER.min(interval)).await,
        }
    }
}
