//! One channel over several servers: [`ChannelBuilder::connect_any`] keeps connections to a
//! list of endpoints, reconnecting each that fails with backoff (its hostname resolved again
//! each time), and sends each call on a healthy one: always the same one until it fails
//! ([`Balance::Sticky`], what a client with callbacks needs), in turn, or the less loaded of
//! two picked at random. A call already sent on a connection that dies fails with
//! [`Error::Disconnected`]; nothing is replayed. On each new connection a client with
//! callbacks says hello again, and the hook of [`Reconnect::on_connect`] runs, so the
//! application can register again (join its rooms).
//!
//! Input: a [`ChannelBuilder`], endpoints and [`Reconnect`] settings. Output: a [`Channel`]
//! whose calls go to whichever connection the balance picks.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use super::{Channel, ChannelBuilder, MakeCallbacks};
use crate::Error;

/// Which healthy connection a call goes on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Balance {
    /// One connection for every call until it fails, then the next endpoint's: what a client
    /// with callbacks needs (its server calls it back on that connection).
    #[default]
    Sticky,
    /// Each call on the next healthy connection in turn.
    RoundRobin,
    /// The connection with fewer calls under way, of two picked at random ("power of two
    /// choices").
    PowerOfTwo,
}

/// What a new connection's hook gets: the channel of that connection.
pub type OnConnect = Arc<dyn Fn(Channel) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How a [`ChannelBuilder::connect_any`] channel keeps its connections.
#[derive(Clone)]
pub struct Reconnect {
    balance: Balance,
    first: Duration,
    max: Duration,
    wait: Duration,
    on_connect: Option<OnConnect>,
}

impl std::fmt::Debug for Reconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconnect")
            .field("balance", &self.balance)
            .field("first", &self.first)
            .field("max", &self.max)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl Default for Reconnect {
    /// Sticky; backoff from 100 ms, doubling to at most 5 s, with jitter; a call waits up to
    /// 10 s for a healthy connection.
    fn default() -> Self {
        Self {
            balance: Balance::Sticky,
            first: Duration::from_millis(100),
            max: Duration::from_secs(5),
            wait: Duration::from_secs(10),
            on_connect: None,
        }
    }
}

impl Reconnect {
    /// Which healthy connection each call goes on.
    #[must_use]
    pub fn balance(mut self, balance: Balance) -> Self {
        self.balance = balance;
        self
    }

    /// The pause after a failed attempt: `first`, doubling after each failure in a row up to
    /// `max`; each pause is drawn between half of that and all of it (jitter), so clients that
    /// lost the same server do not all come back at once.
    #[must_use]
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first = first;
        self.max = max.max(first);
        self
    }

    /// How long a call waits for a healthy connection before failing with
    /// [`Error::Disconnected`].
    #[must_use]
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Runs `hook` with each new connection's channel (the first included), before calls go
    /// on it: where a client registers with its server again (joins its rooms).
    #[must_use]
    pub fn on_connect<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Channel) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.on_connect = Some(Arc::new(move |channel| Box::pin(hook(channel))));
        self
    }

    /// The pause after `failures` failed attempts in a row (at least 1).
    fn pause(&self, failures: u32) -> Duration {
        let full = self
            .first
            .saturating_mul(2_u32.saturating_pow(failures.saturating_sub(1).min(16)))
            .min(self.max);
        full.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

/// A connection a call was sent on, and its count of calls under way.
pub(crate) struct Picked {
    pub(crate) channel: Channel,
    load: Arc<AtomicUsize>,
}

impl Drop for Picked {
    fn drop(&mut self) {
        self.load.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What a routed [`Channel`] asks of its connections.
pub(crate) trait Route: Send + Sync {
    /// A healthy connection for the next call (waiting for one, within the wait).
    fn pick(&self) -> Pin<Box<dyn Future<Output = Result<Picked, Error>> + Send + '_>>;
    /// The connection calls would go on now, if one is healthy.
    fn current(&self) -> Option<Channel>;
}

/// One endpoint's connection, when it has one.
#[derive(Default)]
struct Slot {
    live: Mutex<Option<Channel>>,
    load: Arc<AtomicUsize>,
}

impl Slot {
    fn get(&self) -> Option<Channel> {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.as_ref()
            .filter(|channel| !channel.is_closed())
            .cloned()
    }

    fn set(&self, channel: Option<Channel>) {
        *self.live.lock().unwrap_or_else(PoisonError::into_inner) = channel;
    }
}

/// The connections of a routed channel.
struct Links {
    slots: Vec<Slot>,
    reconnect: Reconnect,
    /// The endpoint sticky calls go to; the next one round robin starts from.
    turn: AtomicUsize,
    changed: Notify,
}

impl Links {
    fn live(&self) -> Vec<(usize, Channel)> {
        let slots = self.slots.iter().enumerate();
        slots
            .filter_map(|(i, slot)| slot.get().map(|c| (i, c)))
            .collect()
    }

    fn choose(&self) -> Option<Picked> {
        let live = self.live();
        let (index, channel) = match self.reconnect.balance {
            Balance::Sticky => {
                let turn = self.turn.load(Ordering::Relaxed) % self.slots.len();
                let channel = self.slots[turn].get()?;
                (turn, channel)
            }
            Balance::RoundRobin => {
                let turn = self.turn.fetch_add(1, Ordering::Relaxed);
                live.get(turn % live.len().max(1)).cloned()?
            }
            Balance::PowerOfTwo => {
                if live.is_empty() {
                    return None;
                }
                let (a, b) = (fastrand::usize(..live.len()), fastrand::usize(..live.len()));
                let load = |i: usize| self.slots[live[i].0].load.load(Ordering::Relaxed);
                live[if load(b) < load(a) { b } else { a }].clone()
            }
        };
        let load = self.slots[index].load.clone();
        load.fetch_add(1, Ordering::Relaxed);
        Some(Picked { channel, load })
    }
}

impl Route for Links {
    fn pick(&self) -> Pin<Box<dyn Future<Output = Result<Picked, Error>> + Send + '_>> {
        Box::pin(async move {
            let waited = async {
                loop {
                    let changed = self.changed.notified();
                    if let Some(picked) = self.choose() {
                        return picked;
                    }
                    changed.await;
                }
            };
            tokio::time::timeout(self.reconnect.wait, waited)
                .await
                .map_err(|_| Error::Disconnected)
        })
    }

    fn current(&self) -> Option<Channel> {
        match self.reconnect.balance {
            Balance::Sticky => {
                let turn = self.turn.load(Ordering::Relaxed) % self.slots.len();
                self.slots[turn].get()
            }
            _ => self.live().into_iter().next().map(|(_, channel)| channel),
        }
    }
}

impl<C> ChannelBuilder<C>
where
    C: MakeCallbacks + Clone + Send + Sync + 'static,
    C::Service: Send,
{
    /// Connects to `endpoints` (`host:port`, each resolved again on every attempt) and keeps
    /// connected as `reconnect` says: a channel whose calls go to a healthy one of them. It
    /// waits for a first connection (within the reconnect wait), and fails with
    /// [`Error::Disconnected`] if none comes.
    ///
    /// A client with callbacks should keep [`Balance::Sticky`]: its server calls it back on
    /// the connection it has, and it says hello again on each new one.
    pub async fn connect_any<I>(self, endpoints: I, reconnect: Reconnect) -> Result<Channel, Error>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let endpoints: Vec<String> = endpoints.into_iter().map(Into::into).collect();
        if endpoints.is_empty() {
            return Err(Error::Io(std::io::Error::other(
                "no endpoints to connect to",
            )));
        }
        let links = Arc::new(Links {
            slots: endpoints.iter().map(|_| Slot::default()).collect(),
            reconnect,
            turn: AtomicUsize::new(0),
            changed: Notify::new(),
        });
        let endpoints: Vec<(usize, String)> = endpoints.into_iter().enumerate().collect();
        if links.reconnect.balance == Balance::Sticky {
            tokio::spawn(keep(Arc::downgrade(&links), self, endpoints));
        } else {
            for endpoint in endpoints {
                tokio::spawn(keep(Arc::downgrade(&links), self.clone(), vec![endpoint]));
            }
        }
        let first = links.pick().await?.channel.watcher();
        Ok(Channel {
            route: Some(links),
            ..first
        })
    }
}

/// Connects to `endpoint` once; its connection, after the hook ran on it.
async fn connect<C>(
    builder: ChannelBuilder<C>,
    endpoint: &str,
    hook: Option<&OnConnect>,
) -> Result<Channel, Error>
where
    C: MakeCallbacks + Send + Sync,
    C::Service: Send,
{
    let channel = builder.connect(endpoint).await?;
    if let Some(hook) = hook {
        hook(channel.clone()).await;
    }
    Ok(channel)
}

/// A connection that lasted less than this counts as a failed attempt: a server accepting
/// and dropping clients must not make a keeper spin.
const SHORT_LIVED: Duration = Duration::from_secs(1);

/// Keeps a connection for `links` for as long as they are there, to the endpoints of
/// `endpoints` (each with the slot it fills) in turn: the next one after each failure or
/// loss, pausing with backoff once a whole round has failed, or after a connection that did
/// not last.
async fn keep<C>(links: Weak<Links>, builder: ChannelBuilder<C>, endpoints: Vec<(usize, String)>)
where
    C: MakeCallbacks + Clone + Send + Sync + 'static,
    C::Service: Send,
{
    let (mut failures, mut at) = (0, 0);
    loop {
        let Some(strong) = links.upgrade() else {
            return;
        };
        let (hook, reconnect) = (
            strong.reconnect.on_connect.clone(),
            strong.reconnect.clone(),
        );
        drop(strong);
        let (index, endpoint) = &endpoints[at % endpoints.len()];
        at += 1;
        let lasted = match connect(builder.clone(), endpoint, hook.as_ref()).await {
            Ok(channel) => {
                let (watcher, since) = (channel.watcher(), tokio::time::Instant::now());
                let Some(strong) = links.upgrade() else {
                    return;
                };
                if reconnect.balance == Balance::Sticky {
                    strong.turn.store(*index, Ordering::Relaxed);
                }
                strong.slots[*index].set(Some(channel));
                strong.changed.notify_waiters();
                drop(strong);
                watcher.closed().await;
                tracing::info!(endpoint, "connection lost; connecting again");
                let Some(strong) = links.upgrade() else {
                    return;
                };
                strong.slots[*index].set(None);
                since.elapsed() >= SHORT_LIVED
            }
            Err(error) => {
                tracing::debug!(endpoint, %error, "connecting failed");
                false
            }
        };
        if lasted {
            failures = 0;
        } else if at % endpoints.len() == 0 {
            failures += 1;
            tokio::time::sleep(reconnect.pause(failures)).await;
        }
    }
}
