//! The Apache crate's side of the RPC bench: its generated processor on a thread per
//! connection (as its `TServer` runs it), and its synchronous client, with and without
//! `TCP_NODELAY`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use thrift::protocol::{TBinaryInputProtocol, TBinaryOutputProtocol};
use thrift::server::TProcessor;
use thrift::transport::{
    ReadHalf, TFramedReadTransport, TFramedWriteTransport, TIoChannel, TTcpChannel, WriteHalf,
};
use thrift_bidi_tests::generated::apache::bench as apache;
use thrift_bidi_tests::payload;

use crate::{per_second, timed};

pub(crate) struct ApacheHandler;

impl apache::BenchSyncHandler for ApacheHandler {
    fn handle_echo(&self, item: apache::Item) -> thrift::Result<apache::Item> {
        Ok(item)
    }
    fn handle_echo_batch(&self, b: apache::Batch) -> thrift::Result<apache::Batch> {
        Ok(b)
    }
    fn handle_fire(&self, _x: i64) -> thrift::Result<()> {
        Ok(())
    }
    fn handle_add(&self, a: i64, b: i64) -> thrift::Result<i64> {
        Ok(a.wrapping_add(b))
    }
}

pub(crate) type ApacheInput = TBinaryInputProtocol<TFramedReadTransport<ReadHalf<TTcpChannel>>>;
pub(crate) type ApacheOutput = TBinaryOutputProtocol<TFramedWriteTransport<WriteHalf<TTcpChannel>>>;
pub(crate) type ApacheClient = apache::BenchSyncClient<ApacheInput, ApacheOutput>;

/// Apache's framed binary protocols over `stream`.
pub(crate) fn apache_protocols(stream: TcpStream) -> (ApacheInput, ApacheOutput) {
    let (read, write) = TTcpChannel::with_stream(stream).split().expect("split");
    (
        TBinaryInputProtocol::new(TFramedReadTransport::new(read), true),
        TBinaryOutputProtocol::new(TFramedWriteTransport::new(write), true),
    )
}

/// Apache's processor behind a thread per connection, as its `TServer` runs it (which sets
/// no `TCP_NODELAY`; `nodelay` sets it on the accepted sockets).
pub(crate) fn serve_apache(nodelay: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("bound");
    let processor = Arc::new(apache::BenchSyncProcessor::new(ApacheHandler));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let stream = stream.expect("accept");
            stream.set_nodelay(nodelay).expect("nodelay");
            let processor = processor.clone();
            std::thread::spawn(move || {
                let (mut input, mut output) = apache_protocols(stream);
                while processor.process(&mut input, &mut output).is_ok() {}
            });
        }
    });
    addr
}

pub(crate) fn apache_client(addr: SocketAddr, nodelay: bool) -> ApacheClient {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(nodelay).expect("nodelay");
    let (input, output) = apache_protocols(stream);
    apache::BenchSyncClient::new(input, output)
}

pub(crate) fn add(client: &mut ApacheClient) {
    use apache::TBenchSyncClient;
    assert_eq!(client.add(1, 2).expect("add"), 3);
}

pub(crate) fn echo_batch(client: &mut ApacheClient) {
    use apache::TBenchSyncClient;
    thread_local! {
        static BATCH: apache::Batch = payload::apache();
    }
    let batch = BATCH.with(Clone::clone);
    let echoed = client.echo_batch(batch).expect("echo_batch");
    assert_eq!(echoed.items.map(|items| items.len()), Some(payload::ITEMS));
}

pub(crate) fn apache_sequential(
    addr: SocketAddr,
    nodelay: bool,
    n: usize,
    call: fn(&mut ApacheClient),
) -> Vec<Duration> {
    let mut client = apache_client(addr, nodelay);
    timed(n, || call(&mut client))
}

/// Calls per second of `callers` threads calling `add` for `period`, with a connection each
/// or sharing one behind a mutex (Apache's clients take `&mut self`).
pub(crate) fn apache_throughput(
    addr: SocketAddr,
    callers: usize,
    shared: bool,
    period: Duration,
) -> f64 {
    let one = Arc::new(Mutex::new(apache_client(addr, true)));
    let calls = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..callers {
            let client = if shared {
                one.clone()
            } else {
                Arc::new(Mutex::new(apache_client(addr, true)))
            };
            let (calls, stop) = (&calls, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    add(&mut client.lock().expect("no panics"));
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        std::thread::sleep(period);
        stop.store(true, Ordering::Relaxed);
    });
    per_second(calls.load(Ordering::Relaxed), period)
}
