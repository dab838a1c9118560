//! Apache's JSON protocol (`TJSONProtocol`) against Apache's Python library, the version the
//! venv pins:
//!
//! 1. the golden vectors (`tests/vectors/json.txt`, recorded by `tests/python/json_vectors.py`)
//!    are what Apache's Python writes today;
//! 2. for each vector's value, built here, we write Python's text byte for byte and read it
//!    back to the value. Where Python's text is not what C++ writes (`python-only`: bare
//!    `inf` and `nan`, raw control characters in strings, none of them JSON) we read
//!    Python's, and write what C++'s `TJSONProtocol.cpp` writes;
//! 3. for random values of every field type, Python reads what we write and writes it again,
//!    we read that back to the value, and the two texts are equal once Python's known
//!    departures from C++ are written as C++ writes them. (Sets are cut to one element, as
//!    Python's sets do not keep the order of theirs.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use thrift_bidi::protocol::{Limits, MessageHeader, MessageType, Protocol};
use thrift_bidi::value::Value;
use thrift_bidi::{ApplicationErrorKind, ApplicationException};
use thrift_bidi_tests::generated::oracle::everything::{Color, Everything, Point, Shape};
use thrift_bidi_tests::reencode::{hex, reencode, unhex};

fn vectors_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/json.txt")
}

fn gen_py() -> PathBuf {
    thrift_bidi_tests::generated_dir().join("gen-py")
}

/// The vectors: name and text.
fn vectors() -> Vec<(String, Vec<u8>)> {
    let file = std::fs::read(vectors_file()).expect("the vectors are in the repository");
    file.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let tab = line
                .iter()
                .position(|&b| b == b'\t')
                .expect("NAME<TAB>TEXT");
            let name = String::from_utf8(line[..tab].to_vec()).expect("an ASCII name");
            (name, line[tab + 1..].to_vec())
        })
        .collect()
}

#[test]
fn the_golden_vectors_are_what_apache_python_writes() {
    let recorded = Command::new(thrift_bidi_tests::venv_python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("python/json_vectors.py"))
        .arg(gen_py())
        .output()
        .expect("python runs");
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let file = std::fs::read(vectors_file()).expect("the vectors are in the repository");
    assert!(
        recorded.stdout == file,
        "tests/vectors/json.txt is not what json_vectors.py records now"
    );
    assert_eq!(vectors().len(), 27);
}

/// A vector's value.
enum Expected {
    Call(Point),
    Exception(ApplicationException),
    Everything(Box<Everything>),
    Shape(Shape),
}

fn point(x: i32, y: i32) -> Point {
    Point { x, y }
}

fn everything(set: impl FnOnce(&mut Everything)) -> Expected {
    let mut value = Everything::default();
    set(&mut value);
    Expected::Everything(Box::new(value))
}

fn full() -> Expected {
    everything(|e| {
        e.a_bool = true;
        e.a_byte = i8::MIN;
        e.an_i16 = i16::MIN;
        e.an_i32 = i32::MAX;
        e.an_i64 = i64::MIN;
        e.a_double = 0.1;
        e.a_string = "quote \" backslash \\ slash / tab \t é € 😀".into();
        e.a_binary = Bytes::from_static(&[0xfb, 0xff, 0]);
        e.a_color = Color::GREEN;
        e.a_point = point(0, -1);
        e.a_shape = Some(Shape::Polygon(vec![point(1, 2), point(3, 4)]));
        e.ints = vec![1, -2, 1 << 62];
        e.strings = BTreeSet::from(["only".into()]);
        e.points = BTreeMap::from([(String::new(), point(7, 8)), ("p".into(), point(5, 6))]);
        e.nested = vec![BTreeMap::from([(-1, BTreeSet::from([3]))]), BTreeMap::new()];
        e.by_color = BTreeMap::from([(Color::RED, vec![]), (Color::BLUE, vec![2.0, -0.0])]);
        e.maybe_int = Some(0);
        e.maybe_string = Some(String::new());
        e.maybe_point = Some(point(9, 10));
        e.must = "m".into();
        e.flags = vec![true, false];
        e.blobs = BTreeSet::from([Bytes::new()]);
        e.shapes = Some(vec![Shape::Radius(1e300), Shape::Name("n".into())]);
    })
}

/// The value the vector `name` holds (as `json_vectors.py` builds it).
fn expected(name: &str) -> Expected {
    const DOUBLES: [f64; 8] = [
        1e17,
        5e-324,
        -2.5,
        0.0001,
        1e-05,
        123_456_789.125,
        -0.0,
        0.1,
    ];
    const STRINGS: [&str; 5] = ["\"\\/", "\u{8}\u{c}\n\r\t", "é€", "😀", "\u{7f}"];
    const SPECIAL: [f64; 3] = [f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
    const BINARY: [u8; 5] = [0xfb, 0xff, 0, 0x10, 0x80];
    let (kind, index) = name.rsplit_once('-').unwrap_or((name, ""));
    let index: usize = index.parse().unwrap_or(usize::MAX);
    match (kind, name) {
        (_, "message-call") => Expected::Call(point(1, -2)),
        (_, "message-exception") => Expected::Exception(ApplicationException::new(
            ApplicationErrorKind::UnknownMethod,
            "no such method",
        )),
        (_, "everything-default") => everything(|_| {}),
        (_, "everything-full") => full(),
        ("double", _) => Expected::Shape(Shape::Radius(DOUBLES[index])),
        ("binary", _) => everything(|e| e.a_binary = Bytes::copy_from_slice(&BINARY[..index])),
        ("string", _) => everything(|e| e.must = STRINGS[index].into()),
        (_, "python-only-control") => everything(|e| e.must = "\u{1}\u{1f}".into()),
        ("python-only-special", _) => Expected::Shape(Shape::Radius(SPECIAL[index])),
        _ => panic!("no value for vector {name}"),
    }
}

/// What C++ writes where Python departs from it, from `TJSONProtocol.cpp`: control characters
/// as `\u00xx`, and the special doubles as the quoted strings `NaN`, `Infinity`, `-Infinity`.
fn as_cpp_writes(python: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(python.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < python.len() {
        let byte = python[i];
        i += 1;
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                0..0x20 => {
                    out.extend_from_slice(format!("\\u{byte:04x}").as_bytes());
                    continue;
                }
                _ => {}
            }
            out.push(byte);
            continue;
        }
        in_string = byte == b'"';
        let rest = &python[i - 1..];
        let special = [
            ("nan", "\"NaN\""),
            ("-inf", "\"-Infinity\""),
            ("inf", "\"Infinity\""),
        ]
        .into_iter()
        .find(|(bare, _)| rest.starts_with(bare.as_bytes()));
        if let Some((bare, quoted)) = special {
            out.extend_from_slice(quoted.as_bytes());
            i += bare.len() - 1;
        } else {
            out.push(byte);
        }
    }
    out
}

fn json<T: Value>(value: &T) -> Vec<u8> {
    Protocol::Json.to_bytes(value).to_vec()
}

fn json_message<T: Value>(name: &str, kind: MessageType, seqid: i32, body: &T) -> Vec<u8> {
    let mut buf = BytesMut::new();
    let header = MessageHeader {
        name: name.into(),
        kind,
        seqid,
    };
    Protocol::Json.encode_message(&header, body, &mut buf);
    buf.to_vec()
}

fn decode_message<T: Value>(text: &[u8]) -> (MessageHeader, T) {
    Protocol::Json
        .decode_message(Bytes::copy_from_slice(text), Limits::default())
        .expect("we read Python's message")
}

/// Writes `expected` and reads `text` back: what we wrote, and whether what we read is it.
fn replay(name: &str, text: &[u8]) -> (Vec<u8>, bool) {
    let bytes = Bytes::copy_from_slice(text);
    match expected(name) {
        Expected::Call(body) => {
            let ours = json_message("testStruct", MessageType::Call, 7, &body);
            let (header, read) = decode_message::<Point>(text);
            let header_read = (header.name.as_str(), header.kind, header.seqid);
            (
                ours,
                read == body && header_read == ("testStruct", MessageType::Call, 7),
            )
        }
        Expected::Exception(body) => {
            let ours = json_message("nothing", MessageType::Exception, i32::MAX, &body);
            let (header, read) = decode_message::<ApplicationException>(text);
            (ours, read == body && header.kind == MessageType::Exception)
        }
        Expected::Everything(value) => {
            let read: Everything = Protocol::Json.decode(bytes).expect("we read Python's");
            (json(&*value), read == *value)
        }
        Expected::Shape(value) => {
            let read: Shape = Protocol::Json.decode(bytes).expect("we read Python's");
            let same = match (&read, &value) {
                (Shape::Radius(a), Shape::Radius(b)) => a.to_bits() == b.to_bits(),
                _ => read == value,
            };
            (json(&value), same)
        }
    }
}

#[test]
fn we_write_and_read_every_golden_vector() {
    for (name, text) in vectors() {
        let (ours, read_back) = replay(&name, &text);
        assert!(
            read_back,
            "{name}: we read {} as another value",
            String::from_utf8_lossy(&text)
        );
        let wanted = if name.starts_with("python-only") {
            let cpp = as_cpp_writes(&text);
            assert_ne!(cpp, text, "{name}: Python departs from C++ here");
            cpp
        } else {
            text
        };
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&wanted),
            "{name}"
        );
    }
}

fn sample<T: std::fmt::Debug + Arbitrary>(count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| {
            any::<T>()
                .new_tree(&mut runner)
                .expect("generates")
                .current()
        })
        .collect()
}

/// Python reads ours, writes it again; we read that back; the texts agree as the module says.
fn check<T: Value + PartialEq + std::fmt::Debug>(type_name: &str, values: &[T]) {
    let gen_py = gen_py();
    let ours: Vec<Vec<u8>> = values.iter().map(json).collect();
    let requests: Vec<String> = ours
        .iter()
        .map(|text| format!("{} gen-py:{type_name} json {}", gen_py.display(), hex(text)))
        .collect();
    for ((answer, ours), value) in reencode(&requests).iter().zip(&ours).zip(values) {
        let text = String::from_utf8_lossy(ours);
        assert!(
            !answer.starts_with("error"),
            "Python cannot read {text}: {answer}"
        );
        let theirs = unhex(answer);
        let back: T = Protocol::Json
            .decode(theirs.clone().into())
            .unwrap_or_else(|e| panic!("we cannot read Python's {theirs:?}: {e}"));
        assert_eq!(&back, value, "through Python: {text}");
        let python = String::from_utf8_lossy(&theirs);
        assert_eq!(
            String::from_utf8_lossy(&as_cpp_writes(&theirs)),
            text,
            "Python: {python}"
        );
    }
}

fn first<T: Ord>(set: &mut BTreeSet<T>) {
    while set.len() > 1 {
        set.pop_last();
    }
}

#[test]
fn random_values_of_every_type_go_through_apache_python() {
    let mut everything: Vec<Everything> = sample(200);
    for e in &mut everything {
        first(&mut e.strings);
        first(&mut e.blobs);
        e.nested
            .iter_mut()
            .flat_map(BTreeMap::values_mut)
            .for_each(first);
    }
    check("everything.Everything", &everything);
    check::<Shape>("everything.Shape", &sample(200));
}
