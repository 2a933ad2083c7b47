//! Requests only to the public internet unless a source says otherwise: an address on
//! loopback, a private, shared (CGNAT), link-local, multicast or unspecified range — where
//! a feed URL could reach the machine's own services (SSRF) — is refused, whether the URL
//! names it, its host name resolves to it, or a redirect leads there. As Miniflux does,
//! `allow_private = true` (per source, or for all in `[fetch]`) lifts the guard.
//!
//! Host names are checked where they are resolved, in the client's resolver, so a name
//! that resolves differently between a check and the connection cannot slip through.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Why a request was refused.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "refused: {host} is {address}, a private address (set allow_private = true for this source to allow it)"
)]
pub struct PrivateAddress {
    pub host: String,
    pub address: IpAddr,
}

/// Whether an address is on the public internet.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    let shared = a == 100 && (64..128).contains(&b); // RFC 6598
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_broadcast()
        || v4.is_unspecified()
        || shared
        || a == 0)
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00; // RFC 4193
    let link_local = first & 0xffc0 == 0xfe80;
    !(v6.is_loopback() || v6.is_multicast() || v6.is_unspecified() || unique_local || link_local)
}

/// A URL whose host is an address literal (or `localhost`) that is not public.
pub fn check_url(url: &Url) -> Result<(), PrivateAddress> {
    let address = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        _ => return Ok(()),
    };
    if is_public(address) {
        Ok(())
    } else {
        Err(PrivateAddress {
            host: url.host_str().unwrap_or_default().to_string(),
            address,
        })
    }
}

/// The system resolver, refusing names that resolve to a non-public address.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(PrivateAddress {
                    host,
                    address: private.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_refused_and_public_ones_pass() {
        for private in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "224.0.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "202.108.22.5", "2400:3200::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        assert!(check_url(&Url::parse("http://10.0.0.1/feed").unwrap()).is_err());
        assert!(check_url(&Url::parse("http://localhost:8080/").unwrap()).is_err());
        assert!(check_url(&Url::parse("http://[::1]/").unwrap()).is_err());
        assert!(check_url(&Url::parse("https://www.chinanews.com.cn/rss").unwrap()).is_ok());
    }
}
