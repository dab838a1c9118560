//! Generated decoders against bad bytes: random input, truncated and mutated encodings of real
//! values, and lengths that claim far more than the input holds. Every case must end in `Ok`
//! or an error, never a panic; truncated input must always be an error.

use proptest::prelude::*;
use thrift_bidi::protocol::{Protocol, ProtocolErrorKind};
use thrift_bidi::value::Value;
use thrift_bidi_tests::generated::default::{bench, everything, recursive, thrift_test};
use thrift_bidi_tests::payload;

/// Decodes `bytes` as each generated type, in both protocols; `Ok` or `Err`, never a panic.
fn decode_all(bytes: &[u8]) {
    fn each<T: Value>(bytes: &[u8]) {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let _ = protocol.decode::<T>(bytes.to_vec().into());
        }
    }
    each::<bench::Batch>(bytes);
    each::<everything::Everything>(bytes);
    each::<everything::Shape>(bytes);
    each::<recursive::Tree>(bytes);
    each::<recursive::Expr>(bytes);
    each::<thrift_test::CrazyNesting>(bytes);
    each::<thrift_test::Insanity>(bytes);
}

/// A valid encoding of a value with every kind of field.
fn sample(protocol: Protocol) -> bytes::Bytes {
    let tree = recursive::Tree {
        label: "root".into(),
        children: vec![recursive::Tree::default(); 3],
        parent_copy: Some(Box::default()),
    };
    let mut out = protocol.to_bytes(&payload::ours()).to_vec();
    out.extend_from_slice(&protocol.to_bytes(&tree));
    out.into()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_encodings_never_panic(compact in any::<bool>(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let protocol = if compact { Protocol::Compact } else { Protocol::Binary };
        let mut bytes = sample(protocol).to_vec();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        decode_all(&bytes);
    }

    #[test]
    fn truncated_encodings_are_errors(compact in any::<bool>(), cut in any::<prop::sample::Index>()) {
        let protocol = if compact { Protocol::Compact } else { Protocol::Binary };
        let bytes = protocol.to_bytes(&payload::ours());
        let cut = cut.index(bytes.len());
        prop_assert!(protocol.decode::<bench::Batch>(bytes.slice(..cut)).is_err());
    }
}

#[test]
fn claimed_lengths_beyond_the_input_are_refused() {
    // Batch.items (field 1, list) claiming a million structs, then nothing.
    let binary = [15u8, 0, 1, 12, 0, 0x0f, 0x42, 0x40];
    let err = Protocol::Binary
        .decode::<bench::Batch>(binary.to_vec().into())
        .expect_err("the input cannot hold them");
    assert_eq!(err.kind(), ProtocolErrorKind::UnexpectedEof);
    assert_eq!(err.path(), ["Batch.items"]);
    // Item.name (field 2, string) claiming 4 GiB - 1 in the compact protocol.
    let compact = [0x28u8, 0xff, 0xff, 0xff, 0xff, 0x0f];
    let err = Protocol::Compact
        .decode::<bench::Item>(compact.to_vec().into())
        .expect_err("over the string limit");
    assert_eq!(err.kind(), ProtocolErrorKind::SizeLimit);
    assert_eq!(err.path(), ["Item.name"]);
}

#[test]
fn deep_recursion_is_bounded() {
    // Expr::Negate nested 10,000 times: the depth limit stops it long before the stack.
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&[12, 0, 2]);
    }
    let err = Protocol::Binary
        .decode::<recursive::Expr>(bytes.into())
        .expect_err("too deep");
    assert_eq!(err.kind(), ProtocolErrorKind::DepthLimit);
}
