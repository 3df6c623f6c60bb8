//! Passwords of agent accounts and the login throttle.
//!
//! Hashes are argon2id PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) with a random
//! 16-byte salt and the `argon2` crate's default (OWASP) parameters; verification reads the
//! parameters from the stored string, so they can be raised later without breaking old hashes.
//!
//! Hashing and verifying take tens of milliseconds of CPU and 19 MiB of memory each on purpose,
//! so the async variants run them on [`HASH_SLOTS`] threads of their own, at most that many at once
//! (memory stays bounded whatever arrives); at most [`HASH_QUEUE`] more wait for a slot, and
//! beyond that a request is refused with [`Busy`] (answered 429 with `Retry-After`). A login for an email that has no account verifies against a
//! fixed [`DUMMY_HASH`] made with the same parameters, so the answer takes as long as for a real
//! account with a wrong password and timing does not reveal which emails exist.
//!
//! [`LoginThrottle`] limits guessing: after [`LoginThrottle::MAX_FAILURES`] failed attempts for
//! the same email from the same client address within [`LoginThrottle::WINDOW`], that pair is
//! refused for [`LoginThrottle::LOCKOUT`] without checking the password. Attempts still being
//! checked count too, so parallel requests cannot get past the limit. The throttle lives in the
//! database (`login_attempts`, keyed by a SHA-256 of email and address), so every node of one
//! database counts the same attempts; it bounds online guessing, it does not replace strong
//! passwords.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;

use crate::store::Store;
use crate::store::agents::LoginAttempts;

/// Shortest password accepted for a new account or a reset, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in bytes (hashing cost does not depend on it, but a bound keeps
/// requests small).
pub const MAX_PASSWORD_BYTES: usize = 1_024;
/// Length of generated passwords, in characters (100 bits).
pub const GENERATED_PASSWORD_CHARS: usize = 20;
/// Passwords hashed or verified at once (19 MiB of memory each).
pub const HASH_SLOTS: usize = 4;
/// Requests waiting for a hashing slot, at most; more are refused with [`Busy`].
pub const HASH_QUEUE: usize = 32;

static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASH_SLOTS);
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Every hashing slot is taken and [`HASH_QUEUE`] requests already wait for one: try again in a
/// moment.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks at once; try again in a moment")]
pub struct Busy;

/// Runs `f` on a blocking thread once a hashing slot is free, or refuses when too many wait.
async fn in_slot<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    if WAITING.fetch_add(1, Ordering::AcqRel) >= HASH_QUEUE + HASH_SLOTS {
        WAITING.fetch_sub(1, Ordering::AcqRel);
        return Err(Busy);
    }
    // Counted until the work is done, also when the caller goes away while waiting.
    struct Leave;
    impl Drop for Leave {
        fn drop(&mut self) {
            WAITING.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let _leave = Leave;
    let _slot = SLOTS.acquire().await.map_err(|_| Busy)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    if hashers()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(job)
        .is_err()
    {
        tracing::error!("the password hashing threads are gone");
        return Err(Busy);
    }
    rx.await.map_err(|_| {
        tracing::error!("password hashing task failed");
        Busy
    })
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads passwords are hashed on: [`HASH_SLOTS`] of their own rather than tokio's
/// blocking pool, because the allocator keeps each thread's 19 MiB working memory for reuse,
/// and hundreds of blocking threads that each hashed once would keep gigabytes.
fn hashers() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static HASHERS: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    HASHERS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..HASH_SLOTS {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("otvet-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            // A panic in one hash must not take the thread (and its slot) away.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

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

/// [`hash_password`] on a blocking thread, in a hashing slot.
pub async fn hash_password_async(password: String) -> anyhow::Result<String> {
    in_slot(move || hash_password(&password)).await?
}

/// Whether `password` matches the PHC string `hash` (slow; `false` for a malformed hash).
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::{Algorithm, Params, PasswordHash, Version};
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str());
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(&parsed))
    else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let hashed = WORK_MEMORY.with_borrow_mut(|memory| {
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        let r = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt.as_ref(),
            &mut out,
            &mut memory[..blocks],
        );
        // What the hash computed from the password does not stay in memory.
        memory.fill(argon2::Block::default());
        r
    });
    hashed.is_ok() && crate::domain::token::constant_time_eq_bytes(&out, expected.as_bytes())
}

thread_local! {
    /// argon2's working memory (19 MiB with the default parameters), kept by each hashing
    /// thread: allocating it for every check made the allocator keep ~150 MiB per thread.
    static WORK_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against `hash` on a blocking thread, in a hashing slot; with `None` (no
/// such account) it spends the same time on [`DUMMY_HASH`] and answers `false`.
pub async fn verify_password_async(password: String, hash: Option<String>) -> Result<bool, Busy> {
    in_slot(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, DUMMY_HASH);
            false
        }
    })
    .await
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

/// Failed logins per (email, client address), kept in the database so that every node counts
/// them; see the module documentation.
pub struct LoginThrottle;

impl LoginThrottle {
    /// Failed attempts that lock an (email, address) pair.
    pub const MAX_FAILURES: i64 = 5;
    /// How long a locked pair is refused.
    pub const LOCKOUT: Duration = Duration::from_secs(60);
    /// Failures older than this are forgotten.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// The stored key of an attempt: the SHA-256 of the normalized email and the client
    /// address (neither is stored as such).
    pub fn key(email: &str, ip: &str) -> String {
        use sha2::Digest;
        crate::domain::token::hex(&sha2::Sha256::digest(format!("{email}\n{ip}").as_bytes()))
    }

    /// Starts an attempt for `key`: `Err(retry_after)` when the pair is locked (or as many
    /// attempts as allowed are still being checked, which locks it); otherwise the attempt is
    /// counted as a failure unless [`LoginThrottle::succeeded`] forgets it.
    pub async fn begin(store: &Store, key: &str, now: i64) -> anyhow::Result<Result<(), Duration>> {
        if rand::random::<u8>() == 0 {
            // Now and then, forget what no longer counts.
            store.prune_login_attempts(now, ms(Self::WINDOW)).await?;
        }
        store
            .login_attempt(key, now, |a| {
                let (a, out) = Self::begin_at(a, now);
                (Some(a), out)
            })
            .await
    }

    /// The attempt begun for `key` failed: locks the pair once it reached the limit.
    pub async fn failed(store: &Store, key: &str, now: i64) -> anyhow::Result<()> {
        store
            .login_attempt(key, now, |a| (Some(Self::failed_at(a, now)), ()))
            .await
    }

    /// The attempt begun for `key` succeeded: its failures are forgotten.
    pub async fn succeeded(store: &Store, key: &str, now: i64) -> anyhow::Result<()> {
        store.login_attempt(key, now, |_| (None, ())).await
    }

    /// [`LoginThrottle::begin`] on one entry at `now` (ms): the entry after, and the answer.
    pub fn begin_at(mut a: LoginAttempts, now: i64) -> (LoginAttempts, Result<(), Duration>) {
        if let Some(until) = a.locked_until {
            if now < until {
                return (a, Err(Duration::from_millis((until - now) as u64)));
            }
            a = LoginAttempts {
                count: 0,
                since: now,
                locked_until: None,
            };
        }
        if now - a.since > ms(Self::WINDOW) {
            a.count = 0;
            a.since = now;
        }
        if a.count >= Self::MAX_FAILURES {
            // As many attempts as allowed failed, were abandoned (the client went away before
            // the answer) or are still being checked: lock now.
            a.locked_until = Some(now + ms(Self::LOCKOUT));
            return (a, Err(Self::LOCKOUT));
        }
        a.count += 1;
        (a, Ok(()))
    }

    /// [`LoginThrottle::failed`] on one entry at `now` (ms).
    pub fn failed_at(mut a: LoginAttempts, now: i64) -> LoginAttempts {
        if a.count >= Self::MAX_FAILURES && a.locked_until.is_none() {
            a.locked_until = Some(now + ms(Self::LOCKOUT));
        }
        a
    }
}

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
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
        assert!(
            verify_password_async("секретный пароль".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password_async("wrong".into(), Some(h))
                .await
                .unwrap()
        );
        assert!(
            !verify_password_async("anything".into(), None)
                .await
                .unwrap()
        );
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

    /// The throttle's rules on one entry, as the database applies them (times in ms).
    struct Entry(LoginAttempts);

    impl Entry {
        fn new(now: i64) -> Entry {
            Entry(LoginAttempts {
                count: 0,
                since: now,
                locked_until: None,
            })
        }

        fn begin(&mut self, now: i64) -> Result<(), Duration> {
            let (a, out) = LoginThrottle::begin_at(self.0, now);
            self.0 = a;
            out
        }

        fn failed(&mut self, now: i64) {
            self.0 = LoginThrottle::failed_at(self.0, now);
        }
    }

    #[test]
    fn five_failures_lock_the_pair_for_a_minute() {
        let start = 1_000_000;
        let mut e = Entry::new(start);
        for i in 0..LoginThrottle::MAX_FAILURES {
            let now = start + i * 1000;
            assert!(e.begin(now).is_ok(), "attempt {i}");
            e.failed(now);
        }
        let wait = e.begin(start + 5000).unwrap_err();
        assert!(wait <= LoginThrottle::LOCKOUT && wait > Duration::from_secs(50));
        // After the lockout the pair may try again.
        let later = start + 4000 + ms(LoginThrottle::LOCKOUT);
        assert!(e.begin(later).is_ok());
        // A success forgets the entry.
        let mut e = Entry::new(later);
        for _ in 0..LoginThrottle::MAX_FAILURES {
            assert!(e.begin(later).is_ok());
        }
    }

    #[test]
    fn attempts_in_flight_count_and_old_ones_are_forgotten() {
        let now = 1_000_000;
        let mut e = Entry::new(now);
        for _ in 0..LoginThrottle::MAX_FAILURES {
            assert!(e.begin(now).is_ok());
        }
        // Five checks still running (or abandoned): a sixth one is refused, for a minute.
        assert!(e.begin(now).is_err());
        assert!(e.begin(now + 59_000).is_err());
        assert!(e.begin(now + ms(LoginThrottle::LOCKOUT)).is_ok());
        // Old failures are forgotten after the window.
        let mut e = Entry::new(now);
        for _ in 1..LoginThrottle::MAX_FAILURES {
            assert!(e.begin(now).is_ok());
        }
        let after = now + ms(LoginThrottle::WINDOW) + 1;
        for _ in 0..LoginThrottle::MAX_FAILURES {
            assert!(e.begin(after).is_ok());
        }
    }

    #[test]
    fn keys_hide_the_email_and_address() {
        let k = LoginThrottle::key("anna@example.com", "203.0.113.7");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("anna"));
        assert_ne!(k, LoginThrottle::key("anna@example.com", "203.0.113.8"));
    }
}
