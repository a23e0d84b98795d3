// permessage-deflate against a real node (run by CompressionIT; prints one JSON object):
//  - `ws` clients that negotiate it (raw /eventbus/websocket and SockJS-framed /eventbus/…/websocket) and one that
//    does not, each registered to order:created, get many events (large ones compressed once by the hub, small ones
//    not) interleaved with replies (send herald:presence), errs (register of an unknown type) and heartbeats;
//  - a plain TCP client that offers the extension and reads the frames itself: which frames carry RSV1;
//  - Chromium (which always offers permessage-deflate) on the raw and the SockJS-framed WebSocket.
//   node compression.mjs '{"base":"http://127.0.0.1:8080","token":"…","apiKey":"…","count":60}'
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => fail('timed out'), 100000);
const wsBase = args.base.replace('http', 'ws');

function fail(message) {
  console.error('[compression] ' + message);
  process.exit(1);
}

async function until(what, check, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check();
    if (value) return value;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}

async function publish(type, data) {
  const response = await fetch(args.base + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data }),
    signal: AbortSignal.timeout(10000),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status);
  return response.json();
}

/** An order as the demo makes them, with `items` items: about 1.5 KB with 12. */
function order(n, items) {
  const list = [];
  for (let i = 0; i < items; i++) {
    list.push({ product: 'Product ' + ((n * 7 + i) % 40), sku: 'SKU-' + (1000 + i), quantity: 1 + (i % 3), unitPrice: 9.99 + i });
  }
  return { orderId: 'o-' + n, customerId: 'c-' + (n % 9), storeId: 's-' + (n % 3), total: 100 + n, currency: 'EUR', n, items: list };
}

/** A bridge client over `ws`: raw or SockJS-framed; collects events, replies and errs; counts bytes read. */
function wsClient(name, sockJs, perMessageDeflate) {
  const url = sockJs ? `${wsBase}/eventbus/123/${randomBytes(6).toString('hex')}/websocket?token=${args.token}`
    : `${wsBase}/eventbus/websocket?token=${args.token}`;
  const socket = new WebSocket(url, { perMessageDeflate });
  const client = { name, socket, events: [], probes: 0, replies: 0, errs: [], heartbeats: 0, other: [], payloadBytes: 0 };
  const handle = (text) => {
    const frame = JSON.parse(text);
    if (frame.type === 'rec' && frame.address === 'order:created') {
      if (frame.body.data.probe) client.probes++;
      else client.events.push(frame.body);
    } else if (frame.type === 'rec' && frame.address.startsWith('reply-')) client.replies++;
    else if (frame.type === 'err') client.errs.push(frame.failureType);
    else client.other.push(text.slice(0, 100));
  };
  socket.on('message', (data) => {
    const text = data.toString();
    client.payloadBytes += Buffer.byteLength(text);
    if (!sockJs) return handle(text);
    if (text === 'o') client.open = true;
    else if (text === 'h') client.heartbeats++;
    else if (text[0] === 'a') JSON.parse(text.slice(1)).forEach(handle);
    else client.other.push(text.slice(0, 100));
  });
  socket.on('ping', () => client.heartbeats++);
  client.send = (frame) => socket.send(sockJs ? JSON.stringify([JSON.stringify(frame)]) : JSON.stringify(frame));
  client.opened = new Promise((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  client.closed = false;
  socket.on('close', (code, reason) => { client.closed = code + ' ' + reason; });
  return client;
}

/** Frames as a plain TCP client sees them: opcode, RSV1 and length of each, from a handshake offering the extension. */
function frameWatcher() {
  const url = new URL(`${args.base}/eventbus/websocket?token=${args.token}`);
  const socket = connect(Number(url.port), url.hostname);
  const watch = { frames: [], response: '', socket };
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  socket.on('connect', () => socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n`
    + `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
    + `Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n`));
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      watch.response = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      upgraded = true;
    }
    while (buffer.length >= 2) {
      let length = buffer[1] & 0x7f;
      let header = 2;
      if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); header = 4; }
      else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); header = 10; }
      if (buffer.length < header + length) return;
      watch.frames.push({ opcode: buffer[0] & 0x0f, rsv1: (buffer[0] & 0x40) !== 0, length });
      buffer = buffer.subarray(header + length);
    }
  });
  watch.send = (frame) => {
    const payload = Buffer.from(JSON.stringify(frame));
    const mask = randomBytes(4);
    const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
    socket.write(Buffer.concat([head, mask, masked]));
  };
  return watch;
}

const result = {};
const profile = await mkdtemp(join(tmpdir(), 'herald-compression-'));
let context;
try {
  const clients = [wsClient('rawDeflate', false, true), wsClient('sockJsDeflate', true, true), wsClient('rawPlain', false, false)];
  await Promise.all(clients.map((c) => c.opened));
  const watch = frameWatcher();
  await until('the frame watcher upgraded', () => watch.response);

  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await context.newPage();
  await page.goto(args.base + '/health');
  await page.evaluate(({ token }) => {
    window.seen = {};
    for (const [name, path] of [['raw', '/eventbus/websocket'], ['sockJs', '/eventbus/321/chromium/websocket']]) {
      const seen = window.seen[name] = { events: [], probes: 0, replies: 0, errs: 0, bad: 0, extensions: null };
      const socket = new WebSocket(location.origin.replace('http', 'ws') + path + '?token=' + token);
      const sockJs = name === 'sockJs';
      const send = (frame) => socket.send(sockJs ? JSON.stringify([JSON.stringify(frame)]) : JSON.stringify(frame));
      const handle = (text) => {
        const frame = JSON.parse(text);
        if (frame.type === 'rec' && frame.address === 'order:created') {
          if (frame.body.data.probe) seen.probes++;
          else seen.events.push({ seq: frame.body.seq, n: frame.body.data.n, items: frame.body.data.items.length, json: JSON.stringify(frame.body.data) });
        } else if (frame.type === 'rec') seen.replies++;
        else if (frame.type === 'err') seen.errs++;
      };
      socket.onopen = () => {
        seen.extensions = socket.extensions;
        send({ type: 'register', address: 'order:created', headers: {} });
        seen.send = send;
      };
      socket.onmessage = (message) => {
        try {
          if (!sockJs) handle(message.data);
          else if (message.data[0] === 'a') JSON.parse(message.data.slice(1)).forEach(handle);
        } catch (e) {
          seen.bad++;
        }
      };
      socket.onclose = (e) => { seen.closed = e.code + ' ' + e.reason; };
    }
    window.chatter = (i) => {
      for (const seen of Object.values(window.seen)) {
        if (!seen.send) continue;
        seen.send({ type: 'send', address: 'herald:presence', body: {}, replyAddress: 'reply-' + i });
        seen.send({ type: 'register', address: 'nope:nothing', headers: {} });
      }
    };
  }, { token: args.token });
  await until('Chromium connected', () => page.evaluate(() => Object.values(window.seen).every((s) => s.send)));

  for (const c of clients) c.send({ type: 'register', address: 'order:created', headers: {} });
  watch.send({ type: 'register', address: 'order:created', headers: {} });
  // subscribed once a probe event reaches every client
  let probe = 0;
  await until('every client subscribed', async () => {
    await publish('order:created', { probe: ++probe, customerId: 'c-0' });
    await sleep(200);
    const chromiumProbes = await page.evaluate(() => Object.values(window.seen).every((s) => s.probes > 0));
    return chromiumProbes && clients.every((c) => c.probes > 0) && watch.frames.some((f) => f.opcode === 1);
  });
  const framesBefore = watch.frames.length;

  const published = [];
  for (let i = 0; i < args.count; i++) {
    const items = i % 4 === 3 ? 1 : 12 + (i % 5); // one in four below 1 KiB
    published.push({ n: i, items, data: order(i, items), ...(await publish('order:created', order(i, items))) });
    if (i % 5 === 0) {
      for (const c of clients) {
        c.send({ type: 'send', address: 'herald:presence', body: {}, replyAddress: 'reply-' + i });
        c.send({ type: 'register', address: 'nope:nothing', headers: {} });
      }
      await page.evaluate((n) => window.chatter(n), i);
    }
  }
  await until('every event everywhere', async () => {
    const chromiumDone = await page.evaluate((n) => Object.values(window.seen).every((s) => s.events.length >= n), args.count);
    return chromiumDone && clients.every((c) => c.events.length >= args.count)
      && watch.frames.slice(framesBefore).filter((f) => f.opcode === 1).length >= args.count;
  });
  await sleep(1500); // heartbeats (bridge.pingIntervalSeconds 1) and late replies
  result.published = published.map((p) => ({ seq: p.seq, n: p.n, items: p.items, json: JSON.stringify(p.data) }));
  result.ws = clients.map((c) => ({ name: c.name, extensions: c.socket.extensions, events: c.events.map((e) => ({ seq: e.seq, n: e.data.n, items: e.data.items.length, json: JSON.stringify(e.data) })),
    replies: c.replies, errs: c.errs, heartbeats: c.heartbeats, other: c.other, closed: c.closed, payloadBytes: c.payloadBytes, wireBytes: c.socket._socket.bytesRead }));
  result.watch = { response: watch.response, frames: watch.frames.slice(framesBefore) };
  result.chromium = await page.evaluate(() => {
    const out = {};
    for (const [name, seen] of Object.entries(window.seen)) out[name] = { extensions: seen.extensions, events: seen.events, replies: seen.replies, errs: seen.errs, bad: seen.bad, closed: seen.closed || false };
    return out;
  });
  clients.forEach((c) => c.socket.close());
  watch.socket.destroy();
} catch (e) {
  fail(e.stack || String(e));
} finally {
  if (context) await context.close();
  await rm(profile, { recursive: true, force: true });
}
clearTimeout(deadline);
// a large output to a pipe: exit once it is written
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
