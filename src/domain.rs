//! Domain value types shared by every feature area: languages and slugs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A content language the help center supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Russian, the primary language.
    Ru,
    /// English.
    En,
    /// German.
    De,
}

impl Lang {
    /// Every supported language, in order of priority.
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::En, Lang::De];

    /// The ISO 639-1 code (`ru`, `en`, `de`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error for a language code that is not supported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language '{0}' (expected one of: ru, en, de)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ru" => Ok(Lang::Ru),
            "en" => Ok(Lang::En),
            "de" => Ok(Lang::De),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

/// The URL name of an article: lowercase latin letters, digits and single hyphens.
///
/// An article's slug is its file name without `.md`; the same slug in two languages
/// marks the two files as translations of each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// The error for a string that is not a valid slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a valid slug: use lowercase latin letters, digits, hyphens and underscores")]
pub struct InvalidSlug(pub String);

impl Slug {
    /// Longest slug accepted.
    pub const MAX_LEN: usize = 100;

    /// Validates `s` as a slug.
    pub fn parse(s: &str) -> Result<Self, InvalidSlug> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(InvalidSlug(s.to_string()))
        }
    }

    /// The slug as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Slug::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Makes a readable URL fragment from a heading: lowercase, letters of any script and
/// digits kept (so Cyrillic stays readable), everything else collapsed into single hyphens.
pub fn anchor_from_heading(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == 'ё' { 'е' } else { c };
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c);
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_codes_case_insensitively() {
        assert_eq!("ru".parse::<Lang>(), Ok(Lang::Ru));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(" de ".parse::<Lang>(), Ok(Lang::De));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::Ru.to_string(), "ru");
    }

    #[test]
    fn slug_accepts_only_url_safe_names() {
        assert!(Slug::parse("courier-delivery").is_ok());
        assert!(Slug::parse("card_arrival-2").is_ok());
        for bad in [
            "",
            "Доставка",
            "with space",
            "UPPER",
            "-lead",
            "trail-",
            "a/b",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn anchors_keep_cyrillic_readable() {
        assert_eq!(
            anchor_from_heading("Как оформить возврат?"),
            "как-оформить-возврат"
        );
        assert_eq!(
            anchor_from_heading("Шаг 2: Оплата (картой)"),
            "шаг-2-оплата-картой"
        );
        assert_eq!(anchor_from_heading("Ещё раз"), "еще-раз");
        assert_eq!(anchor_from_heading("!!!"), "section");
    }
}
