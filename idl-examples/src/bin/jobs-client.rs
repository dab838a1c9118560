//! A jobs client with callbacks, for trying a jobs server (ours, or another implementation of
//! the bidirectional rules): `jobs-client --port N [--host H] [--transport framed|buffered]
//! [--protocol binary|compact] [--tls-ca PEM]` (TLS, trusting the CA in PEM). It checks, and exits 1 on the first that fails:
//!
//! - a checksum of 1 MiB the server pulls from it through two-way callbacks mid-call, with
//!   the progress the server pushes arriving in order;
//! - a job on an input it does not have: its `NoSuchInput` goes to the server, whose
//!   `JobFailed` comes back;
//! - 50 jobs at once on the one connection.
//!
//! With `--expect-disconnect` it checks only that a job whose input stalls fails with
//! `Disconnected` when the server goes away in the middle of the callback.

use std::collections::HashMap;
use std::process::ExitCode;

use idl_examples::jobs::{JobSource, JobSourceChunkError, JobsChecksumError, JobsClient};
use idl_examples::work::{checksum, sample, Inputs};
use thrift_bidi::{Bytes, Callbacks};

const USAGE: &str = "jobs-client --port N [--host H] [--transport framed|buffered] \
                     [--protocol binary|compact] [--tls-ca PEM] [--expect-disconnect]";

const JOBS: usize = 50;

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    match run().await {
        Ok(()) => {
            println!("jobs-client: all checks passed");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("jobs-client: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let (args, host, port) = idl_examples::cli::endpoint("jobs-client", USAGE)?;
    let (transport, protocol) = idl_examples::cli::codec(&args)?;
    let mut files = HashMap::from([("data.bin".to_owned(), sample(1 << 20))]);
    for i in 0..JOBS {
        files.insert(format!("small-{i}"), sample(1000 + i));
    }
    let expected: HashMap<String, i64> = files
        .iter()
        .map(|(name, data)| (name.clone(), checksum(data)))
        .collect();
    let inputs = Inputs::new(files, false);
    let builder = JobsClient::builder(Stalling(inputs.clone()));
    let mut builder = builder.transport(transport).protocol(protocol);
    if let Some(ca) = idl_examples::cli::option(&args, "--tls-ca") {
        let tls = thrift_bidi::ClientTls::ca_file(&ca).map_err(|e| format!("{ca}: {e}"))?;
        builder = builder.tls(tls);
    }
    let channel = builder
        .connect((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    if channel.callbacks_ready().await != Callbacks::Available {
        return Err("the server does not call back".into());
    }
    let jobs = JobsClient::new(channel);
    if idl_examples::cli::flag(&args, "--expect-disconnect") {
        return match jobs.checksum(STALL.into()).await {
            Err(JobsChecksumError::Rpc(thrift_bidi::Error::Disconnected)) => Ok(()),
            other => Err(format!(
                "{STALL}: expected the server to vanish, got {other:?}"
            )),
        };
    }

    let sum = jobs.checksum("data.bin".into()).await;
    check(sum, expected["data.bin"], "data.bin")?;
    let progress: Vec<i64> = inputs
        .pushed()
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    let chunks: Vec<i64> = (1..=16).map(|i| i * (64 << 10)).collect();
    if progress != chunks {
        return Err(format!("progress out of order or missing: {progress:?}"));
    }

    match jobs.checksum("missing.bin".into()).await {
        Err(JobsChecksumError::Failed(failed)) if failed.name == "missing.bin" => {}
        other => return Err(format!("missing.bin: expected JobFailed, got {other:?}")),
    }

    let mut running = Vec::new();
    for i in 0..JOBS {
        let jobs = jobs.clone();
        let name = format!("small-{i}");
        running.push(tokio::spawn(async move {
            let sum = jobs.checksum(name.clone()).await;
            (name, sum)
        }));
    }
    for job in running {
        let (name, sum) = job.await.map_err(|e| format!("a job panicked: {e}"))?;
        check(sum, expected[&name], &name)?;
    }
    Ok(())
}

fn check(sum: Result<i64, JobsChecksumError>, expected: i64, name: &str) -> Result<(), String> {
    match sum {
        Ok(sum) if sum == expected => Ok(()),
        other => Err(format!("{name}: expected {expected:#x}, got {other:?}")),
    }
}

/// The input whose chunks never come: the server is to vanish while it waits for one.
const STALL: &str = "stall.bin";

/// The inputs, with [`STALL`] stalling.
struct Stalling(Inputs);

impl JobSource for Stalling {
    async fn chunk(&self, name: String, index: i32) -> Result<Bytes, JobSourceChunkError> {
        if name == STALL {
            std::future::pending::<()>().await;
        }
        self.0.chunk(name, index).await
    }

    async fn progress(&self, name: String, bytes: i64) -> Result<(), thrift_bidi::Error> {
        self.0.progress(name, bytes).await
    }
}
