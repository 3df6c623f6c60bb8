// Browser test of the chat widget: a shop page on another origin embeds <script src=BASE/widget.js>;
// nothing is stored, no cookie is set and no websocket is opened before the customer opens the
// chat; then the question, the bot's answer with a link, "No", the queue notice, an agent's reply
// with the agent's name, Escape, a second reply while closed (the unread badge), and a reload
// that restores the conversation (and the badge) without duplicates.
// Uses the system Chromium through playwright-core (no browser download).
//
// Usage: node tests/browser/widget.mjs <base_url> [page_url]
//   base_url  the otvet server (serves /widget.js and the /api/chat websocket)
//   page_url  a page that embeds the widget; by default the script serves its own test page on
//             another origin (http://localhost:<free port>/ when the server is on 127.0.0.1).
// Environment:
//   OTVET_CHROMIUM        Chromium binary (default /usr/bin/chromium)
//   OTVET_AGENT_EMAIL, OTVET_AGENT_PASSWORD
//                         an agent account on the server. With it the script plays the agent too,
//                         in a browser context of its own: it signs in at /agent/login, opens
//                         /agent/ws from that page and answers the conversation. Without it the
//                         agent half is skipped (with a message) unless OTVET_REQUIRE_AGENT=1.
//   OTVET_AGENT_COOKIE    instead of the account: "name=value" of a signed-in agent's session.
//   OTVET_SCREENSHOTS     a folder (e.g. docs/screenshots): save widget-desktop.png,
//                         widget-dark.png and widget-phone.png of the open widget with the
//                         bot's answer.
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

// The agent's half, in a browser context of its own (the agent's machine): sign in (the login
// form, or a given session cookie), then speak the agent protocol over /agent/ws from a page on
// the server's origin. `say` sends a message to a conversation and waits for its ack.
async function startAgent(browser) {
  const context = await browser.newContext({ locale: 'ru-RU' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  if (AGENT_COOKIE) {
    const [name, value] = AGENT_COOKIE.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: base }]);
    await page.goto(`${base}/`, { waitUntil: 'load' });
  } else {
    await page.goto(`${base}/agent/login`, { waitUntil: 'load' });
    await page.locator('input[name=email]').fill(AGENT_EMAIL);
    await page.locator('input[name=password]').fill(AGENT_PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname !== '/agent/login', { timeout: NAV_TIMEOUT }),
      page.locator('form[action="/agent/login"] button[type=submit]').click(),
    ]).catch(() => fail(`the agent ${AGENT_EMAIL} could not sign in at ${base}/agent/login`));
  }
  const name = await page.evaluate(
    (timeout) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/agent/ws`);
        const waiting = new Map(); // client_id -> [resolve, reject]
        window.__agent = {
          say(conversationId, clientId, text) {
            return new Promise((ok, no) => {
              waiting.set(clientId, [ok, no]);
              ws.send(JSON.stringify({ type: 'open', conversation_id: conversationId, last_seq: 0 }));
              ws.send(JSON.stringify({ type: 'send', conversation_id: conversationId, client_id: clientId, text }));
              setTimeout(() => no(new Error(`no ack of the agent's «${text}» in time`)), timeout);
            });
          },
        };
        const timer = setTimeout(() => reject(new Error('no hello on /agent/ws in time')), timeout);
        ws.onerror = () => reject(new Error('the agent websocket failed (not signed in?)'));
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.type === 'hello') {
            clearTimeout(timer);
            ws.send(JSON.stringify({ type: 'presence', status: 'online' }));
            resolve(f.agent && f.agent.name);
          } else if (f.type === 'ack' && waiting.has(f.client_id)) {
            waiting.get(f.client_id)[0](f.seq);
          } else if (f.type === 'error') {
            const w = waiting.values().next().value;
            if (w) w[1](new Error(`agent error frame: ${JSON.stringify(f)}`));
          }
        };
      }),
    STEP_TIMEOUT,
  );
  let n = 0;
  return {
    name,
    say: (conversationId, text) =>
      page.evaluate(({ c, id, text }) => window.__agent.say(c, id, text), { c: conversationId, id: `a-test-${++n}`, text }),
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
  const answer = dialog.locator('.m-bot').filter({ has: page.locator('a.ttl') }).last();
  try {
    await answer.waitFor({ state: 'visible' });
  } catch {
    fail(`no bot answer with an article link; messages: ${JSON.stringify(await bubbles(page))}`);
  }
  const link = answer.locator('a.ttl');
  const href = await link.getAttribute('href');
  if (!href || !href.startsWith(`${baseOrigin}/`)) fail(`the answer links to ${href}, not an article on ${baseOrigin}`);
  if ((await link.getAttribute('target')) !== '_blank') fail('the answer link does not open in a new tab');
  step(`bot answer: «${(await link.innerText()).split('\n')[0]}» → ${decodeURI(href)}`);
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

  // 4. "Did this help?" → No: the conversation goes to the queue.
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

  // 5. An agent answers: the customer sees the message and the agent's name.
  if (AGENT) {
    agent = await startAgent(browser);
    step(`agent «${agent.name}» signed in; answers conversation ${conversationId}`);
    await agent.say(conversationId, AGENT_TEXT);
    const reply = dialog.locator('.m-agent').filter({ hasText: AGENT_TEXT });
    try {
      await reply.waitFor({ state: 'visible' });
    } catch {
      fail(`the agent's reply did not appear; messages: ${JSON.stringify(await bubbles(page))}`);
    }
    const who = (await reply.locator('.who').innerText()).trim();
    if (agent.name && who !== agent.name) fail(`the reply is signed «${who}», not «${agent.name}»`);
    const header = (await dialog.locator('.head').innerText()).replace(/\s+/g, ' ').trim();
    if (agent.name && !header.includes(agent.name)) fail(`the header «${header}» does not name the agent`);
    if (await status.isVisible()) fail('the queue notice is still shown after the agent joined');
    step(`the customer sees «${who}»'s reply; header: «${header}»`);
  } else if (REQUIRE_AGENT) {
    fail('OTVET_REQUIRE_AGENT=1 but neither OTVET_AGENT_EMAIL/OTVET_AGENT_PASSWORD nor OTVET_AGENT_COOKIE is set');
  } else {
    step('agent half skipped: no agent account given (OTVET_AGENT_EMAIL and OTVET_AGENT_PASSWORD)');
  }

  // 6. Escape closes and gives the focus back to the launcher.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  if ((await widgetFocus(page))?.startsWith('button.launch') !== true) fail('focus did not return to the launcher');
  if ((await launcher.getAttribute('aria-expanded')) !== 'false') fail('the launcher is not aria-expanded=false after closing');
  step('Escape closed the chat, focus back on the launcher');

  // 7. A reply while the chat is closed: the unread badge.
  const badge = page.locator('[data-otvet-widget] .badge');
  if (agent) {
    await agent.say(conversationId, AGENT_TEXT_2);
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

  // 8. Reload: the conversation comes back from the server, once; the unread reply stays unread.
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
