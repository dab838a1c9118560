//! Generated services, our client against our server over real sockets
//! (`tests/idl/services.thrift`): inheritance, oneway, void, declared and undeclared
//! failures, unknown methods, on every transport × protocol (with and without zlib) over TCP and Unix sockets; and
//! many calls in flight on one connection.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use thrift_bidi::protocol::Protocol;
use thrift_bidi::{ApplicationErrorKind, Channel, Codec, Error, Server, Transport};
use thrift_bidi_tests::generated::default::services::{
    BaseClient, Blob, WorkerClient, WorkerWorkError,
};
use thrift_bidi_tests::worker::{connect, connect_with, serve, Handler};
use tokio::sync::mpsc;

fn application_kind(error: &Error) -> Option<ApplicationErrorKind> {
    match error {
        Error::Application(exception) => Some(exception.kind),
        _ => None,
    }
}

/// Every kind of method and failure, on one connection.
async fn every_method(channel: Channel, notes: &mut mpsc::UnboundedReceiver<String>) {
    let client = WorkerClient::new(channel.clone());
    // Inherited from `Base`, on the client and through the server's dispatch.
    assert_eq!(client.ping(41).await.unwrap(), 42);
    // A `Base` client talks to a `Worker` server.
    assert_eq!(BaseClient::new(channel.clone()).ping(1).await.unwrap(), 2);
    client.note("hello".to_owned()).await.unwrap();
    let note = tokio::time::timeout(Duration::from_secs(10), notes.recv()).await;
    assert_eq!(note.unwrap().as_deref(), Some("hello"));
    client.nothing().await.unwrap();
    assert_eq!(client.work(1, "done".to_owned()).await.unwrap(), "done");
    match client.work(-5, String::new()).await {
        Err(WorkerWorkError::Busy(busy)) => assert_eq!(busy.why, "-5 ms"),
        other => panic!("want Busy, got {other:?}"),
    }
    match client.work(0, String::new()).await {
        Err(WorkerWorkError::Gone(gone)) => assert_eq!(gone.id, 7),
        other => panic!("want Gone, got {other:?}"),
    }
    let broken = client.broken().await.unwrap_err();
    assert_eq!(
        application_kind(&broken),
        Some(ApplicationErrorKind::InternalError),
        "{broken}"
    );
    let unknown = channel
        .call::<_, Blob>("noSuchMethod", Blob::default())
        .await
        .unwrap_err();
    assert_eq!(
        application_kind(&unknown),
        Some(ApplicationErrorKind::UnknownMethod),
        "{unknown}"
    );
    let blob = client.blob(100_000).await.unwrap();
    assert_eq!(blob.data.len(), 100_000);
    // The connection still serves calls after all of that.
    assert_eq!(client.ping(0).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_on_every_transport_protocol_and_socket() {
    for unix in [false, true] {
        for transport in [Transport::Framed, Transport::Buffered] {
            for protocol in [Protocol::Binary, Protocol::Compact, Protocol::Json] {
                for zlib in [false, true] {
                    let codec = Codec {
                        transport,
                        protocol,
                        zlib,
                        ..Codec::default()
                    };
                    let (handler, mut notes) = Handler::new();
                    let running = serve(Server::builder().codec(codec), handler, unix).await;
                    let channel = connect_with(&running.address, codec).await;
                    every_method(channel, &mut notes).await;
                }
            }
        }
    }
}

/// 1,000 calls in flight on one connection, sleeping for scattered times so that their
/// replies come back out of order: each caller gets its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_in_flight_on_one_connection() {
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder(), handler.clone(), false).await;
    let channel = connect(&running.address, Transport::Framed, Protocol::Binary).await;
    let client = WorkerClient::new(channel);
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let client = client.clone();
        // 1..=200 ms, scattered: i * 7919 mod 200.
        let millis = i * 7919 % 200 + 1;
        calls.spawn(async move { (i, client.work(millis, format!("call {i}")).await) });
    }
    let mut answered = 0;
    while let Some(joined) = calls.join_next().await {
        let (i, answer) = joined.unwrap();
        assert_eq!(answer.unwrap(), format!("call {i}"));
        answered += 1;
    }
    assert_eq!(answered, 1000);
    let finished = handler.finished();
    let sent: Vec<String> = (0..1000).map(|i| format!("call {i}")).collect();
    assert_eq!(finished.len(), 1000);
    assert_ne!(
        finished, sent,
        "the replies should have come back out of order"
    );
}

/// A handler that sleeps holds up nothing else on its connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_handler_does_not_block_the_connection() {
    let (handler, _notes) = Handler::new();
    let server = Server::builder().protocol(Protocol::Compact);
    let running = serve(server, handler, false).await;
    let channel = connect(&running.address, Transport::Framed, Protocol::Compact).await;
    let client = WorkerClient::new(channel);
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.work(60_000, "slow".to_owned()).await }
    });
    for n in 0..100 {
        assert_eq!(client.ping(n).await.unwrap(), n + 1);
    }
    assert!(!slow.is_finished(), "the slow call is still running");
    slow.abort();
}

/// Oneways sent just before a client drops its connection all reach the handler, in order,
/// although the first of them takes its time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneways_sent_before_a_close_are_all_handled_in_order() {
    let (handler, mut notes) = Handler::new();
    let running = serve(Server::builder(), handler, false).await;
    let client =
        WorkerClient::new(connect(&running.address, Transport::Framed, Protocol::Binary).await);
    client.note("sleep 200".to_owned()).await.unwrap();
    for i in 0..50 {
        client.note(i.to_string()).await.unwrap();
    }
    drop(client);
    let mut received = Vec::new();
    while received.len() < 51 {
        let note = tokio::time::timeout(Duration::from_secs(10), notes.recv()).await;
        received.push(note.expect("every note came in time").unwrap());
    }
    let sent: Vec<String> = std::iter::once("sleep 200".to_owned())
        .chain((0..50).map(|i: i32| i.to_string()))
        .collect();
    assert_eq!(received, sent);
}
