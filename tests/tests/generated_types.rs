//! Behaviour of generated types that the Apache oracle cannot show: recursion, uuid, IDL
//! defaults and constants, the errors a decoder gives (missing required fields, bad unions,
//! the path of the field that failed), and open enums.

use thrift_bidi::protocol::{Protocol, ProtocolErrorKind};
use thrift_bidi::Uuid;
use thrift_bidi_tests::generated::default::{bench, everything, recursive, uuids};

const PROTOCOLS: [Protocol; 2] = [Protocol::Binary, Protocol::Compact];

fn round_trip<T: thrift_bidi::value::Value + PartialEq + std::fmt::Debug>(value: &T) {
    for protocol in PROTOCOLS {
        let back: T = protocol.decode(protocol.to_bytes(value)).expect("decodes");
        assert_eq!(&back, value, "{protocol:?}");
    }
}

#[test]
fn recursive_types_round_trip() {
    let leaf = |label: &str| recursive::Tree {
        label: label.into(),
        ..Default::default()
    };
    let tree = recursive::Tree {
        label: "root".into(),
        children: vec![leaf("a"), leaf("b")],
        parent_copy: Some(Box::new(leaf("parent"))),
    };
    round_trip(&tree);
    let ping = recursive::Ping {
        pong: Some(Box::new(recursive::Pong {
            ping: Box::new(recursive::Ping { pong: None }),
        })),
    };
    round_trip(&ping);
    let expr = recursive::Expr::Sum(vec![
        recursive::Expr::Literal(1),
        recursive::Expr::Negate(Box::new(recursive::Expr::Literal(2))),
    ]);
    round_trip(&expr);
}

#[test]
fn uuids_are_sixteen_bytes_in_network_order() {
    let id = Uuid::from_u128(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
    let tagged = uuids::Tagged {
        id,
        parent: None,
        members: [id, Uuid::nil()].into_iter().collect(),
    };
    round_trip(&tagged);
    let only_id = uuids::Tagged {
        id,
        parent: None,
        members: std::collections::HashSet::default(),
    };
    let bytes = Protocol::Binary.to_bytes(&only_id);
    // Field 1 of type uuid (16), then the bytes as written in the uuid's text form.
    assert_eq!(&bytes[..3], &[16, 0, 1]);
    assert_eq!(&bytes[3..19], &id.into_bytes());
    assert_eq!(
        uuids::SOME_ID.to_string(),
        "61626364-6566-6768-696a-6b6c6d6e6f70"
    );
    assert!(uuids::NIL_ID.is_nil());
}

#[test]
fn defaults_come_from_the_idl() {
    let d = everything::Defaults::default();
    assert_eq!(d.count, 7);
    assert_eq!(d.label, "none");
    assert_eq!(d.color, everything::Color::GREEN);
    assert_eq!(d.primes, Some(vec![2, 3, 5]));
    assert_eq!(d.origin, everything::Point { x: 1, y: 2 });
    assert!((d.ratio - 0.5).abs() < f64::EPSILON);
    // Decoding a struct with no fields: absent default-requiredness fields take their IDL
    // defaults, the absent optional one stays unset.
    for protocol in PROTOCOLS {
        let empty: everything::Defaults = protocol.decode(vec![0].into()).expect("decodes");
        assert_eq!(
            empty,
            everything::Defaults {
                primes: None,
                ..d.clone()
            }
        );
    }
}

#[test]
fn constants_hold_their_idl_values() {
    assert_eq!(everything::ANSWER, 42);
    assert_eq!(everything::GREETING, "hello");
    let primary = [
        everything::Color::RED,
        everything::Color::GREEN,
        everything::Color::BLUE,
    ];
    assert_eq!(*everything::PRIMARY, primary);
    assert_eq!(
        everything::ORIGINS["one"],
        everything::Point { x: 1, y: -1 }
    );
    assert_eq!(everything::ORIGINS.len(), 2);
}

#[test]
fn a_missing_required_field_is_an_error_naming_it() {
    // An `Everything` carrying only field 1 (bool true), not the required `must` (20).
    let only_bool = [2u8, 0, 1, 1, 0];
    let err = Protocol::Binary
        .decode::<everything::Everything>(only_bool.to_vec().into())
        .expect_err("`must` is missing");
    assert_eq!(err.kind(), ProtocolErrorKind::MissingField);
    assert!(err.to_string().contains("`must`"), "{err}");
    assert!(err.to_string().contains("`Everything`"), "{err}");
}

#[test]
fn decode_errors_carry_the_path_of_fields() {
    let batch = thrift_bidi_tests::payload::ours();
    let bytes = Protocol::Binary.to_bytes(&batch);
    // Cut the input inside the first item's `dims.width` (struct header 3 bytes, field header
    // 3 bytes, then the double).
    let dims_at = bytes
        .windows(3)
        .position(|w| w == [12, 0, 7])
        .expect("the first item has dims");
    let err = Protocol::Binary
        .decode::<bench::Batch>(bytes.slice(..dims_at + 8))
        .expect_err("truncated");
    assert_eq!(err.kind(), ProtocolErrorKind::UnexpectedEof);
    assert_eq!(err.path(), ["Batch.items", "Item.dims", "Dims.width"]);
}

#[test]
fn unions_need_exactly_one_known_field() {
    // A union is a struct; none set, or two set, is an error.
    let none = [0u8];
    let err = Protocol::Binary
        .decode::<everything::Shape>(none.to_vec().into())
        .expect_err("no field");
    assert!(err.to_string().contains("no field"), "{err}");
    let two = [
        11u8, 0, 3, 0, 0, 0, 1, b'x', 4, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let err = Protocol::Binary
        .decode::<everything::Shape>(two.to_vec().into())
        .expect_err("two fields");
    assert!(err.to_string().contains("more than one"), "{err}");
    round_trip(&everything::Shape::Radius(2.5));
}

#[test]
fn unknown_enum_values_survive() {
    let point = everything::Point { x: 1, y: 2 };
    let mut value = everything::Everything {
        a_color: everything::Color(99),
        a_point: point,
        must: "m".into(),
        ..Default::default()
    };
    value.by_color.insert(everything::Color(-7), vec![1.5]);
    round_trip(&value);
    assert_eq!(format!("{:?}", everything::Color(99)), "Color(99)");
    assert_eq!(format!("{:?}", everything::Color::BLUE), "BLUE");
    assert_eq!(everything::Color::BLUE.name(), Some("BLUE"));
}

#[test]
fn exceptions_are_errors() {
    let failure = everything::Failure {
        code: 3,
        message: "boom".into(),
    };
    let error: &dyn std::error::Error = &failure;
    assert!(error.to_string().contains("boom"));
}
