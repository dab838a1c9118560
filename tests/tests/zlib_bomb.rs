//! A zlib bomb costs a server no more memory than its frame limit: a frame header claiming
//! just under the limit, then 256 MiB of zeros compressed to a few hundred KiB, sent to a
//! server with a 1 MiB frame limit whose process may allocate only 8 MiB more than it had
//! (reaching the cap aborts the test binary, failing the test). The connection is closed,
//! and the server goes on serving zlib clients. One test, so nothing else allocates meanwhile.

#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::time::Duration;

use cap::Cap;
use flate2::{Compress, Compression, FlushCompress};
use thrift_bidi::{Codec, Server};
use thrift_bidi_tests::worker::{serve, Handler};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

const MAX_FRAME: usize = 1 << 20;
const BOMB: usize = 256 << 20;
const HEADROOM: usize = 8 << 20;

/// A zlib stream of a frame header claiming `MAX_FRAME - 1` bytes, then `BOMB` zeros.
fn bomb() -> Vec<u8> {
    let mut compress = Compress::new(Compression::best(), true);
    let mut out = Vec::with_capacity(1 << 20);
    let claim = u32::try_from(MAX_FRAME - 1).unwrap().to_be_bytes();
    compress
        .compress_vec(&claim, &mut out, FlushCompress::None)
        .unwrap();
    let zeros = vec![0; 1 << 20];
    for _ in 0..BOMB >> 20 {
        compress
            .compress_vec(&zeros, &mut out, FlushCompress::None)
            .unwrap();
        out.reserve(1 << 16);
    }
    compress
        .compress_vec(&[], &mut out, FlushCompress::Sync)
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zlib_bomb_is_refused_within_the_frame_limit() {
    let codec = Codec {
        zlib: true,
        max_frame: MAX_FRAME,
        ..Codec::default()
    };
    let (handler, _notes) = Handler::new();
    let running = serve(Server::builder().codec(codec), handler, false).await;
    running.still_serves_with(codec).await;
    let bomb = bomb();
    assert!(bomb.len() < BOMB / 200, "{} bytes", bomb.len());
    let mut stream = TcpStream::connect(running.tcp()).await.unwrap();

    ALLOCATOR
        .set_limit(ALLOCATOR.allocated() + HEADROOM)
        .expect("the limit is above what is allocated");
    // The server may close the connection before it has all: a failed write is fine.
    let _ = stream.write_all(&bomb).await;
    let mut answer = Vec::new();
    let closed =
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    ALLOCATOR.set_limit(usize::MAX).expect("no limit");

    assert!(closed.is_ok(), "the server closes the connection in time");
    assert!(answer.is_empty(), "nothing answered");
    running.still_serves_with(codec).await;
}
