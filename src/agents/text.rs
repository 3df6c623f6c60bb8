//! Texts of the agent pages in ru/en/de (in the language of the agent's browser, else the
//! server's default language).

use crate::domain::Lang;

/// A text of the agent pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum T {
    SignInTitle,
    Email,
    Password,
    SignIn,
    WrongCredentials,
    TooManyAttempts,
    SignOut,
    SignedInAs,
    Console,
    Canned,
    Team,
    Shortcut,
    Title,
    Text,
    Save,
    Delete,
    Create,
    NewCanned,
    PlaceholdersHint,
    NoCanned,
    Name,
    Role,
    MaxChats,
    MaxChatsHint,
    Disabled,
    NewPassword,
    NewPasswordHint,
    InitialPasswordHint,
    NewAgent,
    CreatedWithPassword,
    Created,
    Saved,
    Deleted,
    Forbidden,
    BadRequest,
    AgentsNav,
    You,
    Settings,
    BusinessHours,
    HoursHint,
    TimeZone,
    TimeZoneHint,
    OpenNow,
    ClosedNow,
    ClosedUntil,
    HoursFromServer,
    HoursFromAdmin,
    ResetHours,
}

/// The text `t` in `lang`.
pub(crate) fn tr(lang: Lang, t: T) -> &'static str {
    let [ru, en, de] = match t {
        T::SignInTitle => [
            "Вход для операторов",
            "Agent sign-in",
            "Anmeldung für Agenten",
        ],
        T::Email => ["Эл. почта", "Email", "E-Mail"],
        T::Password => ["Пароль", "Password", "Passwort"],
        T::SignIn => ["Войти", "Sign in", "Anmelden"],
        T::WrongCredentials => [
            "Неверная почта или пароль.",
            "Wrong email or password.",
            "E-Mail oder Passwort ist falsch.",
        ],
        T::TooManyAttempts => [
            "Слишком много неудачных попыток. Попробуйте через минуту.",
            "Too many failed attempts. Try again in a minute.",
            "Zu viele Fehlversuche. Versuchen Sie es in einer Minute erneut.",
        ],
        T::SignOut => ["Выйти", "Sign out", "Abmelden"],
        T::SignedInAs => ["Вы вошли как", "Signed in as", "Angemeldet als"],
        T::Console => ["Консоль", "Console", "Konsole"],
        T::Canned => ["Шаблоны ответов", "Canned replies", "Textbausteine"],
        T::Team => ["Команда", "Team", "Team"],
        T::Shortcut => ["Сокращение", "Shortcut", "Kürzel"],
        T::Title => ["Название", "Title", "Titel"],
        T::Text => ["Текст", "Text", "Text"],
        T::Save => ["Сохранить", "Save", "Speichern"],
        T::Delete => ["Удалить", "Delete", "Löschen"],
        T::Create => ["Создать", "Create", "Anlegen"],
        T::NewCanned => ["Новый шаблон", "New canned reply", "Neuer Textbaustein"],
        T::PlaceholdersHint => [
            "В тексте можно использовать {customer_name} и {agent_name}.",
            "The text may use {customer_name} and {agent_name}.",
            "Der Text kann {customer_name} und {agent_name} enthalten.",
        ],
        T::NoCanned => [
            "Шаблонов пока нет.",
            "No canned replies yet.",
            "Noch keine Textbausteine.",
        ],
        T::Name => ["Имя", "Name", "Name"],
        T::Role => ["Роль", "Role", "Rolle"],
        T::MaxChats => [
            "Одновременных чатов",
            "Open chats at most",
            "Höchstens offene Chats",
        ],
        T::MaxChatsHint => [
            "пусто — как у сервера",
            "empty: the server's default",
            "leer: Standard des Servers",
        ],
        T::Disabled => ["Отключён", "Disabled", "Deaktiviert"],
        T::NewPassword => ["Новый пароль", "New password", "Neues Passwort"],
        T::NewPasswordHint => [
            "пусто — оставить прежний",
            "empty: keep the current one",
            "leer: das bisherige behalten",
        ],
        T::InitialPasswordHint => [
            "пусто — сгенерировать",
            "empty: generate one",
            "leer: eines erzeugen",
        ],
        T::NewAgent => ["Новый сотрудник", "New team member", "Neues Teammitglied"],
        T::CreatedWithPassword => [
            "Учётная запись создана. Пароль (показывается один раз):",
            "Account created. Its password (shown only once):",
            "Konto angelegt. Das Passwort (wird nur einmal angezeigt):",
        ],
        T::Created => ["Создано.", "Created.", "Angelegt."],
        T::Saved => ["Сохранено.", "Saved.", "Gespeichert."],
        T::Deleted => ["Удалено.", "Deleted.", "Gelöscht."],
        T::Forbidden => ["Доступ запрещён", "Not allowed", "Nicht erlaubt"],
        T::BadRequest => ["Ошибка в запросе", "Bad request", "Fehlerhafte Anfrage"],
        T::AgentsNav => [
            "Разделы консоли",
            "Console sections",
            "Bereiche der Konsole",
        ],
        T::You => ["это вы", "you", "Sie"],
        T::Settings => ["Настройки", "Settings", "Einstellungen"],
        T::BusinessHours => ["Часы работы поддержки", "Business hours", "Geschäftszeiten"],
        T::HoursHint => [
            "например: пн-пт 09:00-18:00; сб 10:00-14:00, или 24/7",
            "e.g. mon-fri 09:00-18:00; sat 10:00-14:00, or 24/7",
            "z. B. Mo-Fr 09:00-18:00; Sa 10:00-14:00, oder 24/7",
        ],
        T::TimeZone => ["Часовой пояс", "Time zone", "Zeitzone"],
        T::TimeZoneHint => [
            "название из базы IANA, например Europe/Moscow",
            "an IANA name, e.g. Europe/Moscow",
            "ein IANA-Name, z. B. Europe/Berlin",
        ],
        T::OpenNow => [
            "Сейчас поддержка работает.",
            "Support is open now.",
            "Der Support ist jetzt erreichbar.",
        ],
        T::ClosedNow => [
            "Сейчас поддержка не работает.",
            "Support is closed now.",
            "Der Support ist jetzt geschlossen.",
        ],
        T::ClosedUntil => ["Откроется", "Opens", "Öffnet"],
        T::HoursFromServer => [
            "Сейчас действуют часы из настроек сервера (--hours, --timezone).",
            "The server's hours are in force (--hours, --timezone).",
            "Es gelten die Zeiten des Servers (--hours, --timezone).",
        ],
        T::HoursFromAdmin => [
            "Часы заданы администратором и заменяют настройки сервера.",
            "Hours set by an admin, in place of the server's.",
            "Von einem Administrator festgelegt, statt der Zeiten des Servers.",
        ],
        T::ResetHours => [
            "Вернуть часы из настроек сервера",
            "Go back to the server's hours",
            "Zu den Zeiten des Servers zurück",
        ],
    };
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
        Lang::De => de,
    }
}

/// The name of a role in `lang`.
pub(crate) fn role_name(lang: Lang, role: super::Role) -> &'static str {
    use super::Role;
    let [ru, en, de] = match role {
        Role::Agent => ["оператор", "agent", "Agent"],
        Role::Editor => ["редактор", "editor", "Redakteur"],
        Role::Admin => ["администратор", "admin", "Administrator"],
    };
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
        Lang::De => de,
    }
}
