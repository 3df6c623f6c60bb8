// Browser test of the chat widget: a shop page on another origin embeds <script src=BASE/widget.js>;
// nothing is stored, no cookie is set and no websocket is opened before the customer opens the
// chat; then the question, the bot's answer with a link, "No", the queue notice; an agent in a
// second browser context, on the agent console (/agent), sees the conversation appear in the live
// queue, takes it with «Взять», reads the bot's handoff (the question, the rejected article) and
// answers from the composer (Enter); the customer sees the reply with the agent's name; Escape, a
// second reply from the console while closed (the unread badge), and a reload that restores the
// conversation (and the badge) without duplicates.
// Uses the system Chromium through playwright-core (no browser download).
//
// Usage: node tests/browser/widget.mjs <base_url> [page_url]
//   base_url  the otvet server (serves /widget.js, the /api/chat websocket and the console)
//   page_url  a page that embeds the widget; by default the script serves its own test page on
//             another origin (http://localhost:<free port>/ when the server is on 127.0.0.1).
// Environment:
//   OTVET_CHROMIUM        Chromium binary (default /usr/bin/chromium)
//   OTVET_AGENT_EMAIL, OTVET_AGENT_PASSWORD
//                         an agent account on the server. With it the script plays the agent too,
//                         in a browser context of its own: it signs in through the form at
//                         /agent/login, lands on the console and works the conversation there
//                         (the agent must be the only one online, and nobody else waiting).
//                         Without it the agent half is skipped (with a message) unless
//                         OTVET_REQUIRE_AGENT=1.
//   OTVET_AGENT_COOKIE    instead of the account: "name=value" of a signed-in agent's session.
//   OTVET_SCREENSHOTS     a folder (e.g. docs/screenshots): save widget-desktop.png,
//                         widget-dark.png and widget-phone.png of the open widget with the
//                         bot's answer, and (with an agent) console-live.png of the console
//                         with the conversation, its handoff and the agent's reply.
// Exit code 0 on success, 1 with a message on failure.
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] || process.env.OTVET_BASE_URL || '').replace(/\/+$/, '');
if (!base) {
  console.error('usage: node widget.mjs <base_url> [page_url]');
  process.exit(2);
}
const baseOrigin = new URL(base).origin;

const TITLE = 'Поддержка магазина';
const GREETING = 'Здравствуйте! Спросите о доставке или возврате.';
const QUESTION = 'как вернуть товар';
// A question the sample knowledge base answers with a «Вы об этом?» choice (middle confidence,
// with or without the encoder; BENCHMARKS.md).
const CHOICE_QUESTION = 'налик курьеру отдать можно?';
// The customer's last question (answered with a table): the queue shows it as the preview.
const TABLE_QUESTION = 'сколько дней возврат на карту';
const AGENT_TEXT = 'Здравствуйте! Помогу с возвратом: какой у вас номер заказа?';
const AGENT_TEXT_2 = 'Если удобно, пришлите номер заказа сюда, в чат.';
const AGENT_COOKIE = process.env.OTVET_AGENT_COOKIE || '';
const AGENT_EMAIL = process.env.OTVET_AGENT_EMAIL || '';
const AGENT_PASSWORD = process.env.OTVET_AGENT_PASSWORD || '';
const AGENT = !!(AGENT_COOKIE || (AGENT_EMAIL && AGENT_PASSWORD));
const REQUIRE_AGENT = process.env.OTVET_REQUIRE_AGENT === '1';
const SCREENSHOTS = process.env.OTVET_SCREENSHOTS || '';

const STEP_TIMEOUT = 5_000; // every wait of one step
const NAV_TIMEOUT = 10_000; // page loads
const TOTAL_TIMEOUT = 60_000; // the whole script

function step(msg) {
  console.log(`[widget] ${msg}`);
}

function fail(msg) {
  throw new Error(msg);
}

const watchdog = setTimeout(() => {
  console.error(`[widget] FAILED: the test did not finish within ${TOTAL_TIMEOUT / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT);

// The shop's page, on an origin (and site) other than the server's.
function servePage() {
  const pageHost = new URL(base).hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  const html =
    '<!doctype html><html lang="ru"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Магазин</title>' +
    // Hostile page styles: the widget must not be affected by them.
    '<style>body{font:18px Georgia,serif;margin:2rem;background:#f7f5f0}' +
    'div{color:red!important;font-family:serif!important}button{background:yellow!important}</style>' +
    '</head><body><h1>Магазин</h1><p>Страница магазина с виджетом поддержки.</p>' +
    `<script src="${base}/widget.js" data-title="${TITLE}" data-greeting="${GREETING}" async></script>` +
    '</body></html>';
  const server = http.createServer((req, res) => {
    if (req.url === '/' || req.url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, url: `http://${pageHost}:${server.address().port}/` });
    });
  });
}

// Texts of the widget's messages, in order (author class and bubble text).
async function bubbles(page) {
  return page.evaluate(() => {
    const root = document.querySelector('[data-otvet-widget]').shadowRoot;
    return [...root.querySelectorAll('.log .m')].map((m) => {
      const kind = [...m.classList].find((c) => c.startsWith('m-'));
      const b = m.querySelector('.b');
      const clone = (b || m).cloneNode(true);
      clone.querySelectorAll('.sr').forEach((s) => s.remove());
      return `${kind}: ${clone.textContent.trim()}`;
    });
  });
}

async function widgetFocus(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-otvet-widget]').shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}.${el.className}` : null;
  });
}

// The agent's half: the console (GET /agent) in a browser context of its own (the agent's
// machine), driven like a person would: the login form (or a given session cookie), the live
// queue, the claim button, the handoff panel, the composer. Selectors are roles, labels and
// visible texts of the Russian console.
async function openConsole(browser) {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The frames the console receives. Only read to know when the server has taken the agent's
  // presence change, which the page itself does not show; the test never sends any.
  const frames = [];
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname !== '/agent/ws') return;
    ws.on('framereceived', ({ payload }) => {
      try {
        frames.push(JSON.parse(String(payload)));
      } catch {
        // not JSON: not ours to judge here
      }
    });
  });
  async function frameAfter(start, pred, what) {
    const deadline = Date.now() + STEP_TIMEOUT;
    while (Date.now() < deadline) {
      const f = frames.slice(start).find(pred);
      if (f) return f;
      await page.waitForTimeout(25);
    }
    return fail(`the console got no ${what} within ${STEP_TIMEOUT / 1000} s`);
  }

  if (AGENT_COOKIE) {
    const [name, value] = AGENT_COOKIE.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: base }]);
    await page.goto(`${base}/agent`, { waitUntil: 'load' });
  } else {
    await page.goto(`${base}/agent/login`, { waitUntil: 'load' });
    await page.getByLabel('Эл. почта', { exact: true }).fill(AGENT_EMAIL);
    await page.getByLabel('Пароль', { exact: true }).fill(AGENT_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname !== '/agent/login', { timeout: NAV_TIMEOUT }),
      page.getByRole('button', { name: 'Войти', exact: true }).click(),
    ]).catch(() => fail(`the agent ${AGENT_EMAIL} could not sign in at ${base}/agent/login`));
  }
  const landed = new URL(page.url());
  if (landed.pathname !== '/agent') fail(`after signing in the agent is on ${landed.pathname}, not /agent`);

  // The console connects: "подключено", the presence switch enabled, nobody waiting yet.
  const conn = page.getByRole('status', { name: 'Соединение', exact: true });
  try {
    await conn.filter({ hasText: 'подключено' }).waitFor({ state: 'visible' });
  } catch {
    fail(`the console did not connect (connection shows «${await conn.innerText().catch(() => '?')}»)`);
  }
  const hello = await frameAfter(0, (f) => f.type === 'hello', 'hello');
  const signedIn = (await page.getByText('Вы вошли как').innerText()).replace(/\s+/g, ' ').trim();
  const name = signedIn.replace(/^Вы вошли как\s*/, '').split(' · ')[0].trim();
  if (!name) fail(`the console does not say who is signed in («${signedIn}»)`);
  if (hello.agent && hello.agent.name !== name) fail(`the console says «${signedIn}», the server «${hello.agent.name}»`);
  const queue = page.getByRole('region', { name: 'Очередь' });
  try {
    await queue.getByText('Никто не ждёт.', { exact: true }).waitFor({ state: 'visible' });
  } catch {
    fail(`the queue is not empty before the customer asks for a person: «${(await queue.innerText()).replace(/\s+/g, ' ')}»`);
  }

  // The presence switch; returns once the server has taken the change.
  async function setPresence(label, status) {
    const seen = frames.length;
    await page.getByRole('combobox', { name: 'Статус', exact: true }).selectOption({ label });
    await frameAfter(
      seen,
      (f) => f.type === 'agents' && (f.agents || []).some((a) => a.id === hello.agent?.id && a.status === status),
      `presence "${status}" of the agent`,
    );
  }
  // "Отошёл" for now: with the agent online the conversation would be auto-assigned the moment
  // the customer says "No", and the customer's queue notice would never be seen.
  await setPresence('Отошёл', 'away');

  const details = page.getByRole('region', { name: 'О клиенте', exact: true });
  const log = page.getByRole('log');
  const composer = page.getByRole('textbox', { name: 'Сообщение', exact: true });
  const toast = page.getByRole('alert');
  const toastText = async () => ((await toast.isVisible()) ? ` (console says «${await toast.innerText()}»)` : '');

  return {
    name,
    page,
    queue,
    details,
    log,
    errors,
    toastText,
    setPresence,
    // Types a reply in the composer, presses Enter and waits for it in the conversation (sent,
    // acknowledged and shown once, signed with the agent's name).
    async reply(text) {
      await composer.fill(text);
      await composer.press('Enter');
      const sent = log.getByRole('listitem').filter({ hasText: text });
      try {
        await sent.filter({ hasNotText: 'отправляется' }).filter({ hasNotText: 'не отправлено' }).waitFor({ state: 'visible' });
      } catch {
        fail(`the console did not show «${text}» as sent${await toastText()}`);
      }
      if ((await sent.count()) !== 1) fail(`the console shows «${text}» ${await sent.count()} times`);
      const shown = (await sent.innerText()).replace(/\s+/g, ' ');
      if (!shown.includes(name)) fail(`the console shows the reply as «${shown}», not signed «${name}»`);
      if ((await composer.inputValue()) !== '') fail('the composer was not emptied after sending');
    },
    close: () => context.close().catch(() => {}),
  };
}

let browser;
let agent = null;
let pageServer;
let exitCode = 0;
try {
  let pageUrl = process.argv[3] || process.env.OTVET_WIDGET_PAGE || '';
  if (!pageUrl) {
    const served = await servePage();
    pageServer = served.server;
    pageUrl = served.url;
  }
  if (new URL(pageUrl).origin === baseOrigin) fail(`the test page ${pageUrl} must be on another origin than ${base}`);

  step(`launching ${process.env.OTVET_CHROMIUM || '/usr/bin/chromium'}`);
  browser = await chromium.launch({
    executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 20_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));

  // 1. The shop page: the launcher, and nothing stored, set or connected.
  step(`opening ${pageUrl}`);
  const res = await page.goto(pageUrl, { waitUntil: 'load' });
  if (!res || res.status() !== 200) fail(`GET ${pageUrl} answered ${res && res.status()}`);
  const launcher = page.getByRole('button', { name: TITLE });
  try {
    await launcher.waitFor({ state: 'visible' });
  } catch {
    fail(`no launcher button named «${TITLE}»: did ${base}/widget.js load?`);
  }
  if ((await launcher.getAttribute('aria-expanded')) !== 'false') fail('the launcher is not aria-expanded=false');
  const controls = await launcher.getAttribute('aria-controls');
  const api = await page.evaluate(() =>
    ['open', 'close', 'send', 'on', 'identify'].filter((f) => typeof window.Otvet?.[f] !== 'function'),
  );
  if (api.length) fail(`window.Otvet lacks ${api.join(', ')}`);
  await page.waitForTimeout(500); // time for anything the script would do on its own
  const before = {
    cookies: (await context.cookies()).length,
    storage: await page.evaluate(() => localStorage.length + sessionStorage.length),
    sockets: sockets.length,
  };
  if (before.cookies || before.storage || before.sockets) {
    fail(`before opening the chat: ${JSON.stringify(before)} (cookies, storage entries, websockets must all be 0)`);
  }
  step('launcher shown; no cookie, no storage entry and no websocket before opening');

  // 2. Open: a dialog, focus in the input, the websocket to the server.
  await page.evaluate(() => {
    window.__otvetEvents = [];
    for (const ev of ['open', 'close', 'message', 'unread']) {
      window.Otvet.on(ev, (arg) => window.__otvetEvents.push(ev === 'unread' ? `unread:${arg}` : ev));
    }
  });
  const socket = page.waitForEvent('websocket', { timeout: STEP_TIMEOUT });
  socket.catch(() => {});
  await launcher.click();
  const dialog = page.getByRole('dialog', { name: TITLE });
  await dialog.waitFor({ state: 'visible' });
  if ((await dialog.getAttribute('id')) !== controls) fail(`aria-controls=${controls} is not the dialog`);
  if ((await launcher.getAttribute('aria-expanded')) !== 'true') fail('the launcher is not aria-expanded=true when open');
  const focused = await widgetFocus(page);
  if (!focused || !focused.startsWith('textarea')) fail(`focus after opening is on ${focused}, not the message input`);
  const wsUrl = `${baseOrigin.replace(/^http/, 'ws')}/api/chat`;
  try {
    await socket;
  } catch {
    fail('no websocket was opened when the chat was opened');
  }
  if (!sockets.includes(wsUrl)) fail(`no websocket to ${wsUrl} after opening (got ${sockets.join(', ')})`);
  const log = dialog.getByRole('log');
  if ((await log.getAttribute('aria-live')) !== 'polite') fail('the message list is not aria-live=polite');
  step(`opened: dialog, focus in the input, websocket ${wsUrl}`);

  // 3. The question, and the bot's answer with a link to the article.
  step(`asking «${QUESTION}»`);
  await page.keyboard.type(QUESTION);
  await page.keyboard.press('Enter');
  const mine = dialog.locator('.m-customer').filter({ hasText: QUESTION });
  await mine.first().waitFor({ state: 'visible' });
  try {
    await mine.locator('.meta').filter({ hasText: 'отправлено' }).first().waitFor({ state: 'attached' });
  } catch {
    fail('the question was not acknowledged (still "sending")');
  }
  const answer = dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).first();
  try {
    await answer.waitFor({ state: 'visible' });
  } catch {
    fail(`no bot answer with an article link; messages: ${JSON.stringify(await bubbles(page))}`);
  }
  const link = answer.locator('a.ttl');
  const href = await link.getAttribute('href');
  if (!href || !href.startsWith(`${baseOrigin}/`)) fail(`the answer links to ${href}, not an article on ${baseOrigin}`);
  if ((await link.getAttribute('target')) !== '_blank') fail('the answer link does not open in a new tab');
  const linkText = (await link.innerText()).split('\n')[0].trim();
  const articleTitle = linkText.split(' — ')[0];
  step(`bot answer: «${linkText}» → ${decodeURI(href)}`);
  const events = await page.evaluate(() => window.__otvetEvents);
  if (events[0] !== 'open' || events.filter((e) => e === 'message').length < 2) {
    fail(`Otvet.on events: ${JSON.stringify(events)} (want open, then a message event per message)`);
  }

  const stored = await page.evaluate(() =>
    Object.keys(localStorage).map((k) => [k, JSON.parse(localStorage.getItem(k))]),
  );
  if (stored.length !== 1 || !stored[0][0].startsWith('otvet:')) {
    fail(`after opening, localStorage should hold one otvet: key, holds ${JSON.stringify(stored)}`);
  }
  const conversationId = stored[0][1].conversation_id;
  if (!stored[0][1].token || !conversationId) fail(`the stored state lacks token or conversation: ${JSON.stringify(stored)}`);
  if ((await context.cookies()).length) fail('the widget set a cookie');
  step(`stored under ${stored[0][0]}: conversation ${conversationId}`);

  // 3b. The answer's content is rendered as blocks (paragraphs, lists, tables), not Markdown.
  const content = answer.locator('.blocks');
  if ((await content.count()) < 1) fail(`the answer has no content blocks: ${JSON.stringify(await bubbles(page))}`);
  const contentText = await content.first().innerText();
  if (/\*\*|\|---|\]\(/.test(contentText)) fail(`Markdown shows in the answer: ${contentText}`);
  const structure = await content.first().evaluate((el) => [...el.querySelectorAll('p, li, table, th')].length);
  if (structure < 1) fail('the answer blocks have no paragraphs, items or tables');
  step(`answer content: ${structure} paragraphs/items/cells`);

  // 3c. An unsure answer: «Вы об этом?» with buttons; choosing one brings its section.
  await page.keyboard.type(CHOICE_QUESTION);
  await page.keyboard.press('Enter');
  const offer = dialog.locator('.m-bot').filter({ has: page.locator('.choice') }).first();
  try {
    await offer.waitFor({ state: 'visible' });
  } catch {
    fail(`no choice offered for «${CHOICE_QUESTION}»: ${JSON.stringify(await bubbles(page))}`);
  }
  // Found by its seq from now on: once answered it has no buttons to be found by.
  const choiceSeq = await offer.getAttribute('data-choice');
  const settled = dialog.locator(`[data-choice="${choiceSeq}"]`);
  const options = offer.locator('.choice button.opt');
  const n = await options.count();
  if (n < 2 || n > 3) fail(`${n} options offered, want 2 or 3`);
  if ((await offer.getByRole('button', { name: 'Нет, другое' }).count()) !== 1) fail('no "none of these" button');
  const chosen = (await options.first().innerText()).trim();
  const answersBefore = await dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).count();
  await options.first().click();
  const picked = dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).nth(answersBefore);
  try {
    await picked.waitFor({ state: 'visible' });
  } catch {
    fail(`choosing «${chosen}» brought no answer: ${JSON.stringify(await bubbles(page))}`);
  }
  if ((await settled.locator('.choice').count()) !== 0) fail('the options are still buttons after choosing');
  if ((await settled.locator('.opt.picked').innerText()).trim() !== chosen) fail('the chosen option is not marked');
  const pickedTitle = (await picked.locator('a.ttl').innerText()).split('\n')[0].trim();
  if (!chosen.startsWith(pickedTitle.split(' — ')[0])) fail(`chose «${chosen}», got «${pickedTitle}»`);
  if ((await picked.getByRole('button', { name: 'Нет' }).count()) !== 0) fail('a chosen answer asks "Did this help?" again');
  if ((await picked.locator('.blocks').count()) < 1) fail('the chosen answer has no content blocks');
  step(`choice: ${n} options; chose «${chosen}» → «${pickedTitle}»`);

  // 3d. Numbered steps with bold, and a table, arrive as a list and a table.
  const structured = async (question, selector) => {
    const before = await dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).count();
    await page.keyboard.type(question);
    await page.keyboard.press('Enter');
    const reply = dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).nth(before);
    try {
      await reply.waitFor({ state: 'visible' });
    } catch {
      fail(`no answer to «${question}»: ${JSON.stringify(await bubbles(page))}`);
    }
    const n = await reply.locator(selector).count();
    if (n < 2) fail(`«${question}»: ${n} × ${selector} in the answer, want at least 2: ${await reply.innerText()}`);
    return reply;
  };
  const steps = await structured('как отменить заказ', '.blocks ol > li');
  if ((await steps.locator('.blocks ol strong').count()) < 1) fail('the steps lost their bold text');
  const table = await structured(TABLE_QUESTION, '.blocks table tbody tr');
  if ((await table.locator('.blocks table th').count()) < 2) fail('the table has no header cells');
  step('steps rendered as <ol> with <strong>, the refund times as a <table> with a header');

  if (SCREENSHOTS) {
    await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-desktop.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 760 });
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-phone.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    step(`screenshots in ${SCREENSHOTS}`);
  }

  // 4. The agent opens the console in a second browser context: signed in, connected, nobody
  // waiting.
  if (AGENT) {
    agent = await openConsole(browser);
    step(`agent «${agent.name}» signed in through /agent/login and is on /agent: connected, queue empty, presence «Отошёл»`);
  } else if (REQUIRE_AGENT) {
    fail('OTVET_REQUIRE_AGENT=1 but neither OTVET_AGENT_EMAIL/OTVET_AGENT_PASSWORD nor OTVET_AGENT_COOKIE is set');
  } else {
    step('agent half skipped: no agent account given (OTVET_AGENT_EMAIL and OTVET_AGENT_PASSWORD)');
  }

  // 5. "Did this help?" → No: the conversation goes to the queue.
  const no = answer.getByRole('button', { name: 'Нет' });
  try {
    await no.waitFor({ state: 'visible' });
  } catch {
    fail('the answer has no "Нет" button');
  }
  await no.click();
  const status = dialog.locator('.status');
  try {
    await status.waitFor({ state: 'visible' });
  } catch {
    fail(`no queue notice after "No"; messages: ${JSON.stringify(await bubbles(page))}`);
  }
  const statusText = (await status.innerText()).replace(/\s+/g, ' ').trim();
  if (!statusText) fail('the queue notice is empty');
  if ((await widgetFocus(page))?.startsWith('textarea') !== true) fail('focus was lost after answering "No"');
  step(`queue notice: «${statusText}»`);

  // 6. The conversation appears in the agent's live queue; the agent takes it, reads the bot's
  // handoff and answers from the composer; the customer sees the reply and the agent's name.
  if (agent) {
    const norm = (t) => t.replace(/\s+/g, ' ').trim();
    const item = agent.queue.getByRole('listitem').filter({ hasText: TABLE_QUESTION });
    try {
      await item.waitFor({ state: 'visible' });
    } catch {
      fail(`the conversation did not appear in the console's queue: «${norm(await agent.queue.innerText())}»`);
    }
    const itemText = norm(await item.innerText());
    if (!itemText.includes('ждёт')) fail(`the queue item «${itemText}» does not say it is waiting`);
    step(`the console's queue shows «${itemText}»`);

    await item.getByRole('button', { name: /^Взять: / }).click();
    const conversation = agent.page.getByRole('region', { name: new RegExp(` · #${conversationId}$`) });
    try {
      await conversation.getByText('ваш разговор', { exact: true }).waitFor({ state: 'visible' });
    } catch {
      fail(`conversation #${conversationId} is not open as the agent's own after «Взять»${await agent.toastText()}`);
    }
    try {
      await item.getByText('ваш', { exact: true }).waitFor({ state: 'visible' });
    } catch {
      fail(`the queue item does not show the conversation as the agent's: «${norm(await item.innerText())}»`);
    }
    try {
      await agent.log.getByRole('listitem').filter({ hasText: QUESTION }).first().waitFor({ state: 'visible' });
    } catch {
      fail(`the customer's question is not in the console's conversation: «${norm(await agent.log.innerText())}»`);
    }
    step(`«Взять»: conversation #${conversationId} open as the agent's, with the customer's messages`);
    await agent.setPresence('В сети', 'online');
    step('the agent is back «В сети»');

    const { details } = agent;
    const handoffChecks = [
      ['the heading «Передача от бота»', details.getByRole('heading', { name: 'Передача от бота', exact: true })],
      ['the reason «Ответ бота не помог»', details.getByText('Ответ бота не помог', { exact: true })],
      [`the question «${QUESTION}»`, details.getByRole('listitem').filter({ hasText: QUESTION })],
      [
        `the article «${articleTitle}» marked «отклонена»`,
        details.getByRole('listitem').filter({ hasText: articleTitle }).filter({ hasText: 'отклонена' }),
      ],
    ];
    for (const [what, loc] of handoffChecks) {
      try {
        await loc.first().waitFor({ state: 'visible' });
      } catch {
        fail(`the handoff panel lacks ${what}: «${norm(await details.innerText())}»`);
      }
    }
    step(`handoff panel: the reason, «${QUESTION}» and «${articleTitle}» (отклонена)`);

    await agent.reply(AGENT_TEXT);
    step(`the agent typed the reply in the composer and pressed Enter: sent, shown once`);
    const reply = dialog.locator('.m-agent').filter({ hasText: AGENT_TEXT });
    try {
      await reply.waitFor({ state: 'visible' });
    } catch {
      fail(`the agent's reply did not appear; messages: ${JSON.stringify(await bubbles(page))}`);
    }
    const who = (await reply.locator('.who').innerText()).trim();
    if (who !== agent.name) fail(`the reply is signed «${who}», not «${agent.name}»`);
    const header = (await dialog.locator('.head').innerText()).replace(/\s+/g, ' ').trim();
    if (!header.includes(agent.name)) fail(`the header «${header}» does not name the agent`);
    if (await status.isVisible()) fail('the queue notice is still shown after the agent joined');
    step(`the customer sees «${who}»'s reply; header: «${header}»`);

    // The customer answers; the agent's queue item shows it as its preview (the server sends no
    // queue for an assigned conversation: the console takes the preview from the message).
    const FOLLOW_UP = 'спасибо, а сколько ждать возврата денег?';
    const byId = agent.queue.locator(`li[data-id="${conversationId}"]`);
    await page.keyboard.type(FOLLOW_UP);
    await page.keyboard.press('Enter');
    try {
      await agent.log.getByRole('listitem').filter({ hasText: FOLLOW_UP }).first().waitFor({ state: 'visible' });
      await byId.filter({ hasText: FOLLOW_UP }).waitFor({ state: 'visible' });
    } catch {
      fail(`the follow-up is not the queue item's preview: «${norm(await byId.innerText())}»`);
    }
    step(`the customer's follow-up is in the conversation and the queue item's preview`);
    if (SCREENSHOTS) {
      await agent.page.screenshot({ path: path.join(SCREENSHOTS, 'console-live.png') });
      step(`console screenshot in ${path.join(SCREENSHOTS, 'console-live.png')}`);
    }
  }

  // 7. Escape closes and gives the focus back to the launcher.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  if ((await widgetFocus(page))?.startsWith('button.launch') !== true) fail('focus did not return to the launcher');
  if ((await launcher.getAttribute('aria-expanded')) !== 'false') fail('the launcher is not aria-expanded=false after closing');
  step('Escape closed the chat, focus back on the launcher');

  // 8. A reply from the console while the chat is closed: the unread badge.
  const badge = page.locator('[data-otvet-widget] .badge');
  if (agent) {
    await agent.reply(AGENT_TEXT_2);
    try {
      await badge.filter({ hasText: '1' }).waitFor({ state: 'visible' });
    } catch {
      fail(`no unread badge "1" after a reply to the closed chat (${await badge.isVisible() ? await badge.innerText() : 'hidden'})`);
    }
    const label = await launcher.getAttribute('aria-label');
    if (!/1/.test(label)) fail(`the launcher's label «${label}» does not tell about the unread reply`);
    const unreadEvents = await page.evaluate(() => window.__otvetEvents.filter((e) => e.startsWith('unread')));
    if (!unreadEvents.includes('unread:1')) fail(`no Otvet.on('unread') event with 1: ${JSON.stringify(unreadEvents)}`);
    step(`unread badge 1; launcher label «${label}»`);
  }

  // 9. Reload: the conversation comes back from the server, once; the unread reply stays unread.
  const shown = await bubbles(page);
  step(`reloading with ${shown.length} messages in the chat`);
  await page.reload({ waitUntil: 'load' });
  await launcher.waitFor({ state: 'visible' });
  if (agent) {
    try {
      await badge.filter({ hasText: '1' }).waitFor({ state: 'visible' });
    } catch {
      fail('after the reload the unread badge is not restored');
    }
    step('after the reload: unread badge 1 (restored from the server without opening)');
  }
  await launcher.click();
  await dialog.waitFor({ state: 'visible' });
  try {
    await page.waitForFunction(
      (n) => document.querySelector('[data-otvet-widget]').shadowRoot.querySelectorAll('.log .m').length >= n,
      shown.length,
      { timeout: STEP_TIMEOUT, polling: 50 },
    );
  } catch {
    fail(`after the reload ${JSON.stringify(await bubbles(page))} instead of ${JSON.stringify(shown)}`);
  }
  await page.waitForTimeout(300); // anything duplicated would arrive now
  const restored = await bubbles(page);
  if (JSON.stringify(restored) !== JSON.stringify(shown)) {
    fail(`after the reload the messages differ:\n  before ${JSON.stringify(shown)}\n  after  ${JSON.stringify(restored)}`);
  }
  if (await badge.isVisible()) fail('the unread badge is still shown with the chat open');
  step(`the reload restored the same ${restored.length} messages, none twice`);

  if (pageErrors.length) fail(`JavaScript errors on the page: ${pageErrors.join('; ')}`);
  if (agent && agent.errors.length) fail(`JavaScript errors on the console: ${agent.errors.join('; ')}`);
  step('OK');
} catch (e) {
  console.error(`[widget] FAILED: ${e && e.message ? e.message : e}`);
  exitCode = 1;
} finally {
  if (agent) await agent.close();
  if (browser) await browser.close().catch(() => {});
  if (pageServer) pageServer.close();
  clearTimeout(watchdog);
}
process.exit(exitCode);
