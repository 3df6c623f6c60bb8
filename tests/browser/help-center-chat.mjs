// Browser test of the chat in the help center: a visitor answers "No" under an article, takes
// the "Chat with us" offer, and the widget opens on the help-center page; they ask for a person,
// and the agent's console shows, in the handoff, the article they were reading. Then a search
// that finds nothing offers the chat with the question already typed in.
//
// Usage: node tests/browser/help-center-chat.mjs <base_url>
// Environment: OTVET_CHROMIUM (default /usr/bin/chromium), OTVET_AGENT_COOKIE ("name=value" of a
// signed-in agent's session), OTVET_SCREENSHOTS (a folder: save help-center-chat.png).
// The server must run with the help-center chat on. Exit code 0 on success, 1 on failure.
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/+$/, '');
const AGENT_COOKIE = process.env.OTVET_AGENT_COOKIE || '';
if (!base || !AGENT_COOKIE) {
  console.error('usage: OTVET_AGENT_COOKIE=name=value node help-center-chat.mjs <base_url>');
  process.exit(2);
}
const SCREENSHOTS = process.env.OTVET_SCREENSHOTS || '';
const STEP_TIMEOUT = 8_000;
const TOTAL_TIMEOUT = 60_000;
const step = (msg) => console.log(`[help-center-chat] ${msg}`);
const fail = (msg) => {
  throw new Error(msg);
};
const watchdog = setTimeout(() => {
  console.error(`[help-center-chat] FAILED: the test did not finish within ${TOTAL_TIMEOUT / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT);

const widgetOpen = (page) =>
  page.waitForFunction(() => {
    const host = document.querySelector('[data-otvet-widget]');
    const panel = host && host.shadowRoot.querySelector('.panel');
    return panel && !panel.hidden;
  });

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const vctx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 860 } });
    vctx.setDefaultTimeout(STEP_TIMEOUT);
    const page = await vctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/ru/articles/return-goods`);
    const title = (await page.locator('article h1').innerText()).trim();
    await page.getByRole('button', { name: 'Нет' }).click();
    const offer = page.locator('section#feedback a.chat-offer');
    await offer.waitFor();
    step(`"No" under «${title}» offers «${(await offer.innerText()).trim()}»`);
    await offer.click();
    await widgetOpen(page);
    if (!page.url().includes('/ru/articles/return-goods')) fail(`the offer navigated to ${page.url()}`);
    step('the widget opened on the article page');
    const input = page.locator('.row textarea');
    await input.fill('позовите оператора');
    await input.press('Enter');
    await page.locator('.m-system').first().waitFor();
    if (SCREENSHOTS) {
      const file = path.join(SCREENSHOTS, 'help-center-chat.png');
      await page.screenshot({ path: file });
      step(`screenshot: ${file}`);
    }

    const actx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1440, height: 900 } });
    actx.setDefaultTimeout(STEP_TIMEOUT);
    const [name, ...rest] = AGENT_COOKIE.split('=');
    await actx.addCookies([{ name, value: rest.join('='), url: base }]);
    const con = await actx.newPage();
    con.on('pageerror', (e) => errors.push(String(e)));
    await con.goto(`${base}/agent`);
    await con.locator('#queue-list li.item button.open').first().click();
    const context = con.locator('#handoff .context');
    await context.first().waitFor();
    const said = (await context.first().innerText()).trim();
    if (!said.includes(title)) fail(`the handoff says «${said}», not the article «${title}»`);
    step(`the agent sees: «${said}»`);

    await page.goto(`${base}/ru/search?q=${encodeURIComponent('вертолёт напрокат')}`);
    await page.locator('.nothing a.chat-offer').click();
    await widgetOpen(page);
    const draft = await input.inputValue();
    if (draft !== 'вертолёт напрокат') fail(`the message box holds «${draft}»`);
    step('a search that found nothing opens the chat with the question typed in');
    if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    clearTimeout(watchdog);
    console.log('[help-center-chat] OK');
    process.exit(0);
  })
  .catch((e) => {
    console.error(`[help-center-chat] FAILED: ${e.message}`);
    process.exit(1);
  });
