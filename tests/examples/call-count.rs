//! Calls for counting instructions with callgrind, which is repeatable where wall-clock times
//! on a shared machine are not: a generated client calls a generated server `CALLS` times over
//! an in-memory pipe, on one thread, with the middleware `SETUP` names:
//!
//! - `plain`: no layers, no subscriber (what every call pays);
//! - `layered`: tower's timeout and concurrency limit on the server and on the client;
//! - `typical`: `layered`, with a subscriber recording each call's spans on both sides.
//!
//! `scripts/call-count.sh` runs it twice under callgrind and prints the instructions per call
//! (the difference of two runs, so that start-up does not count).
//!
//!     call-count SETUP CALLS
#![allow(clippy::unwrap_used)] // an example's setup

use std::time::Duration;

use thrift_bidi::call::{Layered, Layers};
use thrift_bidi::{Channel, Error, Server};
use thrift_bidi_tests::generated::default::ledger::{Ledger, LedgerClient, LedgerServer};
use tower::ServiceBuilder;
use tracing_subscriber::layer::SubscriberExt as _;

struct Books;

impl Ledger for Books {
    async fn balance(&self, account: String) -> Result<i64, Error> {
        Ok(i64::try_from(account.len()).unwrap())
    }

    async fn deposit(&self, _: String, amount: i64) -> Result<i64, Error> {
        Ok(amount)
    }

    async fn audit(&self, _: String) -> Result<i64, Error> {
        Ok(0)
    }
}

/// Hands out one end of a pipe, then nothing.
struct Pipe(Option<tokio::io::DuplexStream>);

impl thrift_bidi::Listener for Pipe {
    type Stream = tokio::io::DuplexStream;

    async fn accept(&mut self) -> std::io::Result<Self::Stream> {
        match self.0.take() {
            Some(stream) => Ok(stream),
            None => std::future::pending().await,
        }
    }
}

async fn run(layered: bool, calls: usize) {
    let (near, far) = tokio::io::duplex(64 * 1024);
    let server = Server::builder();
    if layered {
        let limits = ServiceBuilder::new()
            .concurrency_limit(64)
            .timeout(Duration::from_secs(5));
        let service = Layered::new(LedgerServer::new(Books), limits);
        tokio::spawn(server.serve(Pipe(Some(far)), service, std::future::pending()));
    } else {
        let service = LedgerServer::new(Books);
        tokio::spawn(server.serve(Pipe(Some(far)), service, std::future::pending()));
    }
    let mut channel = Channel::builder().over(near);
    if layered {
        let limits = ServiceBuilder::new()
            .concurrency_limit(64)
            .timeout(Duration::from_secs(5));
        channel = channel.with_layers(&Layers::new(limits));
    }
    let client = LedgerClient::new(channel);
    for _ in 0..calls {
        assert_eq!(client.balance("account".into()).await.unwrap(), 7);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (setup, calls) = match args.as_slice() {
        [setup, calls] => (setup.as_str(), calls.parse().unwrap()),
        _ => panic!("usage: call-count plain|layered|typical CALLS"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match setup {
        "plain" => runtime.block_on(run(false, calls)),
        "layered" => runtime.block_on(run(true, calls)),
        "typical" => {
            let recording =
                tracing_subscriber::registry().with(tracing_subscriber::filter::LevelFilter::INFO);
            tracing::subscriber::with_default(recording, || runtime.block_on(run(true, calls)));
        }
        other => panic!("no setup {other}"),
    }
}
