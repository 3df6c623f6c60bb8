//! Texts of the agent pages in ru/en/de (in the language of the agent's browser, else the
//! server's default language).

crate::web::i18n::texts! {
    /// A text of the agent pages.
    pub(crate) enum T {
        SignInTitle => [
            "Вход для операторов",
            "Agent sign-in",
            "Anmeldung für Agenten",
        ],
        Email => ["Эл. почта", "Email", "E-Mail"],
        Password => ["Пароль", "Password", "Passwort"],
        SignIn => ["Войти", "Sign in", "Anmelden"],
        YourName => ["Ваше имя", "Your Name", "Ihr Name"],
        NoAccounts => [
            "Учётных записей пока нет. Создайте первого администратора на сервере — пароль будет напечатан — и войдите здесь:",
            "There are no accounts yet. Create the first admin on the server (the password is printed), then sign in here:",
            "Es gibt noch keine Konten. Legen Sie auf dem Server den ersten Admin an (das Passwort wird ausgegeben) und melden Sie sich hier an:",
        ],
        WrongCredentials => [
            "Неверная почта или пароль.",
            "Wrong email or password.",
            "E-Mail oder Passwort ist falsch.",
        ],
        TooManyAttempts => [
            "Слишком много неудачных попыток. Попробуйте через минуту.",
            "Too many failed attempts. Try again in a minute.",
            "Zu viele Fehlversuche. Versuchen Sie es in einer Minute erneut.",
        ],
        SignOut => ["Выйти", "Sign out", "Abmelden"],
        SignedInAs => ["Вы вошли как", "Signed in as", "Angemeldet als"],
        Console => ["Консоль", "Console", "Konsole"],
        Canned => ["Шаблоны ответов", "Canned replies", "Textbausteine"],
        Team => ["Команда", "Team", "Team"],
        Shortcut => ["Сокращение", "Shortcut", "Kürzel"],
        Title => ["Название", "Title", "Titel"],
        Text => ["Текст", "Text", "Text"],
        Save => ["Сохранить", "Save", "Speichern"],
        Delete => ["Удалить", "Delete", "Löschen"],
        Create => ["Создать", "Create", "Anlegen"],
        NewCanned => ["Новый шаблон", "New canned reply", "Neuer Textbaustein"],
        PlaceholdersHint => [
            "В тексте можно использовать {customer_name} и {agent_name}.",
            "The text may use {customer_name} and {agent_name}.",
            "Der Text kann {customer_name} und {agent_name} enthalten.",
        ],
        NoCanned => [
            "Шаблонов пока нет.",
            "No canned replies yet.",
            "Noch keine Textbausteine.",
        ],
        Name => ["Имя", "Name", "Name"],
        Role => ["Роль", "Role", "Rolle"],
        MaxChats => [
            "Одновременных чатов",
            "Open chats at most",
            "Höchstens offene Chats",
        ],
        MaxChatsHint => [
            "пусто — как у сервера",
            "empty: the server's default",
            "leer: Standard des Servers",
        ],
        Disabled => ["Отключён", "Disabled", "Deaktiviert"],
        NewPassword => ["Новый пароль", "New password", "Neues Passwort"],
        NewPasswordHint => [
            "пусто — оставить прежний",
            "empty: keep the current one",
            "leer: das bisherige behalten",
        ],
        InitialPasswordHint => [
            "пусто — сгенерировать",
            "empty: generate one",
            "leer: eines erzeugen",
        ],
        NewAgent => ["Новый сотрудник", "New team member", "Neues Teammitglied"],
        CreatedWithPassword => [
            "Учётная запись создана. Пароль (показывается один раз):",
            "Account created. Its password (shown only once):",
            "Konto angelegt. Das Passwort (wird nur einmal angezeigt):",
        ],
        Created => ["Создано.", "Created.", "Angelegt."],
        Saved => ["Сохранено.", "Saved.", "Gespeichert."],
        Deleted => ["Удалено.", "Deleted.", "Gelöscht."],
        Forbidden => ["Доступ запрещён", "Not allowed", "Nicht erlaubt"],
        BadRequest => ["Ошибка в запросе", "Bad request", "Fehlerhafte Anfrage"],
        NotFound => ["Не найдено", "Not found", "Nicht gefunden"],
        TooManyRequests => ["Слишком много запросов", "Too many requests", "Zu viele Anfragen"],
        ServerError => ["Что-то пошло не так", "Something went wrong", "Etwas ist schiefgelaufen"],
        AgentsNav => [
            "Разделы консоли",
            "Console sections",
            "Bereiche der Konsole",
        ],
        You => ["это вы", "you", "Sie"],
        Settings => ["Настройки", "Settings", "Einstellungen"],
        GapsNav => ["Без ответа", "Unanswered", "Unbeantwortet"],
        ReportsNav => ["Отчёты", "Reports", "Berichte"],
        BusinessHours => ["Часы работы поддержки", "Business hours", "Geschäftszeiten"],
        HoursHint => [
            "например: пн-пт 09:00-18:00; сб 10:00-14:00, или 24/7",
            "e.g. mon-fri 09:00-18:00; sat 10:00-14:00, or 24/7",
            "z. B. Mo-Fr 09:00-18:00; Sa 10:00-14:00, oder 24/7",
        ],
        TimeZone => ["Часовой пояс", "Time zone", "Zeitzone"],
        TimeZoneHint => [
            "название из базы IANA, например Europe/Moscow",
            "an IANA name, e.g. Europe/Moscow",
            "ein IANA-Name, z. B. Europe/Berlin",
        ],
        OpenNow => [
            "Сейчас поддержка работает.",
            "Support is open now.",
            "Der Support ist jetzt erreichbar.",
        ],
        ClosedNow => [
            "Сейчас поддержка не работает.",
            "Support is closed now.",
            "Der Support ist jetzt geschlossen.",
        ],
        ClosedUntil => ["Откроется", "Opens", "Öffnet"],
        HoursFromServer => [
            "Сейчас действуют часы из настроек сервера (--hours, --timezone).",
            "The server's hours are in force (--hours, --timezone).",
            "Es gelten die Zeiten des Servers (--hours, --timezone).",
        ],
        HoursFromAdmin => [
            "Часы заданы администратором и заменяют настройки сервера.",
            "Hours set by an admin, in place of the server's.",
            "Von einem Administrator festgelegt, statt der Zeiten des Servers.",
        ],
        ResetHours => [
            "Вернуть часы из настроек сервера",
            "Go back to the server's hours",
            "Zu den Zeiten des Servers zurück",
        ],
        FormRefused => [
            "Форма устарела или отправлена не со страницы консоли. Обновите страницу и попробуйте ещё раз.",
            "The form is out of date or was not sent from the console's page. Reload the page and try again.",
            "Das Formular ist veraltet oder kam nicht von der Seite der Konsole. Laden Sie die Seite neu und versuchen Sie es erneut.",
        ],
        NotFoundHint => [
            "Такой страницы или записи нет (возможно, её уже удалили).",
            "There is no such page or record (it may have been deleted).",
            "Diese Seite oder diesen Eintrag gibt es nicht (vielleicht wurde er gelöscht).",
        ],
        TooManyHint => [
            "Подождите немного и попробуйте снова.",
            "Wait a moment and try again.",
            "Warten Sie kurz und versuchen Sie es erneut.",
        ],
        ServerErrorHint => [
            "Ошибка на сервере. Попробуйте ещё раз чуть позже.",
            "The server failed. Try again a little later.",
            "Fehler auf dem Server. Versuchen Sie es etwas später erneut.",
        ],
        BadRequestHint => [
            "Сервер не смог прочесть запрос. Вернитесь на страницу и попробуйте ещё раз.",
            "The server could not read the request. Go back to the page and try again.",
            "Der Server konnte die Anfrage nicht lesen. Gehen Sie zur Seite zurück und versuchen Sie es erneut.",
        ],
        CannedInvalid => [
            "Проверьте шаблон: сокращение — от 1 до 32 латинских букв, цифр, «-» и «_», название — одна строка до 120 знаков, текст — не пустой и не длиннее 4000 знаков.",
            "Check the canned reply: the shortcut is 1 to 32 Latin letters, digits, '-' or '_' (like greet or refund-2), the title one line of at most 120 characters, the text not empty and at most 4000 characters.",
            "Prüfen Sie den Textbaustein: das Kürzel hat 1 bis 32 lateinische Buchstaben, Ziffern, „-“ oder „_“, der Titel ist eine Zeile mit höchstens 120 Zeichen, der Text nicht leer und höchstens 4000 Zeichen lang.",
        ],
        ShortcutTaken => [
            "Это сокращение уже занято другим шаблоном.",
            "Another canned reply already has this shortcut.",
            "Ein anderer Textbaustein hat dieses Kürzel schon.",
        ],
        AgentInvalid => [
            "Проверьте поля: почта — адрес эл. почты, имя — не пустое и до 80 знаков, одновременных чатов — от 1 до 100, пароль — не короче 8 знаков.",
            "Check the fields: the email is an email address, the name is not empty and at most 80 characters, open chats at most is 1 to 100, the password has at least 8 characters.",
            "Prüfen Sie die Felder: die E-Mail ist eine E-Mail-Adresse, der Name ist nicht leer und höchstens 80 Zeichen lang, höchstens offene Chats ist 1 bis 100, das Passwort hat mindestens 8 Zeichen.",
        ],
        EmailTaken => [
            "Учётная запись с этой почтой уже есть.",
            "There is already an account with this email.",
            "Es gibt schon ein Konto mit dieser E-Mail.",
        ],
        LastAdmin => [
            "Это единственный активный администратор: сначала сделайте администратором кого-то ещё.",
            "This is the only enabled admin: make another account admin first.",
            "Das ist der einzige aktive Admin: machen Sie zuerst ein anderes Konto zum Admin.",
        ],
        HoursInvalid => [
            "Не удалось прочесть часы работы или часовой пояс. Пример: «пн-пт 09:00-18:00; сб 10:00-14:00» (или «24/7») и пояс из списка.",
            "The business hours or the time zone could not be read. For example: \"mon-fri 09:00-18:00; sat 10:00-14:00\" (or \"24/7\") and a zone from the list.",
            "Die Geschäftszeiten oder die Zeitzone konnten nicht gelesen werden. Zum Beispiel: „Mo-Fr 09:00-18:00; Sa 10:00-14:00“ (oder „24/7“) und eine Zone aus der Liste.",
        ],
    }
}
