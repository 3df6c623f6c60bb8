// otvet chat widget: one <script src=".../widget.js" data-...> tag on any site.
// Plain JavaScript, no build step, no dependencies. Speaks docs/protocol.md over the websocket
// /api/chat of the server the script was loaded from.
//
// Privacy: nothing is stored, no cookie is set and no connection is made until the customer
// opens the chat. From then on one localStorage key ("otvet:" + server host) keeps the customer
// token, the conversation id and the last seen / last read sequence numbers, so a later page
// can restore the conversation and show unread replies as a badge.
//
// Everything that comes from the server is rendered with textContent / createElement.
//
// Attributes of the script tag (all optional):
//   data-lang="ru|en|de"      UI language (else the page's <html lang>, else the browser's, among
//                             the languages the admin chose; else the first of those)
//   data-title="…"            the panel's title and the launcher's name
//   data-greeting="…"         shown as the bot's first message (locally, never sent)
//   data-color="#1f4e8c"      brand colour (any CSS colour); text on it is white or black
//   data-position="left"      launcher bottom left instead of bottom right
// API: Otvet.open({draft}?), Otvet.close(), Otvet.send(text), Otvet.identify({name, email, hash}),
//   Otvet.on(event, fn) -> unsubscribe; events: open, close, message (the message frame),
//   unread (the count).
(() => {
  'use strict';
  if (window.Otvet) return;
  const script =
    document.currentScript || [...document.querySelectorAll('script[src*="widget.js"]')].pop();
  if (!script) return;
  // The look an admin set on /agent/settings (the server fills this line in): colour, corner,
  // languages (the first for visitors in none of them), a title and greeting per language and
  // common ones. The tag's own data-* attributes win.
  const DEFAULTS = {};
  const data = Object.assign({}, DEFAULTS, script.dataset);
  const WS_URL = new URL('api/chat', script.src);
  WS_URL.protocol = WS_URL.protocol === 'https:' ? 'wss:' : 'ws:';
  const KEY = 'otvet:' + WS_URL.host;

  // ---------------------------------------------------------------- strings (ru, en, de)
  const STRINGS = {
    ru: {
      chat: 'Чат поддержки',
      close: 'Закрыть чат',
      message: 'Сообщение',
      placeholder: 'Напишите вопрос…',
      send: 'Отправить',
      sending: 'отправляется…',
      sent: 'отправлено',
      failed: 'не отправлено',
      you: 'Вы',
      bot: 'Бот',
      agent: 'Оператор',
      human: 'Позвать человека',
      helped: 'Это помогло?',
      noneOfThese: 'Нет, другое',
      more: 'Читать полностью',
      yes: 'Да',
      no: 'Нет',
      thanks: 'Спасибо за ответ!',
      also: 'Ещё по теме:',
      newTab: '(откроется в новой вкладке)',
      answering: 'Вам отвечает {name}',
      usually: 'Обычно отвечаем в течение {n} мин.',
      typing: '{name} печатает…',
      queue: 'Вы в очереди, ваше место: {n}.',
      wait: 'Ожидание — около {n} мин.',
      waitSoon: 'Оператор ответит, как только освободится.',
      offline: 'Сейчас операторов нет на месте.',
      backAt: 'Мы снова на связи: {t}.',
      leave: 'Оставьте email — мы ответим на него.',
      email: 'Ваш email',
      contactSent: 'Спасибо! Ответим на {email}.',
      rate: 'Оцените, пожалуйста, разговор',
      star: '{n} из 5',
      comment: 'Комментарий (необязательно)',
      rateSend: 'Отправить оценку',
      rated: 'Спасибо за оценку!',
      attach: 'Прикрепить фото или PDF',
      badFile: 'Можно прислать фото (PNG, JPEG, GIF, WebP) или PDF до 10 МБ.',
      transcript: 'Прислать переписку на {email}',
      transcriptSent: 'Пришлём переписку на {email}.',
      unread: 'непрочитанных: {n}',
      badEmail: 'Проверьте, пожалуйста, адрес email.',
      tooFast: 'Слишком много сообщений подряд — отправим чуть позже.',
      tooLong: 'Сообщение слишком длинное: не больше 4000 символов.',
      retryLater: 'Что-то пошло не так, попробуем ещё раз.',
      reconnecting: 'Связь прервалась, переподключаемся…',
    },
    en: {
      chat: 'Support chat',
      close: 'Close chat',
      message: 'Message',
      placeholder: 'Type your question…',
      send: 'Send',
      sending: 'sending…',
      sent: 'sent',
      failed: 'not sent',
      you: 'You',
      bot: 'Bot',
      agent: 'Agent',
      human: 'Talk to a person',
      helped: 'Did this help?',
      noneOfThese: 'No, something else',
      more: 'Read the whole article',
      yes: 'Yes',
      no: 'No',
      thanks: 'Thanks for letting us know!',
      also: 'See also:',
      newTab: '(opens in a new tab)',
      answering: '{name} is answering',
      usually: 'We usually reply within {n} min.',
      typing: '{name} is typing…',
      queue: 'You are in the queue, position {n}.',
      wait: 'Wait: about {n} min.',
      waitSoon: 'An agent will answer as soon as one is free.',
      offline: 'Nobody from support is available right now.',
      backAt: 'We are back: {t}.',
      leave: 'Leave your email and we will answer there.',
      email: 'Your email',
      contactSent: 'Thank you! We will answer to {email}.',
      rate: 'Please rate this conversation',
      star: '{n} of 5',
      comment: 'Comment (optional)',
      rateSend: 'Send rating',
      rated: 'Thank you for the rating!',
      attach: 'Attach a photo or PDF',
      badFile: 'You can send a photo (PNG, JPEG, GIF, WebP) or a PDF of up to 10 MB.',
      transcript: 'Email me this conversation ({email})',
      transcriptSent: 'We will send the conversation to {email}.',
      unread: '{n} unread',
      badEmail: 'Please check the email address.',
      tooFast: 'Too many messages at once — we will send it in a moment.',
      tooLong: 'The message is too long: 4,000 characters at most.',
      retryLater: 'Something went wrong, we will try again.',
      reconnecting: 'Connection lost, reconnecting…',
    },
    de: {
      chat: 'Support-Chat',
      close: 'Chat schließen',
      message: 'Nachricht',
      placeholder: 'Schreiben Sie Ihre Frage…',
      send: 'Senden',
      sending: 'wird gesendet…',
      sent: 'gesendet',
      failed: 'nicht gesendet',
      you: 'Sie',
      bot: 'Bot',
      agent: 'Support',
      human: 'Mit einem Menschen sprechen',
      helped: 'Hat das geholfen?',
      noneOfThese: 'Nein, etwas anderes',
      more: 'Ganzen Artikel lesen',
      yes: 'Ja',
      no: 'Nein',
      thanks: 'Danke für Ihre Rückmeldung!',
      also: 'Siehe auch:',
      newTab: '(öffnet in einem neuen Tab)',
      answering: 'Es antwortet {name}',
      usually: 'Wir antworten meist innerhalb von {n} Min.',
      typing: '{name} schreibt…',
      queue: 'Sie sind in der Warteschlange, Platz {n}.',
      wait: 'Wartezeit: etwa {n} Min.',
      waitSoon: 'Sobald jemand frei ist, antworten wir.',
      offline: 'Gerade ist niemand vom Support erreichbar.',
      backAt: 'Wir sind wieder da: {t}.',
      leave: 'Hinterlassen Sie Ihre E-Mail, wir antworten dorthin.',
      email: 'Ihre E-Mail',
      contactSent: 'Danke! Wir antworten an {email}.',
      rate: 'Bitte bewerten Sie das Gespräch',
      star: '{n} von 5',
      comment: 'Kommentar (optional)',
      rateSend: 'Bewertung senden',
      rated: 'Danke für Ihre Bewertung!',
      attach: 'Foto oder PDF anhängen',
      badFile: 'Sie können ein Foto (PNG, JPEG, GIF, WebP) oder ein PDF bis 10 MB senden.',
      transcript: 'Gespräch per E-Mail an {email}',
      transcriptSent: 'Wir senden das Gespräch an {email}.',
      unread: '{n} ungelesen',
      badEmail: 'Bitte prüfen Sie die E-Mail-Adresse.',
      tooFast: 'Zu viele Nachrichten auf einmal — wir senden sie gleich.',
      tooLong: 'Die Nachricht ist zu lang: höchstens 4.000 Zeichen.',
      retryLater: 'Etwas ist schiefgelaufen, wir versuchen es erneut.',
      reconnecting: 'Verbindung unterbrochen, verbinde neu…',
    },
  };
  const pick = (v) => (v || '').toLowerCase().slice(0, 2);
  const langs = (DEFAULTS.languages || []).filter((l) => STRINGS[l]);
  if (!langs.length) langs.push(...Object.keys(STRINGS));
  const lang = STRINGS[pick(script.dataset.lang)]
    ? pick(script.dataset.lang)
    : [document.documentElement.lang, ...(navigator.languages || [])].map(pick).find((l) => langs.includes(l)) || langs[0];
  const S = STRINGS[lang];
  // The title or greeting: the tag's, else the admin's for this language, else the admin's common one.
  const own = (k) => script.dataset[k] || ((DEFAULTS.texts || {})[lang] || {})[k] || DEFAULTS[k] || '';
  const t = (k, vars = {}) => S[k].replace(/\{(\w+)\}/g, (_, v) => vars[v]);
  // Dates in the customer's own locale when it is of the same language, else the widget's.
  const locale = (navigator.languages || []).find((l) => pick(l) === lang) || lang;

  // ---------------------------------------------------------------- state
  let stored = {};
  try {
    stored = JSON.parse(localStorage.getItem(KEY)) || {};
  } catch {}
  let token = typeof stored.token === 'string' ? stored.token : null;
  let convId = stored.conversation_id || null;
  let lastSeq = 0; // highest seq seen on this page in the current conversation
  let readSeq = stored.read_seq || 0; // highest seq the customer has seen with the chat open
  let mayStore = !!token; // only once the customer has opened the chat (now or on an earlier page)
  let resumed = false; // a welcome was received on this page (later hellos resume after lastSeq)
  let identity = null;
  let customer = {};
  let status = 'bot';
  let agentName = null;
  let rated = false;
  let mail = false; // support answers by email (welcome.mail): only then is an address asked for
  let offline = false;
  let contactLeft = null;
  let isOpen = false;
  let unread = 0;
  const seen = new Set(); // "conversation:seq" of every rendered message
  const pending = new Map(); // client_id -> {text, el} of messages not acknowledged yet
  const outbox = []; // other frames waiting for the connection
  const handlers = {};

  const save = () => {
    if (!mayStore || !token) return;
    try {
      localStorage.setItem(
        KEY,
        JSON.stringify({ token, conversation_id: convId, last_seq: lastSeq, read_seq: readSeq }),
      );
    } catch {}
  };
  const emit = (ev, arg) =>
    (handlers[ev] || []).slice().forEach((fn) => {
      try {
        fn(arg);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    });
  const randomId = (prefix) =>
    prefix + [...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, '0')).join('');

  // ---------------------------------------------------------------- DOM
  const h = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text != null) el.textContent = text;
    return el;
  };
  const button = (cls, text, onclick) => {
    const b = h('button', cls, text);
    b.type = 'button';
    b.onclick = onclick;
    return b;
  };
  const icon = (cls, d) => {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    const path = document.createElementNS(NS, 'path');
    svg.setAttribute('class', cls);
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    path.setAttribute('d', d);
    svg.append(path);
    return svg;
  };
  // Page links from the server: only http(s), resolved against the server, in a new tab.
  const link = (href, text) => {
    let url;
    try {
      url = new URL(href, script.src);
    } catch {
      return h('span', '', text);
    }
    if (!/^https?:$/.test(url.protocol)) return h('span', '', text);
    const a = h('a', '', text);
    a.href = url.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.append(h('span', 'sr', ' ' + S.newTab));
    return a;
  };
  // Plain text with http(s) addresses made into links.
  const richText = (parent, text) => {
    const re = /\bhttps?:\/\/[^\s<>"]+/g;
    let i = 0;
    let m;
    while ((m = re.exec(text))) {
      const url = m[0].replace(/[.,;:!?)\]»'"]+$/, '');
      parent.append(text.slice(i, m.index), link(url, url));
      re.lastIndex = i = m.index + url.length;
    }
    parent.append(text.slice(i));
    return parent;
  };

  const STYLE = `
:host{all:initial!important;display:block!important}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.w{--bg:#fff;--fg:#1c1f24;--muted:#545c66;--line:#d3d8de;--in:#eef1f5;--link:var(--brand-link,var(--brand));--focus:#b35300;
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg);text-align:start}
@media (prefers-color-scheme:dark){.w{--bg:#1b1f25;--fg:#e8eaed;--muted:#aab1bc;--line:#3a414b;--in:#2a3038;--link:#9cc3ff;--focus:#ffb35c}}
button,input,textarea{font:inherit;color:inherit}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
a{color:var(--link)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launch{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:58px;height:58px;border-radius:50%;border:0;
 background:var(--brand);color:var(--on);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);display:grid;place-items:center;padding:0}
.left .launch,.left .panel{right:auto;left:20px}
.launch svg{width:28px;height:28px;fill:currentColor}
.launch .x,.launch[aria-expanded=true] .c{display:none}
.launch[aria-expanded=true] .x{display:block}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
 background:#c4221b;color:#fff;font-size:13px;font-weight:700;line-height:22px;border:2px solid #fff}
.panel{position:fixed;bottom:90px;right:20px;z-index:2147483000;width:380px;height:min(680px,calc(100vh - 110px));
 display:flex;flex-direction:column;background:var(--bg);border-radius:14px;overflow:hidden;
 box-shadow:0 10px 40px rgba(0,0,0,.3);border:1px solid var(--line);animation:up .18s ease-out}
@keyframes up{from{opacity:0;transform:translateY(12px)}}
.head{background:var(--brand);color:var(--on);padding:12px 12px 12px 16px;display:flex;align-items:center;gap:8px}
.head div{flex:1;min-width:0}
.head h2{font-size:17px;font-weight:650;margin:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.head p{margin:0;font-size:13px}
.head button{background:none;border:0;color:inherit;width:40px;height:40px;border-radius:8px;cursor:pointer;font-size:24px;line-height:1}
.head :focus-visible{outline-color:var(--on)}
.status{padding:10px 16px;background:var(--in);border-bottom:1px solid var(--line);font-size:14px}
.status p{margin:0 0 4px}
.status form{display:flex;gap:6px;margin-top:6px}
.status input{flex:1;min-width:0}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.m{max-width:86%;align-self:flex-start;display:flex;flex-direction:column;gap:3px}
.m .who{font-size:12px;color:var(--muted);font-weight:600}
.m .b img{display:block;max-width:100%;max-height:240px;border-radius:8px}
.attach{background:none;border:0;font-size:18px;cursor:pointer;padding:0 4px}
.m .b{background:var(--in);padding:9px 12px;border-radius:14px 14px 14px 4px;white-space:pre-line;overflow-wrap:anywhere}
.m-customer{align-self:flex-end;align-items:flex-end}
.m-customer .b{background:var(--brand);color:var(--on);border-radius:14px 14px 4px 14px}
.m-customer .b a{color:inherit}
.m .meta{font-size:12px;color:var(--muted)}
.m.failed .meta{color:#c4221b}
.m-system{align-self:center;max-width:92%;text-align:center;font-size:13px;color:var(--muted)}
.ttl{font-weight:650;display:block;margin-bottom:4px}
.alts{margin-top:8px;font-size:14px}
.alts a{display:block}
.blocks p{margin:0 0 6px}.blocks p:last-child{margin:0}.blocks ul,.blocks ol{margin:0 0 6px;padding-left:20px;white-space:normal}
.blocks .hd{font-weight:650}.blocks blockquote{margin:0 0 6px;padding-left:8px;border-left:3px solid var(--line)}
.tw{overflow-x:auto;margin:0 0 6px}.tw table{border-collapse:collapse;font-size:13px;white-space:normal}
.tw th,.tw td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
.note{font-size:13px;color:var(--muted);margin:0 0 6px}.opt.picked{font-weight:650}
.choice{flex-direction:column;align-items:stretch}.choice .btn{text-align:left}
.fb,.rate{display:flex;flex-wrap:wrap;align-items:center;gap:6px;font-size:14px}
.btn{border:1px solid var(--line);background:var(--bg);border-radius:8px;padding:6px 14px;cursor:pointer;min-height:36px}
.btn:hover{border-color:var(--brand)}
.primary{background:var(--brand);color:var(--on);border-color:var(--brand)}
.rate{align-self:stretch;flex-direction:column;align-items:stretch;border:1px solid var(--line);border-radius:12px;padding:12px}
.rate p{margin:0}
.stars{display:flex;gap:4px}
.stars button{font-size:26px;line-height:1;background:none;border:0;padding:4px;cursor:pointer;color:var(--muted)}
.stars .on{color:#b87400}
input,textarea{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:7px 10px}
.typing{padding:0 16px 6px;font-size:13px;color:var(--muted);min-height:0}
.typing i{display:inline-block;width:5px;height:5px;margin-left:3px;border-radius:50%;background:currentColor;animation:dot 1s infinite}
.typing i+i{animation-delay:.2s}.typing i+i+i{animation-delay:.4s}
@keyframes dot{50%{opacity:.2}}
.note{padding:0 16px;font-size:13px;color:var(--muted)}
.foot{border-top:1px solid var(--line);padding:8px 10px 10px}
.human{background:none;border:0;padding:4px 6px;margin-bottom:6px;color:var(--link);text-decoration:underline;cursor:pointer;font-size:14px}
.row{display:flex;gap:8px;align-items:flex-end}
.row textarea{flex:1;resize:none;max-height:120px;min-height:42px}
.row .primary{min-height:42px}
@media (max-width:480px){.panel{inset:0!important;width:auto;height:auto;border-radius:0;border:0}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;

  const host = h('div');
  host.setAttribute('data-otvet-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  const w = h('div', 'w' + (data.position === 'left' ? ' left' : ''));
  const title = own('title').trim() || S.chat;

  const launcher = button('launch', null, () => (isOpen ? close() : open()));
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'otvet-panel');
  launcher.setAttribute('aria-label', title);
  launcher.append(
    icon('c', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z'),
    icon('x', 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6l5.6-5.6L5 6.4z'),
  );
  const badge = h('span', 'badge');
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(badge);

  const panel = h('div', 'panel');
  panel.id = 'otvet-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);
  const head = h('div', 'head');
  const headText = h('div');
  const sub = h('p');
  sub.hidden = true;
  headText.append(h('h2', '', title), sub);
  const closeBtn = button('', '×', () => close());
  closeBtn.setAttribute('aria-label', S.close);
  head.append(headText, closeBtn);

  const statusBox = h('div', 'status');
  statusBox.hidden = true;
  const statusLines = h('div');
  statusLines.setAttribute('role', 'status');
  statusBox.append(statusLines);
  let contactBox = null; // the "leave your email" form while nobody is online
  let contactId = null;
  let lastEmail = '';
  const log = h('div', 'log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-label', S.chat);
  log.tabIndex = 0;
  // Keep the newest message in view when the panel changes size (a phone's keyboard opens).
  let atBottom = true;
  log.addEventListener('scroll', () => {
    atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
  });
  if (window.ResizeObserver) {
    new ResizeObserver(() => atBottom && (log.scrollTop = log.scrollHeight)).observe(log);
  }
  const typingEl = h('div', 'typing');
  typingEl.hidden = true;
  const note = h('div', 'note');
  note.setAttribute('role', 'status');

  const foot = h('form', 'foot');
  const askHuman = () => {
    out({ type: 'human' });
    input.focus();
  };
  const humanBtn = button('human', S.human, askHuman);
  const row = h('div', 'row');
  const input = h('textarea');
  input.rows = 1;
  input.placeholder = S.placeholder;
  input.setAttribute('aria-label', S.message);
  input.maxLength = 4000;
  const sendBtn = h('button', 'btn primary', S.send);
  // A photo of the broken item, or a PDF: uploaded over HTTP with the customer's token; the
  // server tells the kind from the bytes and posts the message.
  const file = h('input');
  file.type = 'file';
  file.accept = 'image/png,image/jpeg,image/gif,image/webp,application/pdf';
  file.hidden = true;
  const attachBtn = button('attach', '📎', () => file.click());
  attachBtn.type = 'button';
  attachBtn.setAttribute('aria-label', S.attach);
  attachBtn.title = S.attach;
  attachBtn.hidden = !convId;
  file.onchange = () => {
    const f = file.files && file.files[0];
    file.value = '';
    if (!f) return;
    if (f.size > 10485760) return notice(S.badFile);
    const q = new URLSearchParams({ name: f.name, client_id: randomId('f-') });
    fetch(new URL('api/chat/attachments?' + q, script.src), {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token },
      body: f,
      credentials: 'omit',
    })
      .then((r) => (r.ok ? null : r.json().then((e) => notice(e.code === 'bad_file' || e.code === 'too_large' ? S.badFile : e.message || S.retryLater))))
      .catch(() => notice(S.retryLater));
  };
  row.append(attachBtn, file, input, sendBtn);
  foot.append(humanBtn, row);
  panel.append(head, statusBox, log, typingEl, note, foot);
  w.append(launcher, panel);
  // A constructed style sheet is not subject to the page's CSP for inline styles.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', '', STYLE));
  }
  root.append(w);

  if (own('greeting')) addBubble('bot', S.bot, own('greeting'));

  // The brand colour, and white or black text on it, whichever contrasts more.
  const setBrand = () => {
    const c = data.color && CSS.supports('color', data.color) ? data.color : '#1f4e8c';
    w.style.setProperty('--brand', c);
    w.style.color = c;
    const computed = getComputedStyle(w).color;
    const rgb = (/^rgba?\(/.test(computed) ? computed.match(/[\d.]+/g) : [0, 0, 0]).slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    const lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    w.style.color = '';
    const onWhite = 1.05 / (lum + 0.05);
    w.style.setProperty('--on', onWhite >= (lum + 0.05) / 0.05 ? '#fff' : '#111');
    // Links on the white panel in the brand colour only when it is dark enough to read.
    if (onWhite < 4.5) w.style.setProperty('--brand-link', '#1f4e8c');
  };

  // ---------------------------------------------------------------- rendering
  function addBubble(author, who, text, cls) {
    const el = h('div', 'm m-' + author + (cls ? ' ' + cls : ''));
    el.append(h('div', 'who' + (author === 'customer' ? ' sr' : ''), who));
    el.append(richText(h('div', 'b'), text || ''));
    log.append(el);
    log.scrollTop = log.scrollHeight;
    return el;
  }
  const setMeta = (el, text, cls) => {
    let meta = el.querySelector('.meta');
    if (!meta) {
      meta = h('div', 'meta');
      meta.setAttribute('aria-hidden', 'true');
      el.append(meta);
    }
    meta.textContent = text;
    el.classList.toggle('failed', cls === 'failed');
  };

  function renderMessage(m) {
    if (m.author === 'system') {
      const el = h('div', 'm m-system', m.text || '');
      log.append(el);
      if (m.event === 'resolved' && !rated) showRating();
      log.scrollTop = log.scrollHeight;
      return;
    }
    const who =
      m.author === 'customer' ? S.you : m.author === 'agent' ? m.name || agentName || S.agent : S.bot;
    const a = m.author === 'bot' && m.answer;
    const f = m.attachment;
    const el = addBubble(m.author, who, a || f ? '' : m.text);
    if (f && f.url) {
      const b = el.querySelector('.b');
      const l = link(f.url, /^image\//.test(f.type) ? '' : '📎 ' + (f.name || ''));
      if (/^image\//.test(f.type) && l.tagName === 'A') {
        const img = h('img');
        img.src = l.href;
        img.alt = f.name || '';
        img.loading = 'lazy';
        l.append(img);
      }
      b.append(l);
    }
    if (m.at) el.title = new Date(m.at).toLocaleString(locale);
    if (m.author === 'bot' && m.event === 'no_answer' && status === 'bot') {
      // The bot found nothing: offer a person right there.
      const fb = h('div', 'fb');
      fb.append(button('btn primary', S.human, askHuman));
      el.append(fb);
    }
    if (m.author === 'bot' && m.clarify) return renderChoice(el, m);
    if (!a) return;
    // A help-center answer: the article as a link, its content as blocks, two alternatives.
    const b = el.querySelector('.b');
    if (a.url && a.title) {
      const ttl = link(a.url, a.section && a.section !== a.title ? a.title + ' — ' + a.section : a.title);
      ttl.classList.add('ttl');
      b.append(ttl);
    }
    if (a.note) b.append(h('p', 'note', a.note));
    if (Array.isArray(a.blocks) && a.blocks.length) {
      b.append(blocks(a.blocks));
      if (a.more && a.url) b.append(wrap('p', link(a.url, S.more)));
    } else richText(b, m.text || '');
    const alts = (a.alternatives || []).filter((x) => x && x.url && x.title).slice(0, 2);
    if (alts.length) {
      const box = h('div', 'alts', S.also);
      alts.forEach((x) => box.append(link(x.url, x.title)));
      b.append(box);
    }
    if (a.ask_feedback && m.feedback == null && status === 'bot') {
      const fb = h('div', 'fb');
      fb.dataset.seq = m.seq;
      fb.setAttribute('role', 'group');
      fb.setAttribute('aria-label', S.helped);
      const vote = (helpful) => () => {
        out({ type: 'feedback', seq: m.seq, helpful });
        fb.textContent = S.thanks;
        fb.classList.add('done');
        input.focus();
      };
      fb.append(h('span', '', S.helped), button('btn', S.yes, vote(true)), button('btn', S.no, vote(false)));
      el.append(fb);
    }
  }

  // Answer content (typed blocks from the server, see src/domain/answer.rs), built with DOM
  // calls only: text is text, links go through link().
  const spans = (parent, list) => {
    (Array.isArray(list) ? list : []).forEach((sp) => {
      if (!sp || typeof sp.text !== 'string') return;
      let el = sp.href ? link(sp.href, sp.text) : document.createTextNode(sp.text);
      if (sp.code) el = wrap('code', el);
      if (sp.em) el = wrap('em', el);
      if (sp.strong) el = wrap('strong', el);
      parent.append(el);
    });
    return parent;
  };
  const wrap = (tag, child) => {
    const el = h(tag);
    el.append(child);
    return el;
  };
  function blocks(list, depth = 0) {
    const box = h('div', 'blocks');
    if (depth > 8) return box;
    (Array.isArray(list) ? list : []).forEach((bl) => {
      if (!bl) return;
      if (bl.type === 'paragraph') box.append(spans(h('p'), bl.spans));
      else if (bl.type === 'heading') box.append(spans(h('p', 'hd'), bl.spans));
      else if (bl.type === 'code') box.append(h('pre', '', bl.text || ''));
      else if (bl.type === 'quote') box.append(wrap('blockquote', blocks(bl.blocks, depth + 1)));
      else if (bl.type === 'list') {
        const l = h(bl.ordered ? 'ol' : 'ul');
        if (bl.ordered && bl.start > 1) l.start = bl.start;
        (bl.items || []).forEach((it) => l.append(wrap('li', blocks(it, depth + 1))));
        box.append(l);
      } else if (bl.type === 'table') {
        const t = h('table');
        const row = (cells, tag) => {
          const tr = h('tr');
          (cells || []).forEach((c) => tr.append(spans(h(tag), c)));
          return tr;
        };
        if (bl.header && bl.header.length) t.append(wrap('thead', row(bl.header, 'th')));
        const tb = h('tbody');
        (bl.rows || []).forEach((r) => tb.append(row(r, 'td')));
        t.append(tb);
        const tw = wrap('div', t);
        tw.className = 'tw';
        box.append(tw);
      }
    });
    return box;
  }

  // «Вы об этом?»: the options as buttons, and "none of these"; a choice is sent once. Once
  // made (here, in another tab, or the conversation moved on) the options stay as text.
  function renderChoice(el, m) {
    const b = el.querySelector('.b');
    b.textContent = '';
    b.append(h('p', '', (m.text || '').split('\n')[0]));
    el.dataset.choice = m.seq;
    choices.set(m.seq, m);
    if (m.feedback != null || status !== 'bot') return settleChoice(el, m.choice);
    const opts = m.clarify.options || [];
    const box = h('div', 'fb choice');
    box.setAttribute('role', 'group');
    const pick = (option) => () => {
      out({ type: 'choose', seq: m.seq, option });
      settleChoice(el, option);
      input.focus();
    };
    opts.forEach((o, i) => box.append(button('btn opt', label(o), pick(i))));
    box.append(button('btn', S.noneOfThese, pick(null)));
    el.append(box);
  }
  const choices = new Map();
  function settleChoice(el, picked) {
    el.querySelectorAll('.choice').forEach((x) => x.remove());
    const b = el.querySelector('.b');
    const m = choices.get(Number(el.dataset.choice));
    if (!m || b.querySelector('.opt')) return;
    (m.clarify.options || []).forEach((o, i) => b.append(h('p', i === picked ? 'opt picked' : 'opt', label(o))));
  }
  const label = (o) => (o.section && o.section !== o.title ? o.title + ' — ' + o.section : o.title);

  function showRating() {
    log.querySelectorAll('.rate').forEach((r) => r.remove());
    const form = h('form', 'rate');
    let score = 0;
    const stars = h('div', 'stars');
    stars.setAttribute('role', 'group');
    stars.setAttribute('aria-label', S.rate);
    for (let n = 1; n <= 5; n++) {
      const s = button('', '★', () => {
        score = n;
        [...stars.children].forEach((x, i) => {
          x.classList.toggle('on', i < n);
          x.setAttribute('aria-pressed', String(i === n - 1));
        });
        submit.disabled = false;
      });
      s.setAttribute('aria-label', t('star', { n }));
      s.setAttribute('aria-pressed', 'false');
      stars.append(s);
    }
    const comment = h('textarea');
    comment.rows = 2;
    comment.maxLength = 1000;
    comment.placeholder = S.comment;
    comment.setAttribute('aria-label', S.comment);
    const submit = h('button', 'btn primary', S.rateSend);
    submit.disabled = true;
    form.onsubmit = (e) => {
      e.preventDefault();
      if (!score) return;
      const frame = { type: 'rate', score };
      if (comment.value.trim()) frame.comment = comment.value.trim();
      out(frame);
      rated = true;
      form.replaceChildren(h('p', '', S.rated));
      input.focus();
    };
    form.append(h('p', '', S.rate), stars, comment, submit);
    log.append(form);
    const email = contactLeft || customer.email;
    if (mail && email) {
      const ask = button('btn', t('transcript', { email }), () => {
        out({ type: 'transcript' });
        ask.replaceWith(h('p', '', t('transcriptSent', { email })));
      });
      form.after(ask);
      ask.classList.add('rate');
    }
  }

  // "We usually reply within N min." (GET /api/chat/info, the dashboard's median first reply),
  // fetched once the customer has opened the chat; shown until an agent answers.
  let usually = '';
  let infoAsked = false;
  function askInfo() {
    if (infoAsked) return;
    infoAsked = true;
    fetch(new URL('api/chat/info', script.src), { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : null))
      .then((i) => {
        if (i && typeof i.usual_reply_secs === 'number') {
          usually = t('usually', { n: Math.max(1, Math.round(i.usual_reply_secs / 60)) });
          setAgent();
        }
      })
      .catch(() => {});
  }

  function setAgent(a) {
    const name = typeof a === 'string' ? a : a && a.name;
    if (name) agentName = name;
    const answering = agentName && status === 'assigned';
    sub.hidden = !(answering || (usually && status !== 'resolved'));
    sub.textContent = answering ? t('answering', { name: agentName }) : usually;
  }

  function setStatus(s) {
    // Files go into an open conversation: there is none before the first message.
    attachBtn.hidden = !convId || s === 'resolved';
    if (s && s !== status) {
      status = s;
      if (s !== 'bot') {
        log.querySelectorAll('[data-choice]').forEach((el) => settleChoice(el, null));
        log.querySelectorAll('.fb').forEach((f) => f.remove());
      }
      if (s !== 'queued') offline = false;
      if (s === 'resolved') typingEl.hidden = true;
    }
    humanBtn.hidden = status === 'queued' || status === 'assigned';
    if (status !== 'queued') statusBox.hidden = true;
    setAgent();
  }

  function showQueue(f) {
    offline = !!f.offline;
    const lines = [];
    if (offline) {
      lines.push(S.offline);
      const when = f.back_at != null && formatTime(f.back_at);
      if (when) lines.push(t('backAt', { t: when }));
    } else {
      if (typeof f.position === 'number') lines.push(t('queue', { n: f.position }));
      lines.push(
        typeof f.wait_secs === 'number'
          ? t('wait', { n: Math.max(1, Math.round(f.wait_secs / 60)) })
          : S.waitSoon,
      );
    }
    statusLines.replaceChildren(...lines.map((l) => h('p', '', l)));
    // One form, kept across status updates so a half-typed address survives them.
    const email = contactLeft || customer.email;
    if (offline && !contactBox && mail) {
      contactBox = email ? h('p', '', t('contactSent', { email })) : contactForm();
      statusBox.append(contactBox);
    }
    if (contactBox) contactBox.hidden = !offline;
    statusBox.hidden = false;
    log.scrollTop = log.scrollHeight;
  }

  function contactForm(value) {
    const form = h('form');
    const email = h('input');
    if (value) email.value = value;
    email.type = 'email';
    email.required = true;
    email.autocomplete = 'email';
    email.placeholder = S.email;
    email.setAttribute('aria-label', S.email);
    const go = h('button', 'btn primary', S.send);
    form.onsubmit = (e) => {
      e.preventDefault();
      const value = email.value.trim();
      if (!value) return;
      const frame = { type: 'contact', client_id: (contactId = randomId('c-')), email: value };
      if (identity && identity.name) frame.name = identity.name;
      out(frame);
      contactLeft = lastEmail = value;
      box.replaceChildren(h('p', '', t('contactSent', { email: value })));
      input.focus();
    };
    form.append(email, go);
    const box = h('div');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', S.leave);
    box.append(h('p', '', S.leave), form);
    return box;
  }

  function formatTime(v) {
    const d = new Date(v);
    if (isNaN(d)) return '';
    const today = d.toDateString() === new Date().toDateString();
    const opts = { hour: 'numeric', minute: '2-digit' };
    if (!today) Object.assign(opts, { weekday: 'long', day: 'numeric', month: 'long' });
    try {
      return new Intl.DateTimeFormat(locale, opts).format(d);
    } catch {
      return d.toLocaleString();
    }
  }

  let typingTimer = 0;
  function showTyping(f) {
    clearTimeout(typingTimer);
    typingEl.hidden = !f.on;
    if (!f.on) return;
    if (f.name) agentName = f.name;
    typingEl.replaceChildren(t('typing', { name: f.name || agentName || S.agent }), h('i'), h('i'), h('i'));
    typingTimer = setTimeout(() => (typingEl.hidden = true), 8000);
  }

  let noteTimer = 0;
  function notice(text, keep) {
    clearTimeout(noteTimer);
    note.textContent = text;
    if (!keep) noteTimer = setTimeout(() => (note.textContent = ''), 7000);
  }

  function setUnread(n) {
    if (n === unread) return;
    unread = n;
    badge.hidden = !n;
    badge.textContent = n > 99 ? '99+' : String(n);
    launcher.setAttribute('aria-label', n ? title + ', ' + t('unread', { n }) : title);
    emit('unread', n);
  }

  // ---------------------------------------------------------------- incoming frames
  // A new conversation (the last one was resolved): seq starts again from 1.
  function useConversation(cid) {
    if (!cid || cid === convId) return;
    convId = cid;
    lastSeq = readSeq = 0;
    rated = false;
    agentName = null;
    setStatus('bot');
  }

  function onMessage(m) {
    if (typeof m.seq !== 'number') return;
    const cid = m.conversation_id || convId;
    useConversation(cid);
    const key = cid + ':' + m.seq;
    if (seen.has(key)) {
      // An update of a shown message: "Did this help?" answered (maybe in another tab).
      if (m.feedback != null) log.querySelectorAll(`.fb[data-seq="${m.seq}"]:not(.done)`).forEach((f) => f.remove());
      const el = m.clarify && m.feedback != null && log.querySelector(`[data-choice="${m.seq}"]`);
      if (el) settleChoice(el, m.choice);
      return;
    }
    if (m.seq > lastSeq + 1 && gapAt !== lastSeq) {
      // Frames were missed: resume after the last one seen (once per gap, never in a loop).
      gapAt = lastSeq;
      drop();
      retry();
      return;
    }
    seen.add(key);
    lastSeq = Math.max(lastSeq, m.seq);
    const mine = m.client_id && pending.get(m.client_id);
    if (mine) {
      // Our own message, echoed before its ack.
      pending.delete(m.client_id);
      setMeta(mine.el, S.sent);
    } else if (!(m.author === 'customer' && m.client_id && sentIds.has(m.client_id))) {
      if (m.author === 'agent') {
        typingEl.hidden = true;
        if (status === 'bot' || status === 'queued') setStatus('assigned');
        setAgent(m.name);
      }
      if (m.author === 'system') {
        const ev = m.event;
        if (ev === 'joined' || ev === 'transferred') setStatus('assigned');
        else if (ev === 'resolved') setStatus('resolved');
        else if (ev === 'queued' || ev === 'offline') setStatus('queued');
      }
      renderMessage(m);
      log.scrollTop = log.scrollHeight;
    }
    if (m.author === 'agent' || m.author === 'bot') {
      if (isOpen) readSeq = m.seq;
      else if (m.seq > readSeq) setUnread(unread + 1);
    } else if (isOpen) readSeq = lastSeq;
    save();
    emit('message', m);
  }

  const sentIds = new Set(); // client ids acknowledged on this page
  let gapAt = -1;
  function onAck(f) {
    // The echo of the message (same client_id) is then not shown again; seq is followed there.
    sentIds.add(f.client_id);
    const mine = pending.get(f.client_id);
    if (!mine) return;
    pending.delete(f.client_id);
    setMeta(mine.el, S.sent);
    useConversation(f.conversation_id);
  }

  function onWelcome(f) {
    if (f.token !== token) {
      // A new customer (first visit, or the stored token was unknown).
      if (token) convId = null;
      token = f.token;
    }
    customer = f.customer || {};
    mail = !!f.mail;
    const c = f.conversation;
    if (!c) convId = null;
    else {
      useConversation(c.id);
      rated = c.rating != null;
      setStatus(c.status);
      setAgent(c.agent);
    }
    resumed = ready = true;
    attempt = 0;
    if (isOpen) notice('');
    save();
    for (const [id, p] of pending) raw({ type: 'send', client_id: id, text: p.text });
    outbox.splice(0).forEach(raw);
  }

  function onError(f) {
    const mine = f.client_id && pending.get(f.client_id);
    if (f.client_id && f.client_id === contactId && contactBox) {
      // The server did not take the address: the form again, with what was typed.
      contactLeft = contactId = null;
      const again = contactForm(lastEmail);
      contactBox.replaceWith(again);
      contactBox = again;
      notice(S.badEmail);
      return;
    }
    if (f.code === 'rate_limited') {
      notice(S.tooFast);
      if (mine) setTimeout(() => ready && pending.has(f.client_id) && raw({ type: 'send', client_id: f.client_id, text: mine.text }), Math.max(1000, f.retry_ms || 2000));
    } else if (f.code === 'too_long' || f.code === 'too_large') {
      notice(S.tooLong);
      if (mine) {
        pending.delete(f.client_id);
        setMeta(mine.el, S.failed, 'failed');
      }
    } else if (f.code === 'internal' && mine) {
      notice(S.retryLater);
      setTimeout(() => ready && pending.has(f.client_id) && raw({ type: 'send', client_id: f.client_id, text: mine.text }), 5000);
    }
    // Everything else is not the customer's concern; a wrong identify() is the site's.
    if (f.code === 'bad_identity') console.warn('otvet: identify():', f.message);
  }

  // ---------------------------------------------------------------- connection
  let ws = null;
  let ready = false;
  let wanted = false;
  let attempt = 0;
  let retryTimer = 0;
  let pingTimer = 0;

  const raw = (frame) => ws && ws.readyState === 1 && ws.send(JSON.stringify(frame));
  const out = (frame) => (ready ? raw(frame) : (outbox.push(frame), connect()));

  function connect() {
    wanted = true;
    if (ws) return;
    clearTimeout(retryTimer);
    let s;
    try {
      s = ws = new WebSocket(WS_URL.href);
    } catch {
      ws = null;
      return retry();
    }
    s.onopen = () => {
      const hello = { type: 'hello', v: 1, token, lang, page_url: location.origin + location.pathname };
      if (convId) {
        hello.conversation_id = convId;
        // After a reload the whole conversation comes back (nothing is cached in the page).
        hello.last_seq = resumed ? lastSeq : 0;
      }
      if (identity) hello.identity = identity;
      raw(hello);
      clearInterval(pingTimer);
      pingTimer = setInterval(() => raw({ type: 'ping' }), 50000);
    };
    s.onmessage = (e) => {
      if (ws !== s) return;
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!f || typeof f !== 'object') return;
      if (f.type === 'welcome') onWelcome(f);
      else if (f.type === 'message') onMessage(f);
      else if (f.type === 'ack') onAck(f);
      else if (f.type === 'status') {
        setStatus(f.status);
        setAgent(f.agent);
        if (f.status === 'queued') showQueue(f);
      } else if (f.type === 'typing' && f.author !== 'customer') showTyping(f);
      else if (f.type === 'error') onError(f);
      if (f.type === 'welcome' && !f.conversation && !isOpen) {
        // Restored on page load but nothing is going on: no need to stay connected.
        wanted = false;
        s.close();
      }
    };
    s.onclose = () => {
      if (ws !== s) return;
      ws = null;
      ready = false;
      clearInterval(pingTimer);
      typingEl.hidden = true;
      if (wanted) retry();
    };
  }

  // Closes the socket without the automatic reconnect.
  function drop() {
    const s = ws;
    if (!s) return;
    ws = null;
    ready = false;
    clearInterval(pingTimer);
    s.close();
  }

  function retry() {
    // Restoring in the background (chat closed) gives up after a few tries; opening retries.
    if (!isOpen && attempt >= 6) {
      wanted = false;
      return;
    }
    const cap = Math.min(30000, 1000 * 2 ** attempt++);
    retryTimer = setTimeout(connect, cap / 2 + (Math.random() * cap) / 2);
    if (isOpen && attempt > 1) notice(S.reconnecting, true);
  }
  // Leaving the page closes the socket cleanly (and lets the browser keep the page in its
  // back/forward cache); coming back to a cached page resumes.
  addEventListener('pagehide', drop);
  addEventListener('pageshow', (e) => e.persisted && wanted && connect());
  addEventListener('online', () => {
    if (wanted && !ws) {
      attempt = 0;
      connect();
    }
  });

  // ---------------------------------------------------------------- outgoing
  let typingOn = 0;
  let typingOff = 0;
  function typing(on) {
    clearTimeout(typingOff);
    if (on) {
      if (ready && convId && Date.now() - typingOn > 3000) {
        raw({ type: 'typing', on: true });
        typingOn = Date.now();
      }
      typingOff = setTimeout(() => typing(false), 4000);
    } else if (typingOn) {
      raw({ type: 'typing', on: false });
      typingOn = 0;
    }
  }

  function sendText(text) {
    text = String(text == null ? '' : text).trim();
    if (!text) return false;
    if ([...text].length > 4000) {
      notice(S.tooLong);
      return false;
    }
    typing(false);
    const id = randomId('m-');
    const el = addBubble('customer', S.you, text);
    setMeta(el, S.sending);
    pending.set(id, { text, el });
    if (ready) raw({ type: 'send', client_id: id, text });
    else connect();
    return true;
  }

  input.addEventListener('input', () => {
    input.style.height = 'auto';
    input.style.height = input.scrollHeight + 2 + 'px';
    typing(!!input.value);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      foot.requestSubmit();
    }
  });
  foot.onsubmit = (e) => {
    e.preventDefault();
    if (sendText(input.value)) {
      input.value = '';
      input.style.height = '';
    }
    input.focus();
  };
  w.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen) {
      e.stopPropagation();
      close();
    }
  });

  // ---------------------------------------------------------------- open / close
  function open() {
    if (isOpen) return;
    isOpen = true;
    mayStore = true;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    readSeq = lastSeq;
    setUnread(0);
    save();
    if (!ws) attempt = 0;
    connect();
    askInfo();
    log.scrollTop = log.scrollHeight;
    input.focus();
    emit('open');
  }

  function close() {
    if (!isOpen) return;
    const hadFocus = !!root.activeElement;
    isOpen = false;
    typing(false);
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    if (hadFocus) launcher.focus();
    emit('close');
  }

  window.Otvet = Object.freeze({
    // open({draft}) puts `draft` in an empty message box (a search that found nothing).
    open(opts) {
      open();
      const d = opts && typeof opts.draft === 'string' ? opts.draft.slice(0, 4000) : '';
      if (d && !input.value) input.value = d;
    },
    close,
    send(text) {
      open();
      return sendText(text);
    },
    on(ev, fn) {
      if (typeof fn !== 'function') return () => {};
      (handlers[ev] = handlers[ev] || []).push(fn);
      return () => {
        handlers[ev] = handlers[ev].filter((x) => x !== fn);
      };
    },
    identify(who) {
      const id = {};
      for (const k of ['name', 'email', 'hash']) if (who && typeof who[k] === 'string') id[k] = who[k];
      identity = id;
      if (ready) raw({ type: 'identify', ...id });
    },
  });

  const start = () => {
    document.body.append(host);
    setBrand();
    // The customer opened the chat on an earlier page: restore it, count unread replies.
    if (token) connect();
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
