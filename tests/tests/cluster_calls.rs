//! Calls to one client by its id across nodes, and a node draining, on a real `nats-server`
//! and a real `redis-server` (each test on both): a call reaches the node holding the client
//! and its reply comes back; a client nobody holds, a node that answers nothing, an answer
//! refused, one too slow, and a request too large each fail clearly, as do client ids that
//! presence cannot carry; a client that enters is found at once, before the next heartbeat is
//! due, and a node that drains is no longer listed at once, well before three heartbeats. A broker that requires a password
//! refuses a node without it, clearly and at once, and takes one that gives it, in the URL or
//! in the broker client's own settings; a URL of no backend and a bad node name are refused.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::{Duration, Instant};

use bytes::Bytes;
use thrift_bidi_cluster::{Cluster, ClusterError, Options};
use thrift_bidi_tests::brokers::{Broker, Kind};

const BOUND: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(5);

async fn nodes(broker: &Broker, names: &[&str], beat: Duration) -> Vec<Cluster> {
    let mut nodes = Vec::new();
    for name in names {
        let options = Options::new(*name).heartbeat(beat).max_message(1000);
        nodes.push(Cluster::connect(&broker.url(), options).await.unwrap());
    }
    nodes
}

/// Waits until `at` finds `client` on `node`.
async fn located(at: &Cluster, client: &str, node: &str) {
    let started = Instant::now();
    while at.locate(client).as_deref() != Some(node) {
        assert!(started.elapsed() < BOUND, "{client} not found on {node}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Answers as a client would: its id and what it was asked, or a refusal for "no", or
/// nothing in time for "slow".
fn answering(node: &Cluster) {
    node.answer(|client, request| async move {
        match &request[..] {
            b"no" => Err(format!("{client} will not say")),
            b"slow" => {
                tokio::time::sleep(Duration::from_mins(1)).await;
                Ok(request)
            }
            asked => Ok(Bytes::from(format!(
                "{client} answers {}",
                String::from_utf8_lossy(asked)
            ))),
        }
    });
}

async fn a_call_reaches_the_client_on_its_node_and_the_reply_comes_back(kind: Kind) {
    let broker = Broker::of(kind, None);
    let [a, _b, c] = nodes(&broker, &["a", "b", "c"], Duration::from_millis(100))
        .await
        .try_into()
        .unwrap();
    answering(&a);
    answering(&c);
    c.enter("carol").unwrap();
    a.enter("ann").unwrap();
    located(&a, "carol", "c").await;
    for i in 0..20 {
        let reply = a.call("carol", Bytes::from(format!("q{i}")), WAIT).await;
        assert_eq!(reply.unwrap(), format!("carol answers q{i}"));
    }
    let here = a.call("ann", Bytes::from_static(b"here?"), WAIT).await;
    assert_eq!(here.unwrap(), "ann answers here?", "a client of this node");
    let refused = a.call("carol", Bytes::from_static(b"no"), WAIT).await;
    assert!(
        matches!(&refused, Err(ClusterError::Refused(why)) if why == "carol will not say"),
        "{refused:?}"
    );
}

async fn calls_that_cannot_be_answered_fail_clearly(kind: Kind) {
    let broker = Broker::of(kind, None);
    let [a, b, c] = nodes(&broker, &["a", "b", "c"], Duration::from_millis(100))
        .await
        .try_into()
        .unwrap();
    answering(&c);
    b.enter("bob").unwrap(); // b answers nothing
    c.enter("carol").unwrap();
    located(&a, "bob", "b").await;
    located(&a, "carol", "c").await;
    for bad in ["", "two\nlines", &"x".repeat(256)] {
        let entered = a.enter(bad);
        assert!(matches!(entered, Err(ClusterError::ClientId(_))), "{bad:?}");
    }
    let nobody = a.call("nobody", Bytes::new(), WAIT).await;
    assert!(
        matches!(nobody, Err(ClusterError::NotFound(_))),
        "{nobody:?}"
    );
    let unanswered = a.call("bob", Bytes::new(), WAIT).await;
    assert!(
        matches!(unanswered, Err(ClusterError::Refused(_))),
        "{unanswered:?}"
    );
    let started = Instant::now();
    let slow = a.call(
        "carol",
        Bytes::from_static(b"slow"),
        Duration::from_millis(300),
    );
    assert!(matches!(slow.await, Err(ClusterError::Timeout)));
    assert!(started.elapsed() < BOUND, "the caller stopped waiting");
    let big = a.call("carol", Bytes::from(vec![b'x'; 1001]), WAIT).await;
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
    // The node answering goes away while a call waits: the caller times out, and goes on.
    let waiting = a.call("carol", Bytes::from_static(b"slow"), Duration::from_secs(1));
    let goes = async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(c);
    };
    let (waited, ()) = tokio::join!(waiting, goes);
    assert!(matches!(waited, Err(ClusterError::Timeout)), "{waited:?}");
    let after = a.call("carol", Bytes::new(), WAIT).await;
    assert!(after.is_err(), "{after:?}");
}

async fn a_draining_node_is_unlisted_at_once(kind: Kind) {
    let broker = Broker::of(kind, None);
    // Heartbeats 5 s apart: three of them would take 15 s.
    let [a, b] = nodes(&broker, &["a", "b"], Duration::from_secs(5))
        .await
        .try_into()
        .unwrap();
    let entered = Instant::now();
    b.enter("bob").unwrap();
    located(&a, "bob", "b").await;
    // Found from an early heartbeat, well before the next regular one.
    assert!(
        entered.elapsed() < Duration::from_secs(3),
        "{:?}",
        entered.elapsed()
    );
    assert_eq!(a.nodes(), ["a", "b"]);
    let started = Instant::now();
    b.drain().await.unwrap();
    while a.nodes() != ["a"] || a.locate("bob").is_some() {
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "b is still listed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(b.locate("bob"), None, "b holds no clients once draining");
    // No heartbeat after the last word brings it back.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(a.nodes(), ["a"]);
}

async fn a_request_over_the_answering_nodes_limit_is_dropped_there(kind: Kind) {
    let broker = Broker::of(kind, None);
    let url = broker.url();
    let beat = Duration::from_millis(100);
    let small = Options::new("small").heartbeat(beat).max_message(100);
    let small = Cluster::connect(&url, small).await.unwrap();
    let big = Cluster::connect(&url, Options::new("big").heartbeat(beat))
        .await
        .unwrap();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counting = answered.clone();
    small.answer(move |_, request| {
        counting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move { Ok(request) }
    });
    small.enter("sam").unwrap();
    located(&big, "sam", "small").await;
    // Within the caller's limit, far over the answering node's: dropped there, unanswered.
    let hostile = big.call(
        "sam",
        Bytes::from(vec![b'x'; 5000]),
        Duration::from_millis(500),
    );
    assert!(matches!(hostile.await, Err(ClusterError::Timeout)));
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 0);
    // And the node goes on answering what fits.
    let fits = big.call("sam", Bytes::from_static(b"ok"), WAIT).await;
    assert_eq!(fits.unwrap(), "ok");
}

async fn credentials_go_through_to_the_broker(kind: Kind) {
    let broker = Broker::with_password(kind, "s3cret");
    let started = Instant::now();
    let refused = Cluster::connect(&broker.url(), Options::new("a")).await;
    assert!(
        matches!(refused, Err(ClusterError::Broker(_))),
        "{refused:?}"
    );
    assert!(
        started.elapsed() < BOUND,
        "a refusal took {:?}",
        started.elapsed()
    );
    let url = broker.url_with_password();
    let a = Cluster::connect(&url, Options::new("a")).await.unwrap();
    let b = match kind {
        Kind::Nats => {
            let connect = thrift_bidi_cluster::async_nats::ConnectOptions::with_user_and_password(
                "thrift".into(),
                "s3cret".into(),
            );
            Cluster::nats_with(connect, &broker.url(), Options::new("b")).await
        }
        Kind::Redis => {
            let client = thrift_bidi_cluster::redis::Client::open(url.as_str()).unwrap();
            Cluster::redis_with(client, Options::new("b")).await
        }
    };
    let b = b.unwrap();
    let mut at_b = b.subscribe("room").await.unwrap();
    let started = Instant::now();
    loop {
        a.publish("room", Bytes::from_static(b"in")).await.unwrap();
        let got = tokio::time::timeout(Duration::from_millis(200), at_b.next()).await;
        if let Ok(Some(delivery)) = got {
            assert_eq!(
                (delivery.node.as_str(), &delivery.payload[..]),
                ("a", &b"in"[..])
            );
            break;
        }
        assert!(started.elapsed() < BOUND, "nothing came through");
    }
}

#[tokio::test]
async fn a_url_of_no_backend_and_a_bad_node_name_are_refused() {
    let url = Cluster::connect("http://127.0.0.1:1", Options::new("a")).await;
    assert!(matches!(url, Err(ClusterError::Url(_))), "{url:?}");
    for name in ["", "a.b", "a b", &"n".repeat(65)] {
        let node = Cluster::connect("nats://127.0.0.1:1", Options::new(name)).await;
        assert!(
            matches!(node, Err(ClusterError::Node(_))),
            "{name:?}: {node:?}"
        );
    }
}

thrift_bidi_tests::on_both_brokers!(
    a_call_reaches_the_client_on_its_node_and_the_reply_comes_back,
    calls_that_cannot_be_answered_fail_clearly,
    a_draining_node_is_unlisted_at_once,
    a_request_over_the_answering_nodes_limit_is_dropped_there,
    credentials_go_through_to_the_broker,
);
