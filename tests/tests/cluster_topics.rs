//! Topics across nodes on a real `nats-server` and a real `redis-server`, each test on both
//! (Debian's, which `scripts/setup.sh` installs),
//! started on a free loopback port with its files in a temporary directory and stopped at the
//! end: every node's subscribers get every payload once, in order per publisher; a node's own
//! subscribers get its payloads while the broker is down, and cross-node delivery comes back
//! when the broker does; oversized payloads and bad topics are refused.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use bytes::Bytes;
use thrift_bidi_cluster::{Cluster, ClusterError, Options, Subscription};
use thrift_bidi_tests::brokers::{Broker, Kind};

const BOUND: Duration = Duration::from_secs(20);

async fn next(subscription: &mut Subscription) -> (String, Bytes) {
    let delivery = tokio::time::timeout(BOUND, subscription.next()).await;
    let delivery = delivery.expect("a delivery in time").expect("subscribed");
    (delivery.node, delivery.payload)
}

/// Nodes "a" and "b" on `broker`.
async fn two_nodes(broker: &Broker) -> (Cluster, Cluster) {
    let a = Cluster::connect(&broker.url(), Options::new("a")).await;
    let b = Cluster::connect(&broker.url(), Options::new("b")).await;
    (a.unwrap(), b.unwrap())
}

async fn every_node_gets_every_payload_once_in_order_per_publisher(kind: Kind) {
    let nats = Broker::of(kind, None);
    let (a, b) = two_nodes(&nats).await;
    let mut at_a = a.subscribe("room.tea").await.unwrap();
    let mut at_b = b.subscribe("room.tea").await.unwrap();
    let mut elsewhere = b.subscribe("room.coffee").await.unwrap();
    // Each node's subscription reaches the broker before the first publish.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for i in 0..100 {
        a.publish("room.tea", Bytes::from(format!("a{i}")))
            .await
            .unwrap();
        b.publish("room.tea", Bytes::from(format!("b{i}")))
            .await
            .unwrap();
    }
    for subscription in [&mut at_a, &mut at_b] {
        let mut from = std::collections::HashMap::<String, Vec<Bytes>>::new();
        for _ in 0..200 {
            let (node, payload) = next(subscription).await;
            from.entry(node).or_default().push(payload);
        }
        for node in ["a", "b"] {
            let expected: Vec<Bytes> = (0..100)
                .map(|i| Bytes::from(format!("{node}{i}")))
                .collect();
            assert_eq!(
                from[node], expected,
                "{node}'s payloads, once each, in order"
            );
        }
    }
    let nothing = tokio::time::timeout(Duration::from_millis(300), at_a.next()).await;
    assert!(nothing.is_err(), "nothing more: none delivered twice");
    let other = tokio::time::timeout(Duration::from_millis(100), elsewhere.next()).await;
    assert!(other.is_err(), "another topic gets none of it");
}

async fn local_delivery_goes_on_while_the_broker_is_down(kind: Kind) {
    let nats = Broker::of(kind, None);
    let port = nats.port;
    let (a, b) = two_nodes(&nats).await;
    let mut at_a = a.subscribe("room").await.unwrap();
    let mut at_b = b.subscribe("room").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(nats); // the broker goes
    let _ = a.publish("room", Bytes::from_static(b"while down")).await;
    assert_eq!(
        next(&mut at_a).await,
        ("a".to_owned(), Bytes::from_static(b"while down"))
    );
    let _nats = Broker::of(kind, Some(port)); // and comes back
                                              // Cross-node delivery recovers once both nodes have reconnected and subscribed again.
    let started = std::time::Instant::now();
    loop {
        a.publish("room", Bytes::from_static(b"back"))
            .await
            .unwrap();
        assert_eq!(next(&mut at_a).await.1, Bytes::from_static(b"back"));
        let got = tokio::time::timeout(Duration::from_millis(200), at_b.next()).await;
        if let Ok(Some(delivery)) = got {
            if delivery.payload == Bytes::from_static(b"back") {
                break;
            }
        }
        assert!(
            started.elapsed() < BOUND,
            "cross-node delivery did not come back"
        );
    }
}

async fn oversized_payloads_and_bad_topics_are_refused(kind: Kind) {
    let nats = Broker::of(kind, None);
    let a = Cluster::connect(&nats.url(), Options::new("a").max_message(1000))
        .await
        .unwrap();
    let big = a.publish("room", Bytes::from(vec![0; 1001])).await;
    assert!(
        matches!(
            big,
            Err(ClusterError::TooLarge {
                len: 1001,
                max: 1000
            })
        ),
        "{big:?}"
    );
    for topic in ["", "a b", "room.*", "room.>", "a..b"] {
        let bad = a.publish(topic, Bytes::new()).await;
        assert!(
            matches!(bad, Err(ClusterError::Topic(_))),
            "{topic:?}: {bad:?}"
        );
        assert!(a.subscribe(topic).await.is_err(), "{topic:?}");
    }
    a.publish("room", Bytes::from(vec![0; 1000])).await.unwrap();
}

async fn presence_finds_a_client_on_its_node_and_forgets_a_dead_node(kind: Kind) {
    let nats = Broker::of(kind, None);
    let beat = Duration::from_millis(100);
    let url = nats.url();
    let mut nodes = Vec::new();
    for name in ["a", "b", "c"] {
        nodes.push(
            Cluster::connect(&url, Options::new(name).heartbeat(beat))
                .await
                .unwrap(),
        );
    }
    let (c, b, a) = (
        nodes.pop().unwrap(),
        nodes.pop().unwrap(),
        nodes.pop().unwrap(),
    );
    a.enter("ann").unwrap();
    b.enter("bob").unwrap();
    assert_eq!(
        a.locate("ann").as_deref(),
        Some("a"),
        "its own clients at once"
    );
    let started = std::time::Instant::now();
    while c.locate("ann").as_deref() != Some("a") || c.locate("bob").as_deref() != Some("b") {
        assert!(started.elapsed() < BOUND, "presence did not spread");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(c.nodes(), ["c", "a", "b"]);
    assert_eq!(c.locate("nobody"), None);
    b.leave("bob");
    let left = std::time::Instant::now();
    while c.locate("bob").is_some() {
        assert!(left.elapsed() < BOUND, "a client that left stays listed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(a); // node a dies: no more heartbeats
    let died = std::time::Instant::now();
    while c.locate("ann").is_some() {
        assert!(died.elapsed() < BOUND, "a dead node stays listed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Within 3 heartbeats of its last, and a wide margin for the machine.
    assert!(
        died.elapsed() < beat * 3 + Duration::from_secs(2),
        "{:?}",
        died.elapsed()
    );
    assert_eq!(c.nodes(), ["c", "b"]);
}

async fn subscribing_again_after_every_subscriber_left_delivers_once(kind: Kind) {
    let nats = Broker::of(kind, None);
    let (a, b) = two_nodes(&nats).await;
    drop(a.subscribe("room").await.unwrap());
    tokio::time::sleep(Duration::from_millis(100)).await;
    b.publish("room", Bytes::from_static(b"to nobody"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await; // arrived, to no subscriber
    let mut again = a.subscribe("room").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    b.publish("room", Bytes::from_static(b"once"))
        .await
        .unwrap();
    assert_eq!(next(&mut again).await.1, Bytes::from_static(b"once"));
    let twice = tokio::time::timeout(Duration::from_millis(300), again.next()).await;
    assert!(twice.is_err(), "delivered twice: {twice:?}");
}

async fn a_payload_over_the_receivers_limit_is_dropped_and_the_next_comes(kind: Kind) {
    let nats = Broker::of(kind, None);
    let url = nats.url();
    let small = Cluster::connect(&url, Options::new("small").max_message(100));
    let small = small.await.unwrap();
    let big = Cluster::connect(&nats.url(), Options::new("big"))
        .await
        .unwrap();
    let mut at_small = small.subscribe("room").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    big.publish("room", Bytes::from(vec![7; 101]))
        .await
        .unwrap();
    big.publish("room", Bytes::from(vec![7; 100]))
        .await
        .unwrap();
    assert_eq!(
        next(&mut at_small).await.1.len(),
        100,
        "the oversized one never arrives"
    );
}

async fn a_topic_subscribed_while_the_broker_is_down_is_heard_once_it_is_back(kind: Kind) {
    let broker = Broker::of(kind, None);
    let port = broker.port;
    let (a, b) = two_nodes(&broker).await;
    drop(broker);
    let started = std::time::Instant::now();
    let first = tokio::time::timeout(BOUND, b.subscribe("late")).await;
    let first = first.expect("subscribing does not hang while the broker is down");
    let _broker = Broker::of(kind, Some(port));
    // Refused (Redis) or queued (NATS); either way, subscribing again once the broker is back
    // has its payloads heard.
    let mut subscription = match first {
        Ok(subscription) => subscription,
        Err(e) => {
            eprintln!("while the broker was down: {e}");
            loop {
                if let Ok(subscription) = b.subscribe("late").await {
                    break subscription;
                }
                assert!(started.elapsed() < BOUND * 2, "never subscribed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    loop {
        let _ = a.publish("late", Bytes::from_static(b"heard")).await;
        let got = tokio::time::timeout(Duration::from_millis(200), subscription.next()).await;
        if let Ok(Some(delivery)) = got {
            assert_eq!(delivery.payload, Bytes::from_static(b"heard"));
            break;
        }
        assert!(started.elapsed() < BOUND * 2, "the topic was never heard");
    }
}

async fn a_dropped_node_leaves_no_task_behind(kind: Kind) {
    let broker = Broker::of(kind, None);
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let options = Options::new("a").heartbeat(Duration::from_millis(100));
    let node = Cluster::connect(&broker.url(), options).await.unwrap();
    let subscription = node.subscribe("room").await.unwrap();
    node.publish("room", Bytes::from_static(b"x"))
        .await
        .unwrap();
    assert!(metrics.num_alive_tasks() > before, "the node runs tasks");
    drop((subscription, node));
    let dropped = std::time::Instant::now();
    while metrics.num_alive_tasks() > before {
        assert!(
            dropped.elapsed() < BOUND,
            "{} tasks left",
            metrics.num_alive_tasks() - before
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

thrift_bidi_tests::on_both_brokers!(
    every_node_gets_every_payload_once_in_order_per_publisher,
    local_delivery_goes_on_while_the_broker_is_down,
    oversized_payloads_and_bad_topics_are_refused,
    presence_finds_a_client_on_its_node_and_forgets_a_dead_node,
    subscribing_again_after_every_subscriber_left_delivers_once,
    a_payload_over_the_receivers_limit_is_dropped_and_the_next_comes,
    a_topic_subscribed_while_the_broker_is_down_is_heard_once_it_is_back,
    a_dropped_node_leaves_no_task_behind,
);
