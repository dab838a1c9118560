//! The second bidirectional example: a job server that pulls its input from the client while
//! the client's call is running. The client asks for a checksum of its 1 MiB input; the
//! server's handler calls the client back for each 64 KiB chunk (a two-way callback in the
//! middle of the call) and pushes its progress (oneway), then answers.

use std::collections::HashMap;

use idl_examples::jobs::{JobsChecksumError, JobsClient};
use idl_examples::work::{checksum, sample, Inputs, Worker};
use thrift_bidi::Server;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    idl_examples::cli::log_to_stderr();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let make = |connection: &thrift_bidi::Connection| Worker::serve(connection, true);
    tokio::spawn(Server::builder().serve_with(listener, make, std::future::pending()));

    let data = sample(1 << 20);
    let expected = checksum(&data);
    let inputs = Inputs::new(HashMap::from([("data.bin".to_owned(), data)]), true);
    let channel = JobsClient::builder(inputs).connect(addr).await?;
    let jobs = JobsClient::new(channel);

    println!("[client] -> checksum(\"data.bin\")");
    let sum = jobs.checksum("data.bin".to_owned()).await?;
    println!("[client] <- {sum:#018x} (computed locally: {expected:#018x})");
    if sum != expected {
        return Err("the checksums differ".into());
    }
    println!("[client] -> checksum(\"missing.bin\")");
    match jobs.checksum("missing.bin".to_owned()).await {
        Err(JobsChecksumError::Failed(e)) => println!("[client] <- JobFailed: {}", e.why),
        other => return Err(format!("expected JobFailed, got {other:?}").into()),
    }
    println!("done");
    Ok(())
}
