//! Serde on generated types (`Config::serde`), through `serde_json`: every type of the oracle
//! IDL (`ThriftTest.thrift`, `bench.thrift`, `everything.thrift`) round-trips random values
//! (proptest), every type of the codegen fixtures round-trips values built here (struct-keyed
//! maps, NaN, binary, unions, i64 above 2^53, uuids, recursion), and one document per kind of
//! value is compared with JSON written by hand, in both directions.
#![allow(clippy::unwrap_used, clippy::float_cmp)] // helpers of this test binary

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;

use proptest::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::json;
use thrift_bidi::value::{VecMap, VecSet};
use thrift_bidi::{Bytes, Uuid};
use thrift_bidi_tests::generated::oracle::{bench, everything, thrift_test as tt};
use thrift_bidi_tests::generated::serde_fixtures as fx;

/// Serializes `value`, reads it back, and checks it is the same value: equal, or (for NaN,
/// which is equal to nothing) alike in `Debug`, which also tells -0.0 from 0.0. (Values that
/// hold NaN hold no hashed collection, whose `Debug` order varies.)
fn round_trip<T: Serialize + DeserializeOwned + Debug + PartialEq>(value: &T) -> serde_json::Value {
    let text = serde_json::to_string(value).unwrap();
    let back: T =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} does not read back: {e}"));
    let (before, after) = (format!("{value:?}"), format!("{back:?}"));
    assert!(
        before == after || (*value == back && !before.contains("NaN")),
        "through {text}:\n{before}\n{after}"
    );
    serde_json::from_str(&text).unwrap()
}

/// `value` is `document`, both ways.
fn is_document<T: Serialize + DeserializeOwned + Debug>(value: &T, document: &serde_json::Value) {
    assert_eq!(&serde_json::to_value(value).unwrap(), document);
    let read: T = serde_json::from_value(document.clone()).unwrap();
    assert_eq!(format!("{read:?}"), format!("{value:?}"));
}

macro_rules! round_trips {
    ($($name:ident: $ty:ty,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            $(
                #[test]
                fn $name(value in any::<$ty>()) {
                    round_trip(&value);
                }
            )*
        }
    };
}

round_trips! {
    numberz: tt::Numberz,
    bonk: tt::Bonk,
    bools: tt::Bools,
    xtruct: tt::Xtruct,
    xtruct2: tt::Xtruct2,
    xtruct3: tt::Xtruct3,
    insanity: tt::Insanity,
    crazy_nesting: tt::CrazyNesting,
    some_union: tt::SomeUnion,
    xception: tt::Xception,
    xception2: tt::Xception2,
    empty_struct: tt::EmptyStruct,
    one_field: tt::OneField,
    versioning_v1: tt::VersioningTestV1,
    versioning_v2: tt::VersioningTestV2,
    list_versioning_v1: tt::ListTypeVersioningV1,
    list_versioning_v2: tt::ListTypeVersioningV2,
    guess_protocol: tt::GuessProtocolStruct,
    large_deltas: tt::LargeDeltas,
    nested_lists_i32x2: tt::NestedListsI32x2,
    nested_lists_i32x3: tt::NestedListsI32x3,
    nested_mixedx2: tt::NestedMixedx2,
    list_bonks: tt::ListBonks,
    nested_lists_bonk: tt::NestedListsBonk,
    bool_test: tt::BoolTest,
    struct_a: tt::StructA,
    struct_b: tt::StructB,
    optional_set_default: tt::OptionalSetDefaultTest,
    optional_binary: tt::OptionalBinary,
    bench_status: bench::Status,
    bench_dims: bench::Dims,
    bench_item: bench::Item,
    bench_batch: bench::Batch,
    color: everything::Color,
    point: everything::Point,
    shape: everything::Shape,
    every_type: everything::Everything,
    defaults: everything::Defaults,
    failure: everything::Failure,
}

#[test]
fn every_fixture_type_round_trips() {
    round_trip(&fx::collections::Collections {
        weights: VecSet(vec![f64::NAN, f64::INFINITY, -0.0]),
        by_weight: VecMap(vec![(f64::NEG_INFINITY, "low".into()), (1.5, "mid".into())]),
        scores: VecSet(vec![fx::collections::Scored { score: f64::NAN }]),
        ..Default::default()
    });
    round_trip(&fx::collections::Collections {
        ids: HashSet::from([1, -2, 3]),
        scores: VecSet(vec![fx::collections::Scored { score: 0.5 }]),
        by_set: VecMap(vec![(HashSet::from([1, 2, 3]), vec!["a".into()])]),
        blobs: vec![HashMap::from([
            ("k".into(), Bytes::from_static(&[0, 255, 7])),
            ("l".into(), Bytes::new()),
        ])],
        ..Default::default()
    });
    round_trip(&fx::consts::Limits::default());
    round_trip(&fx::consts::Level::from(99));
    round_trip(&fx::defaults::Settings::default());
    round_trip(&fx::r#enum::Status::DELETED);
    round_trip(&fx::exception::NotFound {
        what: "key".into(),
        code: -1,
    });
    round_trip(&fx::names::Kind::default());
    round_trip(&fx::recursive::Node {
        value: 1,
        next: Some(Box::new(fx::recursive::Node {
            value: 2,
            next: None,
            children: vec![],
        })),
        children: vec![fx::recursive::Node {
            value: 3,
            next: None,
            children: vec![],
        }],
    });
    round_trip(&fx::recursive::Ping {
        pong: Some(Box::new(fx::recursive::Pong {
            ping: Box::new(fx::recursive::Ping { pong: None }),
        })),
    });
    round_trip(&fx::r#struct::User {
        id: 1 << 60,
        name: "ada".into(),
        email: None,
    });
    round_trip(&fx::typedef::Team::default());
    round_trip(&fx::union::Value::Items(vec![
        fx::union::Value::IntValue(i64::MIN),
        fx::union::Value::Text("t".into()),
    ]));
    round_trip(&fx::uuid::Tagged {
        id: Uuid::from_u128(7),
        parent: Some(Uuid::max()),
    });
    round_trip(&fx::app::includes::Holder::default());
    round_trip(&fx::common::shared::Shared::default());
    round_trip(&fx::service::NotFound::default());
}

#[test]
fn documents_written_by_hand() {
    // Structs: IDL field names; an unset optional field left out.
    let user = fx::r#struct::User {
        id: (1 << 53) + 1,
        name: "ada".into(),
        email: None,
    };
    is_document(
        &user,
        &json!({"id": 9_007_199_254_740_993_i64, "name": "ada"}),
    );
    // Defaults: a missing default-requiredness field takes its IDL default; a missing optional
    // field is unset, default or not, as on the wire.
    let settings: fx::defaults::Settings =
        serde_json::from_value(json!({"origin": {"x": 5, "y": 6}})).unwrap();
    assert_eq!(settings.retries, 3);
    assert_eq!(settings.mode, fx::defaults::Mode::SAFE);
    assert_eq!(settings.ports, None);
    assert_eq!(settings.origin, fx::defaults::Point { x: 5, y: 6 });
    // Enums: the member's name, or the number of a value with none.
    is_document(&fx::r#enum::Status::INACTIVE, &json!("INACTIVE"));
    is_document(&fx::r#enum::Status::from(42), &json!(42));
    // Unions: one key.
    is_document(&fx::union::Value::Text("x".into()), &json!({"text": "x"}));
    // Doubles: NaN and the infinities as strings; binary as base64; uuids hyphenated.
    is_document(
        &fx::collections::Scored {
            score: f64::INFINITY,
        },
        &json!({"score": "Infinity"}),
    );
    let nan: fx::collections::Scored = serde_json::from_value(json!({"score": "NaN"})).unwrap();
    assert!(nan.score.is_nan());
    let tagged = fx::uuid::Tagged {
        id: Uuid::from_u128(1),
        parent: None,
    };
    is_document(
        &tagged,
        &json!({"id": "00000000-0000-0000-0000-000000000001"}),
    );
    // Maps: string keys make an object; struct, set or double keys an array of pairs.
    let collections = fx::collections::Collections {
        blobs: vec![HashMap::from([("k".into(), Bytes::from_static(b"hi"))])],
        by_weight: VecMap(vec![(f64::NAN, "n".into())]),
        by_set: VecMap(vec![(HashSet::from([3]), vec![])]),
        ..Default::default()
    };
    is_document(
        &collections,
        &json!({
            "ids": [], "weights": [], "by_weight": [["NaN", "n"]], "scores": [],
            "by_set": [[[3], []]], "blobs": [{"k": "aGk="}],
        }),
    );
    let insanity = tt::Insanity {
        user_map: BTreeMap::from([(tt::Numberz::FIVE, 5)]),
        xtructs: vec![],
    };
    let crazy = tt::CrazyNesting {
        list_field: vec![BTreeMap::from([(
            BTreeSet::from([1]),
            BTreeMap::from([(
                2,
                BTreeSet::from([vec![BTreeMap::from([(insanity, "x".into())])]]),
            )]),
        )])],
        ..Default::default()
    };
    let value = round_trip(&crazy);
    assert_eq!(
        value["list_field"][0][0][1],
        json!({"2": [[[[{"userMap": {"FIVE": 5}, "xtructs": []}, "x"]]]]}),
        "a struct-keyed map is pairs, an integer- or enum-keyed map an object"
    );
    // Exceptions are structs.
    is_document(
        &fx::exception::NotFound {
            what: "w".into(),
            code: 2,
        },
        &json!({"what": "w", "code": 2}),
    );
}

#[test]
fn bad_documents_are_errors() {
    let missing = serde_json::from_value::<fx::r#struct::User>(json!({"name": "x"}));
    assert!(missing
        .unwrap_err()
        .to_string()
        .contains("missing field `id`"));
    let two = serde_json::from_value::<fx::union::Value>(json!({"text": "a", "int_value": 1}));
    assert!(two.unwrap_err().to_string().contains("exactly one field"));
    let unknown = serde_json::from_value::<fx::r#enum::Status>(json!("NOPE"));
    assert!(unknown.is_err());
    let base64 =
        serde_json::from_value::<fx::collections::Collections>(json!({"blobs": [{"k": "!"}]}));
    assert!(base64.is_err());
    // Unknown keys are ignored, as unknown fields are on the wire.
    let user: fx::r#struct::User =
        serde_json::from_value(json!({"id": 1, "later": [1, 2]})).unwrap();
    assert_eq!(user.id, 1);
}
