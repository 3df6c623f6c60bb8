//! `/demo`: a page with the chat widget on it, to try the bot and the console before the
//! widget goes on a real site, with the one tag to copy.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use maud::html;

use super::{Head, Site, layout, respond};
use crate::domain::Lang;
use crate::web::state::AppState;

crate::web::i18n::texts! {
    /// A text of the demo page.
    pub(crate) enum T {
        Title => ["Попробуйте чат", "Try the chat", "Chat ausprobieren"],
        Intro => [
            "Это страница-пример: так виджет выглядит на сайте магазина. Откройте чат кнопкой в углу экрана и спросите что-нибудь из статей справочного центра — или позовите оператора.",
            "This is an example page: the widget as it looks on a shop's site. Open the chat with the button in the corner of the screen and ask something the help center's articles answer, or ask for a person.",
            "Dies ist eine Beispielseite: so sieht das Widget auf der Website eines Shops aus. Öffnen Sie den Chat mit der Schaltfläche in der Bildschirmecke und fragen Sie etwas, das die Artikel des Hilfe-Centers beantworten, oder verlangen Sie einen Mitarbeiter.",
        ],
        Console => [
            "Вопросы, которые бот передаёт людям, появляются в консоли операторов:",
            "Conversations the bot hands to people appear in the agents' console:",
            "Gespräche, die der Bot an Menschen übergibt, erscheinen in der Konsole der Mitarbeiter:",
        ],
        Snippet => [
            "Чтобы поставить чат на свой сайт, вставьте на страницы этот тег:",
            "To put the chat on your site, add this tag to its pages:",
            "Um den Chat auf Ihre Website zu bringen, fügen Sie diesen Tag in ihre Seiten ein:",
        ],
    }
}

/// A look to preview (`/agent/settings` frames `/demo?preview=1&title=…&color=…`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PreviewParams {
    #[serde(default)]
    title: String,
    #[serde(default)]
    greeting: String,
    #[serde(default)]
    color: String,
    #[serde(default)]
    position: String,
    /// The language previewed (the settings page's own when absent).
    #[serde(default)]
    lang: Option<Lang>,
}

/// `GET /demo`.
pub async fn demo(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<axum::extract::Query<PreviewParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    // A look being previewed, as the tag's data-* attributes (a wrong one is ignored).
    let params = params.map(|axum::extract::Query(p)| p).unwrap_or_default();
    let preview_lang = params.lang;
    let preview = crate::domain::widget::WidgetLook {
        title: params.title,
        greeting: params.greeting,
        color: params.color,
        position: params.position,
        ..Default::default()
    }
    .validated()
    .unwrap_or_default();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let lang = preview_lang.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|a| crate::web::choose_lang(a, &Lang::ALL))
            .unwrap_or(state.config.default_lang)
    });
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let tag = format!("<script src=\"{}/widget.js\" defer></script>", site.base);
    let head = Head {
        title: T::Title.in_lang(lang).to_string(),
        description: T::Intro.in_lang(lang).to_string(),
        canonical: "/demo".into(),
        alternates: Vec::new(),
        noindex: true,
        header_search: true,
        without_chat: true,
    };
    let main = html! {
        h1 { (T::Title.in_lang(lang)) }
        p { (T::Intro.in_lang(lang)) }
        p { (T::Console.in_lang(lang)) " " a href="/agent" { (site.abs("/agent")) } }
        p { (T::Snippet.in_lang(lang)) }
        pre { code { (tag) } }
        script src="/widget.js" data-lang=[preview_lang.map(|l| l.code())] data-title=[opt(&preview.title)]
            data-greeting=[opt(&preview.greeting)] data-color=[opt(&preview.color)]
            data-position=[opt(&preview.position)] defer {}
    };
    respond(StatusCode::OK, layout(&state, &site, lang, head, "", main))
}
