//! Decoding hostile input allocates little: with the global allocator capped at 8 MiB above
//! what the test itself holds, generated decoders read inputs that claim huge strings and
//! containers, and thousands of random ones, without reaching the cap (reaching it aborts the
//! test binary, failing the test). One test, so nothing else allocates meanwhile.

use cap::Cap;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use thrift_bidi::protocol::Protocol;
use thrift_bidi::value::Value;
use thrift_bidi_tests::generated::default::{bench, recursive, thrift_test};

#[global_allocator]
static ALLOCATOR: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

const HEADROOM: usize = 8 << 20;

fn decode<T: Value>(bytes: &[u8]) {
    for protocol in [Protocol::Binary, Protocol::Compact] {
        let _ = protocol.decode::<T>(bytes.to_vec().into());
    }
}

fn capped(inputs: &[Vec<u8>]) {
    ALLOCATOR
        .set_limit(ALLOCATOR.allocated() + HEADROOM)
        .expect("the limit is above what is allocated");
    for bytes in inputs {
        decode::<bench::Batch>(bytes);
        decode::<thrift_test::CrazyNesting>(bytes);
        decode::<recursive::Tree>(bytes);
    }
    ALLOCATOR.set_limit(usize::MAX).expect("no limit");
}

/// `head`, then zeros up to 64 KiB, so that claimed lengths pass the bytes-left check.
fn padded(head: &[u8]) -> Vec<u8> {
    let mut bytes = head.to_vec();
    bytes.resize(65_536, 0);
    bytes
}

#[test]
fn hostile_input_cannot_make_decoders_allocate() {
    let mut hostile = vec![
        // Batch.items: a list of i32::MAX structs (binary), then 64 KiB of zeros.
        padded(&[15, 0, 1, 12, 0x7f, 0xff, 0xff, 0xff]),
        // Item.name claiming a 2 GiB string.
        vec![11, 0, 2, 0x7f, 0xff, 0xff, 0xff, 0, 0],
        // Compact: Batch.items with a million elements (varint length), then zeros.
        padded(&[0x19, 0xfc, 0xc0, 0x84, 0x3d]),
    ];
    // CrazyNesting.list_field: lists and maps nested as deep as the type goes, each claiming
    // as many elements as there are bytes left.
    hostile.push(padded(&[
        15, 0, 3, 13, 0, 0x0f, 0xff, 0xff, 14, 13, 0, 0x0f, 0xff, 0xff,
    ]));
    let mut runner = TestRunner::default();
    let random = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..4096), 500);
    let tree = random.new_tree(&mut runner).expect("generates");
    hostile.extend(tree.current());
    capped(&hostile);
}
