// Browser test of the help center: instant search with the keyboard, then the no-JS
// "Was this helpful?" form. Uses the system Chromium through playwright-core (no browser
// download). Usage: node tests/browser/help-center.mjs <base_url>
// Exit code 0 on success, 1 with a message on failure.
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!base) {
  console.error('usage: node help-center.mjs <base_url>');
  process.exit(2);
}

// A Russian query with a typo that instant search answers with a section of an article.
const QUERY = 'доствка холодильника';
const SLUG = 'large-appliances-delivery';
const ANCHOR = 'после-доставки-холодильника';
const ARTICLE_PATH = `/ru/articles/${SLUG}`;
const COMMENT = 'Не нашёл, во сколько привезут холодильник';

const STEP_TIMEOUT = 5_000; // every wait of one step
const NAV_TIMEOUT = 10_000; // page loads
const TOTAL_TIMEOUT = 60_000; // the whole script

function step(msg) {
  console.log(`[help-center] ${msg}`);
}

function fail(msg) {
  throw new Error(msg);
}

const watchdog = setTimeout(() => {
  console.error(`[help-center] FAILED: the test did not finish within ${TOTAL_TIMEOUT / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT);

let browser;
let exitCode = 0;
try {
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
  const context = await browser.newContext({ locale: 'ru-RU' });
  context.setDefaultTimeout(STEP_TIMEOUT);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // 1. The home page.
  step(`opening ${base}/ru/`);
  const res = await page.goto(`${base}/ru/`, { waitUntil: 'load' });
  if (!res || res.status() !== 200) fail(`GET /ru/ answered ${res && res.status()}`);

  // 2. Instant search: type a query with a typo, wait for the suggestions.
  const input = page.locator('#home-search-q');
  await input.waitFor({ state: 'visible' });
  if ((await input.getAttribute('role')) !== 'combobox') {
    fail('search.js did not enhance the search box (no role=combobox)');
  }
  // The suggestions of the whole query (typing also sends requests for some prefixes).
  const answer = page.waitForResponse(
    (r) => {
      const u = new URL(r.url());
      return u.pathname === '/api/search' && u.searchParams.get('q') === QUERY;
    },
    { timeout: STEP_TIMEOUT + 5_000 },
  );
  answer.catch(() => {});
  step(`typing «${QUERY}»`);
  await input.click();
  await input.pressSequentially(QUERY, { delay: 20 });
  const listId = await input.getAttribute('aria-controls');
  const wanted = `${ARTICLE_PATH}#${ANCHOR}`;
  let expected;
  try {
    const r = await answer;
    expected = ((await r.json()).hits || []).map((h) => h.url);
  } catch (e) {
    fail(`instant search sent no request for «${QUERY}» in time: ${e.message}`);
  }
  // Wait until the list shows exactly that answer (not a stale list of a prefix).
  try {
    await page.waitForFunction(
      ({ listId, expected }) => {
        const list = document.getElementById(listId);
        if (!list || list.hidden) return false;
        const shown = [...list.querySelectorAll('li[role=option] a')].map((a) => a.getAttribute('href'));
        return shown.length === expected.length && shown.every((h, i) => h === expected[i]);
      },
      { listId, expected },
      { timeout: STEP_TIMEOUT, polling: 50 },
    );
  } catch {
    const shown = await page
      .locator(`#${listId} li[role=option] a`)
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    fail(
      `within ${STEP_TIMEOUT / 1000} s the suggestion list did not show the answer for «${QUERY}» ` +
        `[${expected.join(', ')}]; shown: [${shown.join(', ')}]`,
    );
  }
  const options = page.locator(`#${listId} li[role=option]`);
  const hrefs = await options.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  step(`suggestions: ${hrefs.map((h) => decodeURI(h)).join(', ')}`);
  const index = hrefs.findIndex((h) => decodeURI(h) === wanted);
  if (index < 0) fail(`the suggestions do not offer ${wanted}: ${hrefs.join(', ')}`);

  // 3. Keyboard: ArrowDown to the suggestion, Enter.
  for (let i = 0; i <= index; i++) await input.press('ArrowDown');
  const selected = page.locator(`#${listId} li[aria-selected=true]`);
  const selectedHref = await selected.locator('a').getAttribute('href');
  if (decodeURI(selectedHref) !== wanted) fail(`ArrowDown selected ${selectedHref}, not ${wanted}`);
  const activeDesc = await input.getAttribute('aria-activedescendant');
  if (activeDesc !== (await selected.getAttribute('id'))) {
    fail(`aria-activedescendant is ${activeDesc}, not the selected option`);
  }
  step(`ArrowDown ×${index + 1} selected ${decodeURI(selectedHref)}; pressing Enter`);
  await Promise.all([
    page.waitForURL((u) => u.pathname === ARTICLE_PATH, { timeout: NAV_TIMEOUT }),
    input.press('Enter'),
  ]);
  await page.waitForLoadState('load');
  const landed = new URL(page.url());
  if (landed.pathname !== ARTICLE_PATH) fail(`landed on ${page.url()}, not ${ARTICLE_PATH}`);
  if (decodeURIComponent(landed.hash.slice(1)) !== ANCHOR) {
    fail(`landed on ${decodeURI(page.url())} without the section anchor #${ANCHOR}`);
  }
  const sectionExists = await page.evaluate((id) => document.getElementById(id) !== null, ANCHOR);
  if (!sectionExists) fail(`the article has no element with id "${ANCHOR}"`);
  step(`landed on ${decodeURI(page.url())}; #${ANCHOR} exists`);

  // 4. "Was this helpful?" → No, with a comment (the no-JS form: POST, 303 back).
  const form = page.locator('section#feedback form');
  await form.waitFor({ state: 'attached' });
  await page.locator('#feedback-comment').fill(COMMENT);
  step('answering "No" with a comment');
  await Promise.all([
    page.waitForURL((u) => u.pathname === ARTICLE_PATH && u.searchParams.get('thanks') === '1', {
      timeout: NAV_TIMEOUT,
    }),
    form.locator('button[name=helpful][value=no]').click(),
  ]);
  await page.waitForLoadState('load');
  const after = new URL(page.url());
  if (after.searchParams.get('helpful') !== 'no') fail(`after "No" landed on ${page.url()}`);
  const thanks = page.locator('section#feedback p.thanks');
  try {
    await thanks.waitFor({ state: 'visible' });
  } catch {
    fail('no thank-you note after answering "No"');
  }
  const contact = page.locator('section#feedback p.contact a');
  try {
    await contact.waitFor({ state: 'visible' });
  } catch {
    fail('no contact-support note after answering "No"');
  }
  if ((await page.locator('section#feedback button[name=helpful]').count()) !== 0) {
    fail('the feedback form is still shown after answering');
  }
  step(
    `thank-you note: «${(await thanks.innerText()).trim()}», contact link: ${await contact.getAttribute('href')}`,
  );

  // 5. The vote was stored.
  const counts = await page.evaluate(async (slug) => {
    const r = await fetch(`/api/articles/${slug}/feedback?lang=ru`, {
      headers: { Accept: 'application/json' },
    });
    return { status: r.status, body: await r.json() };
  }, SLUG);
  if (counts.status !== 200) fail(`feedback counts answered ${counts.status}: ${JSON.stringify(counts.body)}`);
  if (!(counts.body.no >= 1)) fail(`the "No" vote was not stored: ${JSON.stringify(counts.body)}`);
  step(`feedback counts: ${JSON.stringify(counts.body)}`);

  if (pageErrors.length) fail(`JavaScript errors on the pages: ${pageErrors.join('; ')}`);
  step('OK');
} catch (e) {
  console.error(`[help-center] FAILED: ${e && e.message ? e.message : e}`);
  exitCode = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  clearTimeout(watchdog);
}
process.exit(exitCode);
