//! Hostile and broken input: a reader answers with an error — before allocating what the
//! peer merely claims, before recursing without end — and never panics.

use bytes::Bytes;
use proptest::prelude::*;
use thrift_bidi::protocol::binary::BinaryReader;
use thrift_bidi::protocol::compact::CompactReader;
use thrift_bidi::protocol::{Limits, ProtocolErrorKind, Reader, TType};

fn binary(bytes: &[u8]) -> BinaryReader {
    BinaryReader::new(Bytes::copy_from_slice(bytes), Limits::default())
}

#[test]
fn a_4_gib_string_claim_in_a_few_bytes_is_refused() {
    // length 0x7fff_ffff, then 3 bytes
    let err = binary(&[0x7f, 0xff, 0xff, 0xff, b'a', b'b', b'c'])
        .read_binary()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::SizeLimit);
    // Under the limit but more than the input holds: end of input, not an allocation.
    let limits = Limits {
        max_string_len: usize::MAX,
        ..Limits::default()
    };
    let err = BinaryReader::new(Bytes::from_static(&[0x7f, 0xff, 0xff, 0xff, b'a']), limits)
        .read_binary()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::UnexpectedEof);
}

#[test]
fn negative_lengths_are_refused() {
    let err = binary(&[0xff, 0xff, 0xff, 0xfe]).read_binary().unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::NegativeSize);
    let err = binary(&[TType::I32.code(), 0x80, 0, 0, 0])
        .read_list_begin()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::NegativeSize);
}

#[test]
fn container_counts_must_fit_in_the_remaining_bytes() {
    // A list claiming a million i64s with nothing after it: the input ends too soon.
    let err = binary(&[TType::I64.code(), 0x00, 0x0f, 0x42, 0x40])
        .read_list_begin()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::UnexpectedEof);
    let limits = Limits {
        max_container_len: 10,
        ..Limits::default()
    };
    let mut r = BinaryReader::new(
        Bytes::from(
            vec![TType::I8.code(), 0, 0, 0, 11]
                .into_iter()
                .chain([0; 11])
                .collect::<Vec<u8>>(),
        ),
        limits,
    );
    assert_eq!(
        r.read_list_begin().unwrap_err().kind(),
        ProtocolErrorKind::SizeLimit
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    // struct { 1: struct { 1: struct { … } } } nested 100 deep, skipped as unknown.
    let mut bytes = Vec::new();
    for _ in 0..100 {
        bytes.extend([TType::Struct.code(), 0, 1]);
    }
    bytes.extend(std::iter::repeat_n(0, 101));
    let err = binary(&bytes).skip(TType::Struct).unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::DepthLimit);
}

#[test]
fn truncated_input_is_an_error() {
    assert_eq!(
        binary(&[0, 0, 1]).read_i32().unwrap_err().kind(),
        ProtocolErrorKind::UnexpectedEof
    );
    assert_eq!(
        binary(&[TType::I32.code(), 0])
            .read_field_begin()
            .unwrap_err()
            .kind(),
        ProtocolErrorKind::UnexpectedEof
    );
}

#[test]
fn bad_versions_and_types_are_errors() {
    let err = binary(&[0x80, 0x02, 0, 1, 0, 0, 0, 0])
        .read_message_begin()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::BadVersion);
    let err = binary(&[0x07, 0, 1]).read_field_begin().unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::InvalidData);
}

fn compact(bytes: &[u8]) -> CompactReader {
    CompactReader::new(Bytes::copy_from_slice(bytes), Limits::default())
}

#[test]
fn compact_refuses_huge_claims_and_overlong_varints() {
    // A string claiming 2^31 bytes (varint ff ff ff ff 07) followed by one byte.
    let err = compact(&[0xff, 0xff, 0xff, 0xff, 0x07, b'a'])
        .read_binary()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::SizeLimit);
    // A list of i64 claiming 1,000,000 elements (long form) with nothing after it.
    let err = compact(&[0xf6, 0xc0, 0x84, 0x3d])
        .read_list_begin()
        .unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::UnexpectedEof);
    // An i32 varint that never ends.
    let err = compact(&[0xff; 12]).read_i32().unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::InvalidData);
    // An i16 that does not fit.
    let err = compact(&[0xfe, 0xff, 0x0f]).read_i16().unwrap_err();
    assert_eq!(err.kind(), ProtocolErrorKind::InvalidData);
}

#[test]
fn compact_checks_the_protocol_id_and_nesting() {
    assert_eq!(
        compact(&[0x80, 0x21, 0, 0])
            .read_message_begin()
            .unwrap_err()
            .kind(),
        ProtocolErrorKind::BadVersion
    );
    // 100 nested struct fields, each `0x1c` (delta 1, struct).
    let bytes: Vec<u8> = std::iter::repeat_n(0x1c, 100)
        .chain(std::iter::repeat_n(0, 101))
        .collect();
    assert_eq!(
        compact(&bytes).skip(TType::Struct).unwrap_err().kind(),
        ProtocolErrorKind::DepthLimit
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = binary(&bytes).skip(TType::Struct);
        let _ = binary(&bytes).read_message_begin();
        let _ = compact(&bytes).skip(TType::Struct);
        let _ = compact(&bytes).read_message_begin();
    }
}
