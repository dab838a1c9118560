//! Loads the root files and, transitively, everything they include: include paths are
//! searched relative to the including file, then in the `-I` directories; a file reached by two
//! paths is loaded once; cycles are reported. Only regular files of at most
//! [`MAX_FILE_BYTES`] are read, and includes nest at most [`MAX_INCLUDE_DEPTH`] deep.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::limits::{MAX_FILE_BYTES, MAX_INCLUDE_DEPTH};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, ast};

/// A file to compile.
#[derive(Clone, Debug)]
pub enum Root {
    /// Read it from disk.
    Path(PathBuf),
    /// Use this text as the file at this path (includes are still read from disk).
    Text {
        /// Where the file is said to be (includes are searched from its directory).
        path: PathBuf,
        /// Its contents.
        text: String,
    },
}

/// Every loaded file: text, AST (when it parsed) and resolved includes.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The text of every file.
    pub sources: SourceMap,
    /// The AST of every file, by [`FileId`]; `None` where parsing failed.
    pub documents: Vec<Option<ast::Document>>,
    /// The files each file includes, with the span of the `include` literal.
    pub includes: Vec<Vec<(FileId, Span)>>,
    /// The files named by the user.
    pub roots: Vec<FileId>,
    /// The directory of every file, by [`FileId`], below the include directory (or root
    /// file's directory) it is found under (see [`relative_dirs`]).
    pub dirs: Vec<Vec<String>>,
}

/// Loads `roots` and their includes, reporting unreadable files and cycles.
pub fn load(roots: &[Root], include_dirs: &[PathBuf], diags: &mut Diagnostics) -> Loaded {
    let mut loader = Loader {
        include_dirs,
        loaded: Loaded::default(),
        visiting: Vec::new(),
        diags,
    };
    for root in roots {
        let (display, text) = match root {
            Root::Path(path) => match read(path) {
                Ok(text) => (path.clone(), text),
                Err(unreadable) => {
                    let message = format!("cannot read `{}`: {unreadable}", path.display());
                    loader
                        .diags
                        .push(Diagnostic::error(unreadable.code(), message));
                    continue;
                }
            },
            Root::Text { path, text } => (path.clone(), text.clone()),
        };
        // (A root given as text may not exist: it is placed by its path as written.)
        let canonical = std::fs::canonicalize(&display)
            .or_else(|_| std::path::absolute(&display))
            .unwrap_or_else(|_| display.clone());
        let id = match loader.loaded.sources.find(&canonical) {
            Some(id) => id,
            None => loader.add(canonical, &display, text),
        };
        loader.loaded.roots.push(id);
    }
    let dirs = relative_dirs(&loader.loaded.sources, include_dirs, &loader.loaded.roots);
    Loaded {
        dirs,
        ..loader.loaded
    }
}

struct Loader<'a> {
    include_dirs: &'a [PathBuf],
    loaded: Loaded,
    /// The include chain being followed, for cycle detection.
    visiting: Vec<FileId>,
    diags: &'a mut Diagnostics,
}

impl Loader<'_> {
    /// Adds and parses a file, then loads its includes.
    fn add(&mut self, canonical: PathBuf, display: &Path, text: String) -> FileId {
        let name = display.to_string_lossy().into_owned();
        let id = self.loaded.sources.add(canonical, name, text);
        let parsed = syntax::parse(id, self.loaded.sources.get(id).text());
        self.diags.extend(parsed.diagnostics);
        let includes: Vec<ast::StrLit> = parsed
            .document
            .iter()
            .flat_map(|doc| &doc.headers)
            .filter_map(|h| {
                if let ast::Header::Include(lit) = h {
                    Some(lit.clone())
                } else {
                    None
                }
            })
            .collect();
        self.loaded.documents.push(parsed.document);
        self.loaded.includes.push(Vec::new());
        self.visiting.push(id);
        let dir = display.parent().map(Path::to_path_buf).unwrap_or_default();
        for include in includes {
            if let Some(target) = self.include(&dir, &include) {
                self.loaded.includes[id.index()].push((target, include.span));
            }
        }
        self.visiting.pop();
        id
    }

    fn include(&mut self, dir: &Path, include: &ast::StrLit) -> Option<FileId> {
        if self.visiting.len() >= MAX_INCLUDE_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    Code::IncludeTooDeep,
                    format!("includes nested deeper than the limit of {MAX_INCLUDE_DEPTH}"),
                )
                .primary(include.span, "this include is one too many")
                .help("include the files a chain of includes needs from fewer levels"),
            );
            return None;
        }
        let Some((display, canonical)) = self.find(dir, &include.value) else {
            self.not_found(dir, include);
            return None;
        };
        if let Some(id) = self.loaded.sources.find(&canonical) {
            if let Some(at) = self.visiting.iter().position(|v| *v == id) {
                let chain = self.visiting.split_off(at);
                self.cycle(&chain, id, include.span);
                self.visiting.extend(chain);
                return None;
            }
            return Some(id);
        }
        match read(&canonical) {
            Ok(text) => Some(self.add(canonical, &display, text)),
            Err(unreadable) => {
                self.diags.push(
                    Diagnostic::error(
                        unreadable.code(),
                        format!("cannot read `{}`", include.value),
                    )
                    .primary(include.span, unreadable.to_string()),
                );
                None
            }
        }
    }

    /// The path as shown and its canonical form, searching like Apache: the including file's
    /// directory first, then each `-I` directory in order.
    fn find(&self, dir: &Path, include: &str) -> Option<(PathBuf, PathBuf)> {
        let path = Path::new(include);
        let candidates =
            std::iter::once(dir.join(path)).chain(self.include_dirs.iter().map(|d| d.join(path)));
        candidates.filter(|c| c.is_file()).find_map(|c| {
            std::fs::canonicalize(&c)
                .ok()
                .map(|canonical| (normalize(&c), canonical))
        })
    }

    fn not_found(&mut self, dir: &Path, include: &ast::StrLit) {
        let searched: Vec<String> = std::iter::once(dir)
            .chain(self.include_dirs.iter().map(PathBuf::as_path))
            .map(|d| {
                if d.as_os_str().is_empty() {
                    ".".to_owned()
                } else {
                    d.display().to_string()
                }
            })
            .collect();
        // A warning, as in Apache: the file compiles as long as nothing from it is used.
        self.diags.push(
            Diagnostic::warning(
                Code::MissingInclude,
                format!("cannot find `{}`", include.value),
            )
            .primary(include.span, "included here")
            .note(format!("searched in: {}", searched.join(", ")))
            .help("add the directory that contains it with `-I <dir>`"),
        );
    }

    fn cycle(&mut self, chain: &[FileId], back_to: FileId, span: Span) {
        let names: Vec<&str> = chain
            .iter()
            .chain(std::iter::once(&back_to))
            .map(|id| self.loaded.sources.get(*id).name())
            .collect();
        self.diags.push(
            Diagnostic::error(Code::IncludeCycle, "files include each other in a cycle")
                .primary(span, "this include closes the cycle")
                .note(format!("the cycle: {}", names.join(" -> ")))
                .help("move the shared definitions into a file that both include"),
        );
    }
}

/// Each file's directory as path segments below its *anchor*: the deepest include directory
/// holding it, else the deepest directory of a root file holding it. A file under no anchor
/// (reached by `include "../…"` from outside them all) has no directory segments. Files in
/// different directories so get different module paths (as `protoc` names files by their path
/// below an include directory), and the paths do not depend on where the tree is checked out.
fn relative_dirs(
    sources: &SourceMap,
    include_dirs: &[PathBuf],
    roots: &[FileId],
) -> Vec<Vec<String>> {
    let dir_of = |id: FileId| sources.get(id).path().parent().map(Path::to_path_buf);
    let searched: Vec<PathBuf> = include_dirs
        .iter()
        .filter_map(|dir| std::fs::canonicalize(dir).ok())
        .collect();
    let root_dirs: Vec<PathBuf> = roots.iter().filter_map(|id| dir_of(*id)).collect();
    let deepest = |anchors: &[PathBuf], dir: &Path| {
        anchors
            .iter()
            .filter(|anchor| dir.starts_with(anchor))
            .max_by_key(|anchor| anchor.components().count())
            .and_then(|anchor| dir.strip_prefix(anchor).ok())
            .map(|rest| {
                let parts = rest.components();
                parts
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
    };
    sources
        .iter()
        .map(|(id, _)| {
            let Some(dir) = dir_of(id) else {
                return Vec::new();
            };
            deepest(&searched, &dir)
                .or_else(|| deepest(&root_dirs, &dir))
                .unwrap_or_default()
        })
        .collect()
}

/// `a/./b/../c` → `a/c`, for display.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.file_name().is_some_and(|n| n != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Why a file was not read.
#[derive(Debug)]
enum Unreadable {
    Io(std::io::Error),
    NotRegular,
    TooLarge(u64),
}

impl Unreadable {
    fn code(&self) -> Code {
        match self {
            Unreadable::Io(_) => Code::IncludeNotFound,
            Unreadable::NotRegular | Unreadable::TooLarge(_) => Code::BadInputFile,
        }
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Io(err) => write!(f, "{err}"),
            Unreadable::NotRegular => write!(f, "not a regular file"),
            Unreadable::TooLarge(len) => write!(
                f,
                "{len} bytes is over the limit of {MAX_FILE_BYTES} bytes for an IDL file"
            ),
        }
    }
}

/// Reads an IDL file: a regular file (a device or a pipe could be read without end, or block)
/// of at most [`MAX_FILE_BYTES`].
fn read(path: &Path) -> Result<String, Unreadable> {
    let metadata = std::fs::metadata(path).map_err(Unreadable::Io)?;
    if !metadata.is_file() {
        return Err(Unreadable::NotRegular);
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(Unreadable::Io)?;
    let mut text = String::new();
    // A file that grows after the look at its size is still read no further than the limit.
    let read = file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text);
    read.map_err(Unreadable::Io)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Unreadable::TooLarge(text.len() as u64));
    }
    Ok(text)
}
