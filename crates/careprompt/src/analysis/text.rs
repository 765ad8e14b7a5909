//! Positions in a text: byte offsets to and from lines and UTF-16 columns
//! (what LSP clients and JavaScript strings count in), and the tokens
//! around a position.

use serde::{Deserialize, Serialize};

/// A position in a text: 0-based line and 0-based column counted in UTF-16
/// code units, as the Language Server Protocol and JavaScript count them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column in UTF-16 code units.
    pub character: u32,
}

/// A range between two positions (end exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// First position.
    pub start: Position,
    /// One past the last position.
    pub end: Position,
}

/// The byte offsets where the lines of a text start.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    /// The position of byte `offset` in `text`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = text
            .get(start..offset)
            .map(|s| s.encode_utf16().count())
            .unwrap_or(0);
        Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The range of bytes `start..end` in `text`.
    pub(crate) fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range {
            start: self.position(text, start),
            end: self.position(text, end.max(start)),
        }
    }

    /// The byte offset of `pos` in `text` (clamped to the line's end and to
    /// the text).
    pub(crate) fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let line_end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|e| e.saturating_sub(1))
            .unwrap_or(text.len());
        let line = text.get(start..line_end).unwrap_or_default();
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        line_end
    }
}

/// The largest character boundary at or before `offset`.
pub(crate) fn floor_char(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Whether `b` may appear in a name.
pub(crate) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `b` may appear in a dotted path or a rule id.
pub(crate) fn is_word(b: u8) -> bool {
    is_ident(b) || b == b'.' || b == b'-'
}

/// The byte range of the word (names, dots, hyphens) around `offset`.
pub(crate) fn word_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut start = offset;
    while start > 0 && bytes.get(start - 1).copied().is_some_and(is_word) {
        start -= 1;
    }
    let mut end = offset;
    while bytes.get(end).copied().is_some_and(is_word) {
        end += 1;
    }
    // A trailing or leading dot is not part of the word.
    while start < end && bytes.get(start) == Some(&b'.') {
        start += 1;
    }
    while end > start && bytes.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    (start < end).then_some((start, end))
}

/// The code state at the end of `text`: inside a string or a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lexical {
    Code,
    String,
    Comment,
}

/// Whether the end of `text` falls in code, a string or a comment (strings
/// and comments end at a line break).
pub(crate) fn lexical_state(text: &str) -> Lexical {
    let mut state = Lexical::Code;
    let mut escaped = false;
    for b in text.bytes() {
        match state {
            Lexical::Code => match b {
                b'"' => state = Lexical::String,
                b'#' => state = Lexical::Comment,
                _ => {}
            },
            Lexical::String => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' || b == b'\n' {
                    state = Lexical::Code;
                }
            }
            Lexical::Comment => {
                if b == b'\n' {
                    state = Lexical::Code;
                }
            }
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "ab\ncé😀d\n";
        let lines = Lines::new(text);
        let d = text.find('d').unwrap();
        let p = lines.position(text, d);
        assert_eq!(
            p,
            Position {
                line: 1,
                character: 4
            }
        );
        assert_eq!(lines.offset(text, p), d);
        assert_eq!(
            lines.offset(
                text,
                Position {
                    line: 0,
                    character: 99
                }
            ),
            2
        );
        assert_eq!(
            lines.offset(
                text,
                Position {
                    line: 9,
                    character: 0
                }
            ),
            text.len()
        );
    }

    #[test]
    fn words_take_dotted_paths_and_ids() {
        let text = "when education.pep.last_reviewed exists";
        let at = text.find("pep").unwrap();
        let (s, e) = word_at(text, at).unwrap();
        assert_eq!(&text[s..e], "education.pep.last_reviewed");
        assert_eq!(
            word_at("rule CMH-EDU-01 {", 8).map(|(s, e)| &"rule CMH-EDU-01 {"[s..e]),
            Some("CMH-EDU-01")
        );
        assert_eq!(word_at("a  b", 2), None);
    }

    #[test]
    fn strings_and_comments_end_at_line_breaks() {
        assert_eq!(lexical_state("title \"abc"), Lexical::String);
        assert_eq!(lexical_state("title \"a\\\"bc\" "), Lexical::Code);
        assert_eq!(lexical_state("# note \"x"), Lexical::Comment);
        assert_eq!(lexical_state("# note\nwhen"), Lexical::Code);
    }
}
