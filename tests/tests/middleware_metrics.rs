//! Per-method metrics through a layer, with the `metrics` facade, on real loopback sockets: a
//! small tower layer counts each method's calls and records their handling time, as any
//! exporter's recorder would receive them. (The recorder here keeps them in memory; it is the
//! one global recorder of this test binary.)
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use metrics::{Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, SharedString, Unit};
use thrift_bidi::call::Layered;
use thrift_bidi::{Channel, Incoming, Server};
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerServer};
use thrift_bidi_tests::worker::Handler;
use tokio::net::TcpListener;

/// Counts each method's calls (`thrift_calls_total{method}`) and records how long each took
/// (`thrift_call_seconds{method}`).
#[derive(Clone)]
struct Metered<S>(S);

impl<S> tower::Service<Incoming> for Metered<S>
where
    S: tower::Service<Incoming> + Send,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, call: Incoming) -> Self::Future {
        let method = call.method().to_owned();
        metrics::counter!("thrift_calls_total", "method" => method.clone()).increment(1);
        let started = Instant::now();
        let answer = self.0.call(call);
        Box::pin(async move {
            let answer = answer.await;
            let took = started.elapsed().as_secs_f64();
            metrics::histogram!("thrift_call_seconds", "method" => method).record(took);
            answer
        })
    }
}

/// The layer that makes [`Metered`] services.
#[derive(Clone)]
struct MeteredLayer;

impl<S> tower::Layer<S> for MeteredLayer {
    type Service = Metered<S>;
    fn layer(&self, inner: S) -> Metered<S> {
        Metered(inner)
    }
}

/// A recorder keeping counters and histogram samples by metric and labels.
#[derive(Default)]
struct Memory {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    histograms: Mutex<HashMap<String, Arc<Samples>>>,
}

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);

impl HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

/// `name{label=value,...}`.
fn id(key: &Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|label| format!("{}={}", label.key(), label.value()))
        .collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl metrics::Recorder for Memory {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(counters.entry(id(key)).or_default().clone())
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let mut histograms = self.histograms.lock().unwrap();
        Histogram::from_arc(histograms.entry(id(key)).or_default().clone())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_counts_and_times_each_method_through_the_metrics_facade() {
    let memory = Arc::new(Memory::default());
    metrics::set_global_recorder(memory.clone()).unwrap_or_else(|_| panic!("the one recorder"));

    let (handler, _notes) = Handler::new();
    let layered = Layered::new(WorkerServer::from_arc(handler), MeteredLayer);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(Server::builder().serve(listener, layered, std::future::pending()));
    let channel = Channel::builder().call_timeout(Duration::from_secs(10));
    let client = WorkerClient::new(channel.connect(addr).await.unwrap());
    for n in 0..3 {
        assert_eq!(client.ping(n).await.unwrap(), n + 1);
    }
    for _ in 0..2 {
        assert_eq!(client.work(30, "t".into()).await.unwrap(), "t");
    }

    let counters = memory.counters.lock().unwrap();
    let count = |id: &str| counters.get(id).map_or(0, |c| c.load(Ordering::SeqCst));
    assert_eq!(count("thrift_calls_total{method=ping}"), 3);
    assert_eq!(count("thrift_calls_total{method=work}"), 2);
    let histograms = memory.histograms.lock().unwrap();
    let work = histograms["thrift_call_seconds{method=work}"]
        .0
        .lock()
        .unwrap()
        .clone();
    assert_eq!(work.len(), 2);
    assert!(work.iter().all(|&took| took >= 0.03), "{work:?}");
}
