//! The chat server: `chat-server --port N [--host H] [--cluster URL [--node NAME]]`. Serves
//! until SIGINT or SIGTERM, then drains: it tells its members to move, stops accepting, lets
//! running calls finish, and says how many pushes it skipped (to members that were behind).
//! With `--cluster nats://HOST:PORT` or `redis://HOST:PORT`, its rooms span every chat server
//! on that broker, and users on any of them can be asked questions (`NAME`, unique among
//! them, defaults to `chat-PORT`).

use std::process::ExitCode;

use idl_examples::cli;
use idl_examples::hub::Hub;
use thrift_bidi_cluster::{Cluster, Options};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let usage = "chat-server --port N [--host H] [--cluster URL [--node NAME]]";
    let (args, host, port) = match cli::endpoint("chat-server", usage) {
        Ok(endpoint) => endpoint,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("chat-server: cannot listen on {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("chat-server: listening on {addr}");
    }
    let hub = match cli::option(&args, "--cluster") {
        None => Hub::new(),
        Some(url) => {
            let port = listener.local_addr().map_or(port, |a| a.port());
            let node = cli::option(&args, "--node").unwrap_or_else(|| format!("chat-{port}"));
            match Cluster::connect(&url, Options::new(node)).await {
                Ok(cluster) => idl_examples::relay::clustered(cluster),
                Err(e) => {
                    eprintln!("chat-server: cannot join the cluster at {url}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let draining = {
        let hub = hub.clone();
        async move {
            cli::stopping().await;
            hub.drain().await;
        }
    };
    let serving = hub.clone();
    Hub::server()
        .serve_with(
            listener,
            move |connection| serving.session(connection),
            draining,
        )
        .await;
    println!("chat-server: {} pushes skipped", hub.skipped());
    ExitCode::SUCCESS
}
