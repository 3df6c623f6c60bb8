//! The customer's contact card, as agents keep it: name, email and phone, checked, stored, and
//! the consoles' queue refreshed so that the name shows everywhere.

use crate::chat::Chat;
use crate::error::AppError;
use crate::store::chat::CustomerRow;

use super::*;

/// Longest name on a card, in characters.
pub const MAX_CONTACT_NAME_CHARS: usize = 80;
/// Longest phone number on a card, in characters.
pub const MAX_PHONE_CHARS: usize = 32;

/// A contact card as an agent typed it: each field trimmed, empty meaning "none".
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactCard {
    /// The customer's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Their email.
    #[serde(default)]
    pub email: Option<String>,
    /// Their phone number.
    #[serde(default)]
    pub phone: Option<String>,
}

fn field(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Whether `s` reads as a phone number: digits with the usual `+`, spaces, dashes, dots and
/// parentheses, 5 to 20 digits.
pub fn plausible_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && s.chars().count() <= MAX_PHONE_CHARS
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
}

/// Checks a card: `Err` says which field is wrong and how.
pub fn check_card(card: &ContactCard) -> Result<(), String> {
    if let Some(name) = field(&card.name) {
        if name.chars().count() > MAX_CONTACT_NAME_CHARS {
            return Err(format!(
                "a name may have at most {MAX_CONTACT_NAME_CHARS} characters"
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("a name may not contain control characters".into());
        }
    }
    if let Some(email) = field(&card.email)
        && !plausible_email(email)
    {
        return Err(format!("'{email}' is not an email address"));
    }
    if let Some(phone) = field(&card.phone)
        && !plausible_phone(phone)
    {
        return Err(format!(
            "'{phone}' is not a phone number (5 to 20 digits, with + ( ) - . and spaces)"
        ));
    }
    Ok(())
}

/// Stores the contact card of customer `customer_id` as an agent edited it. An identity the
/// site vouched for stays verified only while its email is unchanged.
pub async fn edit_contact(
    state: &Chat,
    customer_id: i64,
    card: &ContactCard,
) -> Result<CustomerRow, AppError> {
    check_card(card).map_err(AppError::BadRequest)?;
    let row = state
        .store
        .set_contact(
            customer_id,
            field(&card.name),
            field(&card.email),
            field(&card.phone),
        )
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no customer {customer_id}")))?;
    queue_changed(state).await;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_are_checked_field_by_field() {
        let card = |name: &str, email: &str, phone: &str| ContactCard {
            name: Some(name.into()),
            email: Some(email.into()),
            phone: Some(phone.into()),
        };
        assert!(check_card(&card("Анна", "anna@example.com", "+7 (912) 345-67-89")).is_ok());
        assert!(check_card(&card("", "", "")).is_ok(), "empty fields clear");
        assert!(check_card(&ContactCard::default()).is_ok());
        assert!(check_card(&card(&"я".repeat(81), "", "")).is_err());
        assert!(check_card(&card("a\u{7}b", "", "")).is_err());
        assert!(check_card(&card("", "anna@", "")).is_err());
        for bad in [
            "1234",
            "+7 912 abc",
            "123456789012345678901",
            "12345<script>",
        ] {
            assert!(check_card(&card("", "", bad)).is_err(), "{bad}");
        }
    }
}
