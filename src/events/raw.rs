//! `_raw`: an event's text exactly as it was in the input. Events read from the same file
//! share the file's text ([`Text`]) and each holds its own range of it, so loading a file
//! costs its size once, not twice; a big file is not even copied, but mapped.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

/// A whole input's text, shared by the events read from it: text of its own (a small file,
/// standard input, a decompressed file), or a file mapped into memory as it is on disk.
///
/// A mapped file is not checked to be UTF-8 as a whole (that would read every page once
/// more, on one core, before reading the events): each event's line is checked when it is
/// read, and a [`Raw`] is only ever a range that was checked.
pub struct Text {
    inner: Inner,
    /// Which of the text's [`crate::digest::SUM_BLOCK`]-sized blocks are ASCII, once
    /// [`Text::digest`] has read them all.
    ascii: OnceLock<Vec<bool>>,
}

enum Inner {
    Owned(String),
    /// The map, and the file, which is read through to copy a part without touching the
    /// map ([`Text::copy_into`]).
    Mapped(memmap2::Mmap, std::fs::File),
}

impl Text {
    /// A mapped file's bytes.
    ///
    /// The file must not be rewritten while it is mapped: its pages are read where they lie
    /// (README, "Inputs"). spelunk itself only ever reads its inputs.
    pub fn mapped(map: memmap2::Mmap, file: std::fs::File) -> Text {
        Text { inner: Inner::Mapped(map, file), ascii: OnceLock::new() }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.inner {
            Inner::Owned(s) => s.as_bytes(),
            Inner::Mapped(m, _) => m,
        }
    }

    /// Whether this is a mapped file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped(..))
    }

    /// Copies the bytes from `offset` into `buf` (it must be filled: the text is at least
    /// `offset + buf.len()` long). A mapped file is read (`pread`) rather than through its
    /// map: reading a big file once through the map cost as much in page faults, and in
    /// giving the pages back, as checking its lines did (bench/README.md), and none of it
    /// comes into the process's memory.
    pub fn copy_into(&self, offset: usize, buf: &mut [u8]) -> std::io::Result<()> {
        match &self.inner {
            #[cfg(unix)]
            Inner::Mapped(_, file) => std::os::unix::fs::FileExt::read_exact_at(file, buf, offset as u64),
            _ => {
                let from = self.as_bytes().get(offset..offset + buf.len());
                let from = from.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(from);
                Ok(())
            }
        }
    }

    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lets the kernel take a mapped file's pages out of the process's memory: they stay in
    /// the system's page cache and are mapped again, unchanged, when next read. Between the
    /// phases of a run over a big file, this keeps only what is in use resident (README,
    /// "Benchmarks"). Nothing to do for text of its own.
    pub fn release(&self) {
        self.release_range(0..self.len());
    }

    /// The digest of the whole text ([`crate::digest::checksum`]'s), its blocks read on all
    /// cores, a mapped file's pages let go behind. It notes which blocks are ASCII: a range
    /// wholly inside those is UTF-8 without being read again ([`Raw::range_of`]).
    pub fn digest(&self) -> [u8; 16] {
        use crate::digest::{block_digest, blocks, combine, SUM_BLOCK};
        let read = blocks(self.as_bytes(), |k, block| {
            let out = (block_digest(block), block.is_ascii());
            self.release_range(k * SUM_BLOCK..k * SUM_BLOCK + block.len());
            out
        });
        let _ = self.ascii.set(read.iter().map(|(_, ascii)| *ascii).collect());
        let digests: Vec<[u8; 16]> = read.into_iter().map(|(d, _)| d).collect();
        combine(self.len(), &digests)
    }

    /// Whether `range` is known to be ASCII (so UTF-8) without reading it.
    fn known_ascii(&self, range: &Range<usize>) -> bool {
        let Some(ascii) = self.ascii.get() else { return false };
        let block = crate::digest::SUM_BLOCK;
        range.is_empty() || (range.start / block..=(range.end - 1) / block).all(|k| ascii.get(k) == Some(&true))
    }

    /// [`Text::release`] for the pages that hold any byte of `range` (bytes of the text).
    pub fn release_range(&self, range: Range<usize>) {
        if let Inner::Mapped(m, _) = &self.inner {
            release_pages(m, range);
        }
    }
}

/// The bytes of a map of `len` bytes whose pages [`Text::release_range`] lets go for
/// `range`: `range` widened to multiples of 2 MiB from the map's start. A read through the
/// map maps the whole folio of the page cache it falls in (on Linux 6.18, about 1.2 MB a
/// read at random over a big file), and folios of up to 2 MiB are aligned so in the file,
/// so this lets go of every page a read of `range` mapped. Narrowed to whole 64 KiB pages
/// inside `range`, a pass over scattered events left most of each one's folio mapped, and
/// a pass block by block left the page across each seam: up to 1.7 GB resident at 10 GB of
/// input (bench/README.md). A neighbour's page let go with it is mapped again from the
/// page cache when next read.
fn pages_of(range: Range<usize>, len: usize) -> Range<usize> {
    const ALIGN: usize = 2 << 20;
    if range.is_empty() {
        return 0..0;
    }
    let start = (range.start / ALIGN * ALIGN).min(len);
    let end = range.end.div_ceil(ALIGN).saturating_mul(ALIGN).min(len);
    start..end.max(start)
}

/// Lets the kernel drop the pages of `map` that hold any byte of `range` ([`pages_of`],
/// see [`Text::release`]).
fn release_pages(map: &memmap2::Mmap, range: Range<usize>) {
    let Range { start, end } = pages_of(range, map.len());
    #[cfg(unix)]
    if start < end {
        // SAFETY: `Mmap::map` maps the file shared and read-only, so dropped pages are read
        // back from the file as they were (the file is not rewritten during a run, see
        // `Text::mapped`); nothing is written through the map.
        let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
    }
    #[cfg(not(unix))]
    let _ = (start, end);
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text { inner: Inner::Owned(s), ascii: OnceLock::new() }
    }
}

/// Where `part` lies in `whole`, when it is a part of it (the same memory, not equal text).
pub fn range_within(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let from = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let to = from.checked_add(part.len())?;
    (to <= whole.len()).then_some(from..to)
}

#[derive(Clone)]
pub struct Raw {
    buf: Arc<Text>,
    range: Range<usize>,
}

impl Raw {
    /// `text` as a range of `buf` when it lies inside it, else a copy of its own. (`text` is
    /// a `str`, so the range is UTF-8; the other way to a range is [`Raw::range_of`].)
    pub fn within(buf: Option<&Arc<Text>>, text: &str) -> Raw {
        if let Some(b) = buf {
            if let Some(range) = range_within(b.as_bytes(), text.as_bytes()) {
                return Raw { buf: Arc::clone(b), range };
            }
        }
        Raw::from(text.to_string())
    }

    /// `copy` as the range of `buf` from `start`, when it is a copy of those bytes
    /// ([`Text::copy_into`]; the file is not rewritten during a run, see [`Text::mapped`]).
    pub fn copied(buf: &Arc<Text>, start: usize, copy: &str) -> Raw {
        debug_assert!(start + copy.len() <= buf.len());
        Raw { buf: Arc::clone(buf), range: start..start + copy.len() }
    }

    /// `range` of `buf`, when it lies in it and is UTF-8 (read to check, unless
    /// [`Text::digest`] found its blocks ASCII).
    pub fn range_of(buf: &Arc<Text>, range: Range<usize>) -> Option<Raw> {
        let bytes = buf.as_bytes().get(range.clone())?;
        if !buf.known_ascii(&range) {
            std::str::from_utf8(bytes).ok()?;
        }
        Some(Raw { buf: Arc::clone(buf), range })
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: a `Raw`'s range is the bytes of a `str` (`Raw::within`, `From<String>`),
        // or a copy of them that is a `str` (`Raw::copied`), or was checked to be UTF-8
        // (`Raw::range_of`), and
        // the text under it is never written (a `String` of its own, or a read-only map of a
        // file that is not rewritten during the run, see `Text::mapped`).
        unsafe { std::str::from_utf8_unchecked(&self.buf.as_bytes()[self.range.clone()]) }
    }

    /// The whole text this is a range of.
    pub fn text(&self) -> &Arc<Text> {
        &self.buf
    }

    /// Where in [`Raw::text`] this lies.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }
}

impl Deref for Raw {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Raw {
    fn from(s: String) -> Raw {
        let range = 0..s.len();
        Raw { buf: Arc::new(Text::from(s)), range }
    }
}

impl From<&str> for Raw {
    fn from(s: &str) -> Raw {
        Raw::from(s.to_string())
    }
}

impl PartialEq for Raw {
    fn eq(&self, other: &Raw) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Raw {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Raw {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Raw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pass lets go of its text block by block: the pages let go for consecutive ranges
    /// leave none of the whole behind, seams included, and each range's 2 MiB folios whole.
    #[test]
    fn pages_let_go_for_consecutive_ranges_cover_them_all() {
        const MB2: usize = 2 << 20;
        let len = 5 * MB2 + 1000;
        let seams = [0, 70_000, 70_001, MB2 + 5, 2 * MB2, 4 * MB2 + 3, len];
        let mut covered = vec![false; len];
        for w in seams.windows(2) {
            let pages = pages_of(w[0]..w[1], len);
            assert!(pages.start % MB2 == 0 && (pages.end % MB2 == 0 || pages.end == len), "{pages:?}");
            assert!(pages.start <= w[0] && pages.end >= w[1], "{:?} holds {:?}", pages, w);
            covered[pages].iter_mut().for_each(|c| *c = true);
        }
        assert!(covered.iter().all(|&c| c), "every byte's page let go");
        assert_eq!(pages_of(70_000..70_001, len), 0..MB2, "one byte's whole folio");
        assert_eq!(pages_of(5..5, len), 0..0, "an empty range lets go of nothing");
        assert_eq!(pages_of(len - 10..len + 100, len), 5 * MB2..len, "not past the map's end");
    }

    #[test]
    fn a_text_digests_as_its_bytes_checksum_and_ranges_are_checked_where_not_ascii() {
        let block = crate::digest::SUM_BLOCK;
        // Blocks: ASCII; 'é' astride the boundary of the next two; ASCII.
        let mut s = "a".repeat(2 * block - 1);
        s.push('é');
        s.push_str(&"b".repeat(2 * block));
        let text = Arc::new(Text::from(s.clone()));
        let e = 2 * block - 1;
        // Before the digest, every range is read to check it.
        assert!(!text.known_ascii(&(0..10)));
        assert!(Raw::range_of(&text, 0..10).is_some());
        assert!(Raw::range_of(&text, e + 1..e + 5).is_none(), "starts inside 'é'");
        assert_eq!(text.digest(), crate::digest::checksum(s.as_bytes()));
        // After it: ranges in ASCII blocks need no check; the others are still checked.
        assert!(text.known_ascii(&(0..block)));
        assert!(!text.known_ascii(&(0..block + 1)));
        assert!(!text.known_ascii(&(e + 1..e + 5)));
        assert!(text.known_ascii(&(3 * block..4 * block)));
        assert!(Raw::range_of(&text, e + 1..e + 5).is_none());
        assert_eq!(Raw::range_of(&text, e - 1..e + 4).unwrap().as_str(), "aébb");
        assert!(Raw::range_of(&text, 0..s.len() + 1).is_none(), "past the end");
        assert_eq!(Raw::range_of(&text, 5..5).unwrap().as_str(), "");
    }

    #[test]
    fn slices_share_the_buffer() {
        let whole = "{\"a\":1}\n{\"b\":2}\n".to_string();
        let buf = Arc::new(Text::from(whole));
        let second_line = &buf.as_bytes()[8..15];
        let second = std::str::from_utf8(second_line).unwrap();
        let r = Raw::within(Some(&buf), second);
        assert_eq!(r, "{\"b\":2}");
        assert_eq!(Arc::strong_count(&buf), 2, "no copy made");
        let elsewhere = Raw::within(Some(&buf), "{\"c\":3}");
        assert_eq!(elsewhere, "{\"c\":3}");
        assert_eq!(Arc::strong_count(&buf), 2);
    }
}
