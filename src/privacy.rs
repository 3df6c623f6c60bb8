//! Masking personal data (emails, phone and card numbers) in texts kept for reports.
//!
//! PLACEHOLDER: being replaced by the full masker.

/// `text` with emails, phone numbers and card numbers replaced by `[email]`, `[phone]`, `[card]`.
pub fn mask_pii(text: &str) -> String {
    text.to_string()
}
