// Drives herald.inbox()/herald.ack() and React's useInbox against a real two-node hub (docs/backends.md, "Per-user
// inbox"): events published while the user is offline on one node, read in pages through the other, acknowledged; a
// guest refused; useInbox renders the unread count, follows a new event and acknowledges. Run by InboxIT, which checks
// what this prints (one JSON object).
//   node herald-inbox.mjs '<json: urls, apiKey, jwtSecret>'
import { JSDOM } from 'jsdom';
import { createHmac } from 'node:crypto';

const args = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => fail('timed out'), 90000);

function fail(message) {
  console.error('[herald-inbox] ' + message);
  process.exit(1);
}

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
if (!globalThis.navigator) globalThis.navigator = dom.window.navigator;
const React = await import('react');
const { render, screen, cleanup, fireEvent } = await import('@testing-library/react');
globalThis.IS_REACT_ACT_ENVIRONMENT = false;
const { Herald } = await import('herald-client');
const { HeraldProvider, useInbox } = await import('herald-client/react');
const h = React.createElement;

function mint(sub, role, ttlSeconds) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = part({ typ: 'JWT', alg: 'HS256' }) + '.' + part({ sub, role, iat: now, exp: now + ttlSeconds });
  return body + '.' + createHmac('sha256', args.jwtSecret).update(body).digest('base64url');
}

async function publish(base, event) {
  const response = await fetch(base + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status + ' ' + await response.text());
  return response.json();
}

async function unreadOverHttp(base, user) {
  const response = await fetch(base + '/api/inbox/' + user, { headers: { Authorization: 'Bearer ' + args.apiKey } });
  if (response.status !== 200) throw new Error('inbox answered ' + response.status);
  return (await response.json()).unread;
}

async function until(what, check, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}

const order = (customerId, orderId, status) => ({ type: 'order:status_changed', data: { orderId, customerId, status } });

const out = {};
try {
  const first = await publish(args.urls[0], order('c-js', 'o-1', 'paid'));
  const second = await publish(args.urls[0], order('c-js', 'o-1', 'shipped'));
  await until('both filed', async () => (await unreadOverHttp(args.urls[1], 'c-js')) === 2);
  const herald = new Herald({ urls: [args.urls[1]], token: mint('c-js', 'customer', 3600) });
  const page1 = await herald.inbox({ limit: 1 });
  const page2 = await herald.inbox({ limit: 1, next: page1.next });
  out.pages = [page1.entries.map((e) => e.id), page2.entries.map((e) => e.id)];
  out.expected = [[second.id], [first.id]];
  out.unread = page1.unread;
  out.more = [page1.more, page2.more];
  out.acked = (await herald.ack(first.id)).acked;
  out.after = (await herald.inbox()).entries.map((e) => e.id);
  herald.close();

  const guest = new Herald({ urls: [args.urls[0]] });
  try {
    await guest.inbox();
    out.guest = 'read';
  } catch (err) {
    out.guest = err.code;
  }
  guest.close();

  // React: useInbox shows the unread count, follows a new event of the listed types, acknowledges
  function Bell() {
    const { entries, unread, ready, ack } = useInbox({ types: ['order:status_changed'] });
    return h('div', null,
      h('p', { 'data-testid': 'unread' }, ready ? 'unread ' + unread : 'loading'),
      h('button', { 'data-testid': 'ack', onClick: () => ack(entries.map((e) => e.id)) }, 'read all'));
  }
  await publish(args.urls[1], order('c-react', 'o-9', 'paid'));
  await until('filed', async () => (await unreadOverHttp(args.urls[0], 'c-react')) === 1);
  const client = new Herald({ urls: [args.urls[0]], token: mint('c-react', 'customer', 3600) });
  render(h(HeraldProvider, { client }, h(Bell)));
  await until('the inbox rendered', () => screen.getByTestId('unread').textContent === 'unread 1');
  out.reactBefore = screen.getByTestId('unread').textContent;
  await publish(args.urls[1], order('c-react', 'o-9', 'shipped'));
  await until('the new event rendered', () => screen.getByTestId('unread').textContent === 'unread 2');
  out.reactLive = screen.getByTestId('unread').textContent;
  fireEvent.click(screen.getByTestId('ack'));
  await until('acknowledged', () => screen.getByTestId('unread').textContent === 'unread 0');
  out.reactAfter = screen.getByTestId('unread').textContent;
  await until('acknowledged on the hub', async () => (await unreadOverHttp(args.urls[1], 'c-react')) === 0);
  out.hubAfter = 0;
  cleanup();
  client.close();
} catch (err) {
  fail(String(err && err.stack || err));
}
clearTimeout(deadline);
console.log(JSON.stringify(out));
process.exit(0);
