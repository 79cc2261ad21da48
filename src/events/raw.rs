//! `_raw`: an event's text exactly as it was in the input. Events read from the same file
//! share the file's text ([`Text`]) and each holds its own range of it, so loading a file
//! costs its size once, not twice; a big file is not even copied, but mapped.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A whole input's text, shared by the events read from it: text of its own (a small file,
/// standard input, a decompressed file), or a file mapped into memory as it is on disk.
pub struct Text(Inner);

enum Inner {
    Owned(String),
    /// Checked to be UTF-8 when it was made ([`Text::mapped`]).
    Mapped(memmap2::Mmap),
}

impl Text {
    /// A mapped file's text, when its bytes are UTF-8 (else the map back, to be read line by
    /// line).
    ///
    /// The file must not be rewritten while it is mapped: its pages are read where they lie
    /// (README, "Inputs"). spelunk itself only ever reads its inputs.
    pub fn mapped(map: memmap2::Mmap) -> Result<Text, memmap2::Mmap> {
        // Checked a part at a time, each part's pages let go once checked: checking a
        // 10 GB file must not make 10 GB resident.
        const PART: usize = 16 << 20;
        let mut at = 0;
        while at < map.len() {
            let start = at;
            let end = (at + PART).min(map.len());
            match std::str::from_utf8(&map[at..end]) {
                Ok(_) => at = end,
                // A character cut by the part's end: the next part starts with it.
                Err(e) if e.error_len().is_none() && end < map.len() && e.valid_up_to() > 0 => at += e.valid_up_to(),
                Err(_) => return Err(map),
            }
            release_pages(&map, start..at);
        }
        Ok(Text(Inner::Mapped(map)))
    }

    /// Lets the kernel take a mapped file's pages out of the process's memory: they stay in
    /// the system's page cache and are mapped again, unchanged, when next read. Between the
    /// phases of a run over a big file, this keeps only what is in use resident (README,
    /// "Benchmarks"). Nothing to do for text of its own.
    pub fn release(&self) {
        self.release_range(0..self.len());
    }

    /// [`Text::release`] for the pages wholly inside `range` (bytes of the text).
    pub fn release_range(&self, range: Range<usize>) {
        if let Inner::Mapped(m) = &self.0 {
            release_pages(m, range);
        }
    }
}

/// Lets the kernel drop the pages of `map` wholly inside `range` (see [`Text::release`]).
fn release_pages(map: &memmap2::Mmap, range: Range<usize>) {
    // Inward to multiples of 64 KiB from the map's start (a page boundary), which are page
    // boundaries for pages of up to 64 KiB.
    const ALIGN: usize = 1 << 16;
    let start = range.start.div_ceil(ALIGN) * ALIGN;
    let end = if range.end >= map.len() { map.len() } else { range.end / ALIGN * ALIGN };
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
        Text(Inner::Owned(s))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            Inner::Owned(s) => s,
            // SAFETY: checked to be UTF-8 in `Text::mapped`, and the map is read-only.
            Inner::Mapped(m) => unsafe { std::str::from_utf8_unchecked(m) },
        }
    }
}

/// Where `part` lies in `whole`, when it is a part of it (the same memory, not equal text).
pub fn range_within(whole: &str, part: &[u8]) -> Option<Range<usize>> {
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
    /// `range` of a shared text (must lie on character boundaries).
    pub fn slice(buf: &Arc<Text>, range: Range<usize>) -> Raw {
        debug_assert!(buf.is_char_boundary(range.start) && buf.is_char_boundary(range.end));
        Raw { buf: Arc::clone(buf), range }
    }

    /// `text` as a range of `buf` when it lies inside it, else a copy of its own.
    pub fn within(buf: Option<&Arc<Text>>, text: &str) -> Raw {
        if let Some(b) = buf {
            if let Some(range) = range_within(b, text.as_bytes()) {
                return Raw::slice(b, range);
            }
        }
        Raw::from(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.buf[self.range.clone()]
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

    #[test]
    fn slices_share_the_buffer() {
        let buf = Arc::new(Text::from("{\"a\":1}\n{\"b\":2}\n".to_string()));
        let second = &buf[8..15];
        let r = Raw::within(Some(&buf), second);
        assert_eq!(r, "{\"b\":2}");
        assert_eq!(Arc::strong_count(&buf), 2, "no copy made");
        let elsewhere = Raw::within(Some(&buf), "{\"c\":3}");
        assert_eq!(elsewhere, "{\"c\":3}");
        assert_eq!(Arc::strong_count(&buf), 2);
    }
}
