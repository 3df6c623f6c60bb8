//! Recording help-center searches without a confident hit (the report's searches).

use crate::domain::Lang;
use crate::privacy::mask_pii;
use crate::store::Store;

/// Longest search text stored.
const MAX_LOGGED_CHARS: usize = 500;

/// Records a help-center search whose best hit did not clear the threshold (masked), in the
/// background: never delays or fails the search. Texts with fewer than three letters or digits
/// are not kept.
/// `default_lang` is the language of a text that says nothing of its own; `visitor` the anonymous
/// id of who searched (the report counts people, not retypes).
pub fn record_search_miss(
    store: &Store,
    default_lang: Lang,
    text: &str,
    lang: Option<Lang>,
    visitor: Option<String>,
) {
    let text = text.trim();
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return;
    }
    let lang = lang.unwrap_or_else(|| {
        if text
            .chars()
            .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
        {
            Lang::Ru
        } else {
            default_lang
        }
    });
    let masked = mask_pii(&text.chars().take(MAX_LOGGED_CHARS).collect::<String>());
    let store = store.clone();
    tokio::spawn(async move {
        let now = crate::domain::now_ms();
        if let Err(e) = store
            .record_search_miss(&masked, lang.code(), visitor.as_deref(), now)
            .await
        {
            tracing::warn!(error = ?e, "cannot record a search without results");
        }
    });
}
