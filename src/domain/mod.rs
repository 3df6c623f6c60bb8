//! Domain value types shared by every feature area: languages, slugs, the bot's answers, the
//! trusted proxies, tokens and the clock.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub mod agent;
pub mod answer;
pub mod attachment;
pub mod canned;
pub mod conversation;
pub mod hours;
pub mod mail;
pub mod message;
pub mod proxies;
pub mod token;
pub mod widget;

pub use answer::{Answer, ArticleLink, Block, Clarify, ClarifyOption, Span};
pub use conversation::{Author, Channel, ConversationStatus, EscalationReason, Notice};
pub use proxies::TrustedProxies;

/// Percent-encodes a query-string value or a path segment (all but `A-Z a-z 0-9 - _ . ~`).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The current time as Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

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

    /// The one of `[ru, en, de]` in this language: how every text in three languages is
    /// chosen.
    pub fn pick<T>(self, [ru, en, de]: [T; 3]) -> T {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
            Lang::De => de,
        }
    }

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

/// Makes a URL slug from a category name: lowercase, Cyrillic transliterated to latin
/// (`ж`→`zh`, `щ`→`shch`, `ъ`/`ь` dropped…), German umlauts spelled out (`ä`→`ae`, `ß`→`ss`),
/// every run of other characters collapsed into one hyphen. `Возврат и обмен` → `vozvrat-i-obmen`.
///
/// The result is empty only when the name has no letters or digits at all.
pub fn category_slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    let push = |s: &str, out: &mut String, pending_dash: &mut bool| {
        if s.is_empty() {
            return;
        }
        if *pending_dash && !out.is_empty() {
            out.push('-');
        }
        *pending_dash = false;
        out.push_str(s);
    };
    for c in name.chars().flat_map(char::to_lowercase) {
        let latin: Option<&str> = match c {
            'а' => Some("a"),
            'б' => Some("b"),
            'в' => Some("v"),
            'г' => Some("g"),
            'д' => Some("d"),
            'е' | 'ё' | 'э' => Some("e"),
            'ж' => Some("zh"),
            'з' => Some("z"),
            'и' => Some("i"),
            'й' | 'ы' => Some("y"),
            'к' => Some("k"),
            'л' => Some("l"),
            'м' => Some("m"),
            'н' => Some("n"),
            'о' => Some("o"),
            'п' => Some("p"),
            'р' => Some("r"),
            'с' => Some("s"),
            'т' => Some("t"),
            'у' => Some("u"),
            'ф' => Some("f"),
            'х' => Some("kh"),
            'ц' => Some("ts"),
            'ч' => Some("ch"),
            'ш' => Some("sh"),
            'щ' => Some("shch"),
            'ъ' | 'ь' => Some(""),
            'ю' => Some("yu"),
            'я' => Some("ya"),
            'ä' => Some("ae"),
            'ö' => Some("oe"),
            'ü' => Some("ue"),
            'ß' => Some("ss"),
            _ => None,
        };
        match latin {
            Some(s) => push(s, &mut out, &mut pending_dash),
            None if c.is_ascii_alphanumeric() => {
                let mut buf = [0u8; 4];
                push(c.encode_utf8(&mut buf), &mut out, &mut pending_dash);
            }
            None => pending_dash = true,
        }
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

    #[test]
    fn category_slugs_are_transliterated() {
        assert_eq!(category_slug("Возврат и обмен"), "vozvrat-i-obmen");
        assert_eq!(category_slug("Аккаунт и вход"), "akkaunt-i-vkhod");
        assert_eq!(category_slug("Гарантия и ремонт"), "garantiya-i-remont");
        assert_eq!(category_slug("Подарочные карты"), "podarochnye-karty");
        assert_eq!(
            category_slug("Щётки, ёлки & Объявления"),
            "shchetki-elki-obyavleniya"
        );
        assert_eq!(
            category_slug("Жук — Цапля; Чай/Шум. Юла Эх Я"),
            "zhuk-tsaplya-chay-shum-yula-ekh-ya"
        );
        assert_eq!(
            category_slug("Returns and exchanges"),
            "returns-and-exchanges"
        );
        assert_eq!(
            category_slug("  Größe & Übergröße  "),
            "groesse-uebergroesse"
        );
        assert_eq!(category_slug("Äpfel, Öl"), "aepfel-oel");
        assert_eq!(category_slug("Wi-Fi 2.4 GHz"), "wi-fi-2-4-ghz");
        assert_eq!(category_slug("Домобаллы"), "domobally");
        assert_eq!(category_slug("Подъезд"), "podezd");
        assert_eq!(category_slug("!!!"), "");
    }
}
