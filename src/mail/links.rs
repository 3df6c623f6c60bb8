//! What lets a customer back into a conversation from a mail: the signed link to the
//! conversation's page, and the signed reply address (`support+c<token>@…`) that routes their
//! reply to it. Both carry `<id>-<signature>`: an HMAC of the id under the installation's
//! secret, so ids cannot be guessed or changed.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::domain::token::{constant_time_eq, hex};

/// Hex digits of the signature kept in a token (80 bits).
const SIGNATURE_HEX: usize = 20;

fn signature(secret: &str, conversation_id: i64) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"otvet.conversation:");
    mac.update(conversation_id.to_string().as_bytes());
    let mut s = hex(&mac.finalize().into_bytes());
    s.truncate(SIGNATURE_HEX);
    s
}

/// The token of a conversation: `<id>-<signature>`.
pub fn token(secret: &str, conversation_id: i64) -> String {
    format!("{conversation_id}-{}", signature(secret, conversation_id))
}

/// The conversation a token names, when its signature is right.
pub fn verify(secret: &str, token: &str) -> Option<i64> {
    let (id, sig) = token.split_once('-')?;
    let id: i64 = id.parse().ok().filter(|i| *i > 0)?;
    constant_time_eq(&sig.to_ascii_lowercase(), &signature(secret, id)).then_some(id)
}

/// The page of a conversation, for links in mail.
pub fn conversation_url(public_url: &str, secret: &str, conversation_id: i64) -> String {
    format!(
        "{}/conversation/{}",
        public_url.trim_end_matches('/'),
        token(secret, conversation_id)
    )
}

/// The address a customer's reply to a conversation's mail goes to.
pub fn reply_address(
    support: &lettre::Address,
    secret: &str,
    conversation_id: i64,
) -> Option<lettre::Address> {
    let user = format!("{}+c{}", support.user(), token(secret, conversation_id));
    lettre::Address::new(user, support.domain()).ok()
}

/// The conversation whose reply address `address` is (of the support mailbox `support`).
pub fn conversation_of_address(
    support: &lettre::Address,
    secret: &str,
    address: &str,
) -> Option<i64> {
    let (user, domain) = address.trim().rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(support.domain()) {
        return None;
    }
    let (base, tag) = user.split_once('+')?;
    if !base.eq_ignore_ascii_case(support.user()) {
        return None;
    }
    verify(secret, tag.strip_prefix(['c', 'C'])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_their_secret_and_id() {
        let t = token("s3cret", 42);
        assert_eq!(verify("s3cret", &t), Some(42));
        assert_eq!(verify("other", &t), None);
        let forged = t.replacen("42-", "43-", 1);
        assert_eq!(verify("s3cret", &forged), None);
        assert_eq!(verify("s3cret", "42"), None);
        assert_eq!(verify("s3cret", "-1-abc"), None);
        assert_eq!(verify("s3cret", &t.to_uppercase()), Some(42));
    }

    #[test]
    fn reply_addresses_round_trip() {
        let support: lettre::Address = "help@shop.example".parse().unwrap();
        let a = reply_address(&support, "k", 7).unwrap().to_string();
        assert!(a.starts_with("help+c7-"), "{a}");
        assert_eq!(conversation_of_address(&support, "k", &a), Some(7));
        assert_eq!(
            conversation_of_address(&support, "k", &a.to_uppercase()),
            Some(7)
        );
        assert_eq!(conversation_of_address(&support, "x", &a), None);
        let elsewhere = a.replace("shop.example", "evil.example");
        assert_eq!(conversation_of_address(&support, "k", &elsewhere), None);
        assert_eq!(
            conversation_of_address(&support, "k", "help@shop.example"),
            None
        );
        assert_eq!(
            conversation_of_address(&support, "k", "other+c7-00@shop.example"),
            None
        );
    }
}
