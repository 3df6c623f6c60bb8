// Browser test of the agents' navigation (issue 15): an admin, in a Russian browser, goes from the
// console through every agent page by clicking the navigation's links; each page shows the same
// navigation (the same links, in Russian), with the page it is on marked aria-current="page", and
// says who is signed in with the role in Russian. The console, once connected, shows no Latin
// word. Then an agent (the plain role) sees only the console and the canned replies in the same
// navigation, and the admins' and editors' pages refuse them with a page that says why, in Russian.
//
// Usage: node tests/browser/agent-nav.mjs <base_url>
// Environment: OTVET_CHROMIUM, OTVET_ADMIN_COOKIE and OTVET_AGENT_COOKIE (name=value of an
// admin's and an agent's session). Exit code 0 on success, 1 on failure.
import { chromium } from 'playwright-core';

const base = (process.argv[2] || '').replace(/\/+$/, '');
const ADMIN = process.env.OTVET_ADMIN_COOKIE || '';
const AGENT = process.env.OTVET_AGENT_COOKIE || '';
if (!base || !ADMIN || !AGENT) {
  console.error('usage: OTVET_ADMIN_COOKIE=… OTVET_AGENT_COOKIE=… node agent-nav.mjs <base_url>');
  process.exit(2);
}
const step = (m) => console.log(`[agent-nav] ${m}`);
const fail = (m) => {
  throw new Error(m);
};
const watchdog = setTimeout(() => {
  console.error('[agent-nav] FAILED: the test did not finish within 60 s');
  process.exit(1);
}, 60_000);

// Every page of an admin, in the navigation's order, and its link's text in Russian.
const ADMIN_LINKS = [
  ['/agent', 'Консоль'],
  ['/agent/canned', 'Шаблоны ответов'],
  ['/agent/gaps', 'Без ответа'],
  ['/agent/reports', 'Отчёты'],
  ['/agent/team', 'Команда'],
  ['/agent/settings', 'Настройки'],
];
const AGENT_LINKS = ADMIN_LINKS.slice(0, 2);
// Latin words a Russian page may show: the product, e-mail addresses.
const latinWords = (text) =>
  text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}@]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => /[A-Za-z]/.test(w) && !w.includes('@') && w !== 'otvet');

// What the navigation of the page shows: its links (href, text, current or not) and the rest.
async function navOf(page) {
  const nav = page.locator('nav.agent-nav');
  if ((await nav.count()) !== 1) fail(`${page.url()}: ${await nav.count()} agent navigations`);
  return nav.evaluate((n) => ({
    label: n.getAttribute('aria-label'),
    links: [...n.querySelectorAll('a')].map((a) => ({
      href: a.getAttribute('href'),
      text: a.textContent.trim(),
      current: a.getAttribute('aria-current'),
    })),
    text: n.innerText.replace(/\s+/g, ' ').trim(),
    lang: document.documentElement.lang,
  }));
}

// The navigation of the page at `path` lists `links`, marks `path` and only it, in Russian.
function checkNav(nav, path, links, role) {
  const where = `${path}: `;
  if (nav.lang !== 'ru') fail(`${where}the page is in «${nav.lang}», not Russian`);
  if (nav.label !== 'Разделы консоли') fail(`${where}the navigation is labelled «${nav.label}»`);
  const got = nav.links.map((l) => `${l.href} ${l.text}`).join(' | ');
  const want = links.map(([h, t]) => `${h} ${t}`).join(' | ');
  if (got !== want) fail(`${where}the links are «${got}», not «${want}»`);
  const current = nav.links.filter((l) => l.current === 'page').map((l) => l.href);
  if (current.length !== 1 || current[0] !== path) fail(`${where}marked as current: ${JSON.stringify(current)}`);
  if (!nav.text.includes(`(${role})`)) fail(`${where}the role is not «${role}»: «${nav.text}»`);
  if (!nav.text.includes('Выйти')) fail(`${where}no sign-out: «${nav.text}»`);
  const latin = latinWords(nav.text);
  if (latin.length) fail(`${where}Latin words in the navigation: ${latin.join(', ')}`);
}

async function context(browser, cookie) {
  const ctx = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(8_000);
  const [name, ...rest] = cookie.split('=');
  await ctx.addCookies([{ name, value: rest.join('='), url: base }]);
  return ctx;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    // An admin, from the console through every page by the navigation's links, and back.
    const ctx = await context(browser, ADMIN);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/agent`);
    await page.getByRole('status', { name: 'Соединение', exact: true }).filter({ hasText: 'подключено' }).waitFor();
    checkNav(await navOf(page), '/agent', ADMIN_LINKS, 'администратор');
    // The console as the script wrote it: no Latin word anywhere.
    const consoleText = await page.locator('body').innerText();
    const latin = latinWords(consoleText);
    if (latin.length) fail(`/agent: Latin words on the connected console: ${latin.join(', ')}`);
    step('the console: the navigation with «Консоль» marked, all in Russian');
    for (const [path, text] of [...ADMIN_LINKS.slice(1), ADMIN_LINKS[0]]) {
      await Promise.all([
        page.waitForURL((u) => u.pathname === path),
        page.locator('nav.agent-nav').getByRole('link', { name: text, exact: true }).click(),
      ]);
      checkNav(await navOf(page), path, ADMIN_LINKS, 'администратор');
      step(`${path}: reached by «${text}», the same navigation, the page marked`);
    }
    if (errors.length) fail(`script errors: ${errors.join('; ')}`);
    await ctx.close();

    // An agent: the console and the canned replies only; the other pages refuse them.
    const actx = await context(browser, AGENT);
    const apage = await actx.newPage();
    await apage.goto(`${base}/agent`);
    checkNav(await navOf(apage), '/agent', AGENT_LINKS, 'оператор');
    await Promise.all([
      apage.waitForURL((u) => u.pathname === '/agent/canned'),
      apage.locator('nav.agent-nav').getByRole('link', { name: 'Шаблоны ответов', exact: true }).click(),
    ]);
    checkNav(await navOf(apage), '/agent/canned', AGENT_LINKS, 'оператор');
    step(`an agent's navigation: ${AGENT_LINKS.map(([, t]) => t).join(', ')}`);
    for (const [path, needs] of [
      ['/agent/team', 'администратор'],
      ['/agent/settings', 'администратор'],
      ['/agent/gaps', 'редактор'],
      ['/agent/reports', 'редактор'],
    ]) {
      const res = await apage.goto(`${base}${path}`);
      if (res.status() !== 403) fail(`${path}: an agent gets ${res.status()}, not 403`);
      const text = (await apage.locator('main').innerText()).replace(/\s+/g, ' ');
      if (!text.includes('Доступ запрещён') || !text.includes(`«${needs}»`) || !text.includes('«оператор»')) {
        fail(`${path}: the refusal does not say why in Russian: «${text}»`);
      }
      const latinHere = latinWords(text);
      if (latinHere.length) fail(`${path}: Latin words on the refusal: ${latinHere.join(', ')}`);
    }
    step('an agent is refused the admins\' and editors\' pages, told why in Russian');
    await actx.close();
    step('PASSED');
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    clearTimeout(watchdog);
    process.exit(0);
  })
  .catch((e) => {
    console.error(`[agent-nav] FAILED: ${e.message}`);
    process.exit(1);
  });
