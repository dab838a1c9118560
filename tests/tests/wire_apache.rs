//! Wire compatibility of generated types with Apache Thrift's generated Rust (the oracle):
//! for random values of every type of `ThriftTest.thrift`, `bench.thrift` and
//! `everything.thrift`, in the binary and compact protocols,
//!
//! 1. Apache's generated code decodes what ours encodes,
//! 2. Apache re-encodes it to exactly the same bytes (both write fields in IDL order, and the
//!    oracle build uses `BTreeMap`s, as Apache does, so collections are in the same order),
//! 3. ours decodes Apache's bytes back to the value we started from.

use std::fmt::Debug;

use proptest::prelude::*;
use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TOutputProtocol, TSerializable,
};
use thrift_bidi::__codegen::Value;
use thrift_bidi::protocol::Protocol;
use thrift_bidi_tests::generated::{apache, oracle};

/// Apache decodes `bytes` as an `A` and encodes it again.
fn apache_round_trip<A: TSerializable>(
    bytes: &[u8],
    protocol: Protocol,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match protocol {
        Protocol::Binary => {
            let mut input = TBinaryInputProtocol::new(bytes, true);
            let value = A::read_from_in_protocol(&mut input).map_err(|e| e.to_string())?;
            let mut output = TBinaryOutputProtocol::new(&mut out, true);
            value
                .write_to_out_protocol(&mut output)
                .map_err(|e| e.to_string())?;
            output.flush().map_err(|e| e.to_string())?;
        }
        Protocol::Compact => {
            let mut input = TCompactInputProtocol::new(bytes);
            let value = A::read_from_in_protocol(&mut input).map_err(|e| e.to_string())?;
            let mut output = TCompactOutputProtocol::new(&mut out);
            value
                .write_to_out_protocol(&mut output)
                .map_err(|e| e.to_string())?;
            output.flush().map_err(|e| e.to_string())?;
        }
        Protocol::Json => return Err("Apache's Rust crate has no JSON protocol".into()),
    }
    Ok(out)
}

/// The three properties of the module docs, in both protocols.
fn check<O: Value + PartialEq + Debug, A: TSerializable>(value: &O) -> Result<(), TestCaseError> {
    for protocol in [Protocol::Binary, Protocol::Compact] {
        let ours = protocol.to_bytes(value);
        let theirs = apache_round_trip::<A>(&ours, protocol).map_err(|e| {
            TestCaseError::fail(format!("{protocol:?}: Apache cannot decode ours: {e}"))
        })?;
        prop_assert_eq!(
            &theirs[..],
            &ours[..],
            "{:?}: Apache re-encoded differently",
            protocol
        );
        let back: O = protocol.decode(theirs.into()).map_err(|e| {
            TestCaseError::fail(format!("{protocol:?}: we cannot decode Apache's: {e}"))
        })?;
        prop_assert_eq!(&back, value);
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

macro_rules! oracle_tests {
    ($($module:ident { $($test:ident: $ty:ident,)* })*) => {$($(
        proptest! {
            #![proptest_config(config())]
            #[test]
            fn $test(value in any::<oracle::$module::$ty>()) {
                check::<oracle::$module::$ty, apache::$module::$ty>(&value)?;
            }
        }
    )*)*};
}

oracle_tests! {
    thrift_test {
        bonk: Bonk,
        bools: Bools,
        xtruct: Xtruct,
        xtruct2: Xtruct2,
        xtruct3: Xtruct3,
        insanity: Insanity,
        crazy_nesting: CrazyNesting,
        some_union: SomeUnion,
        xception: Xception,
        xception2: Xception2,
        empty_struct: EmptyStruct,
        one_field: OneField,
        versioning_v1: VersioningTestV1,
        versioning_v2: VersioningTestV2,
        list_versioning_v1: ListTypeVersioningV1,
        list_versioning_v2: ListTypeVersioningV2,
        guess_protocol: GuessProtocolStruct,
        large_deltas: LargeDeltas,
        nested_lists_x2: NestedListsI32x2,
        nested_lists_x3: NestedListsI32x3,
        nested_mixed: NestedMixedx2,
        list_bonks: ListBonks,
        nested_lists_bonk: NestedListsBonk,
        bool_test: BoolTest,
        struct_a: StructA,
        struct_b: StructB,
        optional_set_default: OptionalSetDefaultTest,
        optional_binary: OptionalBinary,
    }
    bench {
        bench_dims: Dims,
        bench_item: Item,
        bench_batch: Batch,
    }
    everything {
        everything_struct: Everything,
        everything_defaults: Defaults,
        everything_shape: Shape,
        everything_failure: Failure,
    }
}

/// NaN is not equal to itself, so it is checked by bytes: Apache decodes and re-encodes ours
/// unchanged, and we decode Apache's to the same bits.
#[test]
fn nan_and_infinities_keep_their_bits() {
    for bits in [
        f64::NAN.to_bits(),
        0x7ff8_dead_beef_0001,
        f64::INFINITY.to_bits(),
        (-0.0f64).to_bits(),
    ] {
        let value = oracle::thrift_test::VersioningTestV2 {
            newdouble: f64::from_bits(bits),
            ..Default::default()
        };
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let ours = protocol.to_bytes(&value);
            let theirs =
                apache_round_trip::<apache::thrift_test::VersioningTestV2>(&ours, protocol)
                    .expect("Apache decodes ours");
            assert_eq!(theirs, ours.to_vec(), "{protocol:?}");
            let back: oracle::thrift_test::VersioningTestV2 =
                protocol.decode(theirs.into()).expect("we decode Apache's");
            assert_eq!(back.newdouble.to_bits(), bits, "{protocol:?}");
        }
    }
}
