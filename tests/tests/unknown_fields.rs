//! Unknown fields kept and written back (`Config::keep_unknown_fields`): Apache's generated
//! Rust for the newer IDL (`idl/evolution_v2.thrift`) encodes a record with a field of every
//! wire type Apache 0.17 has, nested structs with fields of their own and union variants the
//! older IDL does not have; ours, built from the older IDL (`idl/evolution_v1.thrift`), reads
//! it and writes it again, and Apache decodes the record it started from. In binary and
//! compact (whose bools live in field headers), and from one protocol to the other. Uuids,
//! which Apache 0.17 lacks, are checked against our own types for the newer IDL
//! (`idl/evolution_uuid.thrift`).
#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::{BTreeMap, BTreeSet};

use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TOutputProtocol, TSerializable,
};
use thrift::OrderedFloat;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::Bytes;
use thrift_bidi_tests::generated::apache::evolution_v2 as v2;
use thrift_bidi_tests::generated::unknown::evolution_v1 as v1;

const PROTOCOLS: [Protocol; 2] = [Protocol::Binary, Protocol::Compact];

fn inner(a: i32) -> v2::Inner {
    v2::Inner::new(a, format!("text {a}"), a % 2 == 0)
}

/// A record with every field set.
fn full_record() -> v2::Record {
    v2::Record {
        id: Some(7),
        inner: Some(inner(1)),
        choice: Some(v2::Choice::Number(3)),
        flag_true: Some(true),
        flag_false: Some(false),
        a_byte: Some(-8),
        a_i16: Some(-16_000),
        a_i32: Some(i32::MIN),
        a_i64: Some((1 << 60) + 1),
        a_double: Some(OrderedFloat(-2.5e-300)),
        a_string: Some("héllo".into()),
        a_binary: Some(vec![0, 255, 1, 254]),
        a_struct: Some(inner(2)),
        bools: Some(vec![true, false, true]),
        words: Some(BTreeSet::from(["a".into(), "b".into()])),
        by_id: Some(BTreeMap::from([(1, inner(3)), (-1, inner(4))])),
        nested: Some(vec![vec![1, -2], vec![], vec![i64::MAX]]),
        mood: Some(v2::Mood::HAPPY),
        a_union: Some(v2::Choice::AddedWord("new".into())),
        flags: Some(BTreeMap::from([("on".into(), true), ("off".into(), false)])),
        inners: Some(BTreeSet::from([inner(5), inner(6)])),
    }
}

fn apache_encode<A: TSerializable>(value: &A, protocol: Protocol) -> Vec<u8> {
    let mut out = Vec::new();
    match protocol {
        Protocol::Binary => {
            let mut output = TBinaryOutputProtocol::new(&mut out, true);
            value.write_to_out_protocol(&mut output).unwrap();
            output.flush().unwrap();
        }
        Protocol::Compact => {
            let mut output = TCompactOutputProtocol::new(&mut out);
            value.write_to_out_protocol(&mut output).unwrap();
            output.flush().unwrap();
        }
        Protocol::Json => panic!("Apache's Rust crate has no JSON protocol"),
    }
    out
}

fn apache_decode<A: TSerializable>(bytes: &[u8], protocol: Protocol) -> A {
    match protocol {
        Protocol::Binary => {
            A::read_from_in_protocol(&mut TBinaryInputProtocol::new(bytes, true)).unwrap()
        }
        Protocol::Compact => {
            A::read_from_in_protocol(&mut TCompactInputProtocol::new(bytes)).unwrap()
        }
        Protocol::Json => panic!("Apache's Rust crate has no JSON protocol"),
    }
}

/// Apache's bytes through our older types, in `from`, then out again in `to`.
fn proxy(original: &v2::Record, from: Protocol, to: Protocol) -> (v1::Record, v2::Record) {
    let bytes = apache_encode(original, from);
    let proxied: v1::Record = from.decode(Bytes::from(bytes)).unwrap();
    let again = to.to_bytes(&proxied);
    (proxied, apache_decode(&again, to))
}

#[test]
fn every_unknown_field_survives_a_proxy() {
    let original = full_record();
    for protocol in PROTOCOLS {
        let (proxied, back) = proxy(&original, protocol, protocol);
        assert_eq!(proxied.id, 7);
        assert_eq!(proxied.inner.a, 1, "{protocol:?}");
        // The nested struct keeps its own new fields.
        assert_eq!(
            proxied.inner._unknown_fields.ids().collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(proxied._unknown_fields.len(), 18, "{protocol:?}");
        assert_eq!(back, original, "{protocol:?}");
    }
}

#[test]
fn unknown_fields_change_protocol_with_their_struct() {
    let original = full_record();
    for (from, to) in [
        (Protocol::Binary, Protocol::Compact),
        (Protocol::Compact, Protocol::Binary),
    ] {
        let (_, back) = proxy(&original, from, to);
        assert_eq!(back, original, "{from:?} to {to:?}");
    }
}

#[test]
fn a_union_variant_this_side_does_not_know_survives() {
    let mut original = full_record();
    original.choice = Some(v2::Choice::AddedWord("unseen".into()));
    for protocol in PROTOCOLS {
        let (proxied, back) = proxy(&original, protocol, protocol);
        assert!(
            matches!(proxied.choice, Some(v1::Choice::_UnknownFields(ref kept)) if kept.len() == 1),
            "{:?}",
            proxied.choice
        );
        assert_eq!(back, original, "{protocol:?}");
    }
}

#[test]
fn a_proxy_may_change_what_it_knows_and_keep_the_rest() {
    let original = full_record();
    for protocol in PROTOCOLS {
        let bytes = apache_encode(&original, protocol);
        let mut proxied: v1::Record = protocol.decode(Bytes::from(bytes)).unwrap();
        proxied.id = 99;
        proxied.inner.a = -1;
        let back: v2::Record = apache_decode(&protocol.to_bytes(&proxied), protocol);
        let mut expected = full_record();
        expected.id = Some(99);
        expected.inner = Some(v2::Inner::new(-1, "text 1".to_owned(), false));
        assert_eq!(back, expected, "{protocol:?}");
    }
}

#[test]
fn a_fresh_value_has_nothing_to_write_back() {
    let fresh = v1::Record {
        id: 1,
        ..Default::default()
    };
    assert!(fresh._unknown_fields.is_empty());
    let only_known = v2::Record {
        id: Some(1),
        inner: Some(v2::Inner::new(0, None, None)),
        ..Default::default()
    };
    for protocol in PROTOCOLS {
        let ours: v2::Record = apache_decode(&protocol.to_bytes(&fresh), protocol);
        let theirs: v2::Record = apache_decode(&apache_encode(&only_known, protocol), protocol);
        assert_eq!(ours, theirs, "{protocol:?}");
    }
}

#[test]
fn unknown_uuids_survive_a_proxy() {
    use thrift_bidi::Uuid;
    use thrift_bidi_tests::generated::unknown_uuid::evolution_uuid as newer;
    let original = newer::Record {
        id: 3,
        tag: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        tags: vec![Uuid::nil(), Uuid::max()],
        seen: std::collections::HashMap::from([(Uuid::from_u128(9), true)]),
    };
    for from in PROTOCOLS {
        for to in PROTOCOLS {
            let proxied: v1::Record = from.decode(from.to_bytes(&original)).unwrap();
            assert_eq!(
                proxied._unknown_fields.ids().collect::<Vec<_>>(),
                [30, 31, 32]
            );
            let back: newer::Record = to.decode(to.to_bytes(&proxied)).unwrap();
            assert_eq!(back, original, "{from:?} to {to:?}");
        }
    }
}

#[test]
fn many_small_unknown_fields_are_charged_against_the_decoded_limit() {
    use thrift_bidi::protocol::{Limits, ProtocolErrorKind};
    // A binary struct of 100,000 unknown one-byte fields: 400 kB on the wire, each kept field
    // an entry of a few dozen bytes in memory.
    let mut bytes = Vec::new();
    for id in 0..100_000_i32 {
        bytes.push(3); // i8
        bytes.extend_from_slice(&i16::try_from(100 + id % 30_000).unwrap().to_be_bytes());
        bytes.push(1);
    }
    bytes.push(0); // stop
    let limits = Limits {
        max_decoded: 1 << 20,
        ..Limits::default()
    };
    let error = Protocol::Binary
        .decode_with_limits::<v1::Inner>(Bytes::from(bytes.clone()), limits)
        .unwrap_err();
    assert_eq!(error.kind(), ProtocolErrorKind::SizeLimit, "{error}");
    // Within the default limit, they are all kept.
    let kept: v1::Inner = Protocol::Binary.decode(Bytes::from(bytes)).unwrap();
    assert_eq!(kept._unknown_fields.len(), 100_000);
}
