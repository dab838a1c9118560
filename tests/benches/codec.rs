//! Codec benchmark on the standard payload (`../shared/bench/PAYLOAD.md`, a batch of 100
//! items): encode into a reused buffer and decode from memory, binary and compact, ours (in
//! the default configuration and in the fast one) and Apache's generated code in the same run;
//! and ours in JSON (which Apache's Rust does not have), to compare with binary.
//! Divan reports time per batch, bytes/s and items/s; `scripts/bench-codec.sh` adds the table
//! of ns/item and ratios to Apache.

use bytes::{Bytes, BytesMut};
use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TSerializable,
};
use thrift_bidi::protocol::Protocol;
use thrift_bidi::value::Value;
use thrift_bidi_tests::generated::apache::bench as apache;
use thrift_bidi_tests::payload;

fn main() {
    // One batch per sample, so each decoded batch is dropped before the next is decoded, as
    // a server would; many samples, so the medians hold still on these shared machines.
    divan::Divan::from_args()
        .sample_size(1)
        .sample_count(1000)
        .main();
}

const PROTOCOLS: [Protocol; 2] = [Protocol::Binary, Protocol::Compact];
const WITH_JSON: [Protocol; 3] = [Protocol::Binary, Protocol::Compact, Protocol::Json];

/// Encodes `value` into a reused buffer.
fn encode<T: Value>(bencher: Bencher, protocol: Protocol, value: &T) {
    let mut buf = BytesMut::with_capacity(32 << 10);
    bencher
        .counter(ItemsCount::new(payload::ITEMS))
        .counter(BytesCount::new(protocol.to_bytes(value).len()))
        .bench_local(|| {
            buf.clear();
            protocol.encode(divan::black_box(value), &mut buf);
        });
}

/// Decodes the encoding of `value`.
fn decode<T: Value>(bencher: Bencher, protocol: Protocol, value: &T) {
    let bytes = protocol.to_bytes(value);
    bencher
        .counter(ItemsCount::new(payload::ITEMS))
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| protocol.decode::<T>(divan::black_box(bytes.clone())));
}

#[divan::bench(args = WITH_JSON)]
fn ours_encode(bencher: Bencher, protocol: Protocol) {
    encode(bencher, protocol, &payload::ours());
}

#[divan::bench(args = WITH_JSON)]
fn ours_decode(bencher: Bencher, protocol: Protocol) {
    decode(bencher, protocol, &payload::ours());
}

/// With `ByteString` strings and foldhash maps.
#[divan::bench(args = PROTOCOLS)]
fn fast_encode(bencher: Bencher, protocol: Protocol) {
    encode(bencher, protocol, &payload::fast());
}

/// With `ByteString` strings and foldhash maps.
#[divan::bench(args = PROTOCOLS)]
fn fast_decode(bencher: Bencher, protocol: Protocol) {
    decode(bencher, protocol, &payload::fast());
}

#[divan::bench(args = PROTOCOLS)]
fn apache_encode(bencher: Bencher, protocol: Protocol) {
    let batch = payload::apache();
    let mut buf: Vec<u8> = Vec::with_capacity(32 << 10);
    bencher
        .counter(ItemsCount::new(payload::ITEMS))
        .counter(BytesCount::new(protocol.to_bytes(&payload::ours()).len()))
        .bench_local(|| {
            buf.clear();
            let batch = divan::black_box(&batch);
            match protocol {
                Protocol::Binary => {
                    batch.write_to_out_protocol(&mut TBinaryOutputProtocol::new(&mut buf, true))
                }
                Protocol::Compact => {
                    batch.write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut buf))
                }
                Protocol::Json => unreachable!("not among PROTOCOLS"),
            }
            .expect("encodes");
        });
}

#[divan::bench(args = PROTOCOLS)]
fn apache_decode(bencher: Bencher, protocol: Protocol) {
    let bytes: Bytes = protocol.to_bytes(&payload::ours());
    bencher
        .counter(ItemsCount::new(payload::ITEMS))
        .counter(BytesCount::new(bytes.len()))
        .bench_local(|| {
            let input = divan::black_box(&bytes[..]);
            match protocol {
                Protocol::Binary => apache::Batch::read_from_in_protocol(
                    &mut TBinaryInputProtocol::new(input, true),
                ),
                Protocol::Compact => {
                    apache::Batch::read_from_in_protocol(&mut TCompactInputProtocol::new(input))
                }
                Protocol::Json => unreachable!("not among PROTOCOLS"),
            }
            .expect("decodes")
        });
}
