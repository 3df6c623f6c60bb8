//! Canned replies: prepared answers an agent inserts by shortcut (`greet`), with the
//! placeholders `{customer_name}` and `{agent_name}`.
//!
//! Every agent can list and use them; admins create, change and delete them (the routes check
//! the role; the store methods are in `store/agents.rs`).

use serde::{Deserialize, Serialize};

use crate::domain::Lang;

/// Longest shortcut, in characters.
pub const MAX_SHORTCUT_CHARS: usize = 32;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest body, in characters (a chat message may not be longer).
pub const MAX_BODY_CHARS: usize = 4_000;

/// A stored canned reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CannedReply {
    /// Id.
    pub id: i64,
    /// What the agent types after `/` to insert it: lower-case letters, digits, `-` and `_`.
    pub shortcut: String,
    /// What the list shows.
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// The agent who created it (`None` when unknown).
    pub created_by: Option<i64>,
    /// Created (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

/// What a canned reply is made of, as sent by an admin; [`CannedInput::validated`] trims and
/// checks it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedInput {
    /// Shortcut (a leading `/` is dropped, letters are lower-cased).
    pub shortcut: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

impl CannedInput {
    /// The input trimmed and normalized, or what is wrong with it.
    pub fn validated(&self) -> Result<CannedInput, String> {
        let shortcut = self.shortcut.trim().trim_start_matches('/').to_lowercase();
        validate_shortcut(&shortcut)?;
        let title = self.title.trim().to_string();
        let n = title.chars().count();
        if n == 0 {
            return Err("the title is empty".into());
        }
        if n > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
            return Err(format!(
                "the title must be one line of at most {MAX_TITLE_CHARS} characters"
            ));
        }
        let body = self.body.trim().replace("\r\n", "\n");
        if body.is_empty() {
            return Err("the text is empty".into());
        }
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(format!(
                "the text is longer than {MAX_BODY_CHARS} characters"
            ));
        }
        Ok(CannedInput {
            shortcut,
            title,
            body,
        })
    }
}

/// Checks a (normalized) shortcut: 1 to [`MAX_SHORTCUT_CHARS`] of `a-z`, `0-9`, `-`, `_`,
/// starting with a letter or digit.
pub fn validate_shortcut(shortcut: &str) -> Result<(), String> {
    let ok = !shortcut.is_empty()
        && shortcut.len() <= MAX_SHORTCUT_CHARS
        && shortcut.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && matches!(b, b'-' | b'_'))
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the shortcut must be 1 to {MAX_SHORTCUT_CHARS} latin letters, digits, '-' or '_' \
             (like greet or refund-2)"
        ))
    }
}

/// The text of a canned reply for one conversation: `{customer_name}` becomes the customer's
/// name, `{agent_name}` the agent's. When the name is not known (or blank) the placeholder goes
/// with the comma or space before it («Здравствуйте, {customer_name}!» → «Здравствуйте!»), or,
/// opening a sentence, with the comma after it («{customer_name}, добрый день» → «Добрый
/// день»): no «клиент» in the customer's face. Other braces are left alone, and a name that
/// itself contains a placeholder is not expanded again. `lang` is kept for texts that will need
/// it.
pub fn fill_placeholders(
    body: &str,
    customer_name: Option<&str>,
    agent_name: &str,
    _lang: Lang,
) -> String {
    const CUSTOMER: &str = "{customer_name}";
    const AGENT: &str = "{agent_name}";
    let customer = customer_name.map(str::trim).filter(|n| !n.is_empty());
    let mut out = String::with_capacity(body.len() + 32);
    let mut rest = body;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix(CUSTOMER) {
            rest = match customer {
                Some(name) => {
                    out.push_str(name);
                    after
                }
                None => drop_unknown_name(&mut out, after),
            };
        } else if let Some(after) = tail.strip_prefix(AGENT) {
            out.push_str(agent_name.trim());
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Leaves out an unknown name: the separator before it from `out`, or, at the start of a
/// sentence, the comma after it (and the next letter becomes a capital); returns what follows.
fn drop_unknown_name<'a>(out: &mut String, after: &'a str) -> &'a str {
    if out.ends_with(", ") {
        out.truncate(out.len() - 2);
    } else if out.ends_with(' ') && !out.trim_end().ends_with(['.', '!', '?']) {
        out.pop();
    }
    let starts_sentence = out.trim_end().is_empty() || out.trim_end().ends_with(['.', '!', '?']);
    if starts_sentence && let Some(next) = after.strip_prefix(',') {
        let next = next.trim_start();
        let mut chars = next.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            return chars.as_str();
        }
        return next;
    }
    after
}

/// The canned replies a new installation starts with, in Russian, English and German (admins
/// edit or delete them on `/agent/canned`).
pub fn starter() -> Vec<CannedInput> {
    const SET: &[(&str, &str, &str)] = &[
        (
            "hello",
            "Приветствие",
            "Здравствуйте, {customer_name}! Меня зовут {agent_name}, я помогу разобраться.",
        ),
        (
            "hello-en",
            "Greeting (English)",
            "Hello {customer_name}, I'm {agent_name} and I'll help you with this.",
        ),
        (
            "hello-de",
            "Begrüßung (Deutsch)",
            "Guten Tag {customer_name}, ich bin {agent_name} und helfe Ihnen gern weiter.",
        ),
        (
            "order",
            "Номер заказа",
            "Подскажите, пожалуйста, номер заказа — он есть в письме с подтверждением.",
        ),
        (
            "order-en",
            "Order number (English)",
            "Could you tell me your order number? It is in the confirmation email.",
        ),
        (
            "order-de",
            "Bestellnummer (Deutsch)",
            "Nennen Sie mir bitte Ihre Bestellnummer? Sie steht in der Bestätigungs-E-Mail.",
        ),
        (
            "check",
            "Проверяю",
            "Минуту, проверяю — вернусь с ответом в этом чате.",
        ),
        (
            "check-en",
            "Checking (English)",
            "One moment, I'm checking; I'll come back with the answer right here.",
        ),
        (
            "check-de",
            "Ich prüfe (Deutsch)",
            "Einen Moment, ich prüfe das und melde mich hier mit der Antwort.",
        ),
        (
            "bye",
            "Прощание",
            "Рад был помочь, {customer_name}! Если появятся вопросы — пишите, мы на связи.",
        ),
        (
            "bye-en",
            "Goodbye (English)",
            "Glad I could help, {customer_name}! If anything else comes up, just write to us.",
        ),
        (
            "bye-de",
            "Abschied (Deutsch)",
            "Schön, dass ich helfen konnte, {customer_name}! Bei weiteren Fragen schreiben Sie uns einfach.",
        ),
    ];
    SET.iter()
        .map(|(shortcut, title, body)| CannedInput {
            shortcut: (*shortcut).into(),
            title: (*title).into(),
            body: (*body).into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        let body = "Здравствуйте, {customer_name}! Меня зовут {agent_name}. {unknown} {";
        assert_eq!(
            fill_placeholders(body, Some(" Анна "), "Ольга", Lang::Ru),
            "Здравствуйте, Анна! Меня зовут Ольга. {unknown} {"
        );
        assert_eq!(
            fill_placeholders(body, None, "Ольга", Lang::Ru),
            "Здравствуйте! Меня зовут Ольга. {unknown} {"
        );
        assert_eq!(
            fill_placeholders("Hi {customer_name},", Some("  "), "Olga", Lang::En),
            "Hi,"
        );
        for (text, without) in [
            ("{customer_name}, добрый день!", "Добрый день!"),
            (
                "Спасибо, {customer_name}, что написали.",
                "Спасибо, что написали.",
            ),
            (
                "Готово. {customer_name}, проверьте почту.",
                "Готово. Проверьте почту.",
            ),
            ("Guten Tag {customer_name}!", "Guten Tag!"),
        ] {
            assert_eq!(fill_placeholders(text, None, "O", Lang::Ru), without);
        }
        // A name with a placeholder in it stays as typed.
        assert_eq!(
            fill_placeholders(
                "{customer_name}/{agent_name}",
                Some("{agent_name}"),
                "O",
                Lang::En
            ),
            "{agent_name}/O"
        );
        assert_eq!(fill_placeholders("", None, "O", Lang::De), "");
    }

    #[test]
    fn the_starter_replies_are_valid_and_read_well_without_a_name() {
        for c in starter() {
            let checked = c
                .validated()
                .unwrap_or_else(|e| panic!("{}: {e}", c.shortcut));
            assert_eq!(checked.shortcut, c.shortcut);
            let text = fill_placeholders(&c.body, None, "Ольга", Lang::Ru);
            assert!(
                !text.contains("{") && !text.contains(" ,") && !text.contains(", !"),
                "{text}"
            );
        }
        assert_eq!(
            fill_placeholders(&starter()[9].body, None, "O", Lang::Ru),
            "Рад был помочь! Если появятся вопросы — пишите, мы на связи."
        );
    }

    #[test]
    fn input_is_normalized_and_checked() {
        let input = |s: &str, t: &str, b: &str| CannedInput {
            shortcut: s.into(),
            title: t.into(),
            body: b.into(),
        };
        let ok = input(
            " /Greet ",
            " Приветствие ",
            " Здравствуйте!\r\nЧем помочь? ",
        )
        .validated()
        .unwrap();
        assert_eq!(ok.shortcut, "greet");
        assert_eq!(ok.title, "Приветствие");
        assert_eq!(ok.body, "Здравствуйте!\nЧем помочь?");
        for (s, t, b) in [
            ("", "t", "b"),
            ("-x", "t", "b"),
            ("при", "t", "b"),
            ("a b", "t", "b"),
            (&"a".repeat(33), "t", "b"),
            ("ok", "", "b"),
            ("ok", "a\nb", "b"),
            ("ok", "t", "  "),
            ("ok", "t", &"ж".repeat(4_001)),
        ] {
            assert!(input(s, t, b).validated().is_err(), "{s:?} {t:?} {b:.20?}");
        }
        assert!(input("refund-2", "t", "b").validated().is_ok());
    }
}
