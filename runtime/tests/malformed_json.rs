//! Hostile and broken JSON: the reader answers with an error (and says why) before allocating
//! what the text merely claims, before recursing without end, and never panics. The texts are
//! written by hand from Apache's `TJSONProtocol` (not by our writer).

use bytes::Bytes;
use proptest::prelude::*;
use thrift_bidi::protocol::json::JsonReader;
use thrift_bidi::protocol::{Limits, Protocol, ProtocolErrorKind, Reader, TType};

fn reader(text: &str) -> JsonReader {
    JsonReader::new(Bytes::copy_from_slice(text.as_bytes()), Limits::default())
}

fn kind_and_message(
    result: Result<impl std::fmt::Debug, thrift_bidi::protocol::ProtocolError>,
) -> (ProtocolErrorKind, String) {
    let err = result.expect_err("an error");
    (err.kind(), err.message().to_owned())
}

#[test]
fn messages_need_version_1_and_a_known_kind() {
    let (kind, _) = kind_and_message(reader(r#"[2,"m",1,0,{}]"#).read_message_begin());
    assert_eq!(kind, ProtocolErrorKind::BadVersion);
    let (_, message) = kind_and_message(reader(r#"[1,"m",9,0,{}]"#).read_message_begin());
    assert!(message.contains("message type"), "{message}");
    let (_, message) = kind_and_message(reader(r#"[1,"m",1,4294967296,{}]"#).read_message_begin());
    assert!(message.contains("out of range"), "{message}");
    let (_, message) = kind_and_message(reader(r#"{1,"m",1,0}"#).read_message_begin());
    assert!(message.contains("expected '['"), "{message}");
}

#[test]
fn container_claims_must_fit_the_limit_and_the_text() {
    // A million elements claimed in a few bytes: the input ends too soon, nothing allocated.
    let (kind, _) = kind_and_message(reader(r#"["i64",1000000,1]"#).read_list_begin());
    assert_eq!(kind, ProtocolErrorKind::UnexpectedEof);
    let (kind, _) = kind_and_message(reader(r#"["i64",99999999999,1]"#).read_list_begin());
    assert_eq!(kind, ProtocolErrorKind::SizeLimit);
    let (kind, _) = kind_and_message(reader(r#"["i64",-1]"#).read_list_begin());
    assert_eq!(kind, ProtocolErrorKind::NegativeSize);
    let (kind, _) = kind_and_message(reader(r#"["str","i8",1000,{}]"#).read_map_begin());
    assert_eq!(kind, ProtocolErrorKind::UnexpectedEof);
    let (_, message) = kind_and_message(reader(r#"["bool",0]"#).read_list_begin());
    assert!(message.contains("unknown JSON type name"), "{message}");
}

#[test]
fn strings_over_the_limit_are_refused_without_reading_them_whole() {
    let limits = Limits {
        max_string_len: 8,
        ..Limits::default()
    };
    for text in [r#""123456789""#, r#""12345\n6789""#, r#""123456789"#] {
        let mut r = JsonReader::new(Bytes::copy_from_slice(text.as_bytes()), limits);
        let (kind, _) = kind_and_message(r.read_string());
        assert_eq!(kind, ProtocolErrorKind::SizeLimit, "{text}");
    }
    let mut r = JsonReader::new(Bytes::from_static(b"\"12345678\""), limits);
    assert_eq!(r.read_string().unwrap(), "12345678");
}

#[test]
fn bad_escapes_and_surrogates_are_errors() {
    for text in [
        r#""\x""#,
        r#""\u12""#,
        r#""\uzzzz""#,
        r#""\ud800""#,
        r#""\ud800x""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        "\"unterminated",
    ] {
        assert!(reader(text).read_string().is_err(), "{text}");
    }
    assert_eq!(
        reader(r#""\ud83d\ude00 \u00e9\/""#).read_string().unwrap(),
        "😀 é/"
    );
    // Not UTF-8 once unescaped.
    let mut r = JsonReader::new(Bytes::from_static(b"\"\xff\""), Limits::default());
    assert!(r.read_string().is_err());
}

#[test]
fn numbers_must_be_numbers_of_their_type() {
    assert!(reader("128").read_i8().is_err());
    assert!(reader("-32769").read_i16().is_err());
    assert!(reader("1.5").read_i32().is_err());
    assert!(reader("9223372036854775808").read_i64().is_err());
    assert!(reader("").read_i64().is_err());
    assert!(reader("one").read_double().is_err());
    assert!(reader("\"1.5").read_double().is_err());
    assert_eq!(reader("-9223372036854775808").read_i64().unwrap(), i64::MIN);
    // The special doubles as C++ writes them (quoted) and as Python does (bare).
    let infinities = [
        reader("\"-Infinity\"").read_double(),
        reader("inf").read_double(),
    ];
    assert_eq!(
        infinities.map(|d| d.unwrap().to_bits()),
        [f64::NEG_INFINITY.to_bits(), f64::INFINITY.to_bits()]
    );
    assert!(reader("\"NaN\"").read_double().unwrap().is_nan());
}

#[test]
fn base64_padded_or_not_and_nothing_else() {
    // C++ leaves the padding out, Python writes it.
    assert_eq!(&reader("\"+/8\"").read_binary().unwrap()[..], [0xfb, 0xff]);
    assert_eq!(&reader("\"+/8=\"").read_binary().unwrap()[..], [0xfb, 0xff]);
    for text in ["\"+/8==\"", "\"a\"", "\"@@@@\""] {
        assert!(reader(text).read_binary().is_err(), "{text}");
    }
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let limits = Limits {
        max_depth: 16,
        ..Limits::default()
    };
    // Lists of lists, 100 deep.
    let text = format!("{}{}", r#"["lst",1,"#.repeat(100), "]".repeat(100));
    let mut r = JsonReader::new(Bytes::from(text), limits);
    let (kind, _) = kind_and_message(r.skip(TType::List));
    assert_eq!(kind, ProtocolErrorKind::DepthLimit);
}

#[test]
fn structure_out_of_place_is_an_error() {
    for (text, ty) in [
        (r#"{"1":{"i32":1}"#, TType::Struct),
        (r#"{"1":{"i32":1},}"#, TType::Struct),
        (r#"{1:{"i32":1}}"#, TType::Struct),
        (r#"{"1":{"i32":1,"i32":2}}"#, TType::Struct),
        (r#"["i32",2,1 2]"#, TType::List),
        (r#"["i32","str",1,{"1":2}]"#, TType::Map),
        (r#"["i32","i32",1,{1:2}]"#, TType::Map),
    ] {
        assert!(reader(text).skip(ty).is_err(), "{text}");
    }
    assert!(reader(r#"["i32","i32",1,{"1":2}]"#)
        .skip(TType::Map)
        .is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any text: an error or a value, never a panic; JSON-like text especially.
    #[test]
    fn any_text_reads_without_panicking(text in r#"[\[\]{}",:0-9a-z\\.+-]{0,64}"#, ty in 0u8..17) {
        let Ok(ty) = TType::from_code(ty) else { return Ok(()) };
        let _ = reader(&text).skip(ty);
        let _ = Protocol::Json.decode_message_header(Bytes::from(text), Limits::default());
    }
}
