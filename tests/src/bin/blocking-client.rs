//! A synchronous program with a plain `fn main`: calls the cross-test server's ThriftTest
//! service through the generated blocking client, and exits 0 if every answer is right.
//! `blocking-client --port N` (framed transport, binary protocol).

use std::process::ExitCode;

use thrift_bidi::BlockingClient as _;

use thrift_bidi_tests::generated::default::thrift_test::{
    ThriftTestBlockingClient, ThriftTestTestExceptionError, Xception,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let port = args
        .windows(2)
        .find(|pair| pair[0] == "--port")
        .and_then(|pair| pair[1].parse::<u16>().ok());
    let Some(port) = port else {
        eprintln!("usage: blocking-client --port N");
        return ExitCode::from(2);
    };
    match run(port) {
        Ok(()) => {
            println!("blocking-client: every call answered");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("blocking-client: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(port: u16) -> Result<(), String> {
    let client = ThriftTestBlockingClient::connect(("127.0.0.1", port))
        .map_err(|e| format!("cannot connect: {e}"))?;
    let echoed = client.test_string("blocking".to_owned());
    check("testString", echoed, |s| s == "blocking")?;
    check("testI64", client.test_i64(1 << 60), |n| *n == 1 << 60)?;
    client.test_void().map_err(|e| format!("testVoid: {e}"))?;
    match client.test_exception("Xception".to_owned()) {
        Err(ThriftTestTestExceptionError::Err1(Xception {
            error_code: 1001,
            message,
        })) if message == "Xception" => {}
        other => return Err(format!("testException: {other:?}")),
    }
    client
        .test_oneway(0)
        .map_err(|e| format!("testOneway: {e}"))?;
    // The connection still serves calls after the oneway.
    check("testString", client.test_string("again".to_owned()), |s| {
        s == "again"
    })
}

fn check<T: std::fmt::Debug, E: std::fmt::Display>(
    method: &str,
    answer: Result<T, E>,
    right: impl FnOnce(&T) -> bool,
) -> Result<(), String> {
    match answer {
        Ok(value) if right(&value) => Ok(()),
        Ok(value) => Err(format!("{method}: wrong answer {value:?}")),
        Err(e) => Err(format!("{method}: {e}")),
    }
}
