//! Example IDL compiled by `build.rs` with thrift-bidi, and the programs built on it: the
//! bidirectional chat (`chat-server`, `chat-client`, `chat-demo`), the jobs example
//! (`jobs-demo`, `jobs-server`, `jobs-client`) and the seed scenario (`mailbox-server`).

pub mod cli;
pub mod hub;
pub mod inbox;
pub mod printer;
pub mod relay;
pub mod work;

/// `idl/chat.thrift`: the chat service, its callback service and their types.
#[allow(missing_docs, clippy::pedantic)]
pub mod chat {
    thrift_bidi::include_idl!("chat");
}

/// `idl/jobs.thrift`: a job server that pulls its input from the client mid-call.
#[allow(missing_docs, clippy::pedantic)]
pub mod jobs {
    thrift_bidi::include_idl!("jobs");
}

/// `idl/mailbox.thrift`: the seed scenario, a long poll and requests on one connection.
#[allow(missing_docs, clippy::pedantic)]
pub mod mailbox {
    thrift_bidi::include_idl!("mailbox");
}
