//! Turning the bytes of a response into text: every body paperboy reads goes through here.
//!
//! Order of evidence: byte-order mark → HTTP `Content-Type` charset → the document's own
//! declaration (XML prolog, `<meta charset>`, `<meta http-equiv>`) → statistical detection
//! (chardetng). A declared charset that does not decode cleanly is treated as a lie (GBK
//! labelled UTF-8 and the reverse both occur on Chinese sites) and detection decides.
//! GB2312 and GBK are read as GB18030, their superset.
//!
//! The declaration scanner is written here: encoding_rs decodes but does not look for
//! declarations, and HTML parsers want text that is already decoded.

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

/// How far into a document its charset declaration is looked for.
const DECLARATION_WINDOW: usize = 8 * 1024;

/// Where the encoding that was used came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Bom,
    Header,
    Document,
    Detected,
}

/// Decoded text and how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub evidence: Evidence,
}

/// Decodes a response body; `content_type` is the HTTP header, if any.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding,
            evidence: Evidence::Bom,
        };
    }
    let declared = [
        (content_type.and_then(header_charset), Evidence::Header),
        (document_charset(bytes), Evidence::Document),
    ];
    let mut lied = None;
    for (encoding, evidence) in declared {
        let Some(encoding) = encoding.map(superset) else {
            continue;
        };
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            if encoding.is_single_byte() && single_byte_lie(bytes, &text) {
                lied.get_or_insert(encoding);
                continue;
            }
            return Decoded {
                text: text.into_owned(),
                encoding,
                evidence,
            };
        }
        lied.get_or_insert(encoding);
    }
    let detected = detect(bytes);
    if lied.is_some() {
        if let Some(text) = detected.decode_without_bom_handling_and_without_replacement(bytes) {
            return Decoded {
                text: text.into_owned(),
                encoding: detected,
                evidence: Evidence::Detected,
            };
        }
    }
    let (text, encoding) = match lied {
        // Neither decodes cleanly (a truncated or damaged body): keep whichever loses less.
        Some(declared) if declared != detected => {
            let a = lossy(bytes, declared);
            let b = lossy(bytes, detected);
            if replacements(&a) <= replacements(&b) {
                (a, declared)
            } else {
                (b, detected)
            }
        }
        _ => (lossy(bytes, detected), detected),
    };
    Decoded {
        text,
        encoding,
        evidence: Evidence::Detected,
    }
}

/// Decodes an XML document and rewrites its prolog to say UTF-8, so that an XML parser
/// reading the returned bytes does not decode them a second time.
pub fn xml_as_utf8(bytes: &[u8], content_type: Option<&str>) -> String {
    let decoded = decode(bytes, content_type);
    let text = decoded.text;
    let trimmed = text.trim_start();
    if let Some(end) = trimmed
        .starts_with("<?xml")
        .then(|| trimmed.find("?>"))
        .flatten()
    {
        let prolog = &trimmed[..end];
        if let Some(at) = prolog.find("encoding") {
            let rest = &prolog[at..];
            let quote_at = rest.find(['"', '\'']);
            if let Some(open) = quote_at {
                let quote = rest.as_bytes()[open] as char;
                if let Some(close) = rest[open + 1..].find(quote) {
                    let value_start = at + open + 1;
                    let value_end = value_start + close;
                    let mut out = String::with_capacity(trimmed.len());
                    out.push_str(&trimmed[..value_start]);
                    out.push_str("UTF-8");
                    out.push_str(&trimmed[value_end..]);
                    return out;
                }
            }
        }
    }
    text
}

/// Whether a single-byte declaration (which decodes any bytes without an error) is
/// belied by the bytes: they are UTF-8 with non-ASCII characters (UTF-8 text labelled
/// Latin-1, as old CMSs do), they decode to C1 control characters, which no text holds,
/// or detection finds a multi-byte CJK encoding that reads them cleanly (GBK labelled
/// Latin-1). Detection decides then.
fn single_byte_lie(bytes: &[u8], text: &str) -> bool {
    if bytes.is_ascii() {
        return false;
    }
    if std::str::from_utf8(bytes).is_ok()
        || text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))
    {
        return true;
    }
    let detected = detect(bytes);
    !detected.is_single_byte()
        && detected
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
}

fn lossy(bytes: &[u8], encoding: &'static Encoding) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn replacements(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// GBK and GB2312 labels are read as GB18030, which decodes everything they do and more.
fn superset(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK { GB18030 } else { encoding }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(256 * 1024)];
    detector.feed(sample, sample.len() == bytes.len());
    superset(detector.guess(None, chardetng::Utf8Detection::Allow))
}

/// The `charset` parameter of a `Content-Type` header.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes()))
            .flatten()
    })
}

/// The charset a document declares near its start: XML prolog or HTML `<meta>`.
pub fn document_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let window = &bytes[..bytes.len().min(DECLARATION_WINDOW)];
    let lower: Vec<u8> = window.to_ascii_lowercase();
    if lower.starts_with(b"<?xml") {
        let end = find(&lower, b"?>").unwrap_or(lower.len());
        if let Some(label) = attribute_value(&lower[..end], b"encoding") {
            return for_document_label(label);
        }
    }
    let mut at = 0;
    while let Some(offset) = find(&lower[at..], b"<meta") {
        let start = at + offset;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| start + p);
        let tag = &lower[start..end];
        if let Some(label) = attribute_value(tag, b"charset") {
            if let Some(encoding) = for_document_label(label) {
                return Some(encoding);
            }
        }
        if let Some(content) = attribute_value(tag, b"content") {
            if let Some(pos) = find(content, b"charset=") {
                let label = &content[pos + 8..];
                let label_end = label
                    .iter()
                    .position(|&b| b == b';' || b == b' ')
                    .unwrap_or(label.len());
                if let Some(encoding) = for_document_label(&label[..label_end]) {
                    return Some(encoding);
                }
            }
        }
        at = end;
    }
    None
}

/// A document cannot really be UTF-16 if its declaration was readable as ASCII.
fn for_document_label(label: &[u8]) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label)?;
    if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        Some(UTF_8)
    } else {
        Some(encoding)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Value of `name=` inside a tag (quoted or not); the tag is already lower-case.
fn attribute_value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(offset) = find(&tag[from..], name) {
        let at = from + offset;
        from = at + name.len();
        let preceded_ok = at == 0 || !tag[at - 1].is_ascii_alphanumeric() && tag[at - 1] != b'-';
        let mut rest = &tag[from..];
        while rest.first().is_some_and(|b| b.is_ascii_whitespace()) {
            rest = &rest[1..];
        }
        if !preceded_ok || rest.first() != Some(&b'=') {
            continue;
        }
        rest = &rest[1..];
        while rest.first().is_some_and(|b| b.is_ascii_whitespace()) {
            rest = &rest[1..];
        }
        return Some(match rest.first() {
            Some(&quote @ (b'"' | b'\'')) => {
                let value = &rest[1..];
                &value[..value
                    .iter()
                    .position(|&b| b == quote)
                    .unwrap_or(value.len())]
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "大众日报记者报道：我为群众办实事，滨州日报当前版。";

    fn gbk(text: &str) -> Vec<u8> {
        GBK.encode(text).0.into_owned()
    }

    #[test]
    fn bom_wins() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(TEXT.as_bytes());
        let decoded = decode(&bytes, Some("text/html; charset=gbk"));
        assert_eq!(decoded.text, TEXT);
        assert_eq!(decoded.evidence, Evidence::Bom);
    }

    #[test]
    fn header_charset_is_used_when_it_decodes() {
        let decoded = decode(&gbk(TEXT), Some("text/html; charset=GB2312"));
        assert_eq!(decoded.text, TEXT);
        assert_eq!(decoded.encoding, GB18030);
        assert_eq!(decoded.evidence, Evidence::Header);
    }

    #[test]
    fn meta_charset_only() {
        let page = format!(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>{TEXT}</body></html>"
        );
        let decoded = decode(&gbk(&page), Some("text/html"));
        assert!(decoded.text.contains(TEXT));
        assert_eq!(decoded.evidence, Evidence::Document);
        let page = format!("<meta charset=GBK><p>{TEXT}");
        assert!(decode(&gbk(&page), None).text.contains(TEXT));
    }

    #[test]
    fn a_lying_declaration_is_overruled() {
        // GBK bytes labelled UTF-8, and UTF-8 bytes labelled GBK.
        let page = format!("<meta charset=\"utf-8\"><p>{TEXT}{TEXT}</p>");
        let decoded = decode(&gbk(&page), Some("text/html; charset=utf-8"));
        assert!(decoded.text.contains(TEXT), "{}", decoded.text);
        assert_eq!(decoded.evidence, Evidence::Detected);
        let page = format!("<meta charset=\"gbk\"><p>{TEXT}{TEXT}</p>");
        let decoded = decode(page.as_bytes(), None);
        assert!(decoded.text.contains(TEXT), "{}", decoded.text);
    }

    #[test]
    fn big5_is_detected() {
        let text = "臺灣新聞報導：今日天氣晴朗，市民踴躍參與活動。";
        let bytes = encoding_rs::BIG5.encode(text).0.into_owned();
        let decoded = decode(&bytes, Some("text/html; charset=big5"));
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn xml_prolog_is_rewritten_to_utf8() {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"gb2312\"?><rss version=\"2.0\"><channel><title>{TEXT}</title></channel></rss>"
        );
        let out = xml_as_utf8(&gbk(&xml), None);
        assert!(
            out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{out}"
        );
        assert!(out.contains(TEXT));
    }

    #[test]
    fn truncated_or_binary_input_does_not_panic() {
        let bytes = gbk(TEXT);
        for cut in 0..bytes.len() {
            let _ = decode(&bytes[..cut], Some("text/html; charset=utf-8"));
        }
        let _ = decode(&[0xff, 0xfe, 0x00], None);
        let _ = decode(b"<meta charset=", None);
        let _ = decode(b"<?xml encoding='", None);
    }
}
