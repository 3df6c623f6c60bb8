//! The widget's look on `/agent/settings` (admins): the tag to copy with this site's address,
//! the languages it speaks, a title and greeting per language, the colour and corner
//! (`POST /agent/settings/widget`, stored under
//! `domain::widget::WIDGET_KEY`, served inside `widget.js` on every node), and a preview — the
//! demo page in a frame, which `settings.js` reloads with what is typed before it is saved.

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::layout::bad_request_page;
use super::session::{AgentPage, AgentSession, CSRF_FIELD};
use crate::domain::Lang;
use crate::domain::widget::{
    LookText, MAX_GREETING_CHARS, MAX_TITLE_CHARS, WIDGET_KEY, WidgetLook,
};
use crate::error::AppError;
use crate::web::i18n::lang_name;
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
        Languages => ["Языки", "Languages", "Sprachen"],
        LanguagesHelp => [
            "Виджет говорит на языке страницы (или браузера посетителя), если этот язык отмечен, иначе — на языке для остальных посетителей.",
            "The widget speaks the language of the page (or of the visitor's browser) when it is ticked, otherwise the language for other visitors.",
            "Das Widget spricht die Sprache der Seite (oder des Browsers), wenn sie angekreuzt ist, sonst die Sprache für andere Besucher.",
        ],
        Fallback => ["Для остальных посетителей", "For other visitors", "Für andere Besucher"],
        Speaks => ["Язык", "Language", "Sprache"],
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

/// The section of the settings page; the common title and greeting of an older look are shown
/// as the installation's own language's (`home`).
pub(crate) fn section(
    lang: Lang,
    home: Lang,
    base: &str,
    session: &AgentSession,
    look: &WidgetLook,
) -> Markup {
    let tag = format!("<script src=\"{base}/widget.js\" defer></script>");
    let color = if look.color.is_empty() {
        crate::config::DEFAULT_BRAND_COLOR
    } else {
        look.color.as_str()
    };
    let text = |l: Lang| {
        if l == home {
            look.text(l)
        } else {
            look.texts.get(&l).cloned().unwrap_or_default()
        }
    };
    html! {
        section #widget-look {
            h2 { (W::Heading.in_lang(lang)) }
            p { (W::Snippet.in_lang(lang)) }
            pre { code #widget-tag { (tag) } }
            div.widget-look {
                form #widget-form method="post" action="/agent/settings/widget" {
                    input type="hidden" name=(CSRF_FIELD) value=(session.csrf);
                    fieldset {
                        legend { (W::Languages.in_lang(lang)) }
                        p.meta { (W::LanguagesHelp.in_lang(lang)) }
                        table.look-texts {
                            thead { tr {
                                th scope="col" { (W::Speaks.in_lang(lang)) }
                                th scope="col" { (W::Title.in_lang(lang)) }
                                th scope="col" { (W::Greeting.in_lang(lang)) }
                            } }
                            tbody {
                                @for l in Lang::ALL {
                                    @let t = text(l);
                                    @let name = lang_name(l);
                                    tr data-lang=(l.code()) {
                                        th scope="row" {
                                            label { input type="checkbox" name=(format!("speaks_{}", l.code())) value="1" checked[look.speaks(l)]; " " (name) }
                                        }
                                        td { input id=(format!("w-title-{}", l.code())) name=(format!("title_{}", l.code())) value=(t.title) maxlength=(MAX_TITLE_CHARS) lang=(l.code()) aria-label=(format!("{} — {name}", W::Title.in_lang(lang))); }
                                        td { textarea id=(format!("w-greeting-{}", l.code())) name=(format!("greeting_{}", l.code())) rows="2" maxlength=(MAX_GREETING_CHARS) lang=(l.code()) aria-label=(format!("{} — {name}", W::Greeting.in_lang(lang))) { (t.greeting) } }
                                    }
                                }
                            }
                        }
                        label for="w-fallback" { (W::Fallback.in_lang(lang)) }
                        " "
                        select #w-fallback name="fallback" {
                            @for l in Lang::ALL {
                                option value=(l.code()) selected[look.fallback() == l] { (lang_name(l)) }
                            }
                        }
                    }
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
                    iframe #widget-preview src=(format!("/demo?preview=1&lang={}", lang.code())) title=(W::Preview.in_lang(lang)) width="420" height="560" {}
                }
            }
            script src="/agent/assets/settings.js" defer {}
        }
    }
}

/// The look the form describes: `speaks_xx` ticks, `fallback`, `title_xx` / `greeting_xx`,
/// `color`, `position` (other fields, such as the CSRF token, are ignored).
fn look_of(form: &[(String, String)]) -> Result<WidgetLook, String> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let fallback = match field("fallback") {
        Some(v) => v.parse::<Lang>().map_err(|e| e.to_string())?,
        None => Lang::ALL[0],
    };
    let ticked: Vec<Lang> = Lang::ALL
        .into_iter()
        .filter(|l| field(&format!("speaks_{}", l.code())).is_some())
        .collect();
    if ticked.is_empty() {
        return Err("tick at least one language".into());
    }
    if !ticked.contains(&fallback) {
        return Err(format!(
            "the language for other visitors ({fallback}) must be one of the ticked ones"
        ));
    }
    let mut look = WidgetLook {
        color: field("color").unwrap_or_default().to_string(),
        position: field("position").unwrap_or_default().to_string(),
        languages: std::iter::once(fallback)
            .chain(ticked.into_iter().filter(|l| *l != fallback))
            .collect(),
        ..WidgetLook::default()
    };
    for l in Lang::ALL {
        let text = LookText {
            title: field(&format!("title_{}", l.code()))
                .unwrap_or_default()
                .to_string(),
            greeting: field(&format!("greeting_{}", l.code()))
                .unwrap_or_default()
                .to_string(),
        };
        look.texts.insert(l, text);
    }
    look.validated()
}

/// `POST /agent/settings/widget` (admins): saves the look (303 back) or says what is wrong (400).
pub(crate) async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    page_session: AgentPage,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return bad_request_page(&state, &headers, "the form is incomplete");
    };
    match look_of(&form) {
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

const SETTINGS_JS: &str = r#"// The widget's preview on /agent/settings: the demo page with the look being typed, in the
// language whose title or greeting was last touched.
(function () {
  "use strict";
  var form = document.getElementById("widget-form");
  var frame = document.getElementById("widget-preview");
  if (!form || !frame) return;
  var lang = new URL(frame.src, location.href).searchParams.get("lang") || "ru";
  var timer = 0;
  var value = function (name) {
    var el = form.elements[name];
    if (!el) return "";
    if (el.length && el[0] && el[0].type === "radio") {
      return [].filter.call(el, function (r) { return r.checked; }).map(function (r) { return r.value; })[0] || "";
    }
    return el.value || "";
  };
  var update = function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = new URLSearchParams({ preview: "1", lang: lang });
      var look = {
        title: value("title_" + lang),
        greeting: value("greeting_" + lang),
        color: value("color"),
        position: value("position")
      };
      Object.keys(look).forEach(function (k) { if (look[k]) q.set(k, look[k]); });
      frame.src = "/demo?" + q.toString();
    }, 300);
  };
  form.addEventListener("focusin", function (e) {
    var set = e.target.closest && e.target.closest("[data-lang]");
    if (set && set.dataset.lang !== lang) {
      lang = set.dataset.lang;
      update();
    }
  });
  form.addEventListener("input", update);
})();
"#;
