// Browser test of the widget's look on /agent/settings (an admin): typing a title, a colour and
// the left corner reloads the preview (the demo page in a frame) with that look before it is
// saved, and typing the English title previews the English widget; after saving (German
// unticked), the demo page without parameters shows the look (served in widget.js) to a
// Russian and an English visitor each in their language, and in Russian (the language for
// other visitors) to a German one.
//
// Usage: node tests/browser/widget-settings.mjs <base_url>
// Environment: OTVET_CHROMIUM, OTVET_AGENT_COOKIE (an admin's session), OTVET_SCREENSHOTS
// (a folder: save widget-settings.png). Exit code 0 on success, 1 on failure.
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/+$/, '');
const COOKIE = process.env.OTVET_AGENT_COOKIE || '';
if (!base || !COOKIE) {
  console.error('usage: OTVET_AGENT_COOKIE=name=value node widget-settings.mjs <base_url>');
  process.exit(2);
}
const SCREENSHOTS = process.env.OTVET_SCREENSHOTS || '';
const step = (m) => console.log(`[widget-settings] ${m}`);
const fail = (m) => {
  throw new Error(m);
};
const watchdog = setTimeout(() => {
  console.error('[widget-settings] FAILED: the test did not finish within 60 s');
  process.exit(1);
}, 60_000);

// The look the widget shows in a page (or frame): its corner, title and launcher colour.
const look = () => {
  const host = document.querySelector('[data-otvet-widget]');
  const root = host && host.shadowRoot;
  const w = root && root.querySelector('.w');
  if (!w) return null;
  return {
    left: w.classList.contains('left'),
    title: root.querySelector('h2') ? root.querySelector('h2').textContent : '',
    input: root.querySelector('.row textarea') ? root.querySelector('.row textarea').getAttribute('aria-label') : '',
    color: getComputedStyle(root.querySelector('.launch')).backgroundColor,
  };
};

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const ctx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 1100 } });
    ctx.setDefaultTimeout(8_000);
    const [name, ...rest] = COOKIE.split('=');
    await ctx.addCookies([{ name, value: rest.join('='), url: base }]);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/agent/settings`);
    const tag = (await page.locator('#widget-tag').innerText()).trim();
    if (!tag.includes(`${base}/widget.js`)) fail(`the tag to copy is «${tag}»`);
    await page.fill('#w-title-ru', 'Домотека');
    await page.fill('#w-color', '#a01010');
    await page.check('input[name=position][value=left]');
    const frame = page.frameLocator('#widget-preview');
    await page.waitForFunction(() => document.getElementById('widget-preview').src.includes('title='));
    await frame.locator('body').waitFor();
    // The frame's document is replaced on every reload: poll it until the look is there.
    let preview = null;
    for (let i = 0; i < 40; i++) {
      const f = page.frames().find((x) => x.url().includes('title='));
      preview = f ? await f.evaluate(look).catch(() => null) : null;
      if (preview && preview.left) break;
      await page.waitForTimeout(200);
    }
    if (!preview) fail(`no widget in the preview (frames: ${page.frames().map((x) => x.url()).join(', ')})`);
    if (preview.title !== 'Домотека' || preview.color !== 'rgb(160, 16, 16)') fail(`the preview shows ${JSON.stringify(preview)}`);
    step(`the preview follows what is typed: ${JSON.stringify(preview)}`);
    if (SCREENSHOTS) {
      const file = path.join(SCREENSHOTS, 'widget-settings.png');
      await page.locator('#widget-look').screenshot({ path: file });
      step(`screenshot: ${file}`);
    }
    // The English title: the preview turns to the English widget.
    await page.fill('#w-title-en', 'Domoteka help');
    let english = null;
    for (let i = 0; i < 40; i++) {
      const f = page.frames().find((x) => x.url().includes('lang=en') && x.url().includes('title=Domoteka'));
      english = f ? await f.evaluate(look).catch(() => null) : null;
      if (english && english.title === 'Domoteka help') break;
      await page.waitForTimeout(200);
    }
    if (!english || english.title !== 'Domoteka help' || english.input !== 'Message' || !english.left) {
      fail(`the English preview shows ${JSON.stringify(english)}`);
    }
    step(`the English preview: ${JSON.stringify(english)}`);
    await page.uncheck('input[name=speaks_de]');
    await page.getByRole('button', { name: 'Сохранить вид виджета' }).click();
    await page.waitForURL(/done=saved/);
    // Visitors' browsers (each keeps widget.js for the 5 minutes it may).
    for (const [locale, title, input] of [
      ['ru-RU', 'Домотека', 'Сообщение'],
      ['en-US', 'Domoteka help', 'Message'],
      ['de-DE', 'Домотека', 'Сообщение'],
    ]) {
      const visitor = await browser.newContext({ locale });
      const demo = await visitor.newPage();
      await demo.goto(`${base}/demo`);
      await demo.waitForFunction(() => !!document.querySelector('[data-otvet-widget]'));
      const saved = await demo.evaluate(look);
      if (!saved.left || saved.title !== title || saved.input !== input) {
        fail(`after saving a ${locale} visitor's demo page shows ${JSON.stringify(saved)}`);
      }
      step(`saved: a ${locale} visitor sees ${JSON.stringify(saved)}`);
      await visitor.close();
    }
    if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    clearTimeout(watchdog);
    console.log('[widget-settings] OK');
    process.exit(0);
  })
  .catch((e) => {
    console.error(`[widget-settings] FAILED: ${e.message}`);
    process.exit(1);
  });
