//! Flow control on one duplex connection: two peers flooding each other with calls whose
//! arguments and answers are far more than the budgets and the socket buffers hold both get
//! every call answered (retrying those refused as "overloaded"), since neither side ever stops
//! reading because of what the other does. Every wait is bounded.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::sync::Arc;
use std::time::Duration;

use thrift_bidi::protocol::{ProtocolError, Reader, TType, Writer};
use thrift_bidi::value::Value;
use thrift_bidi::{
    ApplicationErrorKind, Bytes, Channel, Connection, Error, Incoming, Outgoing, Server, Service,
};
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio::task::JoinSet;

/// A struct of one `binary` field with id `ID`: the args `{1: binary}` and the result
/// `{0: binary}`.
struct Blob<const ID: i16>(Bytes);

impl<const ID: i16> Value for Blob<ID> {
    const TTYPE: TType = TType::Struct;
    fn write<W: Writer>(&self, w: &mut W) {
        w.write_struct_begin();
        w.write_field_begin(TType::String, ID);
        w.write_binary(&self.0);
        w.write_field_end();
        w.write_field_stop();
        w.write_struct_end();
    }
    fn read<R: Reader>(r: &mut R) -> Result<Self, ProtocolError> {
        let mut value = Bytes::new();
        r.read_struct_begin()?;
        while let Some((ty, id)) = r.read_field_begin()? {
            match (id, ty) {
                (i, TType::String) if i == ID => value = r.read_binary()?,
                _ => r.skip(ty)?,
            }
            r.read_field_end()?;
        }
        r.read_struct_end()?;
        Ok(Self(value))
    }
}

/// `echo(blob)` answers its blob; served by both sides.
struct Echo;

impl Service for Echo {
    async fn call(&self, call: Incoming) -> Option<Outgoing> {
        match call.method() {
            "echo" => {
                call.run(|Blob::<1>(blob)| async move { Ok(Blob::<0>(blob)) })
                    .await
            }
            _ => call.unknown_method(),
        }
    }
    fn name(&self) -> &'static str {
        "Echo"
    }
    fn callback(&self) -> Option<&'static str> {
        Some("Echo")
    }
}

const CALLS: usize = 200;
const SIZE: usize = 256 << 10;
const BOUND: Duration = Duration::from_secs(60);

/// Makes `CALLS` concurrent echo calls of `SIZE` bytes over `channel`, each retried while it
/// is refused as overloaded; how many were refused along the way.
async fn flood(channel: Channel) -> usize {
    let mut calls = JoinSet::new();
    for i in 0..CALLS {
        let channel = channel.clone();
        calls.spawn(async move {
            let blob = Bytes::from(vec![u8::try_from(i % 251).unwrap(); SIZE]);
            let mut refused = 0;
            loop {
                match channel
                    .call::<_, Blob<0>>("echo", Blob::<1>(blob.clone()))
                    .await
                {
                    Ok(Blob(echoed)) => {
                        assert!(echoed == blob, "the answer is the blob sent");
                        return refused;
                    }
                    Err(Error::Application(e)) if e.kind == ApplicationErrorKind::Loadshedding => {
                        assert_eq!(e.message, "overloaded");
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err(e) => panic!("call {i} failed: {e}"),
                }
            }
        });
    }
    let mut refused = 0;
    while let Some(call) = calls.join_next().await {
        refused += call.unwrap();
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_flooding_each_other_with_calls_both_get_every_answer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connected, mut to_client) = tokio::sync::mpsc::unbounded_channel();
    let connected = Arc::new(Mutex::new(connected));
    let make = move |connection: &Connection| {
        let _ = connected.try_lock().unwrap().send(connection.callbacks());
        Echo
    };
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));
    let to_server = Channel::builder()
        .callbacks(Echo)
        .call_timeout(BOUND)
        .connect(addr)
        .await
        .unwrap();
    let to_client = to_client.recv().await.unwrap().with_call_timeout(BOUND);

    let both = async { tokio::join!(flood(to_server), flood(to_client)) };
    let (refused_by_server, refused_by_client) = tokio::time::timeout(BOUND, both)
        .await
        .expect("both floods were answered in time");
    println!(
        "{CALLS} calls of {} KiB each way: refused and retried {refused_by_server} times by the \
         server, {refused_by_client} times by the client",
        SIZE >> 10
    );
}
