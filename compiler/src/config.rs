//! The build.rs API: a prost-build-style [`Config`] whose setters choose how the generated
//! Rust looks, and [`Config::compile`] / [`Config::generate`] that run the whole pipeline.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::output::{self, Generated};

/// Which Rust collections `set` and `map` become.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Collections {
    /// `HashSet` / `HashMap` (the default): fastest look-ups.
    #[default]
    Hash,
    /// `BTreeSet` / `BTreeMap`: ordered, deterministic iteration.
    BTree,
}

/// Which Rust type `string` becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strings {
    /// `String` (the default).
    #[default]
    String,
    /// `bytestring::ByteString` (re-exported as `thrift_bidi::ByteString`): cheap to clone,
    /// and decoded without copying out of the received buffer.
    ByteString,
}

/// Options for code generation, set with `&mut self` setters, then [`Config::compile`].
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     thrift_bidi_build::Config::new()
///         .collections(thrift_bidi_build::Collections::BTree)
///         .type_attribute(".", "#[derive(serde::Serialize)]")
///         .compile(&["idl/chat.thrift"], &["idl"])?;
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) collections: Collections,
    pub(crate) strings: Strings,
    pub(crate) hasher: Option<String>,
    pub(crate) type_attributes: Vec<(String, String)>,
    pub(crate) field_attributes: Vec<(String, String)>,
    pub(crate) callbacks: Vec<(String, String)>,
    pub(crate) idempotent: Vec<String>,
    pub(crate) serde: Vec<String>,
    pub(crate) keep_unknown: Vec<String>,
    out_dir: Option<PathBuf>,
    rerun_if_changed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    /// The defaults: `HashMap`/`HashSet`, `String`, no extra attributes, output to `OUT_DIR`.
    pub fn new() -> Self {
        Config {
            collections: Collections::Hash,
            strings: Strings::String,
            hasher: None,
            type_attributes: Vec::new(),
            field_attributes: Vec::new(),
            callbacks: Vec::new(),
            idempotent: Vec::new(),
            serde: Vec::new(),
            keep_unknown: Vec::new(),
            out_dir: None,
            rerun_if_changed: true,
        }
    }

    /// Chooses the collections for `set` and `map`.
    ///
    /// Element types that cannot be hashed fall back to the `BTree` collections, and types that
    /// can be neither hashed nor ordered (`set<double>`) to `thrift_bidi::value::VecSet` / `VecMap`
    /// (lists in wire order), whatever is chosen here.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.collections(thrift_bidi_build::Collections::BTree);
    /// ```
    pub fn collections(&mut self, collections: Collections) -> &mut Self {
        self.collections = collections;
        self
    }

    /// Chooses the Rust type of `string`.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.strings(thrift_bidi_build::Strings::ByteString);
    /// ```
    pub fn strings(&mut self, strings: Strings) -> &mut Self {
        self.strings = strings;
        self
    }

    /// Chooses the `BuildHasher` of the generated `HashMap`s and `HashSet`s, as a Rust type
    /// path the generated code can name (the crate must depend on it; the type must be
    /// `BuildHasher + Default + Clone`, as hashers are). By default they use the
    /// standard library's `RandomState` (`SipHash`: slower, but resistant to a peer that sends
    /// keys crafted to collide). A faster hasher pays off in decoding maps with many entries.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.hasher("::foldhash::fast::RandomState");
    /// ```
    pub fn hasher(&mut self, hasher: impl Into<String>) -> &mut Self {
        self.hasher = Some(hasher.into());
        self
    }

    /// Adds `attribute` to the structs, unions, exceptions and enums matching `path`: `"."` for
    /// all of them, `"Type"` or `"module.Type"` for one (IDL names).
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.type_attribute("chat.Message", "#[derive(serde::Serialize)]");
    /// ```
    pub fn type_attribute(
        &mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> &mut Self {
        self.type_attributes.push((path.into(), attribute.into()));
        self
    }

    /// Implements serde's `Serialize` and `Deserialize` for the structs, unions, exceptions and
    /// enums matching `path` (`"."` for all, `"Type"` or `"module.Type"` for one), in the
    /// representation [`thrift_bidi::json`] describes: objects keyed by IDL field names, enums
    /// by member name, binary as base64, NaN as `"NaN"`, maps with other keys than strings,
    /// integers, enums, binaries and uuids as arrays of pairs. The types a matching type holds
    /// must match too. The crate needs `thrift-bidi` with its `serde` feature (and nothing
    /// else: the impls are written out, not derived).
    ///
    /// [`thrift_bidi::json`]: https://docs.rs/thrift-bidi/latest/thrift_bidi/json/
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.serde(".");
    /// ```
    pub fn serde(&mut self, path: impl Into<String>) -> &mut Self {
        self.serde.push(path.into());
        self
    }

    /// Keeps the fields this side does not know in the structs, exceptions and unions matching
    /// `path` (`"."` for all): read into a `_unknown_fields: thrift_bidi::value::UnknownFields`
    /// field (a union gets a `_UnknownFields` variant for a field it does not know), and
    /// written back after the known fields, in the order they were read, in whichever
    /// protocol the value is written. A proxy built from an older IDL so passes newer fields
    /// through. (Byte-for-byte identity is not promised: field order and compact field deltas
    /// may change.)
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.keep_unknown_fields(".");
    /// ```
    pub fn keep_unknown_fields(&mut self, path: impl Into<String>) -> &mut Self {
        self.keep_unknown.push(path.into());
        self
    }

    /// Adds `attribute` to the struct fields matching `path`: `"."` for all, `"Type.field"` or
    /// `"module.Type.field"` for one.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.field_attribute("Message.text", "#[serde(rename = \"body\")]");
    /// ```
    pub fn field_attribute(
        &mut self,
        path: impl Into<String>,
        attribute: impl Into<String>,
    ) -> &mut Self {
        self.field_attributes.push((path.into(), attribute.into()));
        self
    }

    /// Writes the generated files to `dir` instead of `$OUT_DIR`.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.out_dir("src/generated");
    /// ```
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether [`Config::compile`] prints `cargo:rerun-if-changed` for every IDL file read
    /// (default `true`).
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.emit_rerun_if_changed(false);
    /// ```
    pub fn emit_rerun_if_changed(&mut self, emit: bool) -> &mut Self {
        self.rerun_if_changed = emit;
        self
    }

    /// Pairs `service` with the `callback` service its clients implement, as the
    /// `bidi.callback` annotation does, for IDL one cannot edit. Both are dotted paths,
    /// `module.Service`; the pairing replaces any annotation.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.callback("chat.Chat", "chat.ChatCallback");
    /// ```
    pub fn callback(
        &mut self,
        service: impl Into<String>,
        callback: impl Into<String>,
    ) -> &mut Self {
        self.callbacks.push((service.into(), callback.into()));
        self
    }

    /// Marks `function` idempotent (safe to send twice, so that a retry layer may), as the
    /// `bidi.idempotent` annotation does, for IDL one cannot edit. The path is
    /// `module.Service.function`, naming the service that declares it.
    ///
    /// ```
    /// let mut config = thrift_bidi_build::Config::new();
    /// config.idempotent("jobs.Jobs.status");
    /// ```
    pub fn idempotent(&mut self, function: impl Into<String>) -> &mut Self {
        self.idempotent.push(function.into());
        self
    }

    /// Generates Rust for `files` and everything they include (searched next to the including
    /// file, then in `include_dirs`), without writing anything.
    pub fn generate(
        &self,
        files: &[impl AsRef<Path>],
        include_dirs: &[impl AsRef<Path>],
    ) -> Result<Generated, Error> {
        let files: Vec<PathBuf> = files.iter().map(|f| f.as_ref().to_owned()).collect();
        let dirs: Vec<PathBuf> = include_dirs.iter().map(|d| d.as_ref().to_owned()).collect();
        let checked = crate::check_files(&files, &dirs);
        if checked.has_errors() {
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            return Err(Error::Idl {
                rendered: checked.render(false),
                errors,
            });
        }
        self.generate_checked(&checked)
    }

    /// Generates Rust for files already run through [`crate::check_files`] (which must have
    /// no errors).
    pub fn generate_checked(&self, checked: &crate::Checked) -> Result<Generated, Error> {
        output::generate(checked, self)
    }

    /// Generates Rust for `files` into the output directory (`$OUT_DIR` by default), one
    /// file per IDL module plus the `mod.rs` that mounts them (and that `thrift_bidi::include_idl!()`
    /// includes).
    /// Files are rewritten only when their contents change. Warnings are passed to cargo.
    pub fn compile(
        &self,
        files: &[impl AsRef<Path>],
        include_dirs: &[impl AsRef<Path>],
    ) -> Result<(), Error> {
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(Error::NoOutDir)?,
        };
        let result = self.generate(files, include_dirs);
        if self.rerun_if_changed {
            for dir in include_dirs {
                println!("cargo:rerun-if-changed={}", dir.as_ref().display());
            }
        }
        let generated = result?;
        if self.rerun_if_changed {
            for input in &generated.inputs {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        for line in generated.warnings.lines() {
            println!("cargo:warning={line}");
        }
        generated.write(&out_dir)
    }
}

/// Why generation failed.
#[derive(thiserror::Error)]
pub enum Error {
    /// The IDL has errors; `rendered` shows them the way rustc shows its own.
    #[error("{rendered}thrift-bidi: {errors} error(s) in the IDL")]
    Idl {
        /// The diagnostics, rendered.
        rendered: String,
        /// How many errors.
        errors: usize,
    },
    /// A type or field attribute given to [`Config`] is not valid Rust.
    #[error("attribute `{attribute}` for `{path}` is not a Rust attribute: {reason}")]
    Attribute {
        /// The path it was given for.
        path: String,
        /// The attribute.
        attribute: String,
        /// What the parser said.
        reason: String,
    },
    /// The hasher given to [`Config::hasher`] is not a Rust type.
    #[error("hasher `{hasher}` is not a Rust type: {reason}")]
    Hasher {
        /// The hasher given.
        hasher: String,
        /// What the parser said.
        reason: String,
    },
    /// The generator produced Rust that does not parse: a bug in thrift-bidi, please report it.
    #[error("generated code for module `{module}` does not parse (a thrift-bidi bug): {reason}")]
    Internal {
        /// The module.
        module: String,
        /// What the parser said.
        reason: String,
    },
    /// [`Config::callback`] names something that is not a service of the IDL.
    #[error("`{path}` given to Config::callback is not a service (write `module.Service`)")]
    UnknownService {
        /// The path given.
        path: String,
    },
    /// [`Config::idempotent`] names something that is not a function of a service of the IDL.
    #[error(
        "`{path}` given to Config::idempotent is not a function (write `module.Service.function`)"
    )]
    UnknownFunction {
        /// The path given.
        path: String,
    },
    /// Neither [`Config::out_dir`] nor `$OUT_DIR` is set.
    #[error("no output directory: `OUT_DIR` is not set (call `Config::out_dir` outside build.rs)")]
    NoOutDir,
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// `Debug` shows the message itself, so a build script returning `Result<_, Box<dyn Error>>`
/// prints the diagnostics readably.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Whether an attribute path (`"."`, `"Type"`, `"module.Type.field"`) selects `full`, the
/// dotted IDL path of a type or field.
pub(crate) fn path_matches(pattern: &str, full: &str) -> bool {
    pattern == "."
        || full == pattern
        || full
            .strip_suffix(pattern)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn attribute_paths_match_whole_dotted_suffixes() {
        assert!(path_matches(".", "chat.Message"));
        assert!(path_matches("Message", "chat.Message"));
        assert!(path_matches("chat.Message", "chat.Message"));
        assert!(path_matches("Message.text", "chat.Message.text"));
        assert!(!path_matches("essage", "chat.Message"));
        assert!(!path_matches("Message", "chat.Message.text"));
    }
}
