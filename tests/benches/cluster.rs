//! The cluster's overhead, on a real `nats-server` and a real `redis-server` in the same run.
//! Two cores cannot show scale-out, so this measures what crossing the broker costs:
//! - a push's latency, from `say` to the listener's `on_message`, said on the listener's node
//!   and said on another node (p50 and p99, and their ratio), with the raw loopback floor;
//! - fan-out: messages pushed to 1,000 clients in one room, all on one node, and spread over
//!   3 nodes (deliveries per second, and their ratio); and one node with no cluster at all.
//!
//! The configurations take turns, round after round, so that the machine's drifts hit them
//! alike. `scripts/bench-cluster.sh` runs it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use idl_examples::chat::{ChatCallback, ChatClient, Message, Question};
use thrift_bidi::Error;
use thrift_bidi_cluster::{Cluster, Options};
use thrift_bidi_tests::brokers::{chat_node, Broker, Kind};
use thrift_bidi_tests::measure::{per_second, percentile, ping_pong, ratio, us};
use tokio::sync::mpsc;

const ROUNDS: usize = 4;
const SAYS_PER_ROUND: usize = 300;
const CLIENTS: usize = 1_000;
const MESSAGES_PER_ROUND: u64 = 40;

/// A user that tells when each message from another user arrives, and counts them.
#[derive(Clone)]
struct Listener {
    arrived: Option<mpsc::UnboundedSender<Instant>>,
    counted: Arc<AtomicU64>,
}

impl ChatCallback for Listener {
    async fn on_message(&self, msg: Message) -> Result<(), Error> {
        if msg.sender != "server" {
            if let Some(arrived) = &self.arrived {
                let _ = arrived.send(Instant::now());
            }
            self.counted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn ask_nickname(&self, suggestion: String) -> Result<String, Error> {
        Ok(suggestion)
    }

    async fn answer(&self, question: Question) -> Result<String, Error> {
        Ok(question.text)
    }
}

impl Listener {
    fn counting(counted: &Arc<AtomicU64>) -> Self {
        Self {
            arrived: None,
            counted: counted.clone(),
        }
    }
}

/// A user of `node` in `room`.
async fn user(node: std::net::SocketAddr, room: &str, listener: Listener) -> ChatClient {
    let channel = ChatClient::builder(listener).connect(node).await;
    let chat = ChatClient::new(channel.expect("connects"));
    chat.join(room.to_owned()).await.expect("joins");
    chat
}

/// The chat's server settings, but for the connections one peer may have: every user here
/// connects from 127.0.0.1.
fn server() -> thrift_bidi::Server {
    idl_examples::hub::Hub::server().max_connections_per_peer(4 * CLIENTS)
}

async fn clustered(broker: &Broker, name: &str) -> std::net::SocketAddr {
    let cluster = Cluster::connect(&broker.url(), Options::new(name)).await;
    chat_node(Some(cluster.expect("joins the cluster")), server()).await
}

/// Sequential says from a sender on the listener's node, then from one on another node:
/// each time from `say` to the listener's push.
async fn latency(broker: &Broker) -> [Vec<Duration>; 2] {
    let (a, b) = (clustered(broker, "a").await, clustered(broker, "b").await);
    let (tx, mut arrivals) = mpsc::unbounded_channel();
    let listener = Listener {
        arrived: Some(tx),
        counted: Arc::default(),
    };
    let _listening = user(a, "lat", listener).await;
    let quiet = Listener::counting(&Arc::default());
    let senders = [
        user(a, "lat", quiet.clone()).await,
        user(b, "lat", quiet).await,
    ];
    let mut times = [Vec::new(), Vec::new()];
    for _ in 0..ROUNDS {
        for (sender, times) in senders.iter().zip(&mut times) {
            for _ in 0..SAYS_PER_ROUND {
                let start = Instant::now();
                sender.say("lat".into(), "x".into()).await.expect("said");
                let arrived = arrivals.recv().await.expect("arrives");
                times.push(arrived - start);
            }
        }
    }
    times
}

/// 1,000 users of one room over `nodes`, counted, and a sender on the first node. The room is
/// named after the configuration: the clustered ones share the broker, and each node pushes
/// only to its own members of a room.
struct FanOut {
    name: &'static str,
    /// Kept connected for the whole run.
    _users: Vec<ChatClient>,
    counted: Arc<AtomicU64>,
    sender: ChatClient,
    rates: Vec<f64>,
}

impl FanOut {
    async fn start(name: &'static str, nodes: &[std::net::SocketAddr]) -> Self {
        let counted = Arc::new(AtomicU64::new(0));
        let mut users = Vec::new();
        for i in 0..CLIENTS {
            let listener = Listener::counting(&counted);
            users.push(user(nodes[i % nodes.len()], name, listener).await);
        }
        let sender = user(nodes[0], name, Listener::counting(&Arc::default())).await;
        Self {
            name,
            _users: users,
            counted,
            sender,
            rates: Vec::new(),
        }
    }

    /// Says a round's messages at once, and waits until every user has them all.
    async fn round(&mut self) {
        self.counted.store(0, Ordering::Relaxed);
        let all = MESSAGES_PER_ROUND * CLIENTS as u64;
        let start = Instant::now();
        for i in 0..MESSAGES_PER_ROUND {
            self.sender
                .say(self.name.into(), i.to_string())
                .await
                .expect("said");
        }
        while self.counted.load(Ordering::Relaxed) < all {
            assert!(start.elapsed() < Duration::from_mins(1), "pushes were lost");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        self.rates.push(per_second(all, start.elapsed()));
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let floor = ping_pong(2_000);
    println!(
        "floor: raw 64-byte ping-pong p50 {}, p99 {}",
        us(percentile(&floor, 50)),
        us(percentile(&floor, 99))
    );
    for kind in [Kind::Nats, Kind::Redis] {
        let broker = Broker::of(kind, None);
        let [same, cross] = rt.block_on(latency(&broker));
        println!(
            "\n{kind:?}: push latency, say to on_message ({} each)",
            same.len()
        );
        for (name, times) in [("same node", &same), ("cross node", &cross)] {
            let (p50, p99) = (percentile(times, 50), percentile(times, 99));
            let floor = ratio(p50, percentile(&floor, 50));
            println!(
                "  {name:>10}: p50 {} ({floor:.1}× floor), p99 {}",
                us(p50),
                us(p99)
            );
        }
        for p in [50, 99] {
            let cross_over_same = ratio(percentile(&cross, p), percentile(&same, p));
            println!("  cross / same, p{p}: {cross_over_same:.2}×");
        }
        rt.block_on(fan_out(&broker));
    }
}

async fn fan_out(broker: &Broker) {
    let mut configs = [
        FanOut::start("1 node, no cluster", &[chat_node(None, server()).await]).await,
        FanOut::start("1 node", &[clustered(broker, "one").await]).await,
        FanOut::start(
            "3 nodes",
            &[
                clustered(broker, "x").await,
                clustered(broker, "y").await,
                clustered(broker, "z").await,
            ],
        )
        .await,
    ];
    for _ in 0..ROUNDS {
        for config in &mut configs {
            config.round().await;
        }
    }
    println!("  fan-out to {CLIENTS} clients, {MESSAGES_PER_ROUND} messages a round (median of {ROUNDS} rounds):");
    let medians: Vec<f64> = configs
        .iter_mut()
        .map(|config| {
            config.rates.sort_by(f64::total_cmp);
            config.rates[ROUNDS / 2]
        })
        .collect();
    for (config, median) in configs.iter().zip(&medians) {
        let against = median / medians[1];
        println!(
            "  {:>18}: {:.0} deliveries/s ({against:.2}× 1 node)",
            config.name, median
        );
    }
}
