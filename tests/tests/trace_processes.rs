//! W3C trace context across processes: a desk server and its approving client run as separate
//! `trace-peer` processes over THeader, each writing the trace its handlers received. A call,
//! the callback the server makes while serving it, and the callback's call back into the
//! server carry one trace id, each naming the span of the call that caused it as its parent.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use thrift_bidi_tests::peers;

/// The traces written to `file`: `(what, trace id, span id, parent id)`.
fn read(file: &PathBuf) -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t').map(str::to_owned);
            Some((
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            ))
        })
        .collect()
}

#[test]
fn a_call_its_callback_and_its_nested_call_share_one_trace_across_processes() {
    let dir = std::env::temp_dir();
    let pid = std::process::id();
    let (server_file, client_file) = (
        dir.join(format!("thrift-bidi-traces-{pid}-server")),
        dir.join(format!("thrift-bidi-traces-{pid}-client")),
    );
    let peer = env!("CARGO_BIN_EXE_trace-peer");
    let mut server = Command::new(peer);
    server.arg("server").arg("--traces").arg(&server_file);
    let server = peers::start_server(server, Duration::from_secs(30)).expect("the server starts");
    let mut client = Command::new(peer);
    client
        .args(["client", "--port", &server.address])
        .arg("--traces")
        .arg(&client_file);
    let finished = peers::run_client(client, Duration::from_secs(30));
    assert_eq!(finished.code, Some(0), "{}", finished.stderr);
    // The server writes what it recorded within 10 ms; "submit inner" came before the
    // client's last answer, so its line is there by now or soon.
    let mut on_server = Vec::new();
    for _ in 0..200 {
        on_server = read(&server_file);
        if on_server.len() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(server);
    let on_client = read(&client_file);
    let _ = std::fs::remove_file(&server_file);
    let _ = std::fs::remove_file(&client_file);
    let find = |seen: &[(String, String, String, String)], what: &str| {
        seen.iter()
            .find(|line| line.0 == what)
            .cloned()
            .unwrap_or_else(|| panic!("{what} in {seen:?}"))
    };
    let outer = find(&on_server, "submit outer");
    let approve = find(&on_client, "approve outer");
    let inner = find(&on_server, "submit inner");
    assert_eq!(approve.1, outer.1, "the callback's trace id");
    assert_eq!(inner.1, outer.1, "the nested call's trace id");
    assert_eq!(
        approve.3, outer.2,
        "the callback's parent is the call's span"
    );
    assert_eq!(
        inner.3, approve.2,
        "the nested call's parent is the callback's span"
    );
    let again = find(&on_server, "submit again");
    assert_ne!(again.1, outer.1, "another call, another trace");
}
