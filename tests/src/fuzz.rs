//! What the fuzz targets (`fuzz/fuzz_targets/`) run, and the replay tests with them: each
//! function takes any bytes and checks properties that must hold for every input, panicking
//! when one does not.
//!
//! - [`message`]: the message decoders (binary and compact) into generated types: a value
//!   decoded re-encodes to bytes that decode to the same bytes again.
//! - [`json`]: the same for the JSON protocol (a target of its own, whose corpus is text).
//! - [`frames`]: the message readers of every transport: reading the input in pieces finds
//!   the same messages, and the same end, as reading it at once; and reading it compressed
//!   with zlib finds the same as reading it plain (and reading it as if it were compressed
//!   never panics).
//! - [`http`]: an HTTP server connection fed the input as a request stream: it answers
//!   (never a panic or a hang) alike whether the input comes at once or in pieces (up to
//!   hyper's last word on a request the end of the stream cut short), with well-formed
//!   responses, no more than the requests (and hyper's answer to what is no request), each
//!   with a status the server or hyper gives.
//! - [`idl`]: the IDL front end: diagnostics, never a panic, with spans inside their files.

use std::path::Path;

use thrift_bidi::__fuzz::read_messages;
use thrift_bidi::protocol::{Limits, Protocol};
use thrift_bidi::value::Value;
use thrift_bidi::{Bytes, Transport};
use thrift_bidi_build::{check_roots, Root};

use crate::generated::{default, oracle};

/// Decodes `data` as a message and as bare values, in both protocols, into generated types.
///
/// # Panics
/// When a property does not hold.
pub fn message(data: &[u8]) {
    let data = Bytes::copy_from_slice(data);
    for protocol in [Protocol::Binary, Protocol::Compact] {
        decode_all(protocol, &data);
    }
}

/// Decodes `data` as a JSON message and as bare JSON values into generated types.
///
/// # Panics
/// When a property does not hold.
pub fn json(data: &[u8]) {
    decode_all(Protocol::Json, &Bytes::copy_from_slice(data));
}

/// A message header, then args of each kind of type, then bare values.
fn decode_all(protocol: Protocol, data: &Bytes) {
    if let Ok(header) = protocol.decode_message_header(data.clone(), Limits::default()) {
        assert!(
            header.name.len() <= data.len(),
            "a name longer than the input"
        );
    }
    let _ =
        protocol.decode_message::<oracle::thrift_test::Insanity>(data.clone(), Limits::default());
    round_trip::<oracle::thrift_test::Insanity>(protocol, data);
    round_trip::<oracle::thrift_test::CrazyNesting>(protocol, data);
    round_trip::<oracle::bench::Batch>(protocol, data);
    round_trip::<oracle::everything::Everything>(protocol, data);
    let _ = protocol.decode::<default::recursive::Tree>(data.clone());
    let _ = protocol.decode::<default::recursive::Expr>(data.clone());
    let _ = protocol.decode::<default::bench::Batch>(data.clone());
}

/// If `data` decodes as a `T`, its encoding decodes to a value that encodes the same.
fn round_trip<T: Value>(protocol: Protocol, data: &Bytes) {
    let Ok(value) = protocol.decode::<T>(data.clone()) else {
        return;
    };
    let encoded = protocol.to_bytes(&value);
    let again: T = protocol
        .decode(encoded.clone())
        .expect("our own encoding decodes");
    assert_eq!(
        protocol.to_bytes(&again),
        encoded,
        "a round trip changed the value"
    );
}

/// Reads `data` as a stream of messages with each transport and protocol, at once and in the
/// pieces its first bytes choose.
///
/// # Panics
/// When a property does not hold.
pub fn frames(data: &[u8]) {
    let (choice, data) = data.split_at(data.len().min(4));
    let pieces: Vec<usize> = choice.iter().map(|&b| usize::from(b % 32) + 1).collect();
    let compressed = zlib_stream(data);
    for transport in [Transport::Framed, Transport::Buffered, Transport::Header] {
        for protocol in [Protocol::Binary, Protocol::Compact, Protocol::Json] {
            let whole = read_messages(transport, protocol, false, data, &[]);
            let trickled = read_messages(transport, protocol, false, data, &pieces);
            assert_eq!(
                whole, trickled,
                "{transport:?} {protocol:?} in pieces {pieces:?}"
            );
            let read: usize = whole.0.iter().map(Bytes::len).sum();
            // THeader's zlib transform is the one way to more message bytes than input.
            assert!(
                read <= data.len() || transport == Transport::Header,
                "more message bytes than input"
            );
            let inflated = read_messages(transport, protocol, true, &compressed, &pieces);
            assert_eq!(inflated, whole, "{transport:?} {protocol:?} through zlib");
            let garbage = read_messages(transport, protocol, true, data, &[]);
            assert_eq!(
                garbage,
                read_messages(transport, protocol, true, data, &pieces),
                "{transport:?} {protocol:?} as zlib in pieces {pieces:?}"
            );
        }
    }
}

/// `data` as Apache's zlib transport sends it: one zlib stream, sync-flushed.
fn zlib_stream(data: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut compress = Compress::new(Compression::best(), true);
    let mut out = Vec::with_capacity(data.len() * 2 + 64);
    compress
        .compress_vec(data, &mut out, FlushCompress::Sync)
        .expect("compresses");
    out
}

/// Sends `data` to an HTTP server connection, at once and in the pieces its first bytes
/// choose.
///
/// # Panics
/// When a property does not hold.
pub fn http(data: &[u8]) {
    let (choice, data) = data.split_at(data.len().min(2));
    let pieces: Vec<usize> = choice.iter().map(|&b| usize::from(b) * 8 + 1).collect();
    let exchange = |pieces: &[usize]| {
        let out = thrift_bidi::__fuzz::http_exchange(data, pieces).expect("the server finishes");
        // The one part of a response that depends on the time.
        let text = String::from_utf8_lossy(&out).into_owned();
        let lines = text
            .split("\r\n")
            .filter(|line| !line.starts_with("date: "));
        lines.collect::<Vec<_>>().join("\r\n")
    };
    let (whole, trickled) = (exchange(&[]), exchange(&pieces));
    // hyper's own answer to a malformed request cut short by the end of the stream depends on
    // when the end is seen; every answer before it is the same.
    assert!(
        whole.starts_with(&trickled) || trickled.starts_with(&whole),
        "in pieces {pieces:?}: {whole:?} then {trickled:?}"
    );
    let requests = data.windows(4).filter(|w| *w == b"\r\n\r\n").count();
    for text in [whole, trickled] {
        well_formed(&text, requests);
    }
}

/// The status of a status line (an HTTP/1.0 request gets an HTTP/1.0 response).
fn status_line(line: &str) -> Option<&str> {
    let line = line.strip_prefix("HTTP/1.")?;
    line.strip_prefix("1 ").or_else(|| line.strip_prefix("0 "))
}

/// `text` is the server's responses to `requests` requests (as counted by their heads' ends):
/// one for each at most, and one more (hyper's answer to bytes that are no request), each
/// with a status the server or hyper gives.
fn well_formed(text: &str, requests: usize) {
    assert!(
        text.is_empty() || status_line(text).is_some(),
        "not an HTTP response: {text:?}"
    );
    let statuses: Vec<&str> = text.split("\r\n").filter_map(status_line).collect();
    assert!(
        statuses.len() <= requests + 1,
        "more responses than requests: {text:?}"
    );
    for status in statuses {
        let code = status.get(..3).unwrap_or_default();
        let known = [
            "200", "400", "404", "405", "408", "413", "415", "431", "500", "501", "505",
        ];
        assert!(known.contains(&code), "an unexpected status {status:?}");
    }
}

/// Runs the front end on `data` as an IDL file.
///
/// # Panics
/// When a span it reports is not inside its file.
pub fn idl(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    assert_well_formed(Path::new("fuzz.thrift"), text);
}

/// Runs the front end on `text` as if it were the file at `path`, and checks that every span
/// it reports lies inside its file, on character boundaries, and that the diagnostics render.
///
/// # Panics
/// When a span does not.
pub fn assert_well_formed(path: &Path, text: String) {
    let root = Root::Text {
        path: path.to_owned(),
        text,
    };
    let checked = check_roots(&[root], &[]);
    for diagnostic in &checked.diagnostics {
        for label in &diagnostic.labels {
            let file = checked.sources.get(label.span.file).text();
            let (start, end) = (label.span.start, label.span.end);
            assert!(
                start <= end && end <= file.len(),
                "span {start}..{end} outside a {}-byte file: {diagnostic:?}",
                file.len()
            );
            assert!(
                file.is_char_boundary(start) && file.is_char_boundary(end),
                "span {start}..{end} splits a character"
            );
        }
    }
    let _ = checked.render(false);
}
