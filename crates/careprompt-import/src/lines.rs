//! Line numbers from byte offsets: a table of line starts built once per
//! file, so that finding the line of any offset is a binary search (the
//! CSV tables and the CIN census both report rows by line).

/// The byte offsets at which each line of a text starts.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineStarts {
    /// Offsets of the bytes just after each `\n`, with 0 first.
    starts: Vec<usize>,
    /// The length of the text.
    len: usize,
}

impl LineStarts {
    /// The line starts of `bytes`.
    pub fn new(bytes: &[u8]) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineStarts {
            starts,
            len: bytes.len(),
        }
    }

    /// The line (1 is the first) holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&s| s <= offset) as u64
    }

    /// How many lines the text has: a last line without a line end counts,
    /// an empty text has none.
    pub fn count(&self) -> u64 {
        let full = self.starts.len() as u64 - 1;
        let last_start = self.starts.last().copied().unwrap_or(0);
        if last_start < self.len {
            full + 1
        } else {
            full
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets() {
        let l = LineStarts::new(b"ab\ncd\n\nef");
        assert_eq!(l.line_of(0), 1);
        assert_eq!(l.line_of(2), 1);
        assert_eq!(l.line_of(3), 2);
        assert_eq!(l.line_of(6), 3);
        assert_eq!(l.line_of(7), 4);
        assert_eq!(l.count(), 4);
        assert_eq!(LineStarts::new(b"a\n").count(), 1);
        assert_eq!(LineStarts::new(b"").count(), 0);
    }
}
