//! The compact protocol against the oracle, Apache's `thrift` crate 0.17: random messages
//! (nested structs with arbitrary field ids, bool fields, lists including bools, maps) encode
//! to the same bytes in both, and our reader decodes Apache's bytes to the values written.

#![allow(clippy::unwrap_used)] // helpers of this test binary

mod oracle;

use bytes::{Bytes, BytesMut};
use oracle::{apache_kind, apache_type};
use proptest::prelude::*;
use thrift::protocol as ap;
use thrift::protocol::TOutputProtocol;
use thrift_bidi::protocol::compact::{CompactReader, CompactWriter};
use thrift_bidi::protocol::{
    Limits, ListHeader, MapHeader, MessageHeader, MessageType, Reader, TType, Writer,
};

#[derive(Clone, Debug)]
enum V {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    Double(f64),
    Str(String),
    Struct(Vec<(i16, V)>),
    /// Elements all of one scalar type.
    List(TType, Vec<V>),
    Map(Vec<(i32, V)>),
}

impl V {
    fn ttype(&self) -> TType {
        match self {
            V::Bool(_) => TType::Bool,
            V::I8(_) => TType::I8,
            V::I16(_) => TType::I16,
            V::I32(_) => TType::I32,
            V::I64(_) => TType::I64,
            V::Double(_) => TType::Double,
            V::Str(_) => TType::String,
            V::Struct(_) => TType::Struct,
            V::List(..) => TType::List,
            V::Map(_) => TType::Map,
        }
    }
}

/// Field ids. Apache's writer subtracts ids as `i16`, which overflows for jumps wider than the
/// `i16` range, so ids stay within ±16,000 (real ids are small and positive).
fn field_id() -> impl Strategy<Value = i16> {
    -16_000i16..16_000
}

fn list() -> impl Strategy<Value = V> {
    let n = 0..20usize;
    prop_oneof![
        prop::collection::vec(any::<bool>().prop_map(V::Bool), n.clone())
            .prop_map(|v| V::List(TType::Bool, v)),
        prop::collection::vec(any::<i64>().prop_map(V::I64), n.clone())
            .prop_map(|v| V::List(TType::I64, v)),
        prop::collection::vec(".{0,6}".prop_map(V::Str), n).prop_map(|v| V::List(TType::String, v)),
    ]
}

fn value() -> impl Strategy<Value = V> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(V::Bool),
        any::<i8>().prop_map(V::I8),
        any::<i16>().prop_map(V::I16),
        any::<i32>().prop_map(V::I32),
        any::<i64>().prop_map(V::I64),
        any::<f64>().prop_map(V::Double),
        ".{0,20}".prop_map(V::Str),
        list(),
    ];
    leaf.prop_recursive(3, 40, 8, |inner| {
        prop_oneof![
            prop::collection::vec((field_id(), inner.clone()), 0..8).prop_map(V::Struct),
            prop::collection::vec((any::<i32>(), any::<bool>().prop_map(V::Bool)), 0..5)
                .prop_map(V::Map),
            prop::collection::vec((any::<i32>(), ".{0,4}".prop_map(V::Str)), 0..5).prop_map(V::Map),
        ]
    })
}

fn message() -> impl Strategy<Value = (MessageHeader, Vec<(i16, V)>)> {
    let kind = prop::sample::select(vec![
        MessageType::Call,
        MessageType::Reply,
        MessageType::Exception,
        MessageType::Oneway,
    ]);
    (
        "[a-z_:]{0,16}",
        kind,
        any::<i32>(),
        prop::collection::vec((field_id(), value()), 0..10),
    )
        .prop_map(|(name, kind, seqid, fields)| (MessageHeader { name, kind, seqid }, fields))
}

fn map_types(entries: &[(i32, V)]) -> (TType, TType) {
    (
        TType::I32,
        entries.first().map_or(TType::Bool, |(_, v)| v.ttype()),
    )
}

fn write_ours(w: &mut CompactWriter, v: &V) {
    match v {
        V::Bool(b) => w.write_bool(*b),
        V::I8(n) => w.write_i8(*n),
        V::I16(n) => w.write_i16(*n),
        V::I32(n) => w.write_i32(*n),
        V::I64(n) => w.write_i64(*n),
        V::Double(d) => w.write_double(*d),
        V::Str(s) => w.write_string(s),
        V::Struct(fields) => {
            w.write_struct_begin();
            for (id, f) in fields {
                w.write_field_begin(f.ttype(), *id);
                write_ours(w, f);
                w.write_field_end();
            }
            w.write_field_stop();
            w.write_struct_end();
        }
        V::List(t, items) => {
            w.write_list_begin(ListHeader {
                element: *t,
                len: items.len(),
            });
            for i in items {
                write_ours(w, i);
            }
            w.write_list_end();
        }
        V::Map(entries) => {
            let (key, value) = map_types(entries);
            w.write_map_begin(MapHeader {
                key,
                value,
                len: entries.len(),
            });
            for (k, v) in entries {
                w.write_i32(*k);
                write_ours(w, v);
            }
            w.write_map_end();
        }
    }
}

fn write_apache(p: &mut dyn TOutputProtocol, v: &V) {
    match v {
        V::Bool(b) => p.write_bool(*b),
        V::I8(n) => p.write_i8(*n),
        V::I16(n) => p.write_i16(*n),
        V::I32(n) => p.write_i32(*n),
        V::I64(n) => p.write_i64(*n),
        V::Double(d) => p.write_double(*d),
        V::Str(s) => p.write_string(s),
        V::Struct(fields) => {
            p.write_struct_begin(&ap::TStructIdentifier::new("S"))
                .unwrap();
            for (id, f) in fields {
                p.write_field_begin(&ap::TFieldIdentifier::new("f", apache_type(f.ttype()), *id))
                    .unwrap();
                write_apache(p, f);
                p.write_field_end().unwrap();
            }
            p.write_field_stop().unwrap();
            p.write_struct_end()
        }
        V::List(t, items) => {
            let len = i32::try_from(items.len()).unwrap();
            p.write_list_begin(&ap::TListIdentifier::new(apache_type(*t), len))
                .unwrap();
            for i in items {
                write_apache(p, i);
            }
            p.write_list_end()
        }
        V::Map(entries) => {
            let (key, value) = map_types(entries);
            let len = i32::try_from(entries.len()).unwrap();
            p.write_map_begin(&ap::TMapIdentifier::new(
                apache_type(key),
                apache_type(value),
                len,
            ))
            .unwrap();
            for (k, v) in entries {
                p.write_i32(*k).unwrap();
                write_apache(p, v);
            }
            p.write_map_end()
        }
    }
    .unwrap();
}

fn read_check(r: &mut CompactReader, v: &V) {
    match v {
        V::Bool(b) => assert_eq!(r.read_bool().unwrap(), *b),
        V::I8(n) => assert_eq!(r.read_i8().unwrap(), *n),
        V::I16(n) => assert_eq!(r.read_i16().unwrap(), *n),
        V::I32(n) => assert_eq!(r.read_i32().unwrap(), *n),
        V::I64(n) => assert_eq!(r.read_i64().unwrap(), *n),
        V::Double(d) => assert_eq!(r.read_double().unwrap().to_bits(), d.to_bits()),
        V::Str(s) => assert_eq!(&r.read_string().unwrap(), s),
        V::Struct(fields) => {
            r.read_struct_begin().unwrap();
            for (id, f) in fields {
                assert_eq!(r.read_field_begin().unwrap(), Some((f.ttype(), *id)));
                read_check(r, f);
                r.read_field_end().unwrap();
            }
            assert_eq!(r.read_field_begin().unwrap(), None);
            r.read_struct_end().unwrap();
        }
        V::List(t, items) => {
            let header = r.read_list_begin().unwrap();
            assert_eq!((header.element, header.len), (*t, items.len()));
            for i in items {
                read_check(r, i);
            }
            r.read_list_end().unwrap();
        }
        V::Map(entries) => {
            let header = r.read_map_begin().unwrap();
            assert_eq!(header.len, entries.len());
            if !entries.is_empty() {
                assert_eq!((header.key, header.value), map_types(entries));
            }
            for (k, v) in entries {
                assert_eq!(r.read_i32().unwrap(), *k);
                read_check(r, v);
            }
            r.read_map_end().unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn same_bytes_as_apache_and_reads_apache_bytes((header, fields) in message()) {
        let body = V::Struct(fields);
        let mut w = CompactWriter::new(BytesMut::new());
        w.write_message_begin(&header);
        write_ours(&mut w, &body);
        let ours = w.into_inner().to_vec();

        let mut apache = Vec::new();
        {
            let mut p = ap::TCompactOutputProtocol::new(&mut apache);
            let kind = apache_kind(header.kind);
            p.write_message_begin(&ap::TMessageIdentifier::new(header.name.clone(), kind, header.seqid)).unwrap();
            write_apache(&mut p, &body);
            p.write_message_end().unwrap();
            p.flush().unwrap();
        }
        prop_assert_eq!(&ours, &apache);

        let mut r = CompactReader::new(Bytes::from(apache), Limits::default());
        prop_assert_eq!(r.read_message_begin().unwrap(), header);
        read_check(&mut r, &body);
    }
}
