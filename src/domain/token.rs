//! Random tokens and what is stored of them: agents' session and CSRF tokens and customers'
//! widget tokens are 32 random bytes in hex; only their SHA-256 is kept in the database.

use sha2::{Digest, Sha256};

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The bytes of a hexadecimal string (either case); `None` when it is not one.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Hashes what identifies a visitor (address, `User-Agent`, …) with the installation's secret:
/// the stored id says nothing about the person and cannot be recomputed elsewhere.
pub fn visitor_id(secret: &str, ip: &str, user_agent: &str) -> String {
    let mut h = Sha256::new();
    for part in [secret, ip, user_agent] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// Whether two strings are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    constant_time_eq_bytes(a.as_bytes(), b.as_bytes())
}

/// Whether two byte strings are equal, in time that depends only on their lengths.
pub fn constant_time_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new random token (32 bytes, 64 hex digits).
pub fn new_token() -> String {
    hex(&rand::random::<[u8; 32]>())
}

/// What is stored of a token: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t).len(), 64);
        assert_ne!(token_hash(&t), t);
    }

    #[test]
    fn visitor_ids_depend_on_every_part() {
        let a = visitor_id("s", "1.2.3.4", "ua");
        assert_eq!(a.len(), 64);
        assert_eq!(a, visitor_id("s", "1.2.3.4", "ua"));
        assert_ne!(a, visitor_id("t", "1.2.3.4", "ua"));
        assert_ne!(a, visitor_id("s", "1.2.3.5", "ua"));
        assert_ne!(a, visitor_id("s", "1.2.3.4", "ub"));
        assert_ne!(visitor_id("s", "ab", "c"), visitor_id("s", "a", "bc"));
    }

    #[test]
    fn hex_goes_both_ways() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(unhex("000fFF"), Some(vec![0, 15, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("ёё"), None);
    }
}
