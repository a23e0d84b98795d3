// Drives Herald's own client (/client/herald.js, as a node serves it) in a real Chromium (Debian's, through
// playwright-core). Run by HeraldJsIT, which starts the nodes and checks what this prints (one JSON object).
//   node herald-browser.mjs kill '<json>'        the page's node is killed with SIGKILL while events are published
//   node herald-browser.mjs transports '<json>'  each SockJS transport on its own
//   node herald-browser.mjs rooms '<json>'       join, leave, presence
// The page is an app of its own origin (a loopback HTTP server of this script), loading the client from a
// node, as an app loads it from the hub.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [scenario, json] = process.argv.slice(2);
const args = JSON.parse(json);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => fail('timed out'), 50000);

function fail(message) {
  console.error('[herald-browser ' + scenario + '] ' + message);
  process.exit(1);
}

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}

async function publish(base, type, data, target) {
  const response = await fetch(base + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data, target }),
    signal: AbortSignal.timeout(5000),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status);
  return response.json();
}

/** A page of the app: the client from `clientUrl`, a status indicator, and `window.seen` with what happened. */
function appPage(clientUrl, options, type) {
  return `<!doctype html><meta charset="utf-8"><title>app</title>
<p>status: <span id="status">none</span></p>
<script type="module">
  import { Herald } from ${JSON.stringify(clientUrl)};
  const seen = window.seen = { events: [], statuses: [], indicator: [], errors: [], recoveryIncomplete: [] };
  const indicator = document.getElementById('status');
  new MutationObserver(() => seen.indicator.push(indicator.textContent)).observe(indicator, { childList: true });
  const herald = window.herald = new Herald(${JSON.stringify(options)});
  herald.onStatus((status, info) => {
    indicator.textContent = status;
    seen.statuses.push({ status, at: Date.now(), reason: info && info.reason });
  });
  herald.onError((err) => seen.errors.push({ code: err.code, address: err.address, message: err.message }));
  herald.onRecoveryIncomplete((type) => seen.recoveryIncomplete.push(type));
  herald.on(${JSON.stringify(type)}, (event) => seen.events.push({ seq: event.seq, epoch: event.epoch, n: event.data.n, at: Date.now() }));
</script>`;
}

async function withBrowser(run) {
  const profile = await mkdtemp(join(tmpdir(), 'herald-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    return await run(context);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** The app's own origin: serves the page given last. */
let appHtml = '';
const app = createServer((request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end(appHtml));
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
app.unref();

async function openApp(context, html, token) {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('[page] ' + err));
  page.on('console', (msg) => console.error('[console] ' + msg.text()));
  appHtml = html;
  await page.goto('http://127.0.0.1:' + app.address().port + '/');
  await page.waitForFunction(() => window.herald && window.herald.status === 'open', null, { timeout: 20000 });
  // the hub handles a connection's frames in order, and a register only once its subscription is in effect:
  // the reply to a later request (a token refresh with the same token) says the page's types are subscribed
  await page.evaluate((token) => window.herald.request('herald:token', { token }), token);
  return page;
}

/**
 * Two nodes: the page starts on A (a separate JVM), events of one type are published on B; A gets SIGKILL
 * mid-stream; the page moves to B and must end with every event once and in order. Also measures how long
 * after the kill the page had every event it missed (the last one published before it was back).
 */
async function kill(context) {
  const { urls, token, type, pid, publishUrl } = args;
  const page = await openApp(context, appPage(urls[0] + '/client/herald.js', { urls, token }, type), token);
  await page.evaluate(() => window.herald.join('dashboard')); // joined again on the new node: see the targeted event below
  const published = [];
  let n = 0;
  let killAt = 0;
  let backAt = 0;
  const publishNext = async () => {
    n++;
    const sentAt = Date.now();
    try {
      const ack = await publish(publishUrl, type, { n });
      published.push({ n, seq: ack.seq, epoch: ack.epoch, sentAt });
    } catch (e) {
      published.push({ n, failed: String(e) }); // may or may not be an event: the seq check below tells
    }
    await sleep(20);
  };
  while (n < 30) await publishNext();
  process.kill(pid, 'SIGKILL');
  killAt = Date.now();
  // publish on while the page is away, and a while after it is back
  let afterBack = 0;
  while (afterBack < 30) {
    await publishNext();
    if (!backAt) {
      const statuses = await page.evaluate(() => window.seen.statuses);
      const back = statuses.find((s) => s.status === 'open' && s.at > killAt);
      backAt = back ? back.at : 0;
    } else {
      afterBack++;
    }
    if (Date.now() - killAt > 30000) throw new Error('the page was not back within 30 s');
  }
  // an event only for the room's members: it reaches the page only if the page is in the room on its new node
  const targeted = await publish(publishUrl, type, { n: ++n, room: 'dashboard' }, { rooms: ['dashboard'] });
  published.push({ n, seq: targeted.seq, epoch: targeted.epoch, sentAt: Date.now(), room: 'dashboard' });
  const lastSeq = Math.max(...published.filter((p) => p.seq).map((p) => p.seq));
  await until('the last event in the page', async () =>
    (await page.evaluate(() => window.seen.events.map((e) => e.seq))).includes(lastSeq));
  const seen = await page.evaluate(() => window.seen);
  // the last event asked for before the page was back (its publish may have waited for the cluster to take
  // over the dead node's share of history: that wait is part of what the page waits for)
  const lastMissed = published.filter((p) => p.seq && p.sentAt < backAt).pop();
  const delivered = seen.events.find((e) => e.seq === lastMissed.seq);
  return {
    published, seen, killAt, backAt,
    transport: await page.evaluate(() => window.herald.transport),
    recoveryMs: delivered.at - killAt,
  };
}

/** One page per SockJS transport: events, a refused register, a publish with a reply. */
async function transports(context) {
  const results = {};
  for (const transport of args.transports) {
    const options = { urls: [args.url], token: args.token, transports: [transport] };
    const page = await openApp(context, appPage(args.url + '/client/herald.js', options, 'product:updated'), args.token);
    const result = { transport: await page.evaluate(() => window.herald.transport) };
    await page.evaluate(() => window.herald.on('payment:received', () => {})); // refused: an access_denied error
    result.published = [];
    for (let i = 1; i <= 3; i++) {
      result.published.push(await publish(args.url, 'product:updated', { n: i, via: transport }));
    }
    await until('3 events', () => page.evaluate(() => window.seen.events.length >= 3));
    result.reply = await page.evaluate(() => window.herald.publish('customer:viewing_product', { productId: 'p-9' }));
    result.refusedPublish = await page.evaluate(() => window.herald.publish('order:created', {}).then(
      () => null, (err) => ({ code: err.code, status: err.status })));
    await until('the refused register', () => page.evaluate(() => window.seen.errors.length > 0));
    result.seen = await page.evaluate(() => window.seen);
    await page.evaluate(() => window.herald.close());
    result.statusAfterClose = await page.evaluate(() => window.herald.status);
    results[transport] = result;
    await page.close();
  }
  return results;
}

/** Rooms and presence: a room the rules allow, one they refuse, who is in the room, leaving it. */
async function rooms(context) {
  const options = { urls: [args.url], token: args.token };
  const page = await openApp(context, appPage(args.url + '/client/herald.js', options, 'order:created'), args.token);
  const result = await page.evaluate(async () => ({
    joined: await window.herald.join('store:s-1'),
    refused: await window.herald.join('store:s-2').then(() => null, (err) => ({ code: err.code, status: err.status })),
  }));
  // presence is cluster-wide, gathered every presence.flushMs: asked until the user shows
  const inRoom = (presence) => presence.members.some((member) => member.userId === args.user);
  result.presence = await until('the user in the room', async () => {
    const presence = await page.evaluate(() => window.herald.presence('store:s-1'));
    return inRoom(presence) ? presence : null;
  });
  result.left = await page.evaluate(() => window.herald.leave('store:s-1'));
  result.afterLeaving = await until('the user out of the room', async () => {
    const presence = await page.evaluate(() => window.herald.presence('store:s-1'));
    return inRoom(presence) ? null : presence;
  });
  return result;
}

const scenarios = { kill, transports, rooms };
try {
  const observed = await withBrowser(scenarios[scenario]);
  clearTimeout(deadline);
  console.log(JSON.stringify(observed));
} catch (e) {
  fail(e.stack || String(e));
}
