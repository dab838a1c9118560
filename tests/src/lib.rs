//! Integration tests of thrift-bidi: the corpus of real IDL files (here: how to list it), wire
//! compatibility with Apache Thrift, interop with Python peers, and the cross-test binaries.

use std::path::{Path, PathBuf};

pub mod approvals;
pub mod brokers;
pub mod cross;
pub mod fuzz;
pub mod measure;
pub mod peers;
pub mod raw;
pub mod reencode;
pub mod scratch;
pub mod traces;
pub mod worker;

/// One file of `../shared/idl-corpus`, as its `SOURCES.tsv` lists it.
#[derive(Clone, Debug)]
pub struct CorpusFile {
    /// Path below the corpus directory (`<owner>__<repo>/<path>`).
    pub path: String,
    /// Absolute path.
    pub full_path: PathBuf,
    /// The `-I` directories `check-apache.sh` passes for this file.
    pub include_dirs: Vec<PathBuf>,
    /// Whether Apache Thrift 0.17 accepts it.
    pub apache_ok: bool,
}

/// Extra `-I` directories by path prefix, as in the corpus's `check-apache.sh`.
const EXTRA_INCLUDES: &[(&str, &[&str])] = &[
    ("facebookarchive__scribe/", &["apache__thrift/contrib"]),
    ("apache__thrift/lib/go/test/", &["apache__thrift/test"]),
    (
        "apache__thrift/lib/rs/test_recursive/",
        &[
            "apache__thrift/lib/rs/test_recursive/src",
            "apache__thrift/lib/rs/test_recursive/src/transit",
            "apache__thrift/lib/rs/test_recursive/src/transit/services",
            "apache__thrift/lib/rs/test_recursive/src/transit/light",
        ],
    ),
];

/// Where `build.rs` wrote what it generated: `idl/` (ThriftTest without `uuid`, and a copy
/// thriftpy2 can parse), `gen-py/` (Apache's Python for it), and the Rust the tests include.
pub fn generated_dir() -> PathBuf {
    PathBuf::from(env!("OUT_DIR"))
}

/// The test PKI (`tests/certs`, made by its `make.sh`): `ca.pem`, `server.pem` and
/// `server.key` (`localhost`, `127.0.0.1`, `::1`), `client.pem` and `client.key`, `expired.pem` and
/// `expired.key`, `other-ca.pem`.
pub fn cert(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("certs")
        .join(name)
}

/// The Python of the venv `scripts/setup.sh` makes.
///
/// # Panics
/// If there is no venv: the Python peers cannot run without it.
pub fn venv_python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(python.exists(), "no Python venv: run scripts/setup.sh");
    python
}

/// The corpus directory (`shared/` sits next to the repository).
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/idl-corpus")
}

/// Every corpus file, in `SOURCES.tsv` order.
///
/// # Panics
/// If `SOURCES.tsv` cannot be read: the tests cannot run without the corpus.
pub fn corpus_files() -> Vec<CorpusFile> {
    let root = corpus_dir();
    let tsv = std::fs::read_to_string(root.join("SOURCES.tsv"))
        .expect("shared/idl-corpus/SOURCES.tsv is readable");
    tsv.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let path = format!("{}/{}", cols[0], cols[3]);
            let mut include_dirs = vec![root.join(cols[0])];
            for (prefix, extra) in EXTRA_INCLUDES {
                if path.starts_with(prefix) {
                    include_dirs.extend(extra.iter().map(|e| root.join(e)));
                }
            }
            CorpusFile {
                full_path: root.join(&path),
                path,
                include_dirs,
                apache_ok: cols[5] == "ok",
            }
        })
        .collect()
}

/// Rust generated from the test IDL, by us and by Apache (see `build.rs`).
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod generated {
    /// Ours, with `BTreeMap`s, `proptest` derives and serde, for the oracle tests.
    pub mod oracle {
        include!(concat!(env!("OUT_DIR"), "/oracle/mod.rs"));
    }

    /// Ours for `idl/evolution_v1.thrift`, keeping unknown fields.
    pub mod unknown {
        include!(concat!(env!("OUT_DIR"), "/unknown/mod.rs"));
    }

    /// Ours for `idl/evolution_uuid.thrift` (the newer IDL, for uuids, which Apache 0.17 lacks).
    pub mod unknown_uuid {
        include!(concat!(env!("OUT_DIR"), "/unknown_uuid/mod.rs"));
    }

    /// The compiler's codegen fixtures, with serde.
    pub mod serde_fixtures {
        include!(concat!(env!("OUT_DIR"), "/serde_fixtures/mod.rs"));
    }

    /// Ours, with the default configuration.
    pub mod default {
        include!(concat!(env!("OUT_DIR"), "/default/mod.rs"));
    }

    /// Ours for `bench.thrift` in the configuration for speed: zero-copy `ByteString`
    /// strings and maps hashed with foldhash.
    pub mod fast {
        include!(concat!(env!("OUT_DIR"), "/fast/mod.rs"));
    }

    /// Apache's, from `thrift --gen rs`.
    #[allow(warnings)]
    pub mod apache {
        pub mod thrift_test {
            include!(concat!(env!("OUT_DIR"), "/apache/thrift_test.rs"));
        }
        pub mod bench {
            include!(concat!(env!("OUT_DIR"), "/apache/bench.rs"));
        }
        pub mod evolution_v2 {
            include!(concat!(env!("OUT_DIR"), "/apache/evolution_v2.rs"));
        }
        pub mod everything {
            include!(concat!(env!("OUT_DIR"), "/apache/everything.rs"));
        }
    }
}

/// Value strategies the generated types' `proptest` derives name.
pub mod strategies {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;
    use thrift_bidi::Bytes;

    /// A field type built from a few random binaries.
    pub trait FromBlobs: Sized {
        /// Builds one from `blobs` (some of them may go unused).
        fn from_blobs(blobs: Vec<Bytes>) -> Self;
    }

    impl FromBlobs for Bytes {
        fn from_blobs(blobs: Vec<Bytes>) -> Self {
            blobs.into_iter().next().unwrap_or_default()
        }
    }

    impl FromBlobs for BTreeSet<Bytes> {
        fn from_blobs(blobs: Vec<Bytes>) -> Self {
            blobs.into_iter().collect()
        }
    }

    impl FromBlobs for BTreeMap<Bytes, i32> {
        fn from_blobs(blobs: Vec<Bytes>) -> Self {
            blobs.into_iter().zip(0..).collect()
        }
    }

    /// `None` for no blobs.
    impl<T: FromBlobs> FromBlobs for Option<T> {
        fn from_blobs(blobs: Vec<Bytes>) -> Self {
            (!blobs.is_empty()).then(|| T::from_blobs(blobs))
        }
    }

    /// Any binaries of up to 40 bytes, shaped as the field needs.
    pub fn binary<T: FromBlobs + std::fmt::Debug>() -> impl Strategy<Value = T> {
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..4)
            .prop_map(|items| T::from_blobs(items.into_iter().map(Bytes::from).collect()))
    }
}

/// The standard benchmark payload of `../shared/bench/PAYLOAD.md`: a `Batch` of 100 items, in
/// our generated types and in Apache's.
pub mod payload {
    use crate::generated::{apache::bench as apache, default::bench as ours};

    /// How many items the batch holds.
    pub const ITEMS: usize = 100;

    /// The field values of item `i`, as PAYLOAD.md defines them.
    struct Fields {
        id: i64,
        name: String,
        price: f64,
        tags: Vec<String>,
        attrs: Vec<(String, i64)>,
        blob: Option<Vec<u8>>,
        dims: (f64, f64, i32),
        status: i32,
    }

    fn fields(i: usize) -> Fields {
        let n = i64::try_from(i).expect("small");
        let small = i32::try_from(i).expect("small");
        Fields {
            id: 1_000_000_007 * (n + 1),
            name: format!("item-{i:05}-benchmark-name"),
            price: 19.99 + f64::from(small) * 0.25,
            tags: (0..4).map(|t| format!("tag-{t}-{}", i % 7)).collect(),
            attrs: (0..4).map(|k| (format!("attr-{k}"), n * 31 + k)).collect(),
            // PAYLOAD.md: byte b is `(b * 7 + i) as u8`, keeping the low 8 bits.
            blob: i
                .is_multiple_of(2)
                .then(|| (0..64).map(|b| (b * 7 + i).to_le_bytes()[0]).collect()),
            dims: (1.5 + f64::from(small), 2.25, small % 100),
            status: small % 3 + 1,
        }
    }

    /// Builds the batch in one of our generated variants of `bench.thrift` (they differ only
    /// in their string and map types, which `Into` and `collect` bridge).
    macro_rules! our_batch {
        ($variant:ident) => {{
            use crate::generated::$variant::bench as g;
            let items = (0..ITEMS).map(fields).map(|f| g::Item {
                id: f.id,
                name: From::from(f.name),
                price: f.price,
                tags: f.tags.into_iter().map(From::from).collect(),
                attrs: f
                    .attrs
                    .into_iter()
                    .map(|(k, v)| (From::from(k), v))
                    .collect(),
                blob: f.blob.map(Into::into),
                dims: g::Dims {
                    width: f.dims.0,
                    height: f.dims.1,
                    depth: f.dims.2,
                },
                status: g::Status(f.status),
            });
            g::Batch {
                items: items.collect(),
            }
        }};
    }

    /// The batch in our generated types.
    pub fn ours() -> ours::Batch {
        our_batch!(default)
    }

    /// The batch in our generated types of the configuration for speed.
    pub fn fast() -> crate::generated::fast::bench::Batch {
        our_batch!(fast)
    }

    /// The batch in Apache's generated types.
    pub fn apache() -> apache::Batch {
        let items = (0..ITEMS).map(fields).map(|f| apache::Item {
            id: f.id,
            name: f.name,
            price: f.price.into(),
            tags: f.tags,
            attrs: f.attrs.into_iter().collect(),
            blob: f.blob,
            dims: apache::Dims {
                width: f.dims.0.into(),
                height: f.dims.1.into(),
                depth: f.dims.2,
            },
            status: apache::Status(f.status),
        });
        apache::Batch {
            items: Some(items.collect()),
        }
    }
}
