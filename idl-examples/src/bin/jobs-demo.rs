//! The second bidirectional example: a job server that pulls its input from the client while
//! the client's call is running. The client asks for a checksum of its 1 MiB input; the
//! server's handler calls the client back for each 64 KiB chunk (a two-way callback in the
//! middle of the call) and pushes its progress (oneway), then answers.

use std::collections::HashMap;

use idl_examples::jobs::{
    JobSource, JobSourceChunkError, JobSourceClient, Jobs, JobsClient, JobsServer, NoSuchInput,
};
use thrift_bidi::{Bytes, Connection, Error, Server};
use tokio::net::TcpListener;

const CHUNK: usize = 64 << 10;

/// 64-bit FNV-1a, as an `i64`.
fn fnv1a(bytes: impl IntoIterator<Item = u8>, mut hash: u64) -> u64 {
    for b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The server's side of one connection: pulls input from that connection's client.
struct Worker {
    source: JobSourceClient,
}

impl Jobs for Worker {
    async fn checksum(&self, name: String) -> Result<i64, Error> {
        let mut hash = FNV_OFFSET;
        let mut done = 0;
        for index in 0.. {
            let chunk = match self.source.chunk(name.clone(), index).await {
                Ok(chunk) => chunk,
                Err(JobSourceChunkError::Missing(e)) => {
                    return Err(Error::internal(format!(
                        "the client has no input {:?}",
                        e.name
                    )))
                }
                Err(JobSourceChunkError::Rpc(e)) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            println!(
                "[server] pulled chunk {index} of {name} ({} bytes)",
                chunk.len()
            );
            hash = fnv1a(chunk.iter().copied(), hash);
            done += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
            self.source.progress(name.clone(), done).await?;
        }
        Ok(i64::from_ne_bytes(hash.to_ne_bytes()))
    }
}

/// The client's inputs, served chunk by chunk.
struct Inputs {
    files: HashMap<String, Bytes>,
}

impl JobSource for Inputs {
    async fn chunk(&self, name: String, index: i32) -> Result<Bytes, JobSourceChunkError> {
        let Some(file) = self.files.get(&name) else {
            return Err(JobSourceChunkError::Missing(NoSuchInput { name }));
        };
        let start = usize::try_from(index)
            .unwrap_or(usize::MAX)
            .saturating_mul(CHUNK);
        let end = start.saturating_add(CHUNK).min(file.len());
        Ok(file.slice(start.min(end)..end))
    }

    async fn progress(&self, name: String, bytes: i64) -> Result<(), Error> {
        println!("[client] progress of {name}: {bytes} bytes");
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    idl_examples::cli::log_to_stderr();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let make = |connection: &Connection| {
        JobsServer::new(Worker {
            source: JobSourceClient::new(connection.callbacks()),
        })
    };
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));

    let data: Vec<u8> = (0..1_u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
        .collect();
    let expected = i64::from_ne_bytes(fnv1a(data.iter().copied(), FNV_OFFSET).to_ne_bytes());
    let inputs = Inputs {
        files: HashMap::from([("data.bin".to_owned(), Bytes::from(data))]),
    };
    let channel = JobsClient::builder(inputs).connect(addr).await?;
    let jobs = JobsClient::new(channel);

    println!("[client] -> checksum(\"data.bin\")");
    let checksum = jobs.checksum("data.bin".to_owned()).await?;
    println!("[client] <- {checksum:#018x} (computed locally: {expected:#018x})");
    if checksum != expected {
        return Err("the checksums differ".into());
    }
    println!("[client] -> checksum(\"missing.bin\")");
    match jobs.checksum("missing.bin".to_owned()).await {
        Err(e) => println!("[client] <- error: {e}"),
        Ok(sum) => return Err(format!("a checksum of nothing: {sum}").into()),
    }
    println!("done");
    Ok(())
}
