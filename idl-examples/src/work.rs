//! Both sides of the jobs example (`idl/jobs.thrift`), which the demo, `jobs-server` and
//! `jobs-client` share: the server's [`Worker`] pulls a client's input chunk by chunk through
//! callbacks and pushes its progress; the client's [`Inputs`] serve the chunks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use thrift_bidi::{Bytes, Connection, Error};

use crate::jobs::{
    JobFailed, JobSource, JobSourceChunkError, JobSourceClient, Jobs, JobsChecksumError,
    JobsServer, NoSuchInput,
};

/// The size of the chunks a client serves.
pub const CHUNK: usize = 64 << 10;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// 64-bit FNV-1a of `bytes`, as an `i64`: the checksum a job computes.
pub fn checksum(bytes: &[u8]) -> i64 {
    let mut hash = FNV_OFFSET;
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// `len` bytes of sample input, the same every time.
pub fn sample(len: usize) -> Bytes {
    (0..len)
        .map(|i| {
            let i = u32::try_from(i % (1 << 31)).unwrap_or_default();
            (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]
        })
        .collect::<Vec<u8>>()
        .into()
}

/// The server's side of one connection: pulls input from that connection's client.
#[derive(Debug)]
pub struct Worker {
    source: JobSourceClient,
    verbose: bool,
}

impl Worker {
    /// The service for a new connection, calling its client back for input (printing each
    /// chunk pulled when `verbose`).
    pub fn serve(connection: &Connection, verbose: bool) -> JobsServer<Self> {
        Self::calling_back(connection.callbacks(), verbose)
    }

    /// The service calling its client back on `callbacks` (which may name the callback
    /// service, for a multiplexed connection).
    pub fn calling_back(callbacks: thrift_bidi::Channel, verbose: bool) -> JobsServer<Self> {
        JobsServer::new(Self {
            source: JobSourceClient::new(callbacks),
            verbose,
        })
    }
}

impl Jobs for Worker {
    async fn checksum(&self, name: String) -> Result<i64, JobsChecksumError> {
        let mut input = Vec::new();
        for index in 0.. {
            let chunk = match self.source.chunk(name.clone(), index).await {
                Ok(chunk) => chunk,
                Err(JobSourceChunkError::Missing(e)) => {
                    let why = format!("the client has no input {:?}", e.name);
                    return Err(JobsChecksumError::Failed(JobFailed { name, why }));
                }
                Err(JobSourceChunkError::Rpc(e)) => return Err(e.into()),
            };
            if chunk.is_empty() {
                break;
            }
            if self.verbose {
                println!(
                    "[server] pulled chunk {index} of {name} ({} bytes)",
                    chunk.len()
                );
            }
            input.extend_from_slice(&chunk);
            let done = i64::try_from(input.len()).unwrap_or(i64::MAX);
            self.source.progress(name.clone(), done).await?;
        }
        Ok(checksum(&input))
    }
}

/// A client's inputs, served chunk by chunk; the progress pushed to it, kept in order. Clones
/// share both.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    files: Arc<HashMap<String, Bytes>>,
    progress: Arc<Mutex<Vec<(String, i64)>>>,
    verbose: bool,
}

impl Inputs {
    /// Serving `files` (printing the progress pushed when `verbose`).
    pub fn new(files: HashMap<String, Bytes>, verbose: bool) -> Self {
        Self {
            files: Arc::new(files),
            progress: Arc::default(),
            verbose,
        }
    }

    /// The progress pushed so far, in the order it came.
    pub fn pushed(&self) -> Vec<(String, i64)> {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
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
        if self.verbose {
            println!("[client] progress of {name}: {bytes} bytes");
        }
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((name, bytes));
        Ok(())
    }
}
