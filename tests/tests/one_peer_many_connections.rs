//! One peer cannot take every connection slot of a server running in a process of its own
//! (`cross-server`, with the default limits): 10,050 connections from 127.0.0.1, more than
//! the server's 10,000 slots, each sending a oneway every 2 seconds so that an idle timeout
//! alone would not free them, leave a client from 127.0.0.2 served within a second.
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::process::Command;
use std::time::Duration;

use thrift_bidi::Channel;
use thrift_bidi_tests::generated::default::thrift_test::ThriftTestClient;
use thrift_bidi_tests::peers;
use thrift_bidi_tests::raw::{binary_message, framed, i32_args, ONEWAY};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

const FLOOD: usize = 10_050;

/// Sends `oneway` on every stream, dropping those the server has closed; how many are left.
async fn round(streams: &mut Vec<TcpStream>, oneway: &[u8]) -> usize {
    let mut open = Vec::with_capacity(streams.len());
    for mut stream in streams.drain(..) {
        if timeout(Duration::from_secs(1), stream.write_all(oneway))
            .await
            .is_ok_and(|w| w.is_ok())
        {
            open.push(stream);
        }
    }
    *streams = open;
    streams.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_connections_from_one_address_leave_room_for_another() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cross-server"));
    command.args([
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--transport",
        "framed",
    ]);
    let server = peers::start_server(command, Duration::from_secs(30)).unwrap();
    let port: u16 = server.address.rsplit(':').next().unwrap().parse().unwrap();

    let mut streams = Vec::new();
    for _ in 0..FLOOD {
        match timeout(
            Duration::from_secs(2),
            TcpStream::connect(("127.0.0.1", port)),
        )
        .await
        {
            Ok(Ok(stream)) => streams.push(stream),
            _ => break,
        }
    }
    let connected = streams.len();
    let oneway = framed(&binary_message(ONEWAY, "testOneway", 1, &i32_args(0)));
    // Two rounds: writing to a connection the server closed fails by the second.
    round(&mut streams, &oneway).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let open = round(&mut streams, &oneway).await;
    let flood = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            round(&mut streams, &oneway).await;
        }
    });

    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(([127, 0, 0, 2], 0).into()).unwrap();
    let answer = timeout(Duration::from_secs(1), async {
        let stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let client = ThriftTestClient::new(Channel::builder().over(stream));
        client
            .test_string("from 127.0.0.2".to_owned())
            .await
            .unwrap()
    })
    .await;
    flood.abort();
    println!("{connected} connections from 127.0.0.1, {open} kept open by the server");
    assert_eq!(answer.expect("served within a second"), "from 127.0.0.2");
    assert!(open <= 256, "{open} connections from one address kept open");
}
