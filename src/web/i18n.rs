//! UI strings of the help-center pages in Russian, English and German: a small match table.

use crate::domain::Lang;

/// A UI string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Default site name when `--site-name` is not set.
    SiteName,
    /// Meta description of the home page.
    HomeDescription,
    /// Heading of the home page.
    HomeHeading,
    /// "Skip to content" link.
    SkipToContent,
    /// Label of the search box.
    SearchLabel,
    /// Placeholder of the search box.
    SearchPlaceholder,
    /// Search button.
    SearchButton,
    /// Heading of the categories list.
    Categories,
    /// Heading of popular articles.
    PopularArticles,
    /// "Home" in breadcrumbs.
    Home,
    /// Breadcrumbs navigation label.
    Breadcrumbs,
    /// Table of contents heading.
    Contents,
    /// Related articles heading.
    Related,
    /// "Updated" before the date.
    Updated,
    /// "Also in" before translation links.
    AlsoIn,
    /// Question of the feedback form.
    WasHelpful,
    /// "Yes" button.
    Yes,
    /// "No" button.
    No,
    /// Label of the optional comment.
    CommentLabel,
    /// Thank-you note after a vote.
    Thanks,
    /// Offer to contact support after "No".
    ContactOffer,
    /// The contact link text.
    ContactLink,
    /// Title of the search results page.
    SearchTitle,
    /// "Results for" before the query.
    ResultsFor,
    /// Nothing found.
    NothingFound,
    /// Hint after nothing found.
    NothingFoundHint,
    /// Title of the 404 page.
    NotFoundTitle,
    /// Text of the 404 page.
    NotFoundText,
    /// Meta description of a category page (followed by the category name).
    CategoryDescription,
    /// "articles" after a number (generic plural).
    ArticlesCount,
    /// Language switcher label.
    Language,
    /// No articles in this language yet.
    NoArticles,
    /// Title of the error page for a bad form.
    BadRequest,
    /// Title of the page for a vote over the address's allowance.
    TooManyVotes,
    /// Text of that page.
    TooManyVotesText,
}

/// The string `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    use Lang::*;
    match (key, lang) {
        (SiteName, Ru) => "Справочный центр",
        (SiteName, En) => "Help center",
        (SiteName, De) => "Hilfe-Center",
        (HomeDescription, Ru) => {
            "Ответы на частые вопросы: доставка, оплата, возврат и многое другое."
        }
        (HomeDescription, En) => {
            "Answers to common questions: delivery, payment, returns and more."
        }
        (HomeDescription, De) => {
            "Antworten auf häufige Fragen: Lieferung, Zahlung, Rückgabe und mehr."
        }
        (HomeHeading, Ru) => "Чем мы можем помочь?",
        (HomeHeading, En) => "How can we help?",
        (HomeHeading, De) => "Wie können wir helfen?",
        (SkipToContent, Ru) => "Перейти к содержимому",
        (SkipToContent, En) => "Skip to content",
        (SkipToContent, De) => "Zum Inhalt springen",
        (SearchLabel, Ru) => "Поиск по справке",
        (SearchLabel, En) => "Search the help center",
        (SearchLabel, De) => "Hilfe durchsuchen",
        (SearchPlaceholder, Ru) => "Например: где мой заказ",
        (SearchPlaceholder, En) => "For example: where is my order",
        (SearchPlaceholder, De) => "Zum Beispiel: Wo ist meine Bestellung",
        (SearchButton, Ru) => "Найти",
        (SearchButton, En) => "Search",
        (SearchButton, De) => "Suchen",
        (Categories, Ru) => "Разделы",
        (Categories, En) => "Categories",
        (Categories, De) => "Kategorien",
        (PopularArticles, Ru) => "Популярные статьи",
        (PopularArticles, En) => "Popular articles",
        (PopularArticles, De) => "Beliebte Artikel",
        (Home, Ru) => "Главная",
        (Home, En) => "Home",
        (Home, De) => "Startseite",
        (Breadcrumbs, Ru) => "Навигационная цепочка",
        (Breadcrumbs, En) => "Breadcrumbs",
        (Breadcrumbs, De) => "Brotkrumen",
        (Contents, Ru) => "Содержание",
        (Contents, En) => "Contents",
        (Contents, De) => "Inhalt",
        (Related, Ru) => "Похожие статьи",
        (Related, En) => "Related articles",
        (Related, De) => "Verwandte Artikel",
        (Updated, Ru) => "Обновлено",
        (Updated, En) => "Updated",
        (Updated, De) => "Aktualisiert",
        (AlsoIn, Ru) => "Эта статья на других языках:",
        (AlsoIn, En) => "This article in other languages:",
        (AlsoIn, De) => "Dieser Artikel in anderen Sprachen:",
        (WasHelpful, Ru) => "Статья была полезной?",
        (WasHelpful, En) => "Was this helpful?",
        (WasHelpful, De) => "War das hilfreich?",
        (Yes, Ru) => "Да",
        (Yes, En) => "Yes",
        (Yes, De) => "Ja",
        (No, Ru) => "Нет",
        (No, En) => "No",
        (No, De) => "Nein",
        (CommentLabel, Ru) => "Что можно улучшить? (необязательно)",
        (CommentLabel, En) => "What could we improve? (optional)",
        (CommentLabel, De) => "Was können wir verbessern? (optional)",
        (Thanks, Ru) => "Спасибо за отзыв!",
        (Thanks, En) => "Thank you for your feedback!",
        (Thanks, De) => "Danke für Ihr Feedback!",
        (ContactOffer, Ru) => "Не нашли ответ? Мы поможем лично.",
        (ContactOffer, En) => "Didn't find your answer? We'll help you in person.",
        (ContactOffer, De) => "Keine Antwort gefunden? Wir helfen Ihnen persönlich.",
        (ContactLink, Ru) => "Связаться с поддержкой",
        (ContactLink, En) => "Contact support",
        (ContactLink, De) => "Support kontaktieren",
        (SearchTitle, Ru) => "Поиск",
        (SearchTitle, En) => "Search",
        (SearchTitle, De) => "Suche",
        (ResultsFor, Ru) => "Результаты по запросу",
        (ResultsFor, En) => "Results for",
        (ResultsFor, De) => "Ergebnisse für",
        (NothingFound, Ru) => "Ничего не нашлось",
        (NothingFound, En) => "Nothing found",
        (NothingFound, De) => "Nichts gefunden",
        (NothingFoundHint, Ru) => {
            "Попробуйте другие слова или короче: например, «возврат» или «доставка». Или загляните в разделы на главной."
        }
        (NothingFoundHint, En) => {
            "Try other or fewer words, such as \"return\" or \"delivery\", or browse the categories on the home page."
        }
        (NothingFoundHint, De) => {
            "Versuchen Sie andere oder weniger Wörter, etwa „Rückgabe“ oder „Lieferung“, oder stöbern Sie in den Kategorien auf der Startseite."
        }
        (NotFoundTitle, Ru) => "Страница не найдена",
        (NotFoundTitle, En) => "Page not found",
        (NotFoundTitle, De) => "Seite nicht gefunden",
        (NotFoundText, Ru) => "Такой страницы нет. Попробуйте поиск:",
        (NotFoundText, En) => "There is no such page. Try searching:",
        (NotFoundText, De) => "Diese Seite gibt es nicht. Versuchen Sie die Suche:",
        (CategoryDescription, Ru) => "Статьи раздела",
        (CategoryDescription, En) => "Articles in",
        (CategoryDescription, De) => "Artikel in",
        (ArticlesCount, Ru) => "статей",
        (ArticlesCount, En) => "articles",
        (ArticlesCount, De) => "Artikel",
        (Language, Ru) => "Язык",
        (Language, En) => "Language",
        (Language, De) => "Sprache",
        (NoArticles, Ru) => "Здесь пока нет статей.",
        (NoArticles, En) => "There are no articles here yet.",
        (NoArticles, De) => "Hier gibt es noch keine Artikel.",
        (BadRequest, Ru) => "Неверный запрос",
        (BadRequest, En) => "Bad request",
        (BadRequest, De) => "Ungültige Anfrage",
        (TooManyVotes, Ru) => "Слишком много отзывов",
        (TooManyVotes, En) => "Too many votes",
        (TooManyVotes, De) => "Zu viele Bewertungen",
        (TooManyVotesText, Ru) => "С вашего адреса пришло слишком много отзывов. Попробуйте позже.",
        (TooManyVotesText, En) => "Too many votes came from your address. Please try again later.",
        (TooManyVotesText, De) => {
            "Von Ihrer Adresse kamen zu viele Bewertungen. Bitte versuchen Sie es später erneut."
        }
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
        _ => t(lang, Key::ArticlesCount),
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
