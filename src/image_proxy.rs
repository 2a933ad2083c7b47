//! The image proxy (`[images] proxy = true`): entries' images are served through
//! `/img/<signature>/<address>`, so images of hosts that refuse hotlinking load in any
//! reader. The signature is an HMAC of the address under a key kept in the store, so the
//! proxy fetches only addresses paperboy itself wrote (it is no open proxy). Images are
//! fetched with the sources' politeness, checked to be raster images by their first
//! bytes, capped in size and kept in a memory cache.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;

use crate::fetch::{FetchError, Fetched, Fetcher};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the signature kept in an address (128 bits).
const SIGNATURE_BYTES: usize = 16;
/// Memory the cache of images may take.
const CACHE_BYTES: u64 = 64 << 20;

/// Signs and checks proxy addresses.
#[derive(Clone)]
pub struct Signer {
    key: Arc<Vec<u8>>,
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Signer {
        Signer { key: Arc::new(key) }
    }

    fn mac(&self, url: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(url.as_bytes());
        mac
    }

    /// The proxy path of an image address: `img/<signature>/<address, base64url>`,
    /// relative to the server's base URL.
    pub fn path(&self, url: &str) -> String {
        let signature = self.mac(url).finalize().into_bytes();
        format!(
            "img/{}/{}",
            URL_SAFE_NO_PAD.encode(&signature[..SIGNATURE_BYTES]),
            URL_SAFE_NO_PAD.encode(url.as_bytes())
        )
    }

    /// The image address of a proxy path's parts, when the signature is ours.
    pub fn verify(&self, signature: &str, encoded: &str) -> Option<Url> {
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        if signature.len() != SIGNATURE_BYTES {
            return None;
        }
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).ok()?).ok()?;
        // Constant-time comparison of the truncated tag.
        self.mac(&url).verify_truncated_left(&signature).ok()?;
        Url::parse(&url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    }
}

/// An image as the proxy serves it.
pub struct Image {
    pub content_type: String,
    pub bytes: bytes::Bytes,
    /// Strong validator of `bytes`.
    pub etag: String,
}

/// Why the proxy would not pass an image on.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{0}: not an image (it is {1})")]
    NotAnImage(Url, String),
    #[error("{0}: larger than the {1}-byte limit (images.max_size)")]
    TooLarge(Url, u64),
}

/// Fetches and caches proxied images.
#[derive(Clone)]
pub struct Proxy {
    cache: Arc<quick_cache::sync::Cache<String, Arc<Image>, ImageWeight>>,
}

#[derive(Clone)]
struct ImageWeight;

impl quick_cache::Weighter<String, Arc<Image>> for ImageWeight {
    fn weight(&self, _: &String, image: &Arc<Image>) -> u64 {
        image.bytes.len() as u64 + 256
    }
}

impl Default for Proxy {
    fn default() -> Proxy {
        Proxy {
            cache: Arc::new(quick_cache::sync::Cache::with_weighter(
                4096,
                CACHE_BYTES,
                ImageWeight,
            )),
        }
    }
}

impl Proxy {
    /// The image at `url`, from the cache or fetched now.
    pub async fn get(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        max_size: u64,
    ) -> Result<Arc<Image>, ProxyError> {
        if let Some(image) = self.cache.get(url.as_str()) {
            return Ok(image);
        }
        let page = match fetcher.get(url, None).await? {
            Fetched::Page(page) => *page,
            Fetched::NotModified => {
                return Err(ProxyError::NotAnImage(url.clone(), "empty".into()));
            }
        };
        if page.body.len() as u64 > max_size {
            return Err(ProxyError::TooLarge(url.clone(), max_size));
        }
        let Some(kind) = raster_type(&page.body) else {
            let said = page.content_type.unwrap_or_else(|| "untyped".into());
            return Err(ProxyError::NotAnImage(url.clone(), said));
        };
        let image = Arc::new(Image {
            content_type: kind.to_string(),
            etag: format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&page.body)),
            bytes: bytes::Bytes::from(page.body),
        });
        self.cache.insert(url.to_string(), image.clone());
        Ok(image)
    }
}

/// The type of a raster image by its first bytes (what the server says is not trusted;
/// SVG, which can carry scripts, is not passed on).
fn raster_type(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"avif" | b"avis")
    {
        Some("image/avif")
    } else if starts(b"BM") {
        Some("image/bmp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_signatures_verify() {
        let signer = Signer::new(vec![7; 32]);
        let url = "https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg";
        let path = signer.path(url);
        let mut parts = path.trim_start_matches("img/").split('/');
        let (signature, encoded) = (parts.next().unwrap(), parts.next().unwrap());
        assert_eq!(signer.verify(signature, encoded).unwrap().as_str(), url);
        // Another key, an altered address, an altered or shortened signature: refused.
        assert!(
            Signer::new(vec![8; 32])
                .verify(signature, encoded)
                .is_none()
        );
        let other = URL_SAFE_NO_PAD.encode("https://evil.example/x.png");
        assert!(signer.verify(signature, &other).is_none());
        let mut bad = signature.to_string();
        bad.replace_range(0..1, if bad.starts_with('A') { "B" } else { "A" });
        assert!(signer.verify(&bad, encoded).is_none());
        assert!(signer.verify(&signature[..8], encoded).is_none());
    }

    #[test]
    fn raster_images_are_known_by_their_bytes() {
        assert_eq!(raster_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(raster_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(raster_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            raster_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            None
        );
        assert_eq!(raster_type(b"<html>"), None);
    }
}
