//! Passwords of agent accounts and the login throttle.
//!
//! Hashes are argon2id PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) with a random
//! 16-byte salt and the `argon2` crate's default (OWASP) parameters; verification reads the
//! parameters from the stored string, so they can be raised later without breaking old hashes.
//!
//! Hashing and verifying take tens of milliseconds of CPU on purpose, so the async variants run
//! them on tokio's blocking threads. A login for an email that has no account verifies against a
//! fixed [`DUMMY_HASH`] made with the same parameters, so the answer takes as long as for a real
//! account with a wrong password and timing does not reveal which emails exist.
//!
//! [`LoginThrottle`] limits guessing: after [`LoginThrottle::MAX_FAILURES`] failed attempts for
//! the same email from the same client address within [`LoginThrottle::WINDOW`], that pair is
//! refused for [`LoginThrottle::LOCKOUT`] without checking the password. Attempts still being
//! checked count too, so parallel requests cannot get past the limit. The throttle lives in the
//! memory of one server process (it starts empty after a restart and is not shared between
//! replicas); it bounds online guessing, it does not replace strong passwords.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shortest password accepted for a new account or a reset, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in bytes (hashing cost does not depend on it, but a bound keeps
/// requests small).
pub const MAX_PASSWORD_BYTES: usize = 1_024;
/// Length of generated passwords, in characters (100 bits).
pub const GENERATED_PASSWORD_CHARS: usize = 20;

/// The hash logins for unknown emails are checked against: the argon2id hash, with the default
/// parameters, of a random password nobody knows (thrown away after hashing).
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$gNhc85kv530PDTR9yKXusw$C7CZNPsHBb6Rj7LTsCiNdOiyMwng4+K2zShFI080lmQ";

/// Hashes `password` with argon2id and a fresh random salt (slow: call from blocking code, or
/// use [`hash_password_async`]).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// [`hash_password`] on a blocking thread.
pub async fn hash_password_async(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .context("the hashing task failed")?
}

/// Whether `password` matches the PHC string `hash` (slow; `false` for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Checks `password` against `hash` on a blocking thread; with `None` (no such account) it
/// spends the same time on [`DUMMY_HASH`] and answers `false`.
pub async fn verify_password_async(password: String, hash: Option<String>) -> bool {
    let task = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, DUMMY_HASH);
            false
        }
    });
    match task.await {
        Ok(ok) => ok,
        Err(e) => {
            tracing::error!(error = ?e, "password verification task failed");
            false
        }
    }
}

/// Checks a new password: at least [`MIN_PASSWORD_CHARS`] characters, at most
/// [`MAX_PASSWORD_BYTES`] bytes, not only spaces.
pub fn validate_new_password(password: &str) -> Result<(), String> {
    if password.trim().is_empty() || password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        ));
    }
    Ok(())
}

/// A random password of [`GENERATED_PASSWORD_CHARS`] characters from an alphabet without
/// look-alikes (no `0`/`O`, `1`/`l`/`I`).
pub fn generate_password() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let bytes: [u8; GENERATED_PASSWORD_CHARS] = rand::random();
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// Failed logins per (email, client address) in this process; see the module documentation.
#[derive(Debug)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Attempts>>,
}

#[derive(Debug, Clone, Copy)]
struct Attempts {
    /// Attempts since `since` that failed or are still being checked.
    count: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new()
    }
}

impl LoginThrottle {
    /// Failed attempts that lock an (email, address) pair.
    pub const MAX_FAILURES: u32 = 5;
    /// How long a locked pair is refused.
    pub const LOCKOUT: Duration = Duration::from_secs(60);
    /// Failures older than this are forgotten.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Above this many remembered pairs, stale ones are dropped.
    const PRUNE_ABOVE: usize = 10_000;

    /// An empty throttle.
    pub fn new() -> Self {
        LoginThrottle {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key of an attempt: the normalized email and the client address.
    pub fn key(email: &str, ip: &str) -> String {
        format!("{email}\n{ip}")
    }

    /// Starts an attempt for `key`: `Err(retry_after)` when the pair is locked (or as many
    /// attempts as allowed are still being checked, which locks it); otherwise the attempt is
    /// counted as a failure unless [`LoginThrottle::succeeded`] forgets it.
    pub fn begin(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > Self::PRUNE_ABOVE {
            entries.retain(|_, a| a.is_live(now));
        }
        let a = entries.entry(key.to_string()).or_insert(Attempts {
            count: 0,
            since: now,
            locked_until: None,
        });
        if let Some(until) = a.locked_until {
            if now < until {
                return Err(until - now);
            }
            *a = Attempts {
                count: 0,
                since: now,
                locked_until: None,
            };
        }
        if now.saturating_duration_since(a.since) > Self::WINDOW {
            a.count = 0;
            a.since = now;
        }
        if a.count >= Self::MAX_FAILURES {
            // As many attempts as allowed failed, were abandoned (the client went away before
            // the answer) or are still being checked: lock now.
            a.locked_until = Some(now + Self::LOCKOUT);
            return Err(Self::LOCKOUT);
        }
        a.count += 1;
        Ok(())
    }

    /// The attempt begun for `key` failed: locks the pair once it reached the limit.
    pub fn failed(&self, key: &str, now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = entries.get_mut(key)
            && a.count >= Self::MAX_FAILURES
            && a.locked_until.is_none()
        {
            a.locked_until = Some(now + Self::LOCKOUT);
        }
    }

    /// The attempt begun for `key` succeeded: its failures are forgotten.
    pub fn succeeded(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}

impl Attempts {
    fn is_live(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|u| now < u)
            || now.saturating_duration_since(self.since) <= LoginThrottle::WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "every hash has its own salt");
        assert!(verify_password("correct horse", &a));
        assert!(!verify_password("correct horsE", &a));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = hash_password("x").unwrap();
        let params = |h: &str| h.split('$').nth(3).map(str::to_string);
        assert_eq!(params(DUMMY_HASH), params(&real));
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$"));
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
    }

    #[tokio::test]
    async fn async_variants_agree() {
        let h = hash_password_async("секретный пароль".into())
            .await
            .unwrap();
        assert!(verify_password_async("секретный пароль".into(), Some(h.clone())).await);
        assert!(!verify_password_async("wrong".into(), Some(h)).await);
        assert!(!verify_password_async("anything".into(), None).await);
    }

    #[test]
    fn new_passwords_are_checked_and_generated_ones_pass() {
        assert!(validate_new_password("1234567").is_err());
        assert!(validate_new_password("        ").is_err());
        assert!(validate_new_password("пароль12").is_ok());
        assert!(validate_new_password(&"x".repeat(1_025)).is_err());
        let p = generate_password();
        assert_eq!(p.chars().count(), GENERATED_PASSWORD_CHARS);
        assert!(validate_new_password(&p).is_ok());
        assert_ne!(p, generate_password());
    }

    #[test]
    fn five_failures_lock_the_pair_for_a_minute() {
        let t = LoginThrottle::new();
        let key = LoginThrottle::key("anna@example.com", "203.0.113.7");
        let other = LoginThrottle::key("anna@example.com", "203.0.113.8");
        let start = Instant::now();
        for i in 0..LoginThrottle::MAX_FAILURES {
            let now = start + Duration::from_secs(u64::from(i));
            assert!(t.begin(&key, now).is_ok(), "attempt {i}");
            t.failed(&key, now);
        }
        let now = start + Duration::from_secs(5);
        let wait = t.begin(&key, now).unwrap_err();
        assert!(wait <= LoginThrottle::LOCKOUT && wait > Duration::from_secs(50));
        // Another address is not affected.
        assert!(t.begin(&other, now).is_ok());
        // After the lockout the pair may try again.
        let later = start + Duration::from_secs(4) + LoginThrottle::LOCKOUT;
        assert!(t.begin(&key, later).is_ok());
        t.succeeded(&key);
        for _ in 0..LoginThrottle::MAX_FAILURES {
            assert!(t.begin(&key, later).is_ok());
        }
    }

    #[test]
    fn attempts_in_flight_count_and_success_forgets() {
        let t = LoginThrottle::new();
        let now = Instant::now();
        for _ in 0..LoginThrottle::MAX_FAILURES {
            assert!(t.begin("k", now).is_ok());
        }
        // Five checks still running (or abandoned): a sixth one is refused, for a minute.
        assert!(t.begin("k", now).is_err());
        assert!(t.begin("k", now + Duration::from_secs(59)).is_err());
        assert!(t.begin("k", now + LoginThrottle::LOCKOUT).is_ok());
        // A success forgets everything.
        t.succeeded("k");
        assert!(t.begin("k", now).is_ok());
        // Old failures are forgotten after the window.
        for _ in 1..LoginThrottle::MAX_FAILURES {
            assert!(t.begin("k", now).is_ok());
            t.failed("k", now);
        }
        let much_later = now + LoginThrottle::WINDOW + Duration::from_secs(1);
        assert!(t.begin("k", much_later).is_ok());
    }
}
