//! Declared ids in their canonical form: what a source says an article is called.

/// The canonical form of an id a source declares. East Money writes an article's
/// infoCode as `NW` + 18 digits in one place and the bare 18 digits in another: both are
/// the same article, so a two-letter prefix before 18 digits is dropped.
pub fn declared_id(id: &str) -> String {
    let id = id.trim();
    let bytes = id.as_bytes();
    if bytes.len() == 20
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..].iter().all(u8::is_ascii_digit)
    {
        id[2..].to_string()
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_codes_and_their_bare_digits_are_one_id() {
        assert_eq!(declared_id("NW202201252260222591"), "202201252260222591");
        assert_eq!(declared_id("202201252260222591"), "202201252260222591");
        assert_eq!(declared_id(" abc-1 "), "abc-1");
    }
}
