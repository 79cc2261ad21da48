//! Byte ranges into the text a node was parsed from.
//!
//! Spans are metadata, not meaning: two nodes that differ only in where they were written
//! compare equal. That is what makes `parse(print(ast)) == ast` a meaningful test (the
//! printed text puts every node somewhere else). sqlparser-rs treats its token spans the
//! same way.

use std::fmt;
use std::ops::Range;

/// A half-open byte range `[start, end)` in the (macro-expanded) search text.
#[derive(Clone, Copy, Default, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl PartialEq for Span {
    /// Always equal: see the module documentation.
    fn eq(&self, _other: &Span) -> bool {
        true
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_do_not_take_part_in_equality() {
        assert_eq!(Span::new(0, 3), Span::new(10, 20));
    }

    #[test]
    fn to_covers_both() {
        let s = Span::new(5, 7).to(Span::new(2, 3));
        assert_eq!((s.start, s.end), (2, 7));
    }
}
