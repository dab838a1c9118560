//! `Value` encodings of field types against the oracle, Apache's `thrift` crate 0.17: the same
//! data written through Apache's protocol calls gives the same bytes (ordered collections) and
//! decodes to equal values (all collections), in the binary and the compact protocol.

#![allow(clippy::unwrap_used)] // helpers of this test binary

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use thrift::protocol as ap;
use thrift::protocol::TOutputProtocol;
use thrift_bidi::protocol::binary::{BinaryReader, BinaryWriter};
use thrift_bidi::protocol::compact::{CompactReader, CompactWriter};
use thrift_bidi::protocol::Limits;
use thrift_bidi::value::Value;

fn ours<T: Value>(value: &T, compact: bool) -> Vec<u8> {
    if compact {
        let mut w = CompactWriter::new(BytesMut::new());
        value.write(&mut w);
        w.into_inner().to_vec()
    } else {
        let mut w = BinaryWriter::new(BytesMut::new());
        value.write(&mut w);
        w.into_inner().to_vec()
    }
}

fn decode<T: Value>(bytes: Vec<u8>, compact: bool) -> T {
    if compact {
        T::read(&mut CompactReader::new(
            Bytes::from(bytes),
            Limits::default(),
        ))
        .unwrap()
    } else {
        T::read(&mut BinaryReader::new(
            Bytes::from(bytes),
            Limits::default(),
        ))
        .unwrap()
    }
}

fn apache(
    compact: bool,
    write: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut p: Box<dyn TOutputProtocol> = if compact {
            Box::new(ap::TCompactOutputProtocol::new(&mut out))
        } else {
            Box::new(ap::TBinaryOutputProtocol::new(&mut out, true))
        };
        write(p.as_mut()).unwrap();
        p.flush().unwrap();
    }
    out
}

fn len(n: usize) -> i32 {
    i32::try_from(n).unwrap()
}

/// `map<string, list<bool>>`
fn apache_map_of_bool_lists(
    p: &mut dyn TOutputProtocol,
    m: &BTreeMap<String, Vec<bool>>,
) -> thrift::Result<()> {
    p.write_map_begin(&ap::TMapIdentifier::new(
        ap::TType::String,
        ap::TType::List,
        len(m.len()),
    ))?;
    for (k, v) in m {
        p.write_string(k)?;
        p.write_list_begin(&ap::TListIdentifier::new(ap::TType::Bool, len(v.len())))?;
        for b in v {
            p.write_bool(*b)?;
        }
        p.write_list_end()?;
    }
    p.write_map_end()
}

/// `list<map<i16, binary>>`
fn apache_list_of_binary_maps(
    p: &mut dyn TOutputProtocol,
    l: &[BTreeMap<i16, Bytes>],
) -> thrift::Result<()> {
    p.write_list_begin(&ap::TListIdentifier::new(ap::TType::Map, len(l.len())))?;
    for m in l {
        p.write_map_begin(&ap::TMapIdentifier::new(
            ap::TType::I16,
            ap::TType::String,
            len(m.len()),
        ))?;
        for (k, v) in m {
            p.write_i16(*k)?;
            p.write_bytes(v)?;
        }
        p.write_map_end()?;
    }
    p.write_list_end()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn lists_of_scalars(values in prop::collection::vec(any::<i64>(), 0..40), doubles in prop::collection::vec(any::<f64>(), 0..5), compact in any::<bool>()) {
        let expected = apache(compact, |p| {
            p.write_list_begin(&ap::TListIdentifier::new(ap::TType::I64, len(values.len())))?;
            values.iter().try_for_each(|v| p.write_i64(*v))?;
            p.write_list_begin(&ap::TListIdentifier::new(ap::TType::Double, len(doubles.len())))?;
            doubles.iter().try_for_each(|v| p.write_double(*v))
        });
        let mut mine = ours(&values, compact);
        mine.extend(ours(&doubles, compact));
        prop_assert_eq!(&mine, &expected);
        let i64_len = ours(&values, compact).len();
        prop_assert_eq!(decode::<Vec<i64>>(expected[..i64_len].to_vec(), compact), values);
    }

    #[test]
    fn nested_maps_and_lists(m in prop::collection::btree_map(".{0,8}", prop::collection::vec(any::<bool>(), 0..17), 0..6), compact in any::<bool>()) {
        let expected = apache(compact, |p| apache_map_of_bool_lists(p, &m));
        prop_assert_eq!(&ours(&m, compact), &expected);
        prop_assert_eq!(decode::<BTreeMap<String, Vec<bool>>>(expected, compact), m);
    }

    #[test]
    fn lists_of_binary_maps(raw in prop::collection::vec(prop::collection::btree_map(any::<i16>(), prop::collection::vec(any::<u8>(), 0..20), 0..4), 0..5), compact in any::<bool>()) {
        let l: Vec<BTreeMap<i16, Bytes>> = raw.into_iter().map(|m| m.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect()).collect();
        let expected = apache(compact, |p| apache_list_of_binary_maps(p, &l));
        prop_assert_eq!(&ours(&l, compact), &expected);
        prop_assert_eq!(decode::<Vec<BTreeMap<i16, Bytes>>>(expected, compact), l);
    }

    #[test]
    fn sets_and_hash_maps_decode_from_apache(s in prop::collection::btree_set(any::<i32>(), 0..30), m in prop::collection::hash_map(".{0,6}", any::<i64>(), 0..10), compact in any::<bool>()) {
        let expected = apache(compact, |p| {
            p.write_set_begin(&ap::TSetIdentifier::new(ap::TType::I32, len(s.len())))?;
            s.iter().try_for_each(|v| p.write_i32(*v))
        });
        prop_assert_eq!(&ours(&s, compact), &expected);
        prop_assert_eq!(decode::<BTreeSet<i32>>(expected, compact), s);
        // Hash order differs between the two writers, so only decoding is compared.
        let bytes = apache(compact, |p| {
            p.write_map_begin(&ap::TMapIdentifier::new(ap::TType::String, ap::TType::I64, len(m.len())))?;
            m.iter().try_for_each(|(k, v)| { p.write_string(k)?; p.write_i64(*v) })
        });
        prop_assert_eq!(decode::<HashMap<String, i64>>(bytes, compact), m);
    }
}

#[test]
fn a_list_of_the_wrong_element_type_is_an_error() {
    let bytes = apache(false, |p| {
        p.write_list_begin(&ap::TListIdentifier::new(ap::TType::String, 1))?;
        p.write_string("x")
    });
    let err = Vec::<i64>::read(&mut BinaryReader::new(
        Bytes::from(bytes),
        Limits::default(),
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("container of String where I64 was expected"),
        "{err}"
    );
}
