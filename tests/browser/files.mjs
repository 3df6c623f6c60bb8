// Browser test of files in a conversation: a customer on a shop page (another origin) opens the
// widget, asks for a person and sends a photo with the 📎 button; the agent, in the console
// (/agent) of another browser context, sees the conversation under the "chat" channel filter
// (and not under "email"), takes it, sees the photo, and answers with an image from the
// composer's 📎; the customer's widget shows that image, loaded from the server across origins.
// On the way: a starter canned reply reads well without the customer's name, and after a private
// note the composer is back to replies.
//
// Usage: node tests/browser/files.mjs <base_url>
// Environment: OTVET_CHROMIUM (default /usr/bin/chromium), OTVET_AGENT_COOKIE ("name=value" of a
// signed-in agent's session; the only agent, auto-assignment off), OTVET_SCREENSHOTS (a folder:
// save widget-photo.png of the widget with both images).
// Exit code 0 on success, 1 with a message on failure.
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/+$/, '');
const AGENT_COOKIE = process.env.OTVET_AGENT_COOKIE || '';
if (!base || !AGENT_COOKIE) {
  console.error('usage: OTVET_AGENT_COOKIE=name=value node files.mjs <base_url>');
  process.exit(2);
}
const SCREENSHOTS = process.env.OTVET_SCREENSHOTS || '';
const STEP_TIMEOUT = 8_000;
const TOTAL_TIMEOUT = 60_000;

function step(msg) {
  console.log(`[files] ${msg}`);
}
function fail(msg) {
  throw new Error(msg);
}
const watchdog = setTimeout(() => {
  console.error(`[files] FAILED: the test did not finish within ${TOTAL_TIMEOUT / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT);

// A real PNG of w×h pixels of one colour (so the browser decodes it and reports its size).
function png(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function servePage() {
  const pageHost = new URL(base).hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  const html =
    '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Магазин</title></head>' +
    '<body><h1>Магазин</h1>' +
    `<script src="${base}/widget.js" data-title="Поддержка магазина" async></script></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://${pageHost}:${server.address().port}/` }));
  });
}

// Whether the widget shows a decoded image in a message of `author`.
async function widgetImage(page, author) {
  return page.evaluate((a) => {
    const root = document.querySelector('[data-otvet-widget]').shadowRoot;
    const img = root.querySelector(`.m-${a} .b img`);
    return img && img.complete && img.naturalWidth > 0 ? { w: img.naturalWidth, src: img.src } : null;
  }, author);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const { server, url } = await servePage();
  try {
    // The customer.
    const cctx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
    cctx.setDefaultTimeout(STEP_TIMEOUT);
    const shop = await cctx.newPage();
    const errors = [];
    shop.on('pageerror', (e) => errors.push(String(e)));
    await shop.goto(url);
    await shop.locator('button.launch').click();
    const input = shop.locator('.row textarea');
    await input.fill('позовите оператора');
    await input.press('Enter');
    await shop.locator('.m-system').first().waitFor();
    step('customer asked for a person');
    const attach = shop.locator('button.attach');
    await attach.waitFor({ state: 'visible' });
    await shop.locator('.row input[type=file]').setInputFiles({
      name: 'Чайник.png',
      mimeType: 'image/png',
      buffer: png(40, 30, [200, 60, 40]),
    });
    await shop.waitForFunction(() => {
      const root = document.querySelector('[data-otvet-widget]').shadowRoot;
      const img = root.querySelector('.m-customer .b img');
      return img && img.complete && img.naturalWidth === 40;
    });
    step('the customer sees their photo in the widget');

    // The agent.
    const actx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1440, height: 900 } });
    actx.setDefaultTimeout(STEP_TIMEOUT);
    const [name, ...rest] = AGENT_COOKIE.split('=');
    await actx.addCookies([{ name, value: rest.join('='), url: base }]);
    const con = await actx.newPage();
    con.on('pageerror', (e) => errors.push(String(e)));
    await con.goto(`${base}/agent`);
    const item = con.locator('#queue-list li.item');
    await item.first().waitFor();
    // The channel filter: the chat conversation is not an email one.
    await con.selectOption('#queue-channel', 'email');
    await con.locator('#queue-empty').waitFor({ state: 'visible' });
    if ((await item.count()) !== 0) fail('the email filter shows a chat conversation');
    await con.selectOption('#queue-channel', 'chat');
    await item.first().waitFor();
    await con.selectOption('#queue-channel', '');
    step('the channel filter: none under "email", the conversation under "chat"');
    await con.locator('#queue-list button.claim').first().click();
    await con.locator('#queue-list li.mine button.open').first().click();
    await con.waitForFunction(() => {
      const img = document.querySelector('#messages .msg-customer .file img');
      return img && img.complete && img.naturalWidth === 40;
    });
    step('the agent sees the customer\'s photo in the console');
    // A starter canned reply, for a customer whose name is not known: no «клиент».
    const text = con.locator('#text');
    await text.pressSequentially('/hello');
    await con.locator('#canned-opt-0').waitFor();
    await text.press('Enter');
    const filled = await text.inputValue();
    if (filled !== 'Здравствуйте! Меня зовут Ольга, я помогу разобраться.') fail(`the canned reply reads «${filled}»`);
    await text.fill('');
    step(`the starter reply without a name: «${filled}»`);
    // A note is one message: the toggle is off again after it.
    await con.locator('#note').check();
    await text.fill('Клиент прислал фото, проверяю гарантию');
    await text.press('Enter');
    await con.locator('#messages .msg-note').first().waitFor();
    await con.waitForFunction(() => !document.querySelector('#note').checked);
    step('after a note the composer is back to replies');
    await con.locator('#attach-file').setInputFiles({
      name: 'схема.png',
      mimeType: 'image/png',
      buffer: png(64, 48, [40, 90, 200]),
    });
    await shop.waitForFunction(() => {
      const root = document.querySelector('[data-otvet-widget]').shadowRoot;
      const img = root.querySelector('.m-agent .b img');
      return img && img.complete && img.naturalWidth === 64;
    });
    const got = await widgetImage(shop, 'agent');
    if (!got.src.startsWith(base + '/attachments/')) fail(`the image comes from ${got.src}`);
    step(`the agent's image reached the customer (${got.w}px wide, from ${new URL(got.src).origin})`);
    if (SCREENSHOTS) {
      const file = path.join(SCREENSHOTS, 'widget-photo.png');
      await shop.screenshot({ path: file });
      step(`screenshot: ${file}`);
    }
    if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  } finally {
    server.close();
    await browser.close();
  }
}

main()
  .then(() => {
    clearTimeout(watchdog);
    console.log('[files] OK');
    process.exit(0);
  })
  .catch((e) => {
    console.error(`[files] FAILED: ${e.message}`);
    process.exit(1);
  });
