// Saves a screenshot of a page (with a session cookie), or of a text file shown as an editor
// would: the pictures of the README (the gap report, a draft).
//
// Usage: node tests/browser/shot.mjs <url> <out.png> [cookie name=value]
//        node tests/browser/shot.mjs --text <file> <out.png> [title]
// Environment: OTVET_CHROMIUM (default /usr/bin/chromium); OTVET_SHOT_PHONE=1 (a 390×844 phone
// screen, the page's first screen only), OTVET_SHOT_DARK=1 (the dark colour scheme).
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const phone = process.env.OTVET_SHOT_PHONE === '1';
  const context = await browser.newContext({
    locale: 'ru-RU',
    viewport: phone ? { width: 390, height: 844 } : { width: 1100, height: 800 },
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    colorScheme: process.env.OTVET_SHOT_DARK === '1' ? 'dark' : 'light',
  });
  const page = await context.newPage();
  let out;
  if (args[0] === '--text') {
    const [, file, o, title] = args;
    out = o;
    const esc = (s) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
    await page.setContent(`<!doctype html><meta charset="utf-8"><style>
      body{margin:0;background:#eef1f5;font:14px ui-monospace,monospace}
      .bar{background:#2b3445;color:#fff;padding:8px 14px;font:600 14px system-ui,sans-serif}
      pre{margin:16px;padding:16px;background:#fff;border-radius:8px;white-space:pre-wrap;line-height:1.5}
      </style><div class="bar">${esc(title || file)}</div><pre>${esc(fs.readFileSync(file, 'utf8'))}</pre>`);
  } else {
    const [url, o, cookie] = args;
    out = o;
    if (cookie) {
      const [name, ...rest] = cookie.split('=');
      await context.addCookies([{ name, value: rest.join('='), url }]);
    }
    await page.goto(url);
  }
  await page.screenshot({ path: out, fullPage: !phone });
  console.log(`[shot] ${out}`);
} finally {
  await browser.close();
}
