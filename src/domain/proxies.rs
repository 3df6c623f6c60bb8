//! Which peers may tell us the client's address (`--trusted-proxies`): CIDR blocks, and the
//! reading of `X-Forwarded-For` through them.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A block of addresses: `10.0.0.0/8`, `::1/128`, or one address (`192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is in the block (an IPv4 address written as IPv6, `::ffff:a.b.c.d`, counts
    /// as the IPv4 one).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(u32::from(net).into(), u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, bits: u8, prefix: u8) -> bool {
    let shift = bits - prefix;
    shift >= bits || (a >> shift) == (b >> shift)
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("«{s}» is not an IP address or CIDR block"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| format!("«{s}»: the prefix length must be 0–{max}"))?,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed; by default this machine only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// The default: loopback (`127.0.0.0/8,::1`).
    pub const DEFAULT: &str = "127.0.0.0/8,::1";

    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address of a request from `peer` carrying `forwarded` (the
    /// `X-Forwarded-For` value): from a trusted proxy, the entries are read right to left
    /// (each appended by the hop before us) and the first address that is not a trusted proxy
    /// is the client; an entry that is not a valid IP address ends the reading (what lies left of
    /// it cannot be believed), and the last trusted hop stands for the client. From anyone else
    /// the header is ignored.
    pub fn client(&self, peer: IpAddr, forwarded: Option<&str>) -> IpAddr {
        let peer = peer.to_canonical();
        let Some(forwarded) = forwarded.filter(|_| self.trusts(peer)) else {
            return peer;
        };
        let mut client = peer;
        for entry in forwarded.rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

impl Default for TrustedProxies {
    fn default() -> Self {
        Self::DEFAULT.parse().expect("the default is valid")
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of CIDR blocks or addresses; empty or `none`: trust no proxy.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("none") {
            return Ok(TrustedProxies(Vec::new()));
        }
        s.split(',')
            .map(str::parse)
            .collect::<Result<Vec<Cidr>, String>>()
            .map(TrustedProxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains(ip("10.1.2.3")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(!c.contains(ip("::1")));
        assert!(c.contains(ip("::ffff:10.9.9.9")));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.9")));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        for bad in ["10.0.0.0/33", "::/129", "localhost", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
        assert_eq!(c.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn the_default_trusts_this_machine_only() {
        let t = TrustedProxies::default();
        assert!(t.trusts(ip("127.0.0.1")) && t.trusts(ip("::1")));
        assert!(!t.trusts(ip("10.0.0.1")) && !t.trusts(ip("172.17.0.1")));
        assert_eq!(
            "none".parse::<TrustedProxies>().unwrap(),
            TrustedProxies(vec![])
        );
        assert!("10.0.0.0/8, bogus".parse::<TrustedProxies>().is_err());
    }

    #[test]
    fn the_client_is_read_through_trusted_hops_only() {
        let t: TrustedProxies = "127.0.0.1,10.0.0.0/8".parse().unwrap();
        let lo = ip("127.0.0.1");
        // One proxy: the entry it appended.
        assert_eq!(t.client(lo, Some("203.0.113.5")), ip("203.0.113.5"));
        // What the client sent itself, left of it, is not believed.
        assert_eq!(
            t.client(lo, Some("1.2.3.4, 203.0.113.5")),
            ip("203.0.113.5")
        );
        // Two trusted hops.
        assert_eq!(
            t.client(lo, Some("198.51.100.1, 10.0.0.3")),
            ip("198.51.100.1")
        );
        // Garbage is no address: the last trusted hop stands for the client.
        assert_eq!(t.client(lo, Some("not-an-ip")), lo);
        assert_eq!(t.client(lo, Some("1.2.3.4, x, 10.0.0.3")), ip("10.0.0.3"));
        assert_eq!(t.client(lo, Some("")), lo);
        // From an untrusted peer the header is ignored.
        let stranger = ip("172.17.0.2");
        assert_eq!(t.client(stranger, Some("1.2.3.4")), stranger);
        assert_eq!(t.client(lo, None), lo);
    }
}
