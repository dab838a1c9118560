//! The second wire oracle: Python (`thriftpy2`'s pure-Python protocols, and Apache's `thrift`
//! 0.25 for `uuid`, which thriftpy2 0.7 lacks; from the venv `scripts/setup.sh` makes). It covers
//! what Apache 0.17's Rust cannot: `uuid` and recursive types. For random values, Python decodes
//! ours and re-encodes identical bytes in binary and compact, and we decode its bytes back to
//! the starting value.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::value::Value;
use thrift_bidi::Uuid;
use thrift_bidi_tests::generated::default::{bench, recursive, uuids};
use thrift_bidi_tests::payload;
use thrift_bidi_tests::reencode::{hex, reencode, unhex};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// thriftpy2 re-encodes each value to our bytes, and we decode them back to the value.
fn check<T: Value + PartialEq + std::fmt::Debug>(idl: &Path, type_name: &str, values: &[T]) {
    let protocols = [(Protocol::Binary, "binary"), (Protocol::Compact, "compact")];
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for value in values {
        for (protocol, name) in protocols {
            let bytes = protocol.to_bytes(value);
            requests.push(format!(
                "{} {type_name} {name} {}",
                idl.display(),
                hex(&bytes)
            ));
            expected.push((protocol, bytes, value));
        }
    }
    let answers = reencode(&requests);
    for (answer, (protocol, ours, value)) in answers.iter().zip(expected) {
        assert_eq!(
            *answer,
            hex(&ours),
            "{protocol:?}: thriftpy2 re-encoded {value:?} differently"
        );
        let back: T = protocol
            .decode(unhex(answer).into())
            .expect("we decode thriftpy2's bytes");
        assert_eq!(&back, value, "{protocol:?}");
    }
}

fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("generates").current())
        .collect()
}

#[test]
fn uuids_match_apache_python() {
    let idl = workspace().join("tests/idl/uuids.thrift");
    let uuid = any::<u128>().prop_map(Uuid::from_u128);
    let tagged = (
        uuid.clone(),
        proptest::option::of(uuid.clone()),
        proptest::option::of(uuid),
    )
        .prop_map(|(id, parent, member)| uuids::Tagged {
            id,
            parent,
            members: member.into_iter().collect(),
        });
    check(&idl, "apache:Tagged", &sample(tagged, 100));
}

#[test]
fn recursive_values_match_thriftpy2() {
    let idl = workspace().join("tests/idl/recursive.thrift");
    let leaf = any::<i64>().prop_map(recursive::Expr::Literal);
    let expr = leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            inner
                .clone()
                .prop_map(|e| recursive::Expr::Negate(Box::new(e))),
            prop::collection::vec(inner, 0..4).prop_map(recursive::Expr::Sum),
        ]
    });
    check(&idl, "Expr", &sample(expr, 100));
}

#[test]
fn the_benchmark_payload_matches_thriftpy2() {
    let idl = workspace().join("../shared/bench/bench.thrift");
    // One attribute per item, so the map's order cannot differ between the two sides.
    let mut batch = payload::ours();
    for item in &mut batch.items {
        item.attrs.retain(|key, _| key == "attr-0");
    }
    check::<bench::Batch>(&idl, "Batch", &[batch]);
}
