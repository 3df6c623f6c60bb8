// otvet agent console: the live queue, one conversation at a time, the bot's handoff packet.
// Speaks the agent protocol of docs/protocol.md over GET /agent/ws (same origin, the session
// cookie). No framework, no build step. Everything from the chat is put in the page with
// textContent: chat text is never HTML.
'use strict';

(() => {
  const body = document.body;
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------------------------------
  // Texts (the page's language: ru, en or de)
  // ------------------------------------------------------------------------------------------
  const TEXTS = {
    ru: {
      guest: 'Гость', bot: 'Бот', system: 'Система', customer: 'Клиент', agent: 'Оператор',
      note: 'заметка', sending: 'отправляется…', notSent: 'не отправлено', dismiss: 'Убрать',
      online: 'подключено', offline: 'нет связи, переподключаюсь…', connecting: 'подключение…',
      offlineMark: 'офлайн', mine: 'ваш', waiting: 'ждёт', emailMark: 'почта',
      justNow: 'меньше минуты', min: 'мин', hour: 'ч',
      claim: 'Взять', typing: 'Клиент печатает…',
      langShort: { ru: 'рус', en: 'англ', de: 'нем' },
      langName: { ru: 'русский', en: 'английский', de: 'немецкий' },
      badCard: 'Проверьте карточку: имя — до 80 знаков, почта — адрес эл. почты, телефон — от 5 до 20 цифр (можно + ( ) - . и пробелы).',
      culprit: (w) => `Не так: «${w}».`,
      status: { bot: 'с ботом', queued: 'ждёт оператора', assigned: 'у оператора', resolved: 'решён' },
      reason: {
        not_helpful: 'Ответ бота не помог',
        human_request: 'Клиент попросил оператора',
        no_answer: 'Бот не нашёл ответа',
      },
      reasonLabel: 'Причина', questions: 'Вопросы клиента', shown: 'Показанные статьи',
      rejected: 'отклонена', helpful: 'помогла', confidence: 'уверенность',
      page: 'Страница', readArticle: 'Читал статью', searched: 'Искал в справке', language: 'Язык', identity: 'Личность', verified: 'подтверждена',
      notVerified: 'не подтверждена', email: 'Почта', contact: 'Оставил почту для ответа',
      history: 'Прошлые разговоры', noHistory: 'Других разговоров не было.',
      rating: 'Оценка', noHandoff: 'Клиент не проходил через бота.',
      started: 'Начат', name: 'Имя', noResolved: 'Решённых разговоров нет.', noFound: 'Ничего не найдено.', more: 'Ещё', phone: 'Телефон', edit: 'Изменить', save: 'Сохранить', cancel: 'Отмена',
      yours: 'ваш разговор', by: (n) => `ведёт ${n}`,
      noAgents: 'нет других операторов в сети',
      confirmResolve: 'Закрыть разговор как решённый? Клиенту предложат оценить его.',
      hintQueued: 'Ответ возьмёт разговор на вас.',
      hintOther: (n) => `Разговор ведёт ${n} — можно оставить заметку.`,
      hintResolved: 'Разговор закрыт — можно оставить заметку.',
      hintNote: 'Заметку увидит только команда.',
      placeholder: 'Ответ клиенту. Enter — отправить, Shift+Enter — новая строка, / — шаблоны',
      placeholderNote: 'Заметка для команды (клиент её не увидит)',
      cannedFilter: 'Найти шаблон', noCanned: 'Шаблонов не найдено.', cannedError: 'Не удалось загрузить шаблоны.',
      assignedToYou: (n) => `Вам назначен разговор: ${n}`,
      newWaiting: 'Новый разговор в очереди', newMessage: 'Новое сообщение',
      transferred: (n) => `Разговор передан: ${n}`,
      load: (o, m) => `у вас ${o} из ${m}`,
      tooLong: 'Сообщение длиннее 4000 символов.',
      errors: {
        already_taken: 'Этот разговор уже взял другой оператор.',
        over_capacity: 'У вас уже максимум открытых разговоров.',
        forbidden: 'Недостаточно прав.',
        no_conversation: 'Такого разговора нет.',
        rate_limited: 'Слишком много сообщений, подождите немного.',
        too_long: 'Сообщение пустое или слишком длинное.',
        bad_state: 'Сейчас это сделать нельзя',
        internal: 'Ошибка на сервере, попробуйте ещё раз.',
        bad_frame: 'Консоль отправила непонятный серверу запрос; обновите страницу.',
        binary_frame: 'Консоль отправила непонятный серверу запрос; обновите страницу.',
        too_large: 'Сообщение или файл слишком большие (файл — до 10 МБ).',
        bad_file: 'Можно прикрепить изображение (PNG, JPEG, GIF, WebP) или PDF.',
      },
    },
    en: {
      guest: 'Guest', bot: 'Bot', system: 'System', customer: 'Customer', agent: 'Agent',
      note: 'note', sending: 'sending…', notSent: 'not sent', dismiss: 'Dismiss',
      online: 'connected', offline: 'disconnected, reconnecting…', connecting: 'connecting…',
      offlineMark: 'offline', mine: 'yours', waiting: 'waiting', emailMark: 'email',
      justNow: 'under a minute', min: 'min', hour: 'h',
      claim: 'Take', typing: 'The customer is typing…',
      langShort: { ru: 'RU', en: 'EN', de: 'DE' },
      langName: { ru: 'Russian', en: 'English', de: 'German' },
      badCard: 'Check the card: a name of at most 80 characters, an email address, a phone number of 5 to 20 digits (with + ( ) - . and spaces).',
      culprit: (w) => `Wrong: "${w}".`,
      status: { bot: 'with the bot', queued: 'waiting for an agent', assigned: 'with an agent', resolved: 'resolved' },
      reason: {
        not_helpful: "The bot's answer did not help",
        human_request: 'The customer asked for a person',
        no_answer: 'The bot found no answer',
      },
      reasonLabel: 'Reason', questions: "Customer's questions", shown: 'Articles shown',
      rejected: 'rejected', helpful: 'helped', confidence: 'confidence',
      page: 'Page', readArticle: 'Was reading', searched: 'Searched the help center for', language: 'Language', identity: 'Identity', verified: 'verified',
      notVerified: 'not verified', email: 'Email', contact: 'Left an email for the answer',
      history: 'Earlier conversations', noHistory: 'No other conversations.',
      rating: 'Rating', noHandoff: 'The customer did not come through the bot.',
      started: 'Started', name: 'Name', noResolved: 'No resolved conversations.', noFound: 'Nothing found.', more: 'More', phone: 'Phone', edit: 'Edit', save: 'Save', cancel: 'Cancel',
      yours: 'your conversation', by: (n) => `with ${n}`,
      noAgents: 'no other agent online',
      confirmResolve: 'Close this conversation as resolved? The customer will be asked to rate it.',
      hintQueued: 'Replying takes the conversation.',
      hintOther: (n) => `${n} has this conversation: you can leave a note.`,
      hintResolved: 'The conversation is closed: you can leave a note.',
      hintNote: 'Only the team sees notes.',
      placeholder: 'Reply to the customer. Enter sends, Shift+Enter adds a line, / for canned replies',
      placeholderNote: 'A note for the team (the customer never sees it)',
      cannedFilter: 'Find a canned reply', noCanned: 'No canned replies found.', cannedError: 'Could not load canned replies.',
      assignedToYou: (n) => `A conversation was assigned to you: ${n}`,
      newWaiting: 'A new conversation is waiting', newMessage: 'New message',
      transferred: (n) => `Conversation transferred: ${n}`,
      load: (o, m) => `you have ${o} of ${m}`,
      tooLong: 'The message is longer than 4000 characters.',
      errors: {
        already_taken: 'Another agent took this conversation first.',
        over_capacity: 'You already have as many open conversations as you may.',
        forbidden: 'Your role does not allow this.',
        no_conversation: 'There is no such conversation.',
        rate_limited: 'Too many messages: wait a moment.',
        too_long: 'The message is empty or too long.',
        bad_state: 'This cannot be done now',
        internal: 'Something went wrong on the server; try again.',
        bad_frame: 'The console sent a request the server did not understand; reload the page.',
        binary_frame: 'The console sent a request the server did not understand; reload the page.',
        too_large: 'The message or file is too large (files: 10 MB at most).',
        bad_file: 'You can attach an image (PNG, JPEG, GIF, WebP) or a PDF.',
      },
    },
    de: {
      guest: 'Gast', bot: 'Bot', system: 'System', customer: 'Kunde', agent: 'Agent',
      note: 'Notiz', sending: 'wird gesendet…', notSent: 'nicht gesendet', dismiss: 'Entfernen',
      online: 'verbunden', offline: 'getrennt, verbinde neu…', connecting: 'verbinde…',
      offlineMark: 'offline', mine: 'Ihres', waiting: 'wartet', emailMark: 'E-Mail',
      justNow: 'unter einer Minute', min: 'Min.', hour: 'Std.',
      claim: 'Übernehmen', typing: 'Der Kunde schreibt…',
      langShort: { ru: 'RU', en: 'EN', de: 'DE' },
      langName: { ru: 'Russisch', en: 'Englisch', de: 'Deutsch' },
      badCard: 'Prüfen Sie die Karte: ein Name mit höchstens 80 Zeichen, eine E-Mail-Adresse, eine Telefonnummer mit 5 bis 20 Ziffern (mit + ( ) - . und Leerzeichen).',
      culprit: (w) => `Falsch: „${w}“.`,
      status: { bot: 'beim Bot', queued: 'wartet auf einen Agenten', assigned: 'bei einem Agenten', resolved: 'erledigt' },
      reason: {
        not_helpful: 'Die Antwort des Bots hat nicht geholfen',
        human_request: 'Der Kunde wollte einen Menschen',
        no_answer: 'Der Bot fand keine Antwort',
      },
      reasonLabel: 'Grund', questions: 'Fragen des Kunden', shown: 'Gezeigte Artikel',
      rejected: 'abgelehnt', helpful: 'hat geholfen', confidence: 'Sicherheit',
      page: 'Seite', readArticle: 'Las den Artikel', searched: 'Suchte im Hilfe-Center nach', language: 'Sprache', identity: 'Identität', verified: 'bestätigt',
      notVerified: 'nicht bestätigt', email: 'E-Mail', contact: 'Hat eine E-Mail für die Antwort hinterlassen',
      history: 'Frühere Gespräche', noHistory: 'Keine anderen Gespräche.',
      rating: 'Bewertung', noHandoff: 'Der Kunde kam nicht über den Bot.',
      started: 'Begonnen', name: 'Name', noResolved: 'Keine erledigten Gespräche.', noFound: 'Nichts gefunden.', more: 'Mehr', phone: 'Telefon', edit: 'Bearbeiten', save: 'Speichern', cancel: 'Abbrechen',
      yours: 'Ihr Gespräch', by: (n) => `bei ${n}`,
      noAgents: 'kein anderer Agent online',
      confirmResolve: 'Gespräch als erledigt schließen? Der Kunde wird um eine Bewertung gebeten.',
      hintQueued: 'Mit einer Antwort übernehmen Sie das Gespräch.',
      hintOther: (n) => `${n} führt dieses Gespräch: Sie können eine Notiz hinterlassen.`,
      hintResolved: 'Das Gespräch ist geschlossen: Sie können eine Notiz hinterlassen.',
      hintNote: 'Notizen sieht nur das Team.',
      placeholder: 'Antwort an den Kunden. Enter sendet, Umschalt+Enter für eine neue Zeile, / für Bausteine',
      placeholderNote: 'Notiz für das Team (der Kunde sieht sie nie)',
      cannedFilter: 'Baustein suchen', noCanned: 'Keine Bausteine gefunden.', cannedError: 'Bausteine konnten nicht geladen werden.',
      assignedToYou: (n) => `Ihnen wurde ein Gespräch zugewiesen: ${n}`,
      newWaiting: 'Ein neues Gespräch wartet', newMessage: 'Neue Nachricht',
      transferred: (n) => `Gespräch übergeben: ${n}`,
      load: (o, m) => `Sie haben ${o} von ${m}`,
      tooLong: 'Die Nachricht ist länger als 4000 Zeichen.',
      errors: {
        already_taken: 'Ein anderer Agent hat das Gespräch zuerst übernommen.',
        over_capacity: 'Sie haben schon die höchste Zahl offener Gespräche.',
        forbidden: 'Ihre Rolle erlaubt das nicht.',
        no_conversation: 'Dieses Gespräch gibt es nicht.',
        rate_limited: 'Zu viele Nachrichten: bitte kurz warten.',
        too_long: 'Die Nachricht ist leer oder zu lang.',
        bad_state: 'Das geht gerade nicht',
        internal: 'Fehler auf dem Server, bitte erneut versuchen.',
        bad_frame: 'Die Konsole hat eine unverständliche Anfrage gesendet; bitte die Seite neu laden.',
        binary_frame: 'Die Konsole hat eine unverständliche Anfrage gesendet; bitte die Seite neu laden.',
        too_large: 'Die Nachricht oder Datei ist zu groß (Dateien: höchstens 10 MB).',
        bad_file: 'Sie können ein Bild (PNG, JPEG, GIF, WebP) oder ein PDF anhängen.',
      },
    },
  };
  const LANG = TEXTS[document.documentElement.lang] ? document.documentElement.lang : 'ru';
  const T = TEXTS[LANG];
  // A customer's language (`ru`) in the console's: short for the queue, whole for the details.
  const langShort = (code) => T.langShort[code] || (code || '').toUpperCase();
  const langName = (code) => T.langName[code] || code || '';
  // An error the server explained in English: its words on English pages, ours on the others.
  const serverSays = (message, ours) => (LANG === 'en' && message) || ours;

  /** A canned reply's text for one conversation, as domain::canned::fill_placeholders does it:
   * one pass, so a name that itself contains a placeholder is not expanded again; an unknown name
   * goes with the comma or space before it, or, opening a sentence, with the comma after it. */
  function fillPlaceholders(text, customerName, agentName) {
    const customer = (customerName || '').trim();
    let out = '';
    let last = 0;
    const re = /\{(customer_name|agent_name)\}/g;
    let m;
    while ((m = re.exec(text))) {
      out += text.slice(last, m.index);
      last = re.lastIndex;
      if (m[1] === 'agent_name') { out += (agentName || '').trim(); continue; }
      if (customer) { out += customer; continue; }
      if (out.endsWith(', ')) out = out.slice(0, -2);
      else if (out.endsWith(' ') && !/[.!?]$/.test(out.trimEnd())) out = out.slice(0, -1);
      const startsSentence = out.trimEnd() === '' || /[.!?]$/.test(out.trimEnd());
      if (startsSentence && text[last] === ',') {
        const next = text.slice(last + 1).trimStart();
        const first = [...next][0] || '';
        out += first.toUpperCase();
        last = text.length - next.length + first.length;
      }
    }
    return out + text.slice(last);
  }

  // ------------------------------------------------------------------------------------------
  // State
  // ------------------------------------------------------------------------------------------
  const me = {
    id: Number(body.dataset.agentId),
    name: body.dataset.agentName || '',
    role: body.dataset.role || 'agent',
    maxChats: Number(body.dataset.maxChats) || 0,
  };
  const baseTitle = body.dataset.title || document.title;
  const PING_EVERY = 30000;
  const MAX_TEXT = 4000;

  let ws = null;
  let connected = false;
  let attempts = 0;
  let pingTimer = null;
  let queue = [];
  // How many wait in all: the server sends the first ones of a long queue only.
  let waitingTotal = 0;
  let agents = [];
  let current = null; // the conversation on screen
  let wantOpen = null; // claimed here: show it when it arrives
  let openedHere = new Set(); // conversations `open`ed on this socket
  let presence = readPresence();
  // Conversations seen waiting (null until the first queue frame: those are not news), and how
  // many arrived while the agent was not looking (in the tab title).
  let seenWaiting = null;
  // Which conversations the left column lists (kept per agent), and the resolved ones loaded.
  const VIEWS = ['open', 'mine', 'waiting', 'resolved'];
  let view = (() => {
    try { const v = localStorage.getItem(`otvet.view.${me.id}`); return VIEWS.includes(v) ? v : 'open'; } catch (_) { return 'open'; }
  })();
  let resolvedList = { items: [], next: null, loaded: false };
  // Search results replace the list while the search box holds a query.
  let found = null;
  let searchTimer = null;
  const queueEmptyText = $('queue-empty').textContent;
  let unseenWaiting = 0;
  const notifyKey = `otvet.notify.${me.id}`;
  let notifyPrefs = readNotify();
  let audio = null;
  const convs = new Map();

  function conv(id) {
    let c = convs.get(id);
    if (!c) {
      c = {
        id, info: null, handoff: null, history: [], messages: new Map(), lastSeq: 0,
        pending: new Map(), unread: 0, typing: false, typingTimer: null, loaded: false,
        rating: null, draft: '', note: false,
      };
      convs.set(id, c);
    }
    return c;
  }

  function readPresence() {
    try { return localStorage.getItem('otvet.presence') === 'away' ? 'away' : 'online'; } catch (_) { return 'online'; }
  }
  // ------------------------------------------------------------------------------------------
  // Notifications: a conversation entering the queue, one assigned to me, a customer's message
  // in mine. A sound and a desktop notification, each switched per agent (kept in this browser),
  // and the tab title counts what arrived while the agent was not looking.
  // ------------------------------------------------------------------------------------------
  function readNotify() {
    try {
      const v = JSON.parse(localStorage.getItem(notifyKey) || '{}');
      return { sound: v.sound !== false, desktop: v.desktop !== false };
    } catch (_) {
      return { sound: true, desktop: true };
    }
  }

  function saveNotify() {
    try { localStorage.setItem(notifyKey, JSON.stringify(notifyPrefs)); } catch (_) { /* private mode */ }
  }

  function looking() {
    return !document.hidden && document.hasFocus();
  }

  function beep() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      audio = audio || new Ctx();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch (_) {
      // No audio device: the title and the notification still tell.
    }
  }

  function notify(title, text, convId) {
    if (notifyPrefs.sound) beep();
    if (!notifyPrefs.desktop || looking() || !('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(title, { body: text || '', tag: `otvet-${convId}` });
      n.onclick = () => {
        window.focus();
        select(convId);
        n.close();
      };
    } catch (_) {
      // Some browsers allow notifications from a service worker only.
    }
  }

  // Asked once, at the agent's first click (browsers want a gesture), if they have not decided.
  function askNotifyOnce() {
    if (!notifyPrefs.desktop || !('Notification' in window) || Notification.permission !== 'default') return;
    try {
      if (localStorage.getItem('otvet.notify.asked')) return;
      localStorage.setItem('otvet.notify.asked', '1');
    } catch (_) { /* private mode: ask anyway */ }
    Notification.requestPermission().catch(() => {});
  }

  function newlyWaiting(items) {
    const waiting = new Set(items.filter((q) => q.status === 'queued').map((q) => q.conversation_id));
    if (seenWaiting !== null) {
      for (const q of items) {
        if (q.status !== 'queued' || seenWaiting.has(q.conversation_id)) continue;
        if (!looking()) unseenWaiting += 1;
        notify(T.newWaiting, [q.customer || T.guest, q.preview].filter(Boolean).join(': '), q.conversation_id);
      }
    }
    seenWaiting = waiting;
  }


  // ------------------------------------------------------------------------------------------
  // Small helpers
  // ------------------------------------------------------------------------------------------
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'className') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function randomId(prefix) {
    const b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return prefix + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  /** A link target only for site paths and http(s) URLs: never javascript: or data:. */
  function safeHref(u) {
    if (typeof u !== 'string' || !u) return null;
    if (u.startsWith('/') && !u.startsWith('//') && !u.startsWith('/\\')) return u;
    try {
      const x = new URL(u);
      if (x.protocol === 'http:' || x.protocol === 'https:') return x.href;
    } catch (_) { /* not a URL */ }
    return null;
  }

  function link(href, text) {
    const h = safeHref(href);
    if (!h) return el('span', { text: text || href || '' });
    return el('a', { href: h, target: '_blank', rel: 'noopener noreferrer', text: text || h });
  }

  function clock(ms) {
    const d = new Date(ms);
    const sameDay = d.toDateString() === new Date().toDateString();
    const opts = sameDay ? { hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
    try { return d.toLocaleString(LANG, opts); } catch (_) { return d.toISOString(); }
  }

  function date(ms) {
    try { return new Date(ms).toLocaleDateString(LANG, { day: 'numeric', month: 'short', year: 'numeric' }); } catch (_) { return ''; }
  }

  function waited(since) {
    const mins = Math.floor((Date.now() - since) / 60000);
    if (mins < 1) return T.justNow;
    if (mins < 60) return `${mins} ${T.min}`;
    return `${Math.floor(mins / 60)} ${T.hour} ${mins % 60} ${T.min}`;
  }

  function customerName(c) {
    const q = queue.find((x) => x.conversation_id === c.id);
    return (c.info && c.info.customer && c.info.customer.name)
      || (c.handoff && c.handoff.identity && c.handoff.identity.name)
      || (q && q.customer) || '';
  }

  function agentName(id) {
    if (id === me.id) return me.name;
    const a = agents.find((x) => x.id === id);
    if (a) return a.name;
    for (const c of convs.values()) if (c.info && c.info.agent_id === id && c.info.agent_name) return c.info.agent_name;
    return `${T.agent} #${id}`;
  }

  let toastTimer = null;
  function toast(text) {
    const t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
  }

  function updateTitle() {
    let n = 0;
    for (const c of convs.values()) n += c.unread;
    n += unseenWaiting;
    document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
  }

  // ------------------------------------------------------------------------------------------
  // The socket
  // ------------------------------------------------------------------------------------------
  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setConn(state) {
    const c = $('conn');
    c.dataset.state = state;
    c.textContent = T[state];
  }

  function connect() {
    setConn(attempts ? 'offline' : 'connecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(`${proto}//${location.host}/agent/ws`);
    ws.addEventListener('message', (e) => {
      let f;
      try { f = JSON.parse(e.data); } catch (_) { return; }
      if (f && typeof f.type === 'string') handle(f);
    });
    ws.addEventListener('close', onClose);
  }

  function onClose(e) {
    // The session ended (logout, password change, disabled account): sign in again. The role
    // changed: start over with the new rights.
    if (e && e.code === 4001) { location.href = '/agent/login?next=%2Fagent'; return; }
    if (e && e.code === 4002) { location.reload(); return; }
    connected = false;
    ws = null;
    clearInterval(pingTimer);
    setConn('offline');
    $('presence').disabled = true;
    attempts += 1;
    // 1 s, 2 s, 4 s … up to 30 s, with jitter so a restarted server is not hit all at once.
    const delay = Math.min(30000, 1000 * 2 ** Math.min(attempts - 1, 5)) * (0.75 + Math.random() * 0.5);
    setTimeout(async () => {
      if (attempts >= 2 && await signedOut()) {
        location.href = '/agent/login?next=%2Fagent';
        return;
      }
      connect();
    }, delay);
  }

  /** Whether the session ended (the socket upgrade is then refused, which looks like a drop). */
  async function signedOut() {
    try {
      const r = await fetch('/agent/api/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      return r.status === 401;
    } catch (_) {
      return false;
    }
  }

  function openConv(id) {
    const c = conv(id);
    openedHere.add(id);
    send({ type: 'open', conversation_id: id, last_seq: c.lastSeq });
  }

  function handle(f) {
    switch (f.type) {
      case 'hello': return onHello(f);
      case 'queue': return onQueue(f.items || [], f.waiting);
      case 'agents': return onAgents(f.agents || []);
      case 'conversation': return onConversation(f);
      case 'message': return onMessage(f);
      case 'assigned': return onAssigned(f);
      case 'resolved': return onResolved(f);
      case 'rating': return onRating(f);
      case 'typing': return onTyping(f);
      case 'ack': return onAck(f);
      case 'error': return onError(f);
      default: return undefined; // pong, and frames of later versions
    }
  }

  function onHello(f) {
    connected = true;
    attempts = 0;
    if (f.agent) {
      me.id = f.agent.id;
      me.name = f.agent.name;
      if (f.agent.max_chats) me.maxChats = f.agent.max_chats;
    }
    setConn('online');
    const p = $('presence');
    p.disabled = false;
    p.value = presence;
    if (presence === 'away') send({ type: 'presence', status: 'away' });
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: 'ping' }), PING_EVERY);
    // A new socket follows nothing yet: open the conversation on screen again from its last seq
    // (the agent's own ones are opened when the queue comes), and resend what was not acked.
    openedHere = new Set();
    if (current !== null) openConv(current);
    for (const c of convs.values()) {
      for (const [cid, p2] of c.pending) {
        if (p2.seq === undefined && !p2.error) {
          send({ type: p2.private ? 'note' : 'send', conversation_id: c.id, client_id: cid, text: p2.text });
        }
      }
    }
  }

  function onQueue(items, waiting) {
    newlyWaiting(items);
    queue = items;
    waitingTotal = typeof waiting === 'number' ? waiting : items.filter((q) => q.status === 'queued').length;
    for (const q of items) {
      const c = convs.get(q.conversation_id);
      if (c && c.info) {
        c.info.status = q.status;
        c.info.agent_id = q.agent_id;
        c.info.offline = q.offline;
      }
      // Messages of one's own conversations come only once they are opened on this socket.
      if (q.agent_id === me.id && !openedHere.has(q.conversation_id)) openConv(q.conversation_id);
    }
    renderQueue();
    updateTitle();
    if (current !== null) renderHead();
  }

  function onAgents(list) {
    agents = list;
    const mine = list.find((a) => a.id === me.id);
    $('my-load').textContent = mine ? `· ${T.load(mine.open, mine.max_chats)}` : '';
    renderTransfer();
    renderQueue();
  }

  function onConversation(f) {
    const info = f.conversation;
    if (!info) return;
    const c = conv(info.id);
    const known = c.loaded;
    c.info = info;
    c.handoff = f.handoff || null;
    c.history = f.history || [];
    if (info.rating !== null && info.rating !== undefined) c.rating = { score: info.rating, comment: info.rating_comment };
    for (const m of f.messages || []) addMessage(c, m, known);
    c.loaded = true;
    openedHere.add(c.id);
    if (wantOpen === c.id || (current === null && info.agent_id === me.id && info.status === 'assigned')) {
      wantOpen = null;
      select(c.id);
    } else if (current === c.id) {
      renderConversation();
    }
    renderQueue();
  }

  /** Stores a message; counts it as unread when it is new, from the customer and not seen. */
  function addMessage(c, m, countUnread) {
    const isNew = !c.messages.has(m.seq) && m.seq > c.lastSeq;
    c.messages.set(m.seq, m);
    if (m.seq > c.lastSeq) c.lastSeq = m.seq;
    if (m.client_id && c.pending.has(m.client_id)) {
      c.pending.delete(m.client_id);
      if (current === c.id) removePendingNode(m.client_id);
    }
    if (m.author === 'customer' && c.typing) setTyping(c, false);
    if (isNew && countUnread && m.author === 'customer' && (current !== c.id || document.hidden)) {
      const q = queue.find((x) => x.conversation_id === c.id);
      const theirs = q && q.agent_id !== null && q.agent_id !== me.id;
      if (!theirs) {
        c.unread += 1;
        updateTitle();
        notify(T.newMessage, `${customerName(c) || T.guest}: ${m.text}`, c.id);
      }
    }
    if (current === c.id) upsertMessageNode(c, m);
  }

  function onMessage(m) {
    const c = conv(m.conversation_id);
    addMessage(c, m, true);
    if (m.event === 'contact' && current === c.id) openConv(c.id); // refresh the contact email
    // The server refreshes the queue for waiting conversations only; the preview of a followed
    // one comes from its messages.
    const q = m.author === 'customer' && queue.find((x) => x.conversation_id === c.id);
    if (q && q.preview !== m.text) {
      q.preview = m.text;
      renderQueue();
    } else {
      renderQueueItemBadge(c);
    }
  }

  function onAssigned(f) {
    if (view === 'resolved' && resolvedList.items.some((r) => r.conversation_id === f.conversation_id)) loadResolved(false);
    const c = convs.get(f.conversation_id);
    if (c && c.info) {
      const before = c.info.agent_id;
      c.info.status = 'assigned';
      c.info.agent_id = f.agent_id;
      c.info.agent_name = f.agent_name;
      if (before === me.id && f.agent_id !== me.id && current === c.id) {
        toast(T.transferred(f.agent_name));
      }
    }
    if (f.agent_id === me.id && wantOpen !== f.conversation_id && current !== f.conversation_id) {
      const q = queue.find((x) => x.conversation_id === f.conversation_id);
      const who = (q && q.customer) || (c && customerName(c)) || T.guest;
      toast(T.assignedToYou(who));
      notify(T.assignedToYou(who), q && q.preview, f.conversation_id);
    }
    if (current === f.conversation_id) renderConversation();
  }

  function onResolved(f) {
    if (view === 'resolved') loadResolved(false);
    const c = convs.get(f.conversation_id);
    if (c && c.info) c.info.status = 'resolved';
    if (c) setTyping(c, false);
    if (current === f.conversation_id) renderConversation();
  }

  function onRating(f) {
    const c = conv(f.conversation_id);
    c.rating = { score: f.score, comment: f.comment };
    if (current === c.id) renderDetails();
  }

  function onTyping(f) {
    const c = convs.get(f.conversation_id);
    if (c && f.author === 'customer') setTyping(c, !!f.on);
  }

  function setTyping(c, on) {
    c.typing = on;
    clearTimeout(c.typingTimer);
    // A lost "off" must not leave the indicator on for ever.
    if (on) c.typingTimer = setTimeout(() => setTyping(c, false), 8000);
    if (current === c.id) $('typing').textContent = on ? T.typing : '';
  }

  function onAck(f) {
    const c = convs.get(f.conversation_id);
    const p = c && c.pending.get(f.client_id);
    if (!p) return;
    if (c.messages.has(f.seq)) {
      c.pending.delete(f.client_id);
      if (current === c.id) removePendingNode(f.client_id);
    } else {
      p.seq = f.seq; // the message itself follows
      if (current === c.id) renderPendingNode(c, f.client_id);
    }
  }

  function onError(f) {
    const text = f.code === 'bad_state' ? serverSays(f.message && `${T.errors.bad_state}: ${f.message}`, `${T.errors.bad_state}.`) : (T.errors[f.code] || serverSays(f.message, T.errors.internal));
    const c = f.conversation_id ? convs.get(f.conversation_id) : null;
    if (f.client_id) {
      for (const c2 of c ? [c] : convs.values()) {
        const p = c2.pending.get(f.client_id);
        if (p) {
          p.error = text;
          if (current === c2.id) renderPendingNode(c2, f.client_id);
          return;
        }
      }
    }
    // A reply to a waiting conversation claims it first; when the claim is refused the error
    // names the conversation only: the replies still waiting there were not sent.
    if (c && f.code === 'over_capacity') {
      for (const [cid, p] of c.pending) {
        if (!p.private && p.seq === undefined && !p.error) {
          p.error = text;
          if (current === c.id) renderPendingNode(c, cid);
        }
      }
    }
    if (wantOpen === f.conversation_id) wantOpen = null;
    toast(text);
  }

  // ------------------------------------------------------------------------------------------
  // The queue (left)
  // ------------------------------------------------------------------------------------------
  function group(q) {
    if (q.status === 'queued') return 0;
    return q.agent_id === me.id ? 1 : 2;
  }

  async function loadResolved(more) {
    const q = more && resolvedList.next ? `?before=${resolvedList.next}` : '';
    try {
      const r = await fetch(`/agent/api/conversations/resolved${q}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const page = await r.json();
      resolvedList = { items: more ? resolvedList.items.concat(page.items) : page.items, next: page.next, loaded: true };
    } catch (_) {
      toast(T.errors.internal);
    }
    if (view === 'resolved') renderQueue();
  }

  async function searchConversations(q) {
    try {
      const r = await fetch(`/agent/api/conversations/search?q=${encodeURIComponent(q)}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const page = await r.json();
      if ($('conv-search').value.trim() === q) found = page.items;
    } catch (_) {
      toast(T.errors.internal);
    }
    renderQueue();
  }

  // The channel filter ('' = all): applies to every view and to search results.
  const CHANNELS = ['', 'chat', 'email'];
  let channel = (() => {
    try { const c = localStorage.getItem(`otvet.channel.${me.id}`); return CHANNELS.includes(c) ? c : ''; } catch (_) { return ''; }
  })();
  const inChannel = (x) => !channel || (x.channel || 'chat') === channel;
  const emailMark = (x) => (x.channel === 'email' ? el('span', { className: 'channel-mark', text: `✉ ${T.emailMark}` }) : null);

  function renderResolved() {
    const source = (found || resolvedList.items).filter(inChannel);
    const list = $('queue-list');
    const items = source.map((r) => {
      const name = r.customer || r.email || T.guest;
      const label = [name, langName(r.lang), r.preview, date(r.resolved_at || r.created_at)].filter(Boolean).join(', ');
      return el('li', { className: `item resolved ${current === r.conversation_id ? 'active' : ''}`.trim(), dataset: { id: r.conversation_id } },
        el('button', { type: 'button', className: 'open', 'aria-label': label, 'aria-current': current === r.conversation_id ? 'true' : null, onclick: () => select(r.conversation_id) },
          el('span', { className: 'line' },
            el('span', { className: 'name', text: name }),
            el('span', { className: 'lang', text: langShort(r.lang) }),
            emailMark(r),
            r.rating ? el('span', { className: 'stars', text: '★'.repeat(r.rating) }) : null),
          el('span', { className: 'preview', text: r.preview || '' }),
          el('span', { className: 'who', text: `${date(r.resolved_at || r.created_at)} · ${T.status[r.status] || r.status}${r.agent_name ? ` · ${r.agent_name}` : ''}` })));
    });
    if (!found && resolvedList.next) {
      items.push(el('li', { className: 'more' }, el('button', { type: 'button', className: 'link', text: T.more, onclick: () => loadResolved(true) })));
    }
    list.replaceChildren(...items);
    $('queue-empty').textContent = found ? T.noFound : T.noResolved;
    $('queue-empty').hidden = found ? found.length > 0 : (!resolvedList.loaded || resolvedList.items.length > 0);
  }

  function renderQueue() {
    $('queue-count').textContent = waitingTotal ? `(${waitingTotal})` : '';
    if (found || view === 'resolved') return renderResolved();
    $('queue-empty').textContent = queueEmptyText;
    const list = $('queue-list');
    const focused = document.activeElement && list.contains(document.activeElement)
      ? [document.activeElement.closest('li')?.dataset.id, document.activeElement.className] : null;
    // Waiting ones in the server's fair order (one per customer address in turn), then one's own.
    const items = queue.filter((q) => inChannel(q) && (view === 'open'
      || (view === 'mine' && q.agent_id === me.id)
      || (view === 'waiting' && q.status === 'queued'))).sort((a, b) => group(a) - group(b) || (a.position || 0) - (b.position || 0)
      || (a.since || 0) - (b.since || 0) || a.conversation_id - b.conversation_id);
    list.replaceChildren(...items.map(queueItem));
    $('queue-empty').hidden = items.length > 0;
    if (focused) {
      const li = list.querySelector(`li[data-id="${CSS.escape(focused[0] || '')}"]`);
      const b = li && (li.querySelector(`button.${CSS.escape(focused[1].split(' ')[0] || 'open')}`) || li.querySelector('button'));
      if (b) b.focus();
    }
  }

  function queueItem(q) {
    const id = q.conversation_id;
    const c = convs.get(id);
    const g = group(q);
    const name = q.customer || (c && customerName(c)) || T.guest;
    let where;
    if (g === 0) where = el('span', { className: 'wait', dataset: { since: q.since || Date.now() }, text: `${T.waiting} ${waited(q.since || Date.now())}` });
    else if (g === 1) where = el('span', { className: 'who', text: T.mine });
    else where = el('span', { className: 'who', text: T.by(agentName(q.agent_id)) });
    const label = [name, langName(q.lang), q.channel === 'email' ? T.emailMark : null, q.offline ? T.offlineMark : null, q.preview, where.textContent]
      .filter(Boolean).join(', ');
    const open = el('button', {
      type: 'button', className: 'open', 'aria-current': current === id ? 'true' : null,
      'aria-label': label, onclick: () => select(id),
    },
    el('span', { className: 'line' },
      el('span', { className: 'name', text: name }),
      el('span', { className: 'lang', text: langShort(q.lang) }),
      emailMark(q),
      q.offline ? el('span', { className: 'offline-mark', text: T.offlineMark }) : null,
      el('span', { className: 'unread', text: c && c.unread ? String(c.unread) : '', hidden: !(c && c.unread) })),
    el('span', { className: 'preview', text: q.preview || '' }),
    where);
    // Named after the customer: a list of buttons all called «Взять» says nothing to a screen reader.
    const claim = g === 0 ? el('button', { type: 'button', className: 'claim', text: T.claim, 'aria-label': `${T.claim}: ${name} #${id}`, onclick: () => claimConv(id) }) : null;
    const cls = ['item', ['waiting', 'mine', 'other'][g], current === id ? 'active' : ''].join(' ').trim();
    return el('li', { className: cls, dataset: { id } }, open, claim);
  }

  function renderQueueItemBadge(c) {
    const li = $('queue-list').querySelector(`li[data-id="${c.id}"]`);
    const b = li && li.querySelector('.unread');
    if (b) {
      b.textContent = c.unread ? String(c.unread) : '';
      b.hidden = !c.unread;
    }
  }

  function tickWaits() {
    for (const s of $('queue-list').querySelectorAll('.wait')) {
      s.textContent = `${T.waiting} ${waited(Number(s.dataset.since))}`;
    }
  }

  function claimConv(id) {
    wantOpen = id;
    select(id);
    send({ type: 'claim', conversation_id: id });
  }

  // ------------------------------------------------------------------------------------------
  // The conversation (middle)
  // ------------------------------------------------------------------------------------------
  let shownId = null;
  const msgNodes = new Map(); // seq -> li
  const pendingNodes = new Map(); // client_id -> li

  function select(id) {
    if (current !== null && current !== id) {
      const prev = conv(current);
      prev.draft = $('text').value;
      prev.note = $('note').checked;
      typingOff();
    }
    const c = conv(id);
    current = id;
    c.unread = 0;
    updateTitle();
    if (!openedHere.has(id)) openConv(id);
    $('text').value = c.draft;
    $('note').checked = c.note;
    closePicker();
    renderConversation();
    renderQueue();
  }

  function isMine(c) {
    return c.info && c.info.status === 'assigned' && c.info.agent_id === me.id;
  }

  function renderConversation() {
    const c = current === null ? null : conv(current);
    $('conv-empty').hidden = !!c;
    $('messages').hidden = !c;
    $('composer').hidden = !c;
    if (!c) return;
    if (shownId !== c.id) {
      shownId = c.id;
      $('messages').replaceChildren();
      msgNodes.clear();
      pendingNodes.clear();
      for (const seq of [...c.messages.keys()].sort((a, b) => a - b)) upsertMessageNode(c, c.messages.get(seq));
      for (const cid of c.pending.keys()) renderPendingNode(c, cid);
      scrollDown(true);
    }
    $('typing').textContent = c.typing ? T.typing : '';
    renderHead();
    renderComposer();
    renderDetails();
  }

  function renderHead() {
    const c = current === null ? null : conv(current);
    if (!c) return;
    const info = c.info;
    // An email conversation says so, with its subject: the answer goes out by mail.
    const mailed = info && info.channel === 'email' ? ` · ✉ ${info.subject || T.emailMark}` : '';
    $('conv-h').textContent = `${customerName(c) || T.guest} · #${c.id}${mailed}`;
    let status = '';
    if (info) {
      if (info.status === 'assigned') status = info.agent_id === me.id ? T.yours : T.by(info.agent_name || agentName(info.agent_id));
      else status = T.status[info.status] || info.status;
    }
    $('conv-status').textContent = status;
    const admin = me.role === 'admin';
    const st = info && info.status;
    const mineOrAdmin = st === 'assigned' && (info.agent_id === me.id || admin);
    $('claim-btn').hidden = !(st === 'queued' || st === 'bot');
    $('transfer-box').hidden = !mineOrAdmin;
    $('resolve-btn').hidden = !(mineOrAdmin || st === 'queued' || st === 'bot');
    $('reopen-btn').hidden = st !== 'resolved';
    $('conv-actions').hidden = !info;
    renderTransfer();
  }

  function renderTransfer() {
    const s = $('transfer-to');
    const prev = s.value;
    const others = agents.filter((a) => a.status === 'online' && a.id !== me.id);
    s.replaceChildren(...(others.length
      ? others.map((a) => el('option', { value: a.id, text: `${a.name} (${a.open}/${a.max_chats})` }))
      : [el('option', { value: '', text: T.noAgents })]));
    if (others.some((a) => String(a.id) === prev)) s.value = prev;
    s.disabled = !others.length;
    $('transfer-btn').disabled = !others.length;
  }

  function renderComposer() {
    const c = conv(current);
    const st = c.info && c.info.status;
    const admin = me.role === 'admin';
    const notesOnly = st === 'resolved' || (st === 'assigned' && c.info.agent_id !== me.id && !admin);
    const note = $('note');
    // Forced to notes while the conversation is closed or someone else's; when it becomes the
    // agent's to answer (claimed, reopened), back to what the agent chose for it.
    if (notesOnly) note.checked = true;
    else if (note.disabled) note.checked = c.note;
    note.disabled = notesOnly;
    let hint = '';
    if (st === 'resolved') hint = T.hintResolved;
    else if (notesOnly) hint = T.hintOther(c.info.agent_name || agentName(c.info.agent_id));
    else if (note.checked) hint = T.hintNote;
    else if (st === 'queued' || st === 'bot') hint = T.hintQueued;
    $('composer-hint').textContent = hint;
    $('text').placeholder = note.checked ? T.placeholderNote : T.placeholder;
    $('composer').classList.toggle('is-note', note.checked);
  }

  function authorLabel(c, m) {
    switch (m.author) {
      case 'customer': return customerName(c) || T.customer;
      case 'bot': return T.bot;
      case 'agent': return m.name || T.agent;
      default: return T.system;
    }
  }

  function messageNode(c, m) {
    const cls = ['msg', `msg-${m.author}`];
    if (m.private) cls.push('msg-note');
    // A mail that did not reach the customer: they may be waiting for an answer they never got.
    if (m.event === 'mail_failed') cls.push('msg-alert');
    if (m.author === 'agent' && m.agent_id === me.id) cls.push('msg-mine');
    const meta = el('div', { className: 'meta' },
      el('span', { className: 'author', text: authorLabel(c, m) }),
      m.private ? el('span', { className: 'note-label', text: T.note }) : null,
      el('time', { datetime: new Date(m.at).toISOString(), text: clock(m.at) }));
    const f = m.attachment;
    const body = f && f.url && f.url.startsWith('/attachments/')
      ? el('p', { className: 'text file' }, el('a', { href: f.url, target: '_blank', rel: 'noopener noreferrer' },
        /^image\//.test(f.type) ? el('img', { src: f.url, alt: f.name || '', loading: 'lazy' }) : null,
        el('span', { text: `📎 ${f.name || ''}` })))
      : el('p', { className: 'text', text: m.text });
    const li = el('li', { className: cls.join(' '), dataset: { seq: m.seq } }, meta, body);
    if (m.answer) {
      const a = m.answer;
      const title = a.section ? `${a.title} — ${a.section}` : a.title;
      const card = el('div', { className: 'answer' }, link(a.url, title));
      if (m.feedback === true) card.append(el('span', { className: 'fb fb-yes', text: ` · ${T.helpful}` }));
      if (m.feedback === false) card.append(el('span', { className: 'fb fb-no', text: ` · ${T.rejected}` }));
      li.append(card);
    }
    return li;
  }

  function upsertMessageNode(c, m) {
    if (shownId !== c.id) return;
    const list = $('messages');
    const stick = atBottom();
    const node = messageNode(c, m);
    const old = msgNodes.get(m.seq);
    if (old) {
      old.replaceWith(node);
    } else {
      let before = null;
      for (const [seq, n] of msgNodes) if (seq > m.seq && (!before || seq < Number(before.dataset.seq))) before = n;
      if (!before) before = list.querySelector('.pending');
      list.insertBefore(node, before);
    }
    msgNodes.set(m.seq, node);
    if (stick) scrollDown(true);
  }

  function renderPendingNode(c, cid) {
    if (shownId !== c.id) return;
    const p = c.pending.get(cid);
    if (!p) return removePendingNode(cid);
    const cls = ['msg', 'msg-agent', 'msg-mine', 'pending'];
    if (p.private) cls.push('msg-note');
    const state = p.error ? el('span', { className: 'error', text: `${T.notSent}: ${p.error}` })
      : (p.seq === undefined ? el('span', { className: 'sending', text: T.sending }) : null);
    const node = el('li', { className: cls.join(' ') },
      el('div', { className: 'meta' },
        el('span', { className: 'author', text: me.name }),
        p.private ? el('span', { className: 'note-label', text: T.note }) : null,
        state,
        p.error ? el('button', { type: 'button', className: 'link', text: T.dismiss, onclick: () => { c.pending.delete(cid); removePendingNode(cid); } }) : null),
      el('p', { className: 'text', text: p.text }));
    const old = pendingNodes.get(cid);
    if (old) old.replaceWith(node); else $('messages').append(node);
    pendingNodes.set(cid, node);
    scrollDown(true);
  }

  function removePendingNode(cid) {
    const n = pendingNodes.get(cid);
    if (n) n.remove();
    pendingNodes.delete(cid);
  }

  function atBottom() {
    const l = $('messages');
    return l.scrollHeight - l.scrollTop - l.clientHeight < 48;
  }

  function scrollDown(force) {
    const l = $('messages');
    if (force) l.scrollTop = l.scrollHeight;
  }

  // ------------------------------------------------------------------------------------------
  // The composer
  // ------------------------------------------------------------------------------------------
  let typingOn = false;
  let typingSentAt = 0;
  let typingTimer = null;

  function typingOff() {
    clearTimeout(typingTimer);
    if (typingOn && current !== null) send({ type: 'typing', conversation_id: current, on: false });
    typingOn = false;
  }

  function onInput() {
    const c = current === null ? null : conv(current);
    updatePickerFromText();
    if (!c || $('note').checked || !isMine(c)) return typingOff();
    if (!$('text').value.trim()) return typingOff();
    const now = Date.now();
    // The server forwards at most one notice a second; "on" again every 3 s keeps it alive.
    if (!typingOn || now - typingSentAt > 3000) {
      send({ type: 'typing', conversation_id: c.id, on: true });
      typingOn = true;
      typingSentAt = now;
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(typingOff, 4000);
  }

  function submit() {
    if (current === null) return;
    const c = conv(current);
    const text = $('text').value.trim();
    if (!text) return;
    if ([...text].length > MAX_TEXT) { toast(T.tooLong); return; }
    const privateNote = $('note').checked;
    const cid = randomId('a-');
    c.pending.set(cid, { text, private: privateNote });
    renderPendingNode(c, cid);
    send({ type: privateNote ? 'note' : 'send', conversation_id: c.id, client_id: cid, text });
    $('text').value = '';
    c.draft = '';
    // A note is one message: the next one is a reply again, unless only notes are possible.
    if (privateNote && !$('note').disabled) {
      $('note').checked = false;
      c.note = false;
      renderComposer();
    }
    typingOff();
    closePicker();
  }

  // ------------------------------------------------------------------------------------------
  // Canned replies
  // ------------------------------------------------------------------------------------------
  let canned = null;
  let cannedAt = 0;
  let pickerMode = null; // 'slash' (typed "/" first in the text) or 'button'
  let pickerItems = [];
  let pickerActive = 0;
  let insertAt = null; // cursor position for the button mode

  async function loadCanned() {
    if (canned && Date.now() - cannedAt < 60000) return canned;
    try {
      const r = await fetch('/agent/api/canned', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!r.ok) throw new Error(String(r.status));
      canned = (await r.json()).items || [];
      cannedAt = Date.now();
    } catch (_) {
      if (!canned) { toast(T.cannedError); canned = []; }
    }
    return canned;
  }

  function filterCanned(q) {
    const s = q.trim().toLowerCase();
    const items = (canned || []).filter((c) => !s || c.shortcut.includes(s) || c.title.toLowerCase().includes(s));
    return items.sort((a, b) => (b.shortcut.startsWith(s) - a.shortcut.startsWith(s)) || a.shortcut.localeCompare(b.shortcut));
  }

  async function openPicker(mode) {
    pickerMode = mode;
    await loadCanned();
    if (pickerMode !== mode) return;
    const p = $('canned-picker');
    p.hidden = false;
    $('canned-btn').setAttribute('aria-expanded', 'true');
    const f = $('canned-filter');
    f.hidden = mode !== 'button';
    if (mode === 'button') {
      f.value = '';
      f.focus();
    }
    renderPicker();
  }

  function closePicker() {
    pickerMode = null;
    $('canned-picker').hidden = true;
    $('canned-btn').setAttribute('aria-expanded', 'false');
    $('text').removeAttribute('aria-activedescendant');
    $('canned-filter').removeAttribute('aria-activedescendant');
  }

  function pickerQuery() {
    if (pickerMode === 'button') return $('canned-filter').value;
    const m = /^\/(\S*)$/.exec($('text').value);
    return m ? m[1] : '';
  }

  function renderPicker() {
    pickerItems = filterCanned(pickerQuery());
    pickerActive = Math.min(pickerActive, Math.max(0, pickerItems.length - 1));
    const list = $('canned-list');
    if (!pickerItems.length) {
      list.replaceChildren(el('li', { className: 'none', text: T.noCanned }));
    } else {
      list.replaceChildren(...pickerItems.map((c, i) => el('li', {
        id: `canned-opt-${i}`, role: 'option', 'aria-selected': i === pickerActive ? 'true' : 'false',
        onmousedown: (e) => { e.preventDefault(); insertCanned(c); },
      },
      el('span', { className: 'shortcut', text: `/${c.shortcut}` }),
      el('span', { className: 'title', text: c.title }),
      el('span', { className: 'body', text: c.body }))));
    }
    const input = pickerMode === 'button' ? $('canned-filter') : $('text');
    if (pickerItems.length) input.setAttribute('aria-activedescendant', `canned-opt-${pickerActive}`);
    const active = $(`canned-opt-${pickerActive}`);
    if (active) active.scrollIntoView({ block: 'nearest' });
  }

  function updatePickerFromText() {
    const slash = /^\/\S*$/.test($('text').value);
    if (slash && pickerMode !== 'slash') { pickerActive = 0; openPicker('slash'); } else if (slash) renderPicker();
    else if (pickerMode === 'slash') closePicker();
  }

  function pickerKey(e) {
    if (!pickerMode) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = pickerItems.length;
      if (n) pickerActive = (pickerActive + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      renderPicker();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && pickerItems.length) {
      insertCanned(pickerItems[pickerActive]);
    } else if (e.key === 'Escape') {
      const mode = pickerMode;
      closePicker();
      if (mode === 'button') $('text').focus();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }

  function insertCanned(item) {
    if (!item || current === null) return;
    const c = conv(current);
    const lang = (c.info && c.info.lang) || (c.handoff && c.handoff.lang) || LANG;
    const text = fillPlaceholders(item.body, customerName(c), me.name, lang);
    const t = $('text');
    let caret;
    if (pickerMode === 'slash') {
      t.value = text;
      caret = text.length;
    } else {
      const at = insertAt === null ? t.value.length : insertAt;
      t.value = t.value.slice(0, at) + text + t.value.slice(at);
      caret = at + text.length;
    }
    closePicker();
    t.focus();
    t.setSelectionRange(caret, caret);
    onInput();
  }

  // ------------------------------------------------------------------------------------------
  // The details (right)
  // ------------------------------------------------------------------------------------------
  function row(label, ...value) {
    return [el('dt', { text: label }), el('dd', {}, ...value)];
  }

  // The contact card an agent edits: name, email, phone (PUT /agent/api/customers/{id}).
  let editingCard = null;

  function cardForm(c, cust) {
    const input = (name, label, type, value) => el('label', {}, el('span', { text: label }),
      el('input', { name, type, value: value || '', autocomplete: 'off' }));
    const error = el('p', { className: 'form-error', role: 'alert', hidden: true });
    const form = el('form', { className: 'card-form' },
      input('name', T.name, 'text', cust.name),
      input('email', T.email, 'email', cust.email),
      input('phone', T.phone, 'tel', cust.phone),
      error,
      el('div', { className: 'actions' },
        el('button', { type: 'submit', text: T.save }),
        el('button', { type: 'button', text: T.cancel, onclick: () => { editingCard = null; renderDetails(); } })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      for (const k of ['name', 'email', 'phone']) body[k] = form.elements[k].value;
      const csrf = document.querySelector('form.logout input[name="csrf"]');
      try {
        const r = await fetch(`/agent/api/customers/${c.info.customer_id}`, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
          body: JSON.stringify(body),
        });
        const v = await r.json().catch(() => ({}));
        if (!r.ok) {
          // The server's message starts with what is wrong, quoted: «'12' is not a phone number».
          const culprit = /^'([^']+)'/.exec(v.message || '');
          const ours = v.code === 'bad_request' ? [T.badCard, culprit ? T.culprit(culprit[1]) : ''].join(' ').trim() : T.errors.internal;
          error.textContent = serverSays(v.message, ours);
          error.hidden = false;
          return;
        }
        c.info.customer = { name: v.name, email: v.email, phone: v.phone, verified: v.verified };
        editingCard = null;
        renderDetails();
        renderHead();
        renderQueue();
      } catch (_) {
        error.textContent = T.errors.internal;
        error.hidden = false;
      }
    });
    return form;
  }

  function renderDetails() {
    const c = current === null ? null : conv(current);
    const box = $('details');
    const hbox = $('handoff');
    if (!c || !c.info) {
      box.replaceChildren();
      hbox.replaceChildren();
      $('handoff-h').hidden = true;
      return;
    }
    const info = c.info;
    const h = c.handoff;
    const cust = info.customer || (h && h.identity) || {};
    const rows = [];
    rows.push(...row(T.name, customerName(c) || T.guest));
    if (cust.email) rows.push(...row(T.email, cust.email));
    if (cust.phone) rows.push(...row(T.phone, link(`tel:${cust.phone.replace(/[^+0-9]/g, '')}`, cust.phone)));
    rows.push(...row(T.identity, el('span', { className: cust.verified ? 'ok' : 'warn', text: cust.verified ? T.verified : T.notVerified })));
    if (info.contact_email) rows.push(...row(T.contact, link(`mailto:${info.contact_email}`, info.contact_email)));
    rows.push(...row(T.language, langName(info.lang || (h && h.lang) || '')));
    const pageUrl = info.page_url || (h && h.page_url);
    if (pageUrl) rows.push(...row(T.page, link(pageUrl, pageUrl)));
    rows.push(...row(T.started, clock(info.created_at)));
    if (c.rating) {
      const stars = '★'.repeat(c.rating.score) + '☆'.repeat(Math.max(0, 5 - c.rating.score));
      rows.push(...row(T.rating,
        el('span', { className: 'stars', 'aria-label': `${c.rating.score}/5`, text: stars }),
        c.rating.comment ? el('q', { className: 'comment', text: c.rating.comment }) : null));
    }
    const history = c.history.length
      ? el('ul', { className: 'history' }, ...c.history.map((x) => el('li', {},
        el('button', { type: 'button', className: 'link', onclick: () => select(x.id) },
          `${date(x.created_at)} · ${T.status[x.status] || x.status}`,
          x.rating ? ` · ${'★'.repeat(x.rating)}` : ''),
        x.first_message ? el('span', { className: 'preview', text: x.first_message }) : null)))
      : el('p', { className: 'muted', text: T.noHistory });
    const card = editingCard === c.id
      ? cardForm(c, cust)
      : el('div', {}, el('dl', {}, ...rows), el('button', {
        type: 'button', className: 'link edit-card', text: T.edit,
        onclick: () => { editingCard = c.id; renderDetails(); },
      }));
    box.replaceChildren(card, el('h3', { text: T.history }), history);

    $('handoff-h').hidden = false;
    if (!h) {
      hbox.replaceChildren(el('p', { className: 'muted', text: T.noHandoff }));
      return;
    }
    const parts = [el('dl', {}, ...row(T.reasonLabel, T.reason[h.reason] || h.reason || ''))];
    // What the customer was reading in the help center when they asked.
    if (h.page && h.page.article) parts.push(el('p', { className: 'context' }, `${T.readArticle}: `, link(h.page.article.url, h.page.article.title)));
    if (h.page && typeof h.page.search === 'string') parts.push(el('p', { className: 'context', text: `${T.searched}: «${h.page.search}»` }));
    if (h.questions && h.questions.length) {
      parts.push(el('h4', { text: T.questions }),
        el('ol', { className: 'questions' }, ...h.questions.map((q) => el('li', {},
          el('span', { text: q.text }), ' ', el('time', { className: 'muted', text: clock(q.at) })))));
    }
    if (h.shown && h.shown.length) {
      parts.push(el('h4', { text: T.shown }),
        el('ul', { className: 'shown' }, ...h.shown.map((s) => el('li', { className: s.rejected ? 'rejected' : (s.helpful ? 'helpful' : '') },
          link(s.url, s.section ? `${s.title} — ${s.section}` : s.title),
          el('span', { className: 'muted', text: ` · ${T.confidence} ${Math.round((s.confidence || 0) * 100)}%` }),
          s.rejected ? el('span', { className: 'tag tag-no', text: T.rejected }) : null,
          s.helpful ? el('span', { className: 'tag tag-yes', text: T.helpful }) : null))));
    }
    hbox.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------------------------------
  // Wiring
  // ------------------------------------------------------------------------------------------
  $('presence').addEventListener('change', (e) => {
    presence = e.target.value === 'away' ? 'away' : 'online';
    try { localStorage.setItem('otvet.presence', presence); } catch (_) { /* private mode */ }
    send({ type: 'presence', status: presence });
  });
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  $('text').addEventListener('keydown', (e) => {
    if (pickerKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  $('text').addEventListener('input', onInput);
  $('text').addEventListener('blur', () => {
    if (current !== null) conv(current).draft = $('text').value;
    setTimeout(() => { if (pickerMode === 'slash' && document.activeElement !== $('text')) closePicker(); }, 150);
  });
  $('note').addEventListener('change', () => {
    if (current !== null) conv(current).note = $('note').checked;
    typingOff();
    renderComposer();
  });
  $('canned-btn').addEventListener('click', () => {
    if (pickerMode) { closePicker(); return; }
    const t = $('text');
    insertAt = t.selectionStart ?? t.value.length;
    pickerActive = 0;
    openPicker('button');
  });
  $('canned-filter').addEventListener('input', () => { pickerActive = 0; renderPicker(); });
  $('canned-filter').addEventListener('keydown', (e) => {
    if (!pickerKey(e) && e.key === 'Enter') e.preventDefault();
  });
  $('claim-btn').addEventListener('click', () => { if (current !== null) claimConv(current); });
  $('transfer-btn').addEventListener('click', () => {
    const to = Number($('transfer-to').value);
    if (current !== null && to) send({ type: 'transfer', conversation_id: current, agent_id: to });
  });
  $('reopen-btn').addEventListener('click', () => {
    if (current !== null) send({ type: 'reopen', conversation_id: current });
  });
  $('conv-search').addEventListener('input', (e) => {
    clearTimeout(searchTimer);
    const q = e.target.value.trim();
    if (q.length < 2) {
      found = null;
      renderQueue();
      return;
    }
    searchTimer = setTimeout(() => searchConversations(q), 300);
  });
  const viewSelect = $('queue-view');
  viewSelect.value = view;
  viewSelect.addEventListener('change', () => {
    view = VIEWS.includes(viewSelect.value) ? viewSelect.value : 'open';
    try { localStorage.setItem(`otvet.view.${me.id}`, view); } catch (_) { /* private mode */ }
    if (view === 'resolved') loadResolved(false);
    renderQueue();
  });
  if (view === 'resolved') loadResolved(false);
  const channelSelect = $('queue-channel');
  channelSelect.value = channel;
  channelSelect.addEventListener('change', () => {
    channel = CHANNELS.includes(channelSelect.value) ? channelSelect.value : '';
    try { localStorage.setItem(`otvet.channel.${me.id}`, channel); } catch (_) { /* private mode */ }
    renderQueue();
  });
  // Files: uploaded over HTTP into the open conversation; the message comes back on the socket.
  $('attach-btn').addEventListener('click', () => $('attach-file').click());
  $('attach-file').addEventListener('change', async () => {
    const input = $('attach-file');
    const f = input.files && input.files[0];
    input.value = '';
    if (!f || current === null) return;
    if (f.size > 10485760) return toast(T.errors.too_large);
    const csrf = document.querySelector('form.logout input[name="csrf"]');
    const q = new URLSearchParams({ name: f.name, client_id: `f-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` });
    try {
      const r = await fetch(`/agent/api/conversations/${current}/attachments?${q}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
        body: f,
      });
      if (!r.ok) {
        const v = await r.json().catch(() => ({}));
        toast(T.errors[v.code] || serverSays(v.message, T.errors.internal));
      }
    } catch (_) {
      toast(T.errors.internal);
    }
  });
  $('resolve-btn').addEventListener('click', () => {
    if (current !== null && window.confirm(T.confirmResolve)) send({ type: 'resolve', conversation_id: current });
  });
  function lookedAgain() {
    if (!looking()) return;
    unseenWaiting = 0;
    updateTitle();
  }
  window.addEventListener('focus', lookedAgain);
  document.addEventListener('visibilitychange', lookedAgain);
  document.addEventListener('click', askNotifyOnce, { once: true });
  for (const [id, key] of [['notify-sound', 'sound'], ['notify-desktop', 'desktop']]) {
    const box = $(id);
    if (!box) continue;
    box.checked = notifyPrefs[key];
    box.addEventListener('change', () => {
      notifyPrefs[key] = box.checked;
      saveNotify();
      if (key === 'desktop' && box.checked) askNotifyOnce();
    });
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && current !== null) {
      conv(current).unread = 0;
      updateTitle();
      renderQueueItemBadge(conv(current));
    }
  });
  setInterval(tickWaits, 15000);

  connect();
})();
