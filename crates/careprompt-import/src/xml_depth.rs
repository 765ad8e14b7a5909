//! A check of how deeply an XML text nests its elements, made before it is
//! parsed: the XML parser recurses once per level, so a hostile file nested
//! tens of thousands deep would overflow the stack. The scan skips
//! comments, processing instructions, CDATA sections, the document type
//! declaration and quoted attribute values; it may count a malformed file
//! wrongly, which the parser then rejects anyway.

/// The deepest element nesting accepted. A CIN census nests about eight
/// deep.
pub(crate) const MAX_XML_DEPTH: usize = 256;

/// The byte offset of the first element deeper than `max`, if any.
pub(crate) fn too_deep(xml: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0usize;
    let find = |from: usize, pat: &[u8]| -> usize {
        xml.get(from..)
            .and_then(|rest| rest.windows(pat.len()).position(|w| w == pat))
            .map_or(xml.len(), |p| from + p + pat.len())
    };
    while let Some(rel) = xml
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'<'))
    {
        let at = i + rel;
        let rest = xml.get(at..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            i = find(at + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = find(at + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = find(at + 2, b"?>");
        } else if rest.starts_with(b"<!") {
            // A declaration; an internal subset in brackets may hold `>`.
            let close = find(at + 2, b">");
            let bracket = xml.get(at..close).is_some_and(|d| d.contains(&b'['));
            i = if bracket { find(at + 2, b"]>") } else { close };
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = find(at + 2, b">");
        } else {
            // A start tag: find its end outside quoted attribute values.
            let mut j = at + 1;
            let mut quote: Option<u8> = None;
            let mut self_closing = false;
            while let Some(&b) = xml.get(j) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        self_closing = j > 0 && xml.get(j - 1) == Some(&b'/');
                        break;
                    }
                    None => {}
                }
                j += 1;
            }
            if !self_closing {
                depth += 1;
                if depth > max {
                    return Some(at);
                }
            }
            i = j + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth() {
        let ok = b"<?xml version='1.0'?><!-- <a><a> --><a x='>'><b/><c><![CDATA[<d><d>]]></c></a>";
        assert_eq!(too_deep(ok, 2), None);
        assert_eq!(too_deep(b"<a><b><c/></b></a>", 1), Some(3));
        let deep = "<a>".repeat(300);
        assert_eq!(too_deep(deep.as_bytes(), MAX_XML_DEPTH), Some(3 * 256));
    }
}
