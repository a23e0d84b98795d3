// Drives Herald's console (GET / of a node) in a real Chromium, as a newcomer would: signs in as the dev admin,
// sees an event published over the HTTP API, a toast for a system event, the cluster card and who is online,
// then the node is stopped (SIGTERM to its pid) and the status indicator must say so. Before that, the console is
// opened as the dev banner prints it (bannerUrl, with the admin token): every 4xx/5xx answer, page error and console
// error while a console loads (up to its connection open, the cluster card and who is online) is listed in
// loadProblems, which must stay empty. Prints one JSON object.
//   node console-browser.mjs '{"base":"http://127.0.0.1:8080","bannerUrl":"http://…/?token=…","apiKey":"…","pid":123,"screenshot":"/path.png"}'
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = JSON.parse(process.argv[2]);
const deadline = setTimeout(() => fail('timed out'), 50000);

function fail(message) {
  console.error('[console-browser] ' + message);
  process.exit(1);
}

async function publish(type, data) {
  const response = await fetch(args.base + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data }),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status);
  return response.json();
}

const profile = await mkdtemp(join(tmpdir(), 'herald-console-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const result = { statuses: [], loadProblems: [] };
/** Records what a newcomer would see in red while the page loads, until `loading.done`. */
function watchLoad(page, loading) {
  page.on('response', (response) => {
    if (!loading.done && response.status() >= 400) {
      result.loadProblems.push(`${loading.name}: ${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
    }
  });
  page.on('pageerror', (error) => loading.done || result.loadProblems.push(`${loading.name}: page error ${error}`));
  page.on('console', (message) => {
    if (!loading.done && message.type() === 'error') result.loadProblems.push(`${loading.name}: console error ${message.text()} (${message.location().url})`);
  });
}

/** Waits until a console page is loaded: connected, the cluster card and who is online drawn. */
async function loaded(page) {
  await page.waitForSelector('#status[data-status="open"]');
  await page.waitForFunction(() => document.querySelectorAll('#nodes .node').length > 0);
  await page.waitForFunction(() => document.querySelectorAll('#online li').length > 0);
}

try {
  if (args.bannerUrl) {
    const banner = await context.newPage();
    const loading = { name: 'from the banner', done: false };
    watchLoad(banner, loading);
    await banner.goto(args.bannerUrl);
    await loaded(banner);
    result.bannerWho = await banner.textContent('#who');
    loading.done = true;
    await banner.close();
  }
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const signingIn = { name: 'signing in', done: false };
  watchLoad(page, signingIn);
  await page.goto(args.base + '/');
  await page.waitForSelector('#dev-form:not([hidden])');
  await page.selectOption('#dev-role', 'admin');
  await page.fill('#dev-sub', 'dev-admin');
  await page.click('#dev-form button[type=submit]');
  await page.waitForSelector('#status[data-status="open"]');
  result.statuses.push(await page.getAttribute('#status', 'data-status'));
  result.who = await page.textContent('#who');
  result.signInStillShown = await page.isVisible('#signin');

  // registers have no acknowledgement: wait until the node counts the console's subscriptions, one per catalog type
  const catalog = await (await fetch(args.base + '/api/catalog')).json();
  const types = Object.values(catalog.namespaces).reduce((n, namespace) => n + namespace.types.length, 0);
  const end = Date.now() + 20000;
  for (;;) {
    const stats = await (await fetch(args.base + '/api/stats', { headers: { Authorization: 'Bearer ' + args.apiKey } })).json();
    if (stats.totals.subscriptions >= types) break;
    if (Date.now() > end) throw new Error('the console subscribed to ' + stats.totals.subscriptions + ' of ' + types + ' types');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const order = await publish('order:created', { orderId: 'o-console', customerId: 'c-1', total: 42 });
  await publish('system:alert', { level: 'high', message: 'disk almost full' });
  await page.waitForSelector('#events tr[data-type="order:created"]');
  result.orderRow = await page.textContent('#events tr[data-type="order:created"] td.data');
  result.orderSeq = order.seq;
  await page.waitForSelector('.toast');
  result.toast = await page.textContent('.toast');
  await page.waitForFunction(() => document.querySelectorAll('#nodes .node').length > 0);
  result.clusterSize = await page.textContent('#cluster-size');
  await page.waitForFunction(() => document.querySelectorAll('#online li').length > 0);
  signingIn.done = true;
  result.online = await page.$$eval('#online li', (items) => items.map((item) => item.firstChild.textContent));
  result.deniedNamespaces = await page.$$eval('#namespaces li.denied', (items) => items.map((item) => item.textContent));

  // who is typing: the admin joins a chat room; a second console (a staff member) joins it and types there
  const chatRoom = 'chat:c-console';
  await page.fill('#room', chatRoom);
  await page.click('#join');
  await page.waitForSelector('#chat:not([hidden])');
  result.typingBefore = await page.textContent('#typing');
  const staff = await (await fetch(args.base + '/api/dev/token?sub=dev-staff&role=staff')).json();
  const typist = await context.newPage();
  typist.on('pageerror', (error) => pageErrors.push('the typing console: ' + error));
  await typist.goto(args.base + '/?token=' + encodeURIComponent(staff.token));
  await typist.waitForSelector('#status[data-status="open"]');
  await typist.fill('#room', chatRoom);
  await typist.click('#join');
  await typist.waitForSelector('#chat:not([hidden])');
  await typist.locator('#chat-input').pressSequentially('hello', { delay: 20 });
  await page.waitForFunction(() => document.getElementById('typing').textContent.includes('dev-staff'), null, { timeout: 15000 });
  result.typing = await page.textContent('#typing');
  result.typistSeesItself = await typist.textContent('#typing');
  await typist.close();

  await page.selectOption('#filter-ns', 'system');
  result.visibleWhenFilteredToSystem = await page.$$eval('#events tr:not([hidden])', (rows) => rows.map((row) => row.dataset.type));
  await page.selectOption('#filter-ns', '');
  await page.screenshot({ path: args.screenshot, fullPage: false });

  // every text the indicator shows from here on: the first after the stop names why (later ones may say a reconnect failed)
  await page.evaluate(() => {
    const pill = document.getElementById('status');
    window.statusTexts = [];
    new MutationObserver(() => window.statusTexts.push(pill.textContent)).observe(pill, { childList: true, characterData: true, subtree: true });
  });
  process.kill(args.pid, 'SIGTERM');
  await page.waitForFunction(() => ['reconnecting', 'closed'].includes(document.getElementById('status').dataset.status), null,
    { timeout: 20000 });
  result.statuses.push(await page.getAttribute('#status', 'data-status'));
  result.statusTexts = await page.evaluate(() => window.statusTexts);
  result.statusText = result.statusTexts.find((text) => /^(reconnecting|closed)/.test(text)) || await page.textContent('#status');
  result.pageErrors = pageErrors;
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
  clearTimeout(deadline);
}
console.log(JSON.stringify(result));
