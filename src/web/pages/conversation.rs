//! The conversation's page, which otvet's mail links to (`/conversation/<id>-<signature>`): the
//! conversation as the customer sees it, a form to write back (which opens a closed
//! conversation again for agents), and the rating form once it is resolved. The signed token
//! is the only key, so the page is never indexed and its address never sent as a referrer.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{Head, Site, bad_request_page, layout, not_found_page, respond};
use crate::chat::service;
use crate::domain::message::Message;
use crate::domain::{Author, ConversationStatus, Lang};
use crate::mail::links;
use crate::web::state::AppState;

crate::web::i18n::texts! {
    /// A text of the conversation page.
    pub(crate) enum T {
        Title => ["Ваше обращение", "Your request", "Ihre Anfrage"],
        You => ["Вы", "You", "Sie"],
        Bot => ["Бот", "Bot", "Bot"],
        Support => ["Поддержка", "Support", "Support"],
        Open => ["Открыто: специалист ответит здесь и на почту.", "Open: a person will answer here and by email.", "Offen: ein Mitarbeiter antwortet hier und per E-Mail."],
        Closed => ["Обращение закрыто. Если вопрос не решён, напишите — мы откроем его снова.", "This request is closed. If your question is not solved, write back and we will open it again.", "Diese Anfrage ist abgeschlossen. Wenn Ihre Frage nicht gelöst ist, schreiben Sie uns, dann öffnen wir sie wieder."],
        WriteLabel => ["Ваше сообщение", "Your message", "Ihre Nachricht"],
        Send => ["Отправить", "Send", "Senden"],
        RateHeading => ["Как мы помогли?", "How did we do?", "Wie war unsere Hilfe?"],
        RateLegend => ["Оценка от 1 (плохо) до 5 (отлично)", "Rating from 1 (poor) to 5 (excellent)", "Bewertung von 1 (schlecht) bis 5 (sehr gut)"],
        Comment => ["Комментарий (необязательно)", "Comment (optional)", "Kommentar (optional)"],
        Rate => ["Оценить", "Rate", "Bewerten"],
        Rated => ["Спасибо за оценку!", "Thank you for your rating!", "Danke für Ihre Bewertung!"],
    }
}

/// The page's form to write back.
#[derive(Deserialize)]
pub struct WriteForm {
    text: String,
    /// A random id the page puts in the form: a resent form is stored once.
    client_id: String,
}

/// The rating form.
#[derive(Deserialize)]
pub struct RateForm {
    score: i64,
    #[serde(default)]
    comment: Option<String>,
}

/// Largest form accepted on these pages.
pub const MAX_BODY_BYTES: usize = 24 * 1024;

fn private_page(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    r
}

fn author(lang: Lang, m: &Message) -> String {
    match m.author {
        Author::Customer => T::You.in_lang(lang).to_string(),
        Author::Bot => T::Bot.in_lang(lang).to_string(),
        Author::Agent => m
            .name
            .clone()
            .unwrap_or_else(|| T::Support.in_lang(lang).to_string()),
        Author::System => String::new(),
    }
}

/// `GET /conversation/{token}`.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/conversation/{token}");
    let Some(id) = links::verify(&state.visitor_secret, &token) else {
        return private_page(not_found_page(
            &state,
            &headers,
            state.config.default_lang,
            &path,
        ));
    };
    let (conv, messages) = match (
        state.store.conversation(id).await,
        state.store.messages_after(id, 0, false).await,
    ) {
        (Ok(Some(c)), Ok(m)) => (c, m),
        (Ok(None), _) => {
            return private_page(not_found_page(
                &state,
                &headers,
                state.config.default_lang,
                &path,
            ));
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = ?e, "cannot show a conversation page");
            return crate::error::AppError::Internal(e).into_response();
        }
    };
    let lang: Lang = conv.lang.parse().unwrap_or(state.config.default_lang);
    let snap = state.search.snapshot();
    let site = Site::of(&state, &headers, &snap.catalog);
    let head = Head {
        title: format!("{} #{}", T::Title.in_lang(lang), conv.id),
        description: String::new(),
        canonical: path.clone(),
        alternates: Vec::new(),
        noindex: true,
        header_search: false,
        without_chat: true,
    };
    let resolved = conv.status == ConversationStatus::Resolved;
    let client_id = crate::domain::token::new_token();
    let main: Markup = html! {
        h1 { (T::Title.in_lang(lang)) " #" (conv.id) }
        @if let Some(s) = &conv.subject { p.subject { (s) } }
        p.state { (if resolved { T::Closed.in_lang(lang) } else { T::Open.in_lang(lang) }) }
        ol.transcript {
            @for m in messages.iter().filter(|m| !m.text.trim().is_empty()) {
                @if m.author == Author::System {
                    li.system { (m.text) }
                } @else {
                    li.(m.author.as_str()) {
                        span.who { (author(lang, m)) }
                        @match &m.attachment {
                            Some(f) if f.url.starts_with("/attachments/") => {
                                div.said {
                                    a href=(f.url) rel="noopener" {
                                        @if f.is_image() { img.file src=(f.url) alt=(f.name) loading="lazy"; br; }
                                        "📎 " (f.name)
                                    }
                                }
                            }
                            _ => { div.said { (m.text) } }
                        }
                    }
                }
            }
        }
        @if resolved && conv.rating.is_none() {
            section #rate.feedback {
                h2 { (T::RateHeading.in_lang(lang)) }
                form method="post" action=(format!("{path}/rate")) {
                    fieldset {
                        legend { (T::RateLegend.in_lang(lang)) }
                        div.buttons {
                            @for n in 1..=5 {
                                label { input type="radio" name="score" value=(n) required; " " (n) }
                            }
                        }
                    }
                    label for="rate-comment" { (T::Comment.in_lang(lang)) }
                    textarea #rate-comment name="comment" rows="3" maxlength="1000" {}
                    button type="submit" { (T::Rate.in_lang(lang)) }
                }
            }
        } @else if resolved {
            p.thanks { (T::Rated.in_lang(lang)) }
        }
        section #write.feedback {
            form method="post" action=(path) {
                input type="hidden" name="client_id" value=(client_id);
                label for="write-text" { (T::WriteLabel.in_lang(lang)) }
                textarea #write-text name="text" rows="5" maxlength="4000" required {}
                button type="submit" { (T::Send.in_lang(lang)) }
            }
        }
    };
    private_page(respond(
        StatusCode::OK,
        layout(&state, &site, lang, head, "", main),
    ))
}

/// A form posted to a conversation's page: the conversation it names and the form, or the page
/// to answer (404 for a wrong signature, 400 for a form that cannot be read).
fn posted<T>(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    form: Result<Form<T>, FormRejection>,
) -> Result<(i64, T), Box<Response>> {
    let lang = state.config.default_lang;
    let Some(id) = links::verify(&state.visitor_secret, token) else {
        let path = format!("/conversation/{token}");
        return Err(Box::new(private_page(not_found_page(
            state, headers, lang, &path,
        ))));
    };
    match form {
        Ok(Form(f)) => Ok((id, f)),
        Err(e) => Err(Box::new(private_page(bad_request_page(
            state,
            headers,
            lang,
            &e.body_text(),
        )))),
    }
}

/// Back to the page's `anchor` when the use case went through; its error page otherwise.
fn after(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    anchor: &str,
    r: Result<(), crate::chat::protocol::ErrorFrame>,
) -> Response {
    match r {
        Ok(()) => {
            private_page(Redirect::to(&format!("/conversation/{token}#{anchor}")).into_response())
        }
        Err(e) => private_page(frame_page(state, headers, state.config.default_lang, e)),
    }
}

/// `POST /conversation/{token}`: the customer writes back.
pub async fn write(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<WriteForm>, FormRejection>,
) -> Response {
    let (id, form) = match posted(&state, &headers, &token, form) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let client_id: String = form.client_id.chars().take(64).collect();
    let r = service::page_message(&state.chat, id, &client_id, &form.text).await;
    after(&state, &headers, &token, "write", r)
}

/// `POST /conversation/{token}/rate`.
pub async fn rate(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: Result<Form<RateForm>, FormRejection>,
) -> Response {
    let (id, form) = match posted(&state, &headers, &token, form) {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let r = service::rate_conversation(&state.chat, id, form.score, form.comment).await;
    after(&state, &headers, &token, "rate", r)
}

/// The error page of a refused write or rating.
fn frame_page(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    e: crate::chat::protocol::ErrorFrame,
) -> Response {
    use crate::chat::protocol::ErrorCode;
    let status = match e.code {
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::NoConversation => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    super::status_page(state, headers, lang, status, &e.message)
}
