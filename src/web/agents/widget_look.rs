//! The widget's look on `/agent/settings` (admins): the tag to copy with this site's address,
//! the title, greeting, colour and corner (`POST /agent/settings/widget`, stored under
//! `domain::widget::WIDGET_KEY`, served inside `widget.js` on every node), and a preview — the
//! demo page in a frame, which `settings.js` reloads with what is typed before it is saved.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::{FIELD, bad_request_page};
use super::session::{AgentPage, AgentSession, CSRF_FIELD};
use crate::domain::Lang;
use crate::domain::widget::{MAX_GREETING_CHARS, MAX_TITLE_CHARS, WIDGET_KEY, WidgetLook};
use crate::error::AppError;
use crate::web::state::AppState;

crate::web::i18n::texts! {
    /// A text of the widget section.
    pub(crate) enum W {
        Heading => ["Виджет чата", "Chat widget", "Chat-Widget"],
        Snippet => [
            "Вставьте этот тег на страницы сайта (перед </body>):",
            "Add this tag to your site's pages (before </body>):",
            "Fügen Sie diesen Tag in die Seiten Ihrer Website ein (vor </body>):",
        ],
        Title => ["Заголовок", "Title", "Titel"],
        Greeting => ["Приветствие", "Greeting", "Begrüßung"],
        Color => ["Цвет", "Colour", "Farbe"],
        Position => ["Угол экрана", "Corner", "Ecke"],
        Right => ["справа внизу", "bottom right", "unten rechts"],
        Left => ["слева внизу", "bottom left", "unten links"],
        Preview => ["Как это выглядит", "Preview", "Vorschau"],
        Save => ["Сохранить вид виджета", "Save the widget's look", "Aussehen speichern"],
        Applies => [
            "Применяется ко всем страницам с тегом в течение 5 минут (столько браузеры хранят виджет); атрибуты data-* в самом теге важнее.",
            "Applies to every page with the tag within 5 minutes (browsers keep the widget that long); data-* attributes on the tag itself win.",
            "Gilt für alle Seiten mit dem Tag innerhalb von 5 Minuten (so lange speichern Browser das Widget); data-*-Attribute am Tag selbst haben Vorrang.",
        ],
    }
}

/// The look stored now (the widget's defaults when there is none or it cannot be read).
pub(crate) async fn stored_look(state: &AppState) -> Result<WidgetLook, AppError> {
    Ok(state
        .store
        .setting(WIDGET_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// The section of the settings page.
pub(crate) fn section(lang: Lang, base: &str, session: &AgentSession, look: &WidgetLook) -> Markup {
    let tag = format!(
        "<script src=\"{base}/widget.js\" data-lang=\"{}\" defer></script>",
        lang.code()
    );
    let color = if look.color.is_empty() {
        crate::config::DEFAULT_BRAND_COLOR
    } else {
        look.color.as_str()
    };
    html! {
        section #widget-look {
            h2 { (W::Heading.in_lang(lang)) }
            p { (W::Snippet.in_lang(lang)) }
            pre { code #widget-tag { (tag) } }
            div.widget-look {
                form #widget-form method="post" action="/agent/settings/widget" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    label for="w-title" { (W::Title.in_lang(lang)) }
                    input #w-title style=(FIELD) name="title" value=(look.title) maxlength=(MAX_TITLE_CHARS);
                    label for="w-greeting" { (W::Greeting.in_lang(lang)) }
                    textarea #w-greeting style=(FIELD) name="greeting" rows="3" maxlength=(MAX_GREETING_CHARS) { (look.greeting) }
                    label for="w-color" { (W::Color.in_lang(lang)) }
                    input #w-color type="color" name="color" value=(color);
                    fieldset {
                        legend { (W::Position.in_lang(lang)) }
                        label { input type="radio" name="position" value="right" checked[look.position != "left"]; " " (W::Right.in_lang(lang)) }
                        " "
                        label { input type="radio" name="position" value="left" checked[look.position == "left"]; " " (W::Left.in_lang(lang)) }
                    }
                    p.meta { (W::Applies.in_lang(lang)) }
                    button type="submit" { (W::Save.in_lang(lang)) }
                }
                figure {
                    figcaption { (W::Preview.in_lang(lang)) }
                    iframe #widget-preview src="/demo?preview=1" title=(W::Preview.in_lang(lang)) width="420" height="560" {}
                }
            }
            script src="/agent/assets/settings.js" defer {}
        }
    }
}

/// `POST /agent/settings/widget` (admins): saves the look (303 back) or says what is wrong (400).
pub(crate) async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<WidgetLook>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    match form.validated() {
        Ok(look) => {
            let json = serde_json::to_string(&look).unwrap_or_else(|_| "{}".into());
            if let Err(e) = state.store.put_setting(WIDGET_KEY, &json).await {
                return AppError::Internal(e).into_response();
            }
            tracing::info!(by = page_session.0.agent.id, "widget look saved");
            Redirect::to("/agent/settings?done=saved#widget-look").into_response()
        }
        Err(m) => bad_request_page(&state, &headers, &m),
    }
}

/// `GET /agent/assets/settings.js`: reloads the preview with what is typed (debounced).
pub(crate) async fn settings_js() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=300"),
        ],
        SETTINGS_JS,
    )
        .into_response()
}

const SETTINGS_JS: &str = r#"// The widget's preview on /agent/settings: the demo page with the look being typed.
(function () {
  "use strict";
  var form = document.getElementById("widget-form");
  var frame = document.getElementById("widget-preview");
  if (!form || !frame) return;
  var timer = 0;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = new URLSearchParams({ preview: "1" });
      ["title", "greeting", "color", "position"].forEach(function (k) {
        var el = form.elements[k];
        var v = el && (el.value || (el.length && [].filter.call(el, function (r) { return r.checked; }).map(function (r) { return r.value; })[0]));
        if (v) q.set(k, v);
      });
      frame.src = "/demo?" + q.toString();
    }, 300);
  });
})();
"#;
