//! Integration tests of thrift-bidi: the corpus of real IDL files (here: how to list it), and
//! later wire compatibility with Apache Thrift and interop with Python peers.

use std::path::{Path, PathBuf};

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
    /// Ours, with `BTreeMap`s and `proptest` derives, for the oracle tests.
    pub mod oracle {
        include!(concat!(env!("OUT_DIR"), "/oracle/mod.rs"));
    }

    /// Ours, with the default configuration.
    pub mod default {
        include!(concat!(env!("OUT_DIR"), "/default/mod.rs"));
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
