//! Apache Thrift's cross-test client over `ThriftTest.thrift` (see the README): calls every
//! method, checks the answers, and exits with the failure bits of Apache's `test/README.md`
//! (1 base types, 2 structs, 4 containers, 8 exceptions, 64 unknown, 128 timeout).

use std::process::ExitCode;

use thrift_bidi_tests::cross::checks::UNKNOWN;
use thrift_bidi_tests::cross::options::{Options, ParseError, USAGE};

#[tokio::main]
async fn main() -> ExitCode {
    idl_examples::cli::log_to_stderr();
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(ParseError::Help) => {
            println!("cross-client: calls every ThriftTest method and checks the answers\n{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ParseError::Invalid(message)) => {
            eprintln!("cross-client: {message}");
            return ExitCode::from(UNKNOWN);
        }
    };
    let report = thrift_bidi_tests::cross::run_client(&options).await;
    for failure in &report.failures {
        eprintln!("cross-client: FAILED {failure}");
    }
    if report.code == 0 {
        println!("cross-client: all checks passed ({} runs)", options.loops);
    }
    ExitCode::from(report.code)
}
