//! How the chat widget looks, as an admin sets it on `/agent/settings`: the title, the
//! greeting, the colour and the corner. Stored in `settings` under [`WIDGET_KEY`] and served
//! inside `widget.js`, so every node and every page with the tag shows it; a tag's own
//! `data-*` attributes still win.

use serde::{Deserialize, Serialize};

/// The `settings` key of the widget's look (JSON).
pub const WIDGET_KEY: &str = "widget";
/// Longest title.
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest greeting.
pub const MAX_GREETING_CHARS: usize = 300;

/// The widget's look; empty fields keep the widget's own default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetLook {
    /// The panel's title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// The first message, before the customer writes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub greeting: String,
    /// The brand colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub color: String,
    /// `right` (default) or `left`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub position: String,
}

impl WidgetLook {
    /// The look checked and trimmed, or what is wrong.
    pub fn validated(&self) -> Result<WidgetLook, String> {
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
        Ok(WidgetLook {
            title,
            greeting,
            color,
            position: if position == "right" {
                String::new()
            } else {
                position
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_are_checked() {
        let look = |t: &str, c: &str, p: &str| WidgetLook {
            title: t.into(),
            greeting: "Здравствуйте!".into(),
            color: c.into(),
            position: p.into(),
        };
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
}
