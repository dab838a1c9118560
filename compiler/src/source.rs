//! Source files and spans: the text every stage points into.
//!
//! Input: file paths and their text. Output: [`FileId`]s and [`Span`]s that the AST, the IR
//! and diagnostics carry, and the line/column look-ups the renderers need.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub(crate) u32);

impl FileId {
    /// The position of the file in its [`SourceMap`].
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The file at position `index` (source maps are far below `u32::MAX` files).
    pub(crate) fn from_index(index: usize) -> Self {
        Self(u32::try_from(index).unwrap_or(u32::MAX))
    }
}

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span of `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Self {
            file,
            start: range.start,
            end: range.end,
        }
    }

    /// The byte range.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering `self` and `other` (same file).
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One loaded source file.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// The path the file was read from (canonical when it exists on disk).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name shown in diagnostics (the path as the user gave or reached it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 0-based line of byte `offset`.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// Every file a compilation has read, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: PathBuf, name: String, text: String) -> FileId {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let id = FileId::from_index(self.files.len());
        self.files.push(SourceFile {
            path,
            name,
            text,
            line_starts,
        });
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// The id of the file read from `path`, if it was loaded.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.iter().find(|(_, f)| f.path == path).map(|(id, _)| id)
    }

    /// All files, in load order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId::from_index(i), f))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.range()).unwrap_or("")
    }
}

impl<'a> codespan_reporting::files::Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(&self.get(id).text)
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let file = self.get(id);
        Ok(file.line_index(byte.min(file.text.len())))
    }

    fn line_range(
        &'a self,
        id: FileId,
        line: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self.get(id);
        let start =
            *file
                .line_starts
                .get(line)
                .ok_or(codespan_reporting::files::Error::LineTooLarge {
                    given: line,
                    max: file.line_starts.len() - 1,
                })?;
        let end = file
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}
