//! UI strings of the help-center pages in Russian, English and German: a small match table.

use crate::domain::Lang;

/// Defines a table of UI texts: an enum of keys, each with its text in Russian, English and
/// German, and `Key::in_lang(lang)`. Every page's texts are such a table (the help center's
/// here, the agents' pages', the reports' and the gap report's beside them).
macro_rules! texts {
    ($(#[$doc:meta])* $vis:vis enum $name:ident {
        $($(#[$vdoc:meta])* $key:ident => [$ru:expr, $en:expr, $de:expr $(,)?],)+
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vdoc])* $key,)+
        }

        impl $name {
            /// This text in `lang`.
            $vis fn in_lang(self, lang: $crate::domain::Lang) -> &'static str {
                match self {
                    $($name::$key => lang.pick([$ru, $en, $de]),)+
                }
            }
        }
    };
}
pub(crate) use texts;

crate::web::i18n::texts! {
    /// A UI string.
    pub enum Key {
        /// Default site name when `--site-name` is not set.
        SiteName => ["Справочный центр", "Help center", "Hilfe-Center"],
        /// Meta description of the home page.
        HomeDescription => ["Ответы на частые вопросы: доставка, оплата, возврат и многое другое.", "Answers to common questions: delivery, payment, returns and more.", "Antworten auf häufige Fragen: Lieferung, Zahlung, Rückgabe und mehr."],
        /// Heading of the home page.
        HomeHeading => ["Чем мы можем помочь?", "How can we help?", "Wie können wir helfen?"],
        /// "Skip to content" link.
        SkipToContent => ["Перейти к содержимому", "Skip to content", "Zum Inhalt springen"],
        /// Label of the search box.
        SearchLabel => ["Поиск по справке", "Search the help center", "Hilfe durchsuchen"],
        /// Placeholder of the search box.
        SearchPlaceholder => ["Например: где мой заказ", "For example: where is my order", "Zum Beispiel: Wo ist meine Bestellung"],
        /// Search button.
        SearchButton => ["Найти", "Search", "Suchen"],
        /// Heading of the categories list.
        Categories => ["Разделы", "Categories", "Kategorien"],
        /// Heading of popular articles.
        PopularArticles => ["Популярные статьи", "Popular articles", "Beliebte Artikel"],
        /// "Home" in breadcrumbs.
        Home => ["Главная", "Home", "Startseite"],
        /// Breadcrumbs navigation label.
        Breadcrumbs => ["Навигационная цепочка", "Breadcrumbs", "Brotkrumen"],
        /// Table of contents heading.
        Contents => ["Содержание", "Contents", "Inhalt"],
        /// Related articles heading.
        Related => ["Похожие статьи", "Related articles", "Verwandte Artikel"],
        /// "Updated" before the date.
        Updated => ["Обновлено", "Updated", "Aktualisiert"],
        /// "Also in" before translation links.
        AlsoIn => ["Эта статья на других языках:", "This article in other languages:", "Dieser Artikel in anderen Sprachen:"],
        /// Question of the feedback form.
        WasHelpful => ["Статья была полезной?", "Was this helpful?", "War das hilfreich?"],
        /// "Yes" button.
        Yes => ["Да", "Yes", "Ja"],
        /// "No" button.
        No => ["Нет", "No", "Nein"],
        /// Label of the optional comment.
        CommentLabel => ["Что можно улучшить? (необязательно)", "What could we improve? (optional)", "Was können wir verbessern? (optional)"],
        /// Thank-you note after a vote.
        Thanks => ["Спасибо за отзыв!", "Thank you for your feedback!", "Danke für Ihr Feedback!"],
        /// Offer to contact support after "No".
        ContactOffer => ["Не нашли ответ? Мы поможем лично.", "Didn't find your answer? We'll help you in person.", "Keine Antwort gefunden? Wir helfen Ihnen persönlich."],
        /// The contact link text.
        ContactLink => ["Связаться с поддержкой", "Contact support", "Support kontaktieren"],
        /// The chat offer after "No" and on an empty search (with the widget on the page).
        ChatLink => ["Написать в чат", "Chat with us", "Im Chat schreiben"],
        /// Above the results when the query was read from the wrong keyboard layout.
        ShowingFor => ["Показаны результаты для", "Showing results for", "Ergebnisse für"],
        /// The number of results ("найдено: 3").
        Found => ["Найдено", "Found", "Gefunden"],
        /// Title of the search results page.
        SearchTitle => ["Поиск", "Search", "Suche"],
        /// "Results for" before the query.
        ResultsFor => ["Результаты по запросу", "Results for", "Ergebnisse für"],
        /// Nothing found.
        NothingFound => ["Ничего не нашлось", "Nothing found", "Nichts gefunden"],
        /// Hint after nothing found.
        NothingFoundHint => ["Попробуйте другие слова или короче: например, «возврат» или «доставка». Или загляните в разделы на главной.", "Try other or fewer words, such as \"return\" or \"delivery\", or browse the categories on the home page.", "Versuchen Sie andere oder weniger Wörter, etwa „Rückgabe“ oder „Lieferung“, oder stöbern Sie in den Kategorien auf der Startseite."],
        /// Title of the 404 page.
        NotFoundTitle => ["Страница не найдена", "Page not found", "Seite nicht gefunden"],
        /// Text of the 404 page.
        NotFoundText => ["Такой страницы нет. Попробуйте поиск:", "There is no such page. Try searching:", "Diese Seite gibt es nicht. Versuchen Sie die Suche:"],
        /// Meta description of a category page (followed by the category name).
        CategoryDescription => ["Статьи раздела", "Articles in", "Artikel in"],
        /// "articles" after a number (generic plural).
        ArticlesCount => ["статей", "articles", "Artikel"],
        /// Language switcher label.
        Language => ["Язык", "Language", "Sprache"],
        /// No articles in this language yet.
        NoArticles => ["Здесь пока нет статей.", "There are no articles here yet.", "Hier gibt es noch keine Artikel."],
        /// Title of the error page for a bad form.
        BadRequest => ["Неверный запрос", "Bad request", "Ungültige Anfrage"],
        /// Title of the error page for a refused request.
        Forbidden => ["Доступ запрещён", "Forbidden", "Zugriff verweigert"],
        /// Title of the error page for too many requests.
        TooManyRequests => ["Слишком много запросов", "Too many requests", "Zu viele Anfragen"],
        /// Title of the error page for our own failure.
        ServerError => ["Что-то пошло не так", "Something went wrong", "Etwas ist schiefgelaufen"],
        /// Title of the page for a vote over the address's allowance.
        TooManyVotes => ["Слишком много отзывов", "Too many votes", "Zu viele Bewertungen"],
        /// Text of that page.
        TooManyVotesText => ["С вашего адреса пришло слишком много отзывов. Попробуйте позже.", "Too many votes came from your address. Please try again later.", "Von Ihrer Adresse kamen zu viele Bewertungen. Bitte versuchen Sie es später erneut."],
    }
}
/// The name of a language in that language.
pub fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Русский",
        Lang::En => "English",
        Lang::De => "Deutsch",
    }
}

/// "N articles" with the right plural form.
pub fn articles_count(lang: Lang, n: usize) -> String {
    let word = match lang {
        Lang::Ru => {
            let (m10, m100) = (n % 10, n % 100);
            if m10 == 1 && m100 != 11 {
                "статья"
            } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
                "статьи"
            } else {
                "статей"
            }
        }
        Lang::En if n == 1 => "article",
        _ => Key::ArticlesCount.in_lang(lang),
    };
    format!("{n} {word}")
}

/// A `YYYY-MM-DD` date written out (`14 октября 2026`, `14 October 2026`, `14. Oktober 2026`);
/// anything else is returned as it is.
pub fn format_date(lang: Lang, date: &str) -> String {
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_string();
    };
    let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) else {
        return date.to_string();
    };
    if !(1..=12).contains(&m) {
        return date.to_string();
    }
    const RU: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DE: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    match lang {
        Lang::Ru => format!("{d} {} {y}", RU[m - 1]),
        Lang::En => format!("{d} {} {y}", EN[m - 1]),
        Lang::De => format!("{d}. {} {y}", DE[m - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        assert_eq!(articles_count(Lang::Ru, 1), "1 статья");
        assert_eq!(articles_count(Lang::Ru, 3), "3 статьи");
        assert_eq!(articles_count(Lang::Ru, 5), "5 статей");
        assert_eq!(articles_count(Lang::Ru, 11), "11 статей");
        assert_eq!(articles_count(Lang::Ru, 22), "22 статьи");
        assert_eq!(articles_count(Lang::En, 1), "1 article");
        assert_eq!(articles_count(Lang::En, 2), "2 articles");
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(format_date(Lang::Ru, "2026-10-14"), "14 октября 2026");
        assert_eq!(format_date(Lang::En, "2026-03-01"), "1 March 2026");
        assert_eq!(format_date(Lang::De, "2026-03-01"), "1. März 2026");
        assert_eq!(format_date(Lang::En, "soon"), "soon");
    }
}
