//! What TLS, THeader, zlib and HTTP cost, in the same run: our client and server
//! (multi-thread runtime) on framed binary over plain TCP, and on the same with TLS (the test
//! PKI), THeader, THeader with its zlib transform, the zlib transport, and HTTP (binary
//! bodies, the client's default pool of 4 kept-alive connections); sequential `add` and
//! `echo_batch` p50, and `add` throughput from 16 callers on one channel, each as a ratio to
//! plain framed binary.

use thrift_bidi::{ClientTls, Codec, Server, ServerHttp, ServerTls, Transport};
use thrift_bidi_tests::cert;

use crate::our_stack::{
    ours_sequential_add, ours_sequential_batch, ours_throughput, serve_ours, Endpoint,
};
use crate::{median_of, percentile, ratio, us, Ours, ROUNDS};

/// One way of connecting: its name, and its server's and client's settings.
struct Setting {
    name: &'static str,
    codec: Codec,
    tls: bool,
    http: bool,
}

fn settings() -> [Setting; 6] {
    let codec = |transport, zlib, header_zlib| Codec {
        transport,
        zlib,
        header_zlib,
        ..Codec::default()
    };
    let setting = |name, codec, tls| Setting {
        name,
        codec,
        tls,
        http: false,
    };
    [
        setting(
            "framed binary",
            codec(Transport::Framed, false, false),
            false,
        ),
        setting(
            "framed binary, TLS",
            codec(Transport::Framed, false, false),
            true,
        ),
        setting(
            "THeader binary",
            codec(Transport::Header, false, false),
            false,
        ),
        setting(
            "THeader, zlib transform",
            codec(Transport::Header, false, true),
            false,
        ),
        setting(
            "framed, zlib transport",
            codec(Transport::Framed, true, false),
            false,
        ),
        Setting {
            http: true,
            ..setting("HTTP binary", Codec::default(), false)
        },
    ]
}

/// Runs the comparison: `adds` and `batches` sequential calls a round.
pub(crate) fn run(adds: usize, batches: usize, period: std::time::Duration) {
    let stack = Ours::start("ours", false);
    let settings = settings();
    let endpoints: Vec<Endpoint> = settings
        .iter()
        .map(|setting| {
            let mut server = Server::builder().codec(setting.codec);
            if setting.http {
                server = server.http(ServerHttp::new());
            }
            let mut tls = None;
            if setting.tls {
                let certificate = ServerTls::from_pem_files(cert("server.pem"), cert("server.key"));
                server = server.tls(certificate.expect("the test certificate"));
                tls = Some(ClientTls::ca_file(cert("ca.pem")).expect("the test CA"));
            }
            Endpoint {
                addr: serve_ours(false, server),
                codec: setting.codec,
                tls,
                http: setting.http,
            }
        })
        .collect();
    let mut add_times = vec![Vec::new(); settings.len()];
    let mut batch_times = vec![Vec::new(); settings.len()];
    for _ in 0..ROUNDS {
        for (i, endpoint) in endpoints.iter().enumerate() {
            add_times[i].extend(stack.run(ours_sequential_add(endpoint.clone(), adds)));
            batch_times[i].extend(stack.run(ours_sequential_batch(endpoint.clone(), batches)));
        }
    }
    let throughput: Vec<f64> = endpoints
        .iter()
        .map(|endpoint| {
            median_of(|| stack.run(ours_throughput(endpoint.clone(), 16, true, period)))
        })
        .collect();
    println!(
        "\ntransports (ours, multi-thread; ratio to framed binary)   add p50        echo_batch p50   add calls/s, 16 callers shared"
    );
    let base = (
        percentile(&add_times[0], 50),
        percentile(&batch_times[0], 50),
        throughput[0],
    );
    for (i, setting) in settings.iter().enumerate() {
        let (add, batch) = (
            percentile(&add_times[i], 50),
            percentile(&batch_times[i], 50),
        );
        println!(
            "  {:<32} {:>10} {:>5.2}x {:>10} {:>5.2}x {:>10.0} {:>5.2}x",
            setting.name,
            us(add),
            ratio(add, base.0),
            us(batch),
            ratio(batch, base.1),
            throughput[i],
            throughput[i] / base.2,
        );
    }
}
