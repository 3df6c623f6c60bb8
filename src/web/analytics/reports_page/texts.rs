//! The page's texts in Russian, English and German, and the definitions of the figures shown
//! under it.

use crate::domain::Lang;

crate::web::i18n::texts! {
    /// A text of the page.
    pub(super) enum K {
        Title => [
            "Аналитика поддержки",
            "Support analytics",
            "Support-Analytik",
        ],
        Description => [
            "Показатели чата и справочного центра по дням",
            "Chat and help-center figures per day",
            "Kennzahlen von Chat und Hilfe-Center pro Tag",
        ],
        From => ["С", "From", "Von"],
        To => ["По", "To", "Bis"],
        Show => ["Показать", "Show", "Anzeigen"],
        Download => ["Скачать CSV", "Download CSV", "CSV herunterladen"],
        Conversations => ["Разговоры", "Conversations", "Gespräche"],
        SelfService => ["Решено ботом", "Self-service rate", "Self-Service-Quote"],
        Escalation => ["Передано людям", "Escalation rate", "Eskalationsquote"],
        FirstReply => [
            "Первый ответ оператора",
            "Time to first reply",
            "Zeit bis zur ersten Antwort",
        ],
        Resolve => ["Время до решения", "Time to resolve", "Zeit bis zur Lösung"],
        Csat => ["Оценка (CSAT)", "CSAT", "Zufriedenheit (CSAT)"],
        Views => ["Просмотры статей", "Article views", "Artikelaufrufe"],
        Helpful => ["«Статья помогла»", "Helpful votes", "„Hilfreich“-Stimmen"],
        ChatAnswers => ["Ответы бота статьями", "Bot answers", "Antworten des Bots"],
        NoResults => [
            "Поиск без результата",
            "Searches without results",
            "Suchen ohne Ergebnis",
        ],
        BotNoAnswers => [
            "Бот ничего не нашёл",
            "Bot found nothing",
            "Bot fand nichts",
        ],
        PerDay => ["По дням", "Per day", "Pro Tag"],
        Day => ["День", "Day", "Tag"],
        Total => ["Весь период", "Whole period", "Gesamter Zeitraum"],
        Ratings => [
            "Оценки разговоров",
            "Conversation ratings",
            "Bewertungen der Gespräche",
        ],
        Score => ["Оценка", "Score", "Note"],
        Count => ["Сколько", "Count", "Anzahl"],
        Articles => ["Статьи", "Top articles", "Top-Artikel"],
        Article => ["Статья", "Article", "Artikel"],
        NoArticles => [
            "За этот период статьи не открывали и не оценивали.",
            "No article was viewed, voted on or given as an answer in this period.",
            "In diesem Zeitraum wurde kein Artikel aufgerufen, bewertet oder als Antwort gegeben.",
        ],
        Median => ["медиана", "median", "Median"],
        P90 => ["90-й перцентиль", "p90", "90. Perzentil"],
        Answers => ["ответов", "replies", "Antworten"],
        NoData => ["нет данных", "no data", "keine Daten"],
        Definitions => [
            "Как считаются показатели",
            "How the figures are counted",
            "Wie die Zahlen berechnet werden",
        ],
        WrongPeriod => ["Неверный период", "Wrong period", "Ungültiger Zeitraum"],
        PeriodRules => [
            "даты в виде ГГГГ-ММ-ДД, начало не позже конца, не больше 366 дней.",
            "dates as YYYY-MM-DD, the start not after the end, at most 366 days.",
            "Daten als JJJJ-MM-TT, der Anfang nicht nach dem Ende, höchstens 366 Tage.",
        ],
        QuickPeriods => ["Быстрый выбор", "Quick periods", "Schnellauswahl"],
        TableNote => [
            "Те же числа, что на графиках.",
            "The numbers behind the charts.",
            "Die Zahlen hinter den Diagrammen.",
        ],
    }
}
/// The definitions shown under the page (the same as in README.md).
pub(super) fn definitions(lang: Lang) -> Vec<(K, &'static str)> {
    let d =
        |k: K, ru: &'static str, en: &'static str, de: &'static str| (k, lang.pick([ru, en, de]));
    vec![
        d(
            K::Conversations,
            "Разговоры, начатые в этот день. Всё о разговорах (решено ботом, передано людям, время ответа и решения, оценки) относится ко дню начала разговора. «С вопросом» — бот ответил статьёй или сказал, что ничего не нашёл, либо разговор дошёл до человека.",
            "Conversations started on the day. Everything about conversations (self-service, escalation, reply and resolution times, ratings) counts on the day the conversation started. “With a question”: the bot answered with an article or said it found nothing, or the conversation reached a person.",
            "An diesem Tag begonnene Gespräche. Alles über Gespräche (Self-Service, Eskalation, Antwort- und Lösungszeiten, Bewertungen) zählt am Tag des Gesprächsbeginns. „Mit einer Frage“: Der Bot antwortete mit einem Artikel oder fand nichts, oder das Gespräch erreichte einen Menschen.",
        ),
        d(
            K::SelfService,
            "Доля разговоров с вопросом, где бот ответил статьёй и разговор так и не дошёл до человека: клиент нажал «Да» или ушёл, не позвав оператора. «Подтвердили» — нажали «Да».",
            "Share of the conversations with a question where the bot answered with an article and the conversation never reached a person: the customer said Yes, or left without asking for one. “Confirmed”: they said Yes.",
            "Anteil der Gespräche mit einer Frage, in denen der Bot mit einem Artikel antwortete und das Gespräch nie einen Menschen erreichte: Der Kunde sagte „Ja“ oder ging, ohne nach einem Menschen zu fragen.",
        ),
        d(
            K::Escalation,
            "Доля разговоров с вопросом, дошедших до человека: попали в очередь (клиент позвал оператора, нажал «Нет», бот ничего не нашёл) или оператор взял разговор сам.",
            "Share of the conversations with a question that reached a person: entered the queue (the customer asked for a person, said No, or the bot found nothing) or an agent took it over.",
            "Anteil der Gespräche mit einer Frage, die einen Menschen erreichten: in die Warteschlange (Kunde wollte einen Menschen, sagte „Nein“, oder der Bot fand nichts) oder von einem Agenten übernommen.",
        ),
        d(
            K::FirstReply,
            "От попадания в очередь до первого ответа оператора, включая ожидание в нерабочие часы. Медиана и 90-й процентиль.",
            "From entering the queue to an agent's first reply, waiting outside business hours included. Median and 90th percentile.",
            "Vom Eintritt in die Warteschlange bis zur ersten Antwort eines Agenten, Wartezeit außerhalb der Geschäftszeiten eingeschlossen. Median und 90. Perzentil.",
        ),
        d(
            K::Resolve,
            "От попадания в очередь до закрытия разговора, по закрытым разговорам. Медиана.",
            "From entering the queue to resolved, over the resolved conversations. Median.",
            "Vom Eintritt in die Warteschlange bis zur Lösung, über die gelösten Gespräche. Median.",
        ),
        d(
            K::Csat,
            "Средняя оценка клиентов (1–5) и сколько поставлено каждой.",
            "The customers' average rating (1–5) and how many of each score.",
            "Die durchschnittliche Bewertung (1–5) und wie oft jede Note gegeben wurde.",
        ),
        d(
            K::Views,
            "Уникальные посетители статьи за день (по дням UTC — так они хранятся). «Статья помогла» — голоса «Да»/«Нет» по времени голоса; ответы бота статьями — по времени ответа, с «Да»/«Нет» клиентов.",
            "Distinct visitors of an article per day (UTC days, as they are stored). Helpful votes: Yes/No by the time of the vote; bot answers: by the time of the answer, with the customers' Yes/No.",
            "Verschiedene Besucher eines Artikels pro Tag (UTC-Tage, wie gespeichert). „Hilfreich“-Stimmen nach Zeitpunkt der Stimme; Bot-Antworten nach Zeitpunkt der Antwort, mit dem Ja/Nein der Kunden.",
        ),
        d(
            K::NoResults,
            "Поиски в справочном центре, где лучший результат не дотянул до порога уверенности, по времени поиска. «Бот ничего не нашёл» — такие ответы бота в чате, по времени ответа.",
            "Help-center searches whose best hit did not reach the confidence threshold, by the time of the search. “Bot found nothing”: the chat bot's replies saying so, by the time they were sent.",
            "Suchen im Hilfe-Center, deren bester Treffer die Konfidenzschwelle nicht erreichte, nach Zeitpunkt der Suche. „Bot fand nichts“: solche Antworten des Chat-Bots, nach Zeitpunkt.",
        ),
    ]
}
