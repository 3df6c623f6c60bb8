// Renders a mail as a mail client shows it (sender, recipient, subject, date, the plain text,
// the attached files) and saves a screenshot: the picture of "an email as received" in the
// README. The mail comes as JSON that the Rust test wrote from the message Dovecot delivered.
//
// Usage: node tests/browser/mail-view.mjs <mail.json> <out.png>
// mail.json: {"from", "to", "subject", "date", "text", "files": ["name", …]}
// Environment: OTVET_CHROMIUM (default /usr/bin/chromium).
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: node mail-view.mjs <mail.json> <out.png>');
  process.exit(2);
}
const mail = JSON.parse(fs.readFileSync(input, 'utf8'));
const esc = (s) => String(s || '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const link = (s) => esc(s).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="#">${u}</a>`);
const html = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><style>
body{font:15px system-ui,sans-serif;margin:0;background:#eef1f5;color:#1d2330}
.win{max-width:760px;margin:24px auto;background:#fff;border-radius:10px;box-shadow:0 2px 12px #0002;overflow:hidden}
.bar{background:#2b3445;color:#fff;padding:10px 16px;font-weight:600}
.head{padding:16px 20px;border-bottom:1px solid #dde2ea}
.head h1{font-size:20px;margin:0 0 10px}
.head div{color:#4a5568;margin:2px 0}
.head b{display:inline-block;width:70px;color:#1d2330;font-weight:600}
.body{padding:20px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.5}
.body a{color:#1f4e8c}
.files{padding:0 20px 20px}
.files span{display:inline-block;border:1px solid #cfd6e0;border-radius:6px;padding:6px 10px;margin-right:8px}
</style></head><body><div class="win"><div class="bar">Входящие</div>
<div class="head"><h1>${esc(mail.subject)}</h1>
<div><b>От</b>${esc(mail.from)}</div><div><b>Кому</b>${esc(mail.to)}</div><div><b>Дата</b>${esc(mail.date)}</div></div>
<div class="body">${link(mail.text)}</div>
${(mail.files || []).length ? `<div class="files">${mail.files.map((f) => `<span>📎 ${esc(f)}</span>`).join('')}</div>` : ''}
</div></body></html>`;

const browser = await chromium.launch({
  executablePath: process.env.OTVET_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 600 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`[mail-view] screenshot: ${out}`);
} finally {
  await browser.close();
}
