//! How the chat widget looks and which languages it speaks, as an admin sets them on
//! `/agent/settings`: a title and a greeting per language, the colour, the corner, and the
//! languages offered (the first one for visitors whose language is not among them). Stored in
//! `settings` under [`WIDGET_KEY`] and served inside `widget.js`, so every node and every page
//! with the tag shows it; a tag's own `data-*` attributes still win.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Lang;

/// The `settings` key of the widget's look (JSON).
pub const WIDGET_KEY: &str = "widget";
/// Longest title.
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest greeting.
pub const MAX_GREETING_CHARS: usize = 300;

/// The title and greeting of one language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookText {
    /// The panel's title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The first message, before the customer writes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub greeting: String,
}

impl LookText {
    fn is_empty(&self) -> bool {
        self.title.is_empty() && self.greeting.is_empty()
    }

    fn validated(&self) -> Result<LookText, String> {
        let title = self.title.trim().to_string();
        if title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
            return Err(format!(
                "the title must be one line of at most {MAX_TITLE_CHARS} characters"
            ));
        }
        let greeting = self.greeting.trim().replace("\r\n", "\n");
        if greeting.chars().count() > MAX_GREETING_CHARS {
            return Err(format!(
                "the greeting may have at most {MAX_GREETING_CHARS} characters"
            ));
        }
        Ok(LookText { title, greeting })
    }
}

/// The widget's look; empty fields keep the widget's own default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetLook {
    /// The title for every language without its own (a look saved before titles were per
    /// language).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The greeting for every language without its own (as `title`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub greeting: String,
    /// The brand colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub color: String,
    /// `right` (default) or `left`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub position: String,
    /// The languages the widget speaks, the first one for a visitor whose page or browser is in
    /// none of them; empty: every language, Russian for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Lang>,
    /// The title and greeting of each language that has its own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<Lang, LookText>,
}

impl WidgetLook {
    /// The look checked and trimmed, or what is wrong.
    pub fn validated(&self) -> Result<WidgetLook, String> {
        let common = LookText {
            title: self.title.clone(),
            greeting: self.greeting.clone(),
        }
        .validated()?;
        let color = self.color.trim().to_ascii_lowercase();
        let is_rgb = color.len() == 7
            && color.starts_with('#')
            && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !color.is_empty() && !is_rgb {
            return Err(format!("'{color}' is not a colour: use #rrggbb"));
        }
        let position = self.position.trim().to_ascii_lowercase();
        if !matches!(position.as_str(), "" | "right" | "left") {
            return Err("the position is right or left".into());
        }
        let mut languages = Vec::with_capacity(self.languages.len());
        for l in &self.languages {
            if !languages.contains(l) {
                languages.push(*l);
            }
        }
        // Every language is the same as none chosen, in the order that makes the first one the
        // fallback.
        if languages.len() == Lang::ALL.len() && languages[0] == Lang::ALL[0] {
            languages.clear();
        }
        let mut texts = BTreeMap::new();
        for (l, t) in &self.texts {
            let t = t.validated()?;
            if !t.is_empty() {
                texts.insert(*l, t);
            }
        }
        Ok(WidgetLook {
            title: common.title,
            greeting: common.greeting,
            color,
            position: if position == "right" {
                String::new()
            } else {
                position
            },
            languages,
            texts,
        })
    }

    /// The title and greeting a visitor in `lang` sees (its own, else the common ones).
    pub fn text(&self, lang: Lang) -> LookText {
        let own = self.texts.get(&lang).cloned().unwrap_or_default();
        LookText {
            title: if own.title.is_empty() {
                self.title.clone()
            } else {
                own.title
            },
            greeting: if own.greeting.is_empty() {
                self.greeting.clone()
            } else {
                own.greeting
            },
        }
    }

    /// Whether the widget speaks `lang` to visitors.
    pub fn speaks(&self, lang: Lang) -> bool {
        self.languages.is_empty() || self.languages.contains(&lang)
    }

    /// The language for visitors in none of the widget's languages.
    pub fn fallback(&self) -> Lang {
        self.languages.first().copied().unwrap_or(Lang::ALL[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(t: &str, c: &str, p: &str) -> WidgetLook {
        WidgetLook {
            title: t.into(),
            greeting: "Здравствуйте!".into(),
            color: c.into(),
            position: p.into(),
            ..WidgetLook::default()
        }
    }

    #[test]
    fn looks_are_checked() {
        let ok = look(" Домотека ", "#1F4E8C", "LEFT").validated().unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.color.as_str(), ok.position.as_str()),
            ("Домотека", "#1f4e8c", "left")
        );
        assert_eq!(look("", "", "right").validated().unwrap().position, "");
        assert!(look(&"я".repeat(61), "", "").validated().is_err());
        assert!(look("a", "red", "").validated().is_err());
        assert!(look("a", "", "top").validated().is_err());
        assert_eq!(
            serde_json::to_string(&look("", "", "").validated().unwrap()).unwrap(),
            "{\"greeting\":\"Здравствуйте!\"}"
        );
    }

    #[test]
    fn each_language_has_its_own_texts_and_the_first_is_the_fallback() {
        let mut l = look("Домотека", "", "");
        l.languages = vec![Lang::De, Lang::En, Lang::De];
        l.texts.insert(
            Lang::En,
            LookText {
                title: " Domoteka help ".into(),
                greeting: String::new(),
            },
        );
        l.texts.insert(Lang::Ru, LookText::default());
        let l = l.validated().unwrap();
        assert_eq!(l.languages, [Lang::De, Lang::En]);
        assert_eq!(l.fallback(), Lang::De);
        assert!(l.speaks(Lang::En) && !l.speaks(Lang::Ru));
        // An empty language is not stored; a language without its own text takes the common one.
        assert_eq!(l.texts.len(), 1);
        assert_eq!(l.text(Lang::En).title, "Domoteka help");
        assert_eq!(l.text(Lang::En).greeting, "Здравствуйте!");
        assert_eq!(l.text(Lang::De).title, "Домотека");
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            r#"{"title":"Домотека","greeting":"Здравствуйте!","languages":["de","en"],"texts":{"en":{"title":"Domoteka help"}}}"#
        );
        // All three in the usual order is the same as none chosen.
        let mut all = look("", "", "");
        all.languages = Lang::ALL.to_vec();
        let all = all.validated().unwrap();
        assert!(all.languages.is_empty() && all.speaks(Lang::De));
        assert_eq!(all.fallback(), Lang::Ru);
        let mut long = look("", "", "");
        long.texts.insert(
            Lang::De,
            LookText {
                title: String::new(),
                greeting: "x".repeat(301),
            },
        );
        assert!(long.validated().is_err());
    }
}
