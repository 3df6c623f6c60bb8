//! The page's texts in Russian, English and German, and the definitions of the figures shown
//! under it.

use crate::domain::Lang;

/// A text of the page.
#[derive(Debug, Clone, Copy)]
pub(super) enum K {
    Title,
    Description,
    Nav,
    Console,
    Canned,
    Team,
    Reports,
    SignedInAs,
    SignOut,
    From,
    To,
    Show,
    Download,
    Conversations,
    SelfService,
    Escalation,
    FirstReply,
    Resolve,
    Csat,
    Views,
    Helpful,
    ChatAnswers,
    NoResults,
    BotNoAnswers,
    PerDay,
    Day,
    Total,
    Ratings,
    Score,
    Count,
    Articles,
    Article,
    NoArticles,
    Median,
    Answers,
    NoData,
    Definitions,
    WrongPeriod,
    QuickPeriods,
    TableNote,
}

pub(super) fn tx(lang: Lang, k: K) -> &'static str {
    let [ru, en, de] = match k {
        K::Title => [
            "Аналитика поддержки",
            "Support analytics",
            "Support-Analytik",
        ],
        K::Description => [
            "Показатели чата и справочного центра по дням",
            "Chat and help-center figures per day",
            "Kennzahlen von Chat und Hilfe-Center pro Tag",
        ],
        K::Nav => [
            "Разделы консоли",
            "Console sections",
            "Bereiche der Konsole",
        ],
        K::Console => ["Консоль", "Console", "Konsole"],
        K::Canned => ["Шаблоны ответов", "Canned replies", "Textbausteine"],
        K::Team => ["Команда", "Team", "Team"],
        K::Reports => ["Аналитика", "Analytics", "Analytik"],
        K::SignedInAs => ["Вы вошли как", "Signed in as", "Angemeldet als"],
        K::SignOut => ["Выйти", "Sign out", "Abmelden"],
        K::From => ["С", "From", "Von"],
        K::To => ["По", "To", "Bis"],
        K::Show => ["Показать", "Show", "Anzeigen"],
        K::Download => ["Скачать CSV", "Download CSV", "CSV herunterladen"],
        K::Conversations => ["Разговоры", "Conversations", "Gespräche"],
        K::SelfService => ["Решено ботом", "Self-service rate", "Self-Service-Quote"],
        K::Escalation => ["Передано людям", "Escalation rate", "Eskalationsquote"],
        K::FirstReply => [
            "Первый ответ оператора",
            "Time to first reply",
            "Zeit bis zur ersten Antwort",
        ],
        K::Resolve => ["Время до решения", "Time to resolve", "Zeit bis zur Lösung"],
        K::Csat => ["Оценка (CSAT)", "CSAT", "Zufriedenheit (CSAT)"],
        K::Views => ["Просмотры статей", "Article views", "Artikelaufrufe"],
        K::Helpful => ["«Статья помогла»", "Helpful votes", "„Hilfreich“-Stimmen"],
        K::ChatAnswers => ["Ответы бота статьями", "Bot answers", "Antworten des Bots"],
        K::NoResults => [
            "Поиск без результата",
            "Searches without results",
            "Suchen ohne Ergebnis",
        ],
        K::BotNoAnswers => [
            "Бот ничего не нашёл",
            "Bot found nothing",
            "Bot fand nichts",
        ],
        K::PerDay => ["По дням", "Per day", "Pro Tag"],
        K::Day => ["День", "Day", "Tag"],
        K::Total => ["Весь период", "Whole period", "Gesamter Zeitraum"],
        K::Ratings => [
            "Оценки разговоров",
            "Conversation ratings",
            "Bewertungen der Gespräche",
        ],
        K::Score => ["Оценка", "Score", "Note"],
        K::Count => ["Сколько", "Count", "Anzahl"],
        K::Articles => ["Статьи", "Top articles", "Top-Artikel"],
        K::Article => ["Статья", "Article", "Artikel"],
        K::NoArticles => [
            "За этот период статьи не открывали и не оценивали.",
            "No article was viewed, voted on or given as an answer in this period.",
            "In diesem Zeitraum wurde kein Artikel aufgerufen, bewertet oder als Antwort gegeben.",
        ],
        K::Median => ["медиана", "median", "Median"],
        K::Answers => ["ответов", "replies", "Antworten"],
        K::NoData => ["нет данных", "no data", "keine Daten"],
        K::Definitions => [
            "Как считаются показатели",
            "How the figures are counted",
            "Wie die Zahlen berechnet werden",
        ],
        K::WrongPeriod => ["Неверный период", "Wrong period", "Ungültiger Zeitraum"],
        K::QuickPeriods => ["Быстрый выбор", "Quick periods", "Schnellauswahl"],
        K::TableNote => [
            "Те же числа, что на графиках.",
            "The numbers behind the charts.",
            "Die Zahlen hinter den Diagrammen.",
        ],
    };
    pick(lang, [ru, en, de])
}

pub(super) fn pick<T>(lang: Lang, [ru, en, de]: [T; 3]) -> T {
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
        Lang::De => de,
    }
}

/// The definitions shown under the page (the same as in README.md).
pub(super) fn definitions(lang: Lang) -> Vec<(K, &'static str)> {
    let d =
        |k: K, ru: &'static str, en: &'static str, de: &'static str| (k, pick(lang, [ru, en, de]));
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
