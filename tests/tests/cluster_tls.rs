//! The cluster over TLS to its broker, on a real `nats-server` and a real `redis-server` (each
//! test on both) that speak TLS only, with the test PKI's server certificate: a node that
//! trusts the test CA (set in the broker client's own settings, passed through) joins, and
//! payloads go between nodes; a node that trusts only the system's roots is refused, clearly
//! and at once.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::{Duration, Instant};

use bytes::Bytes;
use thrift_bidi_cluster::{async_nats, redis, Cluster, ClusterError, Options};
use thrift_bidi_tests::brokers::{cert, Broker, Kind};

const BOUND: Duration = Duration::from_secs(20);

/// A node on `broker` that trusts the test CA.
async fn trusting(broker: &Broker, name: &str) -> Cluster {
    let options = Options::new(name);
    let joined = match broker.kind {
        Kind::Nats => {
            let connect = async_nats::ConnectOptions::new().add_root_certificates(cert("ca.pem"));
            Cluster::nats_with(connect, &broker.url(), options).await
        }
        Kind::Redis => {
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(std::fs::read(cert("ca.pem")).unwrap()),
            };
            let client = redis::Client::build_with_tls(broker.url().as_str(), certificates);
            Cluster::redis_with(client.unwrap(), options).await
        }
    };
    joined.unwrap()
}

async fn nodes_join_over_tls_trusting_the_brokers_ca_and_not_otherwise(kind: Kind) {
    let broker = Broker::with_tls(kind);
    let started = Instant::now();
    let untrusted = Cluster::connect(&broker.url(), Options::new("x")).await;
    assert!(
        matches!(untrusted, Err(ClusterError::Broker(_))),
        "{untrusted:?}"
    );
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let a = trusting(&broker, "a").await;
    let b = trusting(&broker, "b").await;
    let mut at_b = b.subscribe("room").await.unwrap();
    let started = Instant::now();
    loop {
        a.publish("room", Bytes::from_static(b"sealed"))
            .await
            .unwrap();
        let got = tokio::time::timeout(Duration::from_millis(200), at_b.next()).await;
        if let Ok(Some(delivery)) = got {
            assert_eq!(delivery.payload, Bytes::from_static(b"sealed"));
            break;
        }
        assert!(started.elapsed() < BOUND, "nothing came through");
    }
}

thrift_bidi_tests::on_both_brokers!(nodes_join_over_tls_trusting_the_brokers_ca_and_not_otherwise);
