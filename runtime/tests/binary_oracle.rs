//! The binary protocol against the oracle, Apache's `thrift` crate 0.17: random sequences of
//! writes produce the same bytes in both, and our reader decodes Apache's bytes to the values
//! written. Lengths and counts are only headers here (the elements are separate operations).

#![allow(clippy::unwrap_used)] // helpers of this test binary

mod oracle;

use bytes::{Bytes, BytesMut};
use oracle::{apache_kind, apache_type};
use proptest::prelude::*;
use thrift::protocol as ap;
use thrift::protocol::TOutputProtocol;
use thrift_bidi::protocol::binary::{BinaryReader, BinaryWriter};
use thrift_bidi::protocol::{
    Limits, ListHeader, MapHeader, MessageHeader, MessageType, Reader, TType, Writer,
};

#[derive(Clone, Debug)]
enum Op {
    Message(String, MessageType, i32),
    Field(TType, i16),
    Stop,
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    Double(f64),
    Str(String),
    Binary(Vec<u8>),
    List(TType, u16),
    Set(TType, u16),
    Map(TType, TType, u16),
}

fn ttype() -> impl Strategy<Value = TType> {
    prop::sample::select(vec![
        TType::Bool,
        TType::I8,
        TType::Double,
        TType::I16,
        TType::I32,
        TType::I64,
        TType::String,
        TType::Struct,
        TType::Map,
        TType::Set,
        TType::List,
    ])
}

fn op() -> impl Strategy<Value = Op> {
    let kind = prop::sample::select(vec![
        MessageType::Call,
        MessageType::Reply,
        MessageType::Exception,
        MessageType::Oneway,
    ]);
    prop_oneof![
        ("[a-zA-Z_:.]{0,20}", kind, any::<i32>()).prop_map(|(n, k, s)| Op::Message(n, k, s)),
        (ttype(), any::<i16>()).prop_map(|(t, id)| Op::Field(t, id)),
        Just(Op::Stop),
        any::<bool>().prop_map(Op::Bool),
        any::<i8>().prop_map(Op::I8),
        any::<i16>().prop_map(Op::I16),
        any::<i32>().prop_map(Op::I32),
        any::<i64>().prop_map(Op::I64),
        any::<f64>().prop_map(Op::Double),
        ".{0,40}".prop_map(Op::Str),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Op::Binary),
        (ttype(), any::<u16>()).prop_map(|(t, n)| Op::List(t, n)),
        (ttype(), any::<u16>()).prop_map(|(t, n)| Op::Set(t, n)),
        (ttype(), ttype(), any::<u16>()).prop_map(|(k, v, n)| Op::Map(k, v, n)),
    ]
}

fn ours(ops: &[Op]) -> Vec<u8> {
    let mut w = BinaryWriter::new(BytesMut::new());
    for op in ops {
        match op {
            Op::Message(n, k, s) => w.write_message_begin(&MessageHeader {
                name: n.clone(),
                kind: *k,
                seqid: *s,
            }),
            Op::Field(t, id) => w.write_field_begin(*t, *id),
            Op::Stop => w.write_field_stop(),
            Op::Bool(v) => w.write_bool(*v),
            Op::I8(v) => w.write_i8(*v),
            Op::I16(v) => w.write_i16(*v),
            Op::I32(v) => w.write_i32(*v),
            Op::I64(v) => w.write_i64(*v),
            Op::Double(v) => w.write_double(*v),
            Op::Str(v) => w.write_string(v),
            Op::Binary(v) => w.write_binary(v),
            Op::List(t, n) => w.write_list_begin(ListHeader {
                element: *t,
                len: usize::from(*n),
            }),
            Op::Set(t, n) => w.write_set_begin(ListHeader {
                element: *t,
                len: usize::from(*n),
            }),
            Op::Map(k, v, n) => w.write_map_begin(MapHeader {
                key: *k,
                value: *v,
                len: usize::from(*n),
            }),
        }
    }
    w.into_inner().to_vec()
}

fn apache(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut p = ap::TBinaryOutputProtocol::new(&mut out, true);
        for op in ops {
            let r = match op {
                Op::Message(n, k, s) => p.write_message_begin(&ap::TMessageIdentifier::new(
                    n.clone(),
                    apache_kind(*k),
                    *s,
                )),
                Op::Field(t, id) => {
                    p.write_field_begin(&ap::TFieldIdentifier::new("f", apache_type(*t), *id))
                }
                Op::Stop => p.write_field_stop(),
                Op::Bool(v) => p.write_bool(*v),
                Op::I8(v) => p.write_i8(*v),
                Op::I16(v) => p.write_i16(*v),
                Op::I32(v) => p.write_i32(*v),
                Op::I64(v) => p.write_i64(*v),
                Op::Double(v) => p.write_double(*v),
                Op::Str(v) => p.write_string(v),
                Op::Binary(v) => p.write_bytes(v),
                Op::List(t, n) => {
                    p.write_list_begin(&ap::TListIdentifier::new(apache_type(*t), i32::from(*n)))
                }
                Op::Set(t, n) => {
                    p.write_set_begin(&ap::TSetIdentifier::new(apache_type(*t), i32::from(*n)))
                }
                Op::Map(k, v, n) => p.write_map_begin(&ap::TMapIdentifier::new(
                    apache_type(*k),
                    apache_type(*v),
                    i32::from(*n),
                )),
            };
            r.expect("writing to memory succeeds");
        }
        p.flush().expect("flush");
    }
    out
}

/// Reads back each op from `bytes` with our reader and checks it against what was written.
fn read_back(ops: &[Op], bytes: Vec<u8>) {
    let limits = Limits {
        max_container_len: usize::MAX,
        max_string_len: usize::MAX,
        max_depth: usize::MAX,
        max_decoded: usize::MAX,
    };
    let mut r = BinaryReader::new(Bytes::from(bytes), limits);
    for op in ops {
        match op {
            Op::Message(n, k, s) => assert_eq!(
                r.read_message_begin().unwrap(),
                MessageHeader {
                    name: n.clone(),
                    kind: *k,
                    seqid: *s
                }
            ),
            Op::Field(t, id) => assert_eq!(r.read_field_begin().unwrap(), Some((*t, *id))),
            Op::Stop => assert_eq!(r.read_field_begin().unwrap(), None),
            Op::Bool(v) => assert_eq!(r.read_bool().unwrap(), *v),
            Op::I8(v) => assert_eq!(r.read_i8().unwrap(), *v),
            Op::I16(v) => assert_eq!(r.read_i16().unwrap(), *v),
            Op::I32(v) => assert_eq!(r.read_i32().unwrap(), *v),
            Op::I64(v) => assert_eq!(r.read_i64().unwrap(), *v),
            Op::Double(v) => assert_eq!(r.read_double().unwrap().to_bits(), v.to_bits()),
            Op::Str(v) => assert_eq!(&r.read_string().unwrap(), v),
            Op::Binary(v) => assert_eq!(r.read_binary().unwrap().as_ref(), v.as_slice()),
            Op::List(..) | Op::Set(..) | Op::Map(..) => skip_header(&mut r, op),
        }
    }
}

/// Reads a container header field by field: the claimed counts are not followed by elements,
/// so `read_list_begin`, which checks counts against the remaining bytes, would refuse them.
fn skip_header(r: &mut BinaryReader, op: &Op) {
    let mut read_type = || TType::from_code(r.read_i8().unwrap().to_be_bytes()[0]).unwrap();
    let n = match op {
        Op::List(t, n) | Op::Set(t, n) => {
            assert_eq!(read_type(), *t);
            *n
        }
        Op::Map(k, v, n) => {
            assert_eq!(read_type(), *k);
            assert_eq!(read_type(), *v);
            *n
        }
        _ => unreachable!("only containers have headers"),
    };
    assert_eq!(r.read_i32().unwrap(), i32::from(n));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn same_bytes_as_apache_and_reads_apache_bytes(ops in prop::collection::vec(op(), 0..30)) {
        let expected = apache(&ops);
        prop_assert_eq!(&ours(&ops), &expected);
        read_back(&ops, expected);
    }
}
