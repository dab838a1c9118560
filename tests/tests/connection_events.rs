//! Connection events on real loopback sockets: a server reports each connection's start (its
//! id and peer, the same the per-connection code and the calls' contexts see) and its end with
//! the reason: the peer closing, garbage from the peer, the idle timeout, and the server's
//! shutdown. Time bounds are liveness bounds with wide margins.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift_bidi::{CloseReason, Connection, ConnectionEvent, Server};
use thrift_bidi_tests::generated::default::services::{WorkerClient, WorkerServer};
use thrift_bidi_tests::worker::Handler;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const BOUND: Duration = Duration::from_secs(10);

/// What the server reported: `(id, peer, None)` when a connection was made, `(id, peer,
/// Some(reason))` when it closed.
type Reported = Arc<Mutex<Vec<(u64, Option<SocketAddr>, Option<CloseReason>)>>>;

struct Running {
    addr: SocketAddr,
    reported: Reported,
    /// The ids the per-connection code saw.
    made: Arc<Mutex<Vec<u64>>>,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<()>,
}

async fn serve(server: Server) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let reported = Reported::default();
    let report = reported.clone();
    let server = server.events(move |event| {
        let entry = match event {
            ConnectionEvent::Connected { id, peer } => (*id, peer.addr(), None),
            ConnectionEvent::Closed { id, peer, reason } => {
                (*id, peer.addr(), Some((*reason).clone()))
            }
            _ => return,
        };
        report.lock().unwrap().push(entry);
    });
    let made = Arc::new(Mutex::new(Vec::new()));
    let ids = made.clone();
    let (handler, _notes) = Handler::new();
    let per_connection = move |connection: &Connection| {
        ids.lock().unwrap().push(connection.id());
        WorkerServer::from_arc(handler.clone())
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.serve_with(listener, per_connection, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        reported,
        made,
        stop: Some(stop),
        served: task,
    }
}

/// Waits (within the bound) until `n` events are reported.
async fn events(
    running: &Running,
    n: usize,
) -> Vec<(u64, Option<SocketAddr>, Option<CloseReason>)> {
    let waited = tokio::time::timeout(BOUND, async {
        loop {
            let reported = running.reported.lock().unwrap().clone();
            if reported.len() >= n {
                return reported;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    waited.await.expect("the events come")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connection_is_reported_made_and_closed_with_why() {
    let mut running = serve(Server::builder().idle_timeout(Duration::from_millis(300))).await;

    // A client that calls and goes.
    let stream = TcpStream::connect(running.addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    let channel = thrift_bidi::Channel::builder().over(stream);
    assert_eq!(WorkerClient::new(channel.clone()).ping(1).await.unwrap(), 2);
    drop(channel);
    let reported = events(&running, 2).await;
    let id = running.made.lock().unwrap()[0];
    assert_eq!(reported[0], (id, Some(local), None));
    assert_eq!(
        reported[1],
        (id, Some(local), Some(CloseReason::PeerClosed))
    );

    // A peer that sends garbage.
    let mut garbage = TcpStream::connect(running.addr).await.unwrap();
    garbage.write_all(&[0xff; 64]).await.unwrap();
    let reported = events(&running, 4).await;
    assert!(
        matches!(&reported[3].2, Some(CloseReason::Failed(why)) if why.contains("4294967295 bytes is over")),
        "{reported:?}"
    );

    // A peer that does nothing: the idle timeout.
    let _idle = TcpStream::connect(running.addr).await.unwrap();
    let reported = events(&running, 6).await;
    assert_eq!(reported[5].2, Some(CloseReason::Idle), "{reported:?}");

    // A connection open at the shutdown.
    let _open = TcpStream::connect(running.addr).await.unwrap();
    events(&running, 7).await;
    running.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(BOUND, &mut running.served)
        .await
        .unwrap()
        .unwrap();
    let reported = events(&running, 8).await;
    assert_eq!(reported[7].2, Some(CloseReason::Shutdown), "{reported:?}");

    // Every connection made was reported closed, once, under the id its code saw.
    let made = running.made.lock().unwrap().clone();
    for id in made {
        let closes = reported
            .iter()
            .filter(|(i, _, r)| *i == id && r.is_some())
            .count();
        assert_eq!(closes, 1, "connection {id}: {reported:?}");
    }
}
