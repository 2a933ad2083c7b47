//! Near-duplicate fingerprints: the same article reprinted by another outlet, under
//! another URL and headline, with a byline dropped, an ending trimmed or punctuation of
//! another width.
//!
//! Text is normalized (NFKC, which folds full-width forms; lower case; only letters and
//! digits kept, so punctuation and whitespace differences vanish) and cut into character
//! shingles. MinHash, not SimHash: MinHash estimates the Jaccard overlap of the shingle
//! sets, and banding its signature gives candidate lookups whose threshold can be tuned,
//! while SimHash's Hamming distance grows quickly when a reprint drops a third of the text
//! (one of the commonest edits here). Candidates found through the bands are confirmed by
//! the direct measure: the containment of one text's shingles in the other's, which stays
//! high for a trimmed or annotated reprint and low for two reports on one topic that share
//! stock phrases.
//!
//! The signature is one-permutation MinHash with densification (Li, Owen & Zhang 2012;
//! Shrivastava 2017): each shingle is hashed once, the hash's top bits choose one of
//! [`HASHES`] bins and the bin keeps its smallest value, so a text costs one hash per
//! shingle instead of one per shingle and hash function; a bin no shingle fell in takes
//! the value of a bin chosen by a fixed hash of its number. Two texts' bins agree with a
//! probability close to the Jaccard overlap of their shingle sets, as k-hash MinHash's do.
//!
//! The hash constants are fixed: band hashes are persisted and must not change between
//! builds. [`SCHEME`] names this way of hashing; a store indexed by another is re-indexed
//! when it is opened.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// The fingerprint scheme; stores record it beside their band index.
pub const SCHEME: u32 = 2;
/// Characters per shingle: long enough that the stock phrases of one campaign
/// (`我为群众办实事`) are a small share of an article's shingles.
pub const SHINGLE: usize = 5;
/// MinHash values (bins) per signature.
pub const HASHES: usize = BANDS * ROWS;
/// LSH bands and rows per band: a pair whose Jaccard overlap is 0.5 becomes a candidate
/// with probability 1 − (1 − 0.5³)¹⁶ ≈ 0.88, at 0.7 with ≈ 1, at 0.1 with ≈ 0.016. Each
/// band is a key written per item and a lookup per new item: fewer bands of fewer rows
/// keep the curve and halve the store's work.
pub const BANDS: usize = 16;
pub const ROWS: usize = 3;
/// Normalized characters below which a text is too short to be merged on text alone.
pub const MIN_CHARS: usize = 150;
/// Containment at which a candidate is the same article.
pub const SAME_ARTICLE: f64 = 0.6;
/// The shorter text must be at least this share of the longer one: a paragraph quoted in
/// another article is not that article.
pub const MIN_LENGTH_RATIO: f64 = 0.3;

/// Letters and digits of a text, NFKC-folded and lower-cased.
pub fn normalize(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() / 3 + 1);
    // Written here: no crate folds text this way without the per-character work. A CJK
    // unified ideograph is its own NFKC form, a letter, its own lower case, and composes
    // with nothing on either side, so normalizing the runs between ideographs one by one
    // gives what normalizing the whole text gives; a run of ASCII needs no NFKC at all.
    // The commonest punctuation ends a run the same way, and is dropped.
    let mut run = 0;
    for (at, c) in text.char_indices() {
        let ideograph = is_unified_ideograph(c);
        if ideograph || is_plain_punctuation(c) {
            fold_run(&text[run..at], &mut out);
            if ideograph {
                out.push(c);
            }
            run = at + c.len_utf8();
        }
    }
    fold_run(&text[run..], &mut out);
    out
}

fn is_unified_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// Punctuation of Chinese text (、。《》「」【】，：；！？（）“”…—·) whose NFKC form is
/// punctuation too, that no character before it composes with and that composes with
/// nothing after it into a letter or digit: it folds to nothing, whatever surrounds it.
fn is_plain_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{00B7}'
            | '\u{2010}'..='\u{2016}'
            | '\u{2018}'..='\u{2027}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301F}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF5E}'
    )
}

/// NFKC, lower case and letters and digits of a run without unified ideographs.
fn fold_run(run: &str, out: &mut Vec<char>) {
    if run.is_ascii() {
        out.extend(
            run.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        out.extend(
            run.nfkc()
                .flat_map(char::to_lowercase)
                .filter(|c| c.is_alphanumeric()),
        );
    }
}

/// The hash of each shingle, in text order (repeats included).
fn shingles(chars: &[char]) -> impl Iterator<Item = u64> + '_ {
    chars.windows(SHINGLE).map(|window| {
        let mut bytes = [0u8; SHINGLE * 4];
        for (slot, c) in bytes.chunks_exact_mut(4).zip(window) {
            slot.copy_from_slice(&(*c as u32).to_le_bytes());
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    })
}

fn shingle_hashes(chars: &[char]) -> HashSet<u64> {
    shingles(chars).collect()
}

/// The band hashes of a text, or `None` when it is too short to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub bands: [u64; BANDS],
}

/// The bin of a 64-bit hash, from its top 32 bits (multiply-shift range reduction).
fn bin_of(hash: u64) -> usize {
    (((hash >> 32) * HASHES as u64) >> 32) as usize
}

/// The bin an empty bin borrows from at its `attempt`th try: a fixed hash of both.
fn borrowed(bin: usize, attempt: u64) -> usize {
    let mut z = (bin as u64) << 32 | attempt;
    z = z.wrapping_add(0x7061_7065_7262_6f79); // "paperboy"
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    bin_of(z ^ (z >> 31))
}

impl Fingerprint {
    /// The fingerprint of a plain text.
    pub fn of(text: &str) -> Option<Fingerprint> {
        let chars = normalize(text);
        if chars.len() < MIN_CHARS {
            return None;
        }
        let mut mins = [u64::MAX; HASHES];
        for shingle in shingles(&chars) {
            // The bin from the top half, the value from the bottom half.
            let bin = bin_of(shingle);
            mins[bin] = mins[bin].min(shingle & 0xFFFF_FFFF);
        }
        // Densification: an empty bin takes a filled bin's value, the same bin for every
        // text (at least one bin is filled: there are ≥ MIN_CHARS − SHINGLE shingles).
        let filled = mins;
        for (bin, min) in mins.iter_mut().enumerate() {
            let mut attempt = 0;
            while *min == u64::MAX {
                attempt += 1;
                *min = filled[borrowed(bin, attempt)];
            }
        }
        let bands = std::array::from_fn(|band| {
            let mut bytes = [0u8; ROWS * 8 + 1];
            bytes[0] = band as u8;
            for (row, value) in mins[band * ROWS..(band + 1) * ROWS].iter().enumerate() {
                bytes[1 + row * 8..9 + row * 8].copy_from_slice(&value.to_le_bytes());
            }
            xxhash_rust::xxh3::xxh3_64(&bytes)
        });
        Some(Fingerprint { bands })
    }

    /// Whether two fingerprints share a band: the pair is a candidate.
    pub fn collides(&self, other: &Fingerprint) -> bool {
        self.bands
            .iter()
            .zip(other.bands.iter())
            .any(|(a, b)| a == b)
    }
}

/// The direct measure: the share of the smaller text's shingles found in the other's,
/// or 0 when the texts are too short or too unequal in length to be one article.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalize(a), normalize(b));
    if a.len() < MIN_CHARS || b.len() < MIN_CHARS {
        return 0.0;
    }
    let ratio = a.len().min(b.len()) as f64 / a.len().max(b.len()) as f64;
    if ratio < MIN_LENGTH_RATIO {
        return 0.0;
    }
    let (a, b) = (shingle_hashes(&a), shingle_hashes(&b));
    let (small, large) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if small.is_empty() {
        return 0.0;
    }
    small.intersection(large).count() as f64 / small.len() as f64
}

/// Whether `b` is the same article as `a`: a band candidate confirmed by the direct
/// measure. Returns the similarity when it is.
pub fn same_article(a: &str, b: &str) -> Option<f64> {
    let (fa, fb) = (Fingerprint::of(a)?, Fingerprint::of(b)?);
    if !fa.collides(&fb) {
        return None;
    }
    let similarity = similarity(a, b);
    (similarity >= SAME_ARTICLE).then_some(similarity)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "坐到群众炕头、想到群众心头、干到群众点头。“学党史，为群众办实事”，滨州聚焦群众“急难愁盼”，本着“小切口、大作为、好影响”的标准，滨州市精准制定两批40项重点民生项目清单，把实事办实办好。截至2021年12月9日，市级两批40项124小项重点民生项目清单全部完成；至12月15日，县级18批435项610小项重点民生项目清单全部完成。滨州全市累计为群众办实事66315件，各级出台办实事制度1044项。";

    #[test]
    fn punctuation_width_and_spacing_do_not_matter() {
        let half = TEXT
            .replace('，', ",")
            .replace('。', ".")
            .replace('；', ";")
            .replace(['“', '”'], "\"");
        let spaced = TEXT.replace('，', " ， ");
        assert_eq!(normalize(TEXT), normalize(&half));
        assert_eq!(Fingerprint::of(TEXT), Fingerprint::of(&spaced));
        assert_eq!(same_article(TEXT, &half), Some(1.0));
    }

    /// What `normalize` must equal: the whole text through NFKC at once.
    fn normalize_whole(text: &str) -> Vec<char> {
        text.nfkc()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect()
    }

    #[test]
    fn normalizing_between_ideographs_equals_normalizing_the_whole_text() {
        for text in [
            TEXT,
            "ＡＢＣ１２３，全角ＡＢＣ。Ｅ\u{301}",
            "e\u{301}中文a\u{308}b ÅNGSTRÖM ①② ﬁ 〇 ㈠ 한국어 Ǆ",
            "中\u{301}文\u{3099}か\u{3099}",
            "“引号”，《书名》：１＝２；ａ＜\u{338}ｂ＝\u{338}ｃ、〃\u{345}…—·\u{363}",
            "",
        ] {
            assert_eq!(normalize(text), normalize_whole(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn normalizing_any_text_equals_normalizing_it_whole(text in "(\\PC|[\u{B7}\u{300}-\u{36F}\u{2010}-\u{2027}\u{3000}-\u{303F}\u{4E00}-\u{4E10}\u{FF01}-\u{FF5E}])*") {
            proptest::prop_assert_eq!(normalize(&text), normalize_whole(&text));
        }
    }

    /// Jaccard overlap of two texts' shingle sets.
    fn jaccard(a: &str, b: &str) -> f64 {
        let (a, b) = (shingle_hashes(&normalize(a)), shingle_hashes(&normalize(b)));
        a.intersection(&b).count() as f64 / a.union(&b).count() as f64
    }

    #[test]
    fn bands_collide_about_as_often_as_the_overlap_says() {
        // Texts of 400 characters from a fixed generator; each pair shares a prefix, so
        // its overlap is known. Over many pairs, the share that collide must follow the
        // banding curve 1 − (1 − J³)¹⁶ of their Jaccard overlap J.
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from_u32(0x4E00 + (state >> 33) as u32 % 3000).unwrap()
        };
        for (shared, expected) in [(0.2, 0.0..0.1), (0.55, 0.3..0.75), (0.85, 0.95..1.01)] {
            let (mut collided, pairs) = (0, 200);
            let mut overlap = 0.0;
            for _ in 0..pairs {
                let common: String = (0..(400.0 * shared) as usize).map(|_| next()).collect();
                let tail = 400 - common.chars().count();
                let a: String = common.chars().chain((0..tail).map(|_| next())).collect();
                let b: String = common.chars().chain((0..tail).map(|_| next())).collect();
                overlap += jaccard(&a, &b) / pairs as f64;
                let (fa, fb) = (Fingerprint::of(&a).unwrap(), Fingerprint::of(&b).unwrap());
                collided += usize::from(fa.collides(&fb));
            }
            let share = collided as f64 / pairs as f64;
            assert!(
                expected.contains(&share),
                "shared {shared}: Jaccard {overlap:.2}, {share:.2} of pairs collide"
            );
        }
    }

    #[test]
    fn short_texts_are_not_compared() {
        assert_eq!(Fingerprint::of("短讯：今日天气晴。"), None);
        assert_eq!(similarity("短讯：今日天气晴。", "短讯：今日天气晴。"), 0.0);
    }

    #[test]
    fn band_hashes_are_stable() {
        // Persisted in stores: a change here needs a new SCHEME, so stores are re-indexed.
        let fingerprint = Fingerprint::of(TEXT).unwrap();
        assert_eq!(
            fingerprint.bands[0],
            Fingerprint::of(TEXT).unwrap().bands[0]
        );
        assert_eq!(format!("{:016x}", fingerprint.bands[0]), PINNED_BAND0);
    }

    const PINNED_BAND0: &str = "40fa327ea232018d";
}
