// Drives the herald-client package (installed from src/main/js as npm packs it) outside a browser page:
// the React bindings with React itself (React Testing Library on jsdom), the token rules, and a node
// restart that loses the stream (recovery incomplete). Run by HeraldJsIT, which checks what this prints
// (one JSON object).
//   node herald-node.mjs '<json: url, apiKey, jwtSecret, java, jar, root (the folder with conf/)>'
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { args, sleep, script, reactOnDom, mint, publish, until } from './hub-script.mjs';

const { fail, done } = script('herald-node', 50000);
const { React, h, testing: { render, screen, cleanup }, Herald,
  bindings: { HeraldProvider, useHerald, useEvent, useEvents, usePresence, useTyping, ConnectionStatus } } = await reactOnDom();

/**
 * Resolves once the hub has handled every frame the client sent before (it handles a connection's frames in
 * order, and a register only when its subscription is in effect): a token refresh with the same token.
 */
function handled(herald, token) {
  return herald.request('herald:token', { token });
}

function watch(herald) {
  const seen = { statuses: [], events: [], errors: [], recoveryIncomplete: [] };
  herald.onStatus((status, info) => seen.statuses.push({ status, reason: info ? info.reason : null }));
  herald.onError((err) => seen.errors.push(err.code));
  herald.onRecoveryIncomplete((type, err) => seen.recoveryIncomplete.push({ type, code: err.code }));
  return seen;
}

/** useEvent with a handler that is a new closure on every render; the status component; the provider's client. */
async function reactUseEvent() {
  const token = mint('staff-7', 'staff', 3600);
  const client = new Herald({ urls: [args.url], token });
  let onCalls = 0;
  const on = client.on.bind(client);
  client.on = (...a) => { onCalls++; return on(...a); };
  let renders = 0;
  function Orders({ label }) {
    const [items, setItems] = React.useState([]);
    const { isConnected } = useHerald();
    renders++;
    useEvent('order:created', (event) => setItems((list) => [...list, label + ':' + event.data.n]));
    return h('div', null,
      h('span', { 'data-testid': 'connected' }, String(isConnected)),
      h('ul', null, items.map((item) => h('li', { key: item }, item))));
  }
  const app = (label) => h(HeraldProvider, { client }, h(ConnectionStatus), h(Orders, { label }));
  const view = render(app('first'));
  const observed = { statusTexts: [] };
  await screen.findByText('Live', {}, { timeout: 10000 });
  observed.statusTexts.push(screen.getByRole('status').textContent);
  observed.connected = screen.getByTestId('connected').textContent;
  await handled(client, token);
  await publish(args.url, { type: 'order:created', data: { n: 1 } });
  await screen.findByText('first:1', {}, { timeout: 10000 });
  view.rerender(app('second'));
  await publish(args.url, { type: 'order:created', data: { n: 2 } });
  await screen.findByText('second:2', {}, { timeout: 10000 });
  observed.items = screen.getAllByRole('listitem').map((li) => li.textContent);
  observed.renders = renders;
  observed.onCalls = onCalls;
  client.close();
  await screen.findByText('Disconnected', {}, { timeout: 10000 });
  observed.statusTexts.push(screen.getByRole('status').textContent);
  observed.connectedAfterClose = screen.getByTestId('connected').textContent;
  view.unmount();
  return observed;
}

/** useEvents for two types, with a client the provider makes from options and closes when unmounted. */
async function reactUseEvents() {
  let client = null;
  function Products() {
    const [lines, setLines] = React.useState([]);
    const herald = useHerald();
    client = herald.client;
    useEvents({
      'product:created': (event) => setLines((list) => [...list, 'created ' + event.data.sku]),
      'product:updated': (event) => setLines((list) => [...list, 'updated ' + event.data.sku]),
    });
    return h('div', null, h('b', null, herald.status), lines.map((line) => h('p', { key: line }, line)));
  }
  const token = mint('staff-8', 'staff', 3600);
  const view = render(h(HeraldProvider, { options: { urls: [args.url], token } }, h(Products)));
  await screen.findByText('open', {}, { timeout: 10000 });
  await handled(client, token);
  await publish(args.url, { type: 'product:created', data: { sku: 'A-1' } });
  await publish(args.url, { type: 'product:updated', data: { sku: 'A-1' } });
  await screen.findByText('updated A-1', {}, { timeout: 10000 });
  const observed = { lines: [...document.querySelectorAll('p')].map((p) => p.textContent) };
  view.unmount();
  observed.statusAfterUnmount = client.status;
  return observed;
}

/** usePresence: asked when the connection opens, asked again when presence:joined comes for the room. */
async function reactUsePresence() {
  const client = new Herald({ urls: [args.url], token: mint('staff-12', 'staff', 3600) });
  function Dashboard() {
    const { presence } = usePresence('dashboard');
    return h('output', null, presence ? presence.members.map((member) => member.userId).join(',') || 'nobody' : '…');
  }
  const view = render(h(HeraldProvider, { client }, h(Dashboard)));
  const observed = {};
  await screen.findByText('nobody', {}, { timeout: 10000 });
  observed.before = 'nobody';
  observed.joined = await client.join('dashboard');
  observed.after = (await screen.findByText('staff-12', {}, { timeout: 10000 })).textContent;
  view.unmount();
  client.close();
  return observed;
}

/**
 * useTyping and herald.signal: another member's typing shows until it expires, or until it stops; the hook's own
 * notify() never shows to itself; a client joining later gets the current signal in its join reply (onSignal).
 */
async function reactUseTyping() {
  const room = 'chat:c-typing';
  const reader = new Herald({ urls: [args.url], token: mint('staff-21', 'staff', 3600) });
  const writer = new Herald({ urls: [args.url], token: mint('staff-22', 'staff', 3600) });
  let notify = null;
  function Typing() {
    const typing = useTyping(room, { ttlMs: 4000 });
    notify = typing.notify;
    return h('output', null, typing.typing.map((entry) => entry.userId).join(',') || 'quiet');
  }
  const view = render(h(HeraldProvider, { client: reader }, h(Typing)));
  await reader.join(room);
  await writer.join(room);
  const observed = {};
  await screen.findByText('quiet', {}, { timeout: 10000 });
  notify(); // the reader's own signal: the writer hears it, the reader does not
  const heardByWriter = [];
  writer.onSignal((signal) => heardByWriter.push(signal.from.userId + ':' + JSON.stringify(signal.data)));
  await handled(writer, mint('staff-22', 'staff', 3600)); // the register is in effect
  await until('the writer is registered and hears a signal', async () => {
    notify();
    return heardByWriter.length > 0;
  });
  observed.heardByWriter = heardByWriter[0];
  const sent = await writer.signal(room, { typing: true }, { ttlMs: 1500 });
  observed.during = (await screen.findByText('staff-22', {}, { timeout: 10000 })).textContent;
  observed.expiresAt = sent.expiresAt;
  await screen.findByText('quiet', {}, { timeout: 10000 });
  observed.afterExpiry = 'quiet';
  observed.expiredInTime = Date.now() >= sent.expiresAt;
  await writer.signal(room, { typing: true }, { ttlMs: 10000 });
  await screen.findByText('staff-22', {}, { timeout: 10000 });
  const late = new Herald({ urls: [args.url], token: mint('staff-23', 'staff', 3600) });
  const lateHeard = [];
  late.onSignal((signal) => lateHeard.push(signal.from.userId));
  // the reader's own notify() may have expired by now: the writer's is current
  observed.joinReplyHasWriter = (await late.join(room)).signals.some((signal) => signal.from.userId === 'staff-22');
  observed.lateHeardWriter = lateHeard.includes('staff-22');
  await writer.signal(room, { typing: false }, { ttlMs: 1 });
  await screen.findByText('quiet', {}, { timeout: 10000 });
  observed.afterStop = 'quiet';
  observed.stoppedBeforeExpiry = Date.now() < sent.expiresAt + 8000;
  view.unmount();
  for (const client of [reader, writer, late]) client.close();
  return observed;
}

/** A fixed token the hub refuses: closed, with the reason, and no reconnect. */
async function refusedToken() {
  const herald = new Herald({ urls: [args.url], token: 'not-a-jwt' });
  const seen = watch(herald);
  await until('closed', () => herald.status === 'closed');
  await sleep(1500); // a reconnect would have started by now
  return { seen, closeInfo: herald.closeInfo };
}

/** A token function whose first token is refused: it is asked again, and the second one works. */
async function tokenFunctionRecovers() {
  let calls = 0;
  const herald = new Herald({ urls: [args.url], token: async () => (++calls === 1 ? 'not-a-jwt' : mint('staff-9', 'staff', 3600)) });
  const seen = watch(herald);
  await until('open again', () => seen.statuses.some((s) => s.status === 'reconnecting') && herald.status === 'open');
  herald.close();
  return { seen, calls };
}

/**
 * Tokens that live 4 s (the hub closes a connection 5 s after its token's exp): the client asks the
 * function for new ones and hands them over the open connection, which stays up past 2 lifetimes.
 */
async function tokenRefresh() {
  let calls = 0;
  const herald = new Herald({ urls: [args.url], token: () => { calls++; return mint('staff-10', 'staff', 4); } });
  const seen = watch(herald);
  herald.on('order:deleted', (event) => seen.events.push(event.data.n));
  await until('open', () => herald.status === 'open');
  await sleep(11000); // past the hub's close of the first token (exp + 5 s leeway) and of the second
  await publish(args.url, { type: 'order:deleted', data: { n: 1 } });
  await until('the event after 11 s', () => seen.events.length === 1);
  herald.close();
  return { seen, calls };
}

/**
 * A node without cluster is restarted under the client (SIGTERM: the hub closes with `shutdown`); its
 * streams start over with a new epoch, so the client's position cannot be recovered: recovery incomplete,
 * then the new stream's events (seq 1 again, not taken for a duplicate).
 */
async function restartLosesTheStream() {
  const port = await freePort();
  const url = 'http://127.0.0.1:' + port;
  let node = await startJar(port);
  const token = mint('staff-11', 'staff', 3600);
  const herald = new Herald({ urls: [url], token });
  const seen = watch(herald);
  herald.on('order:updated', (event) => seen.events.push({ seq: event.seq, epoch: event.epoch, n: event.data.n }));
  try {
    await until('open', () => herald.status === 'open');
    await handled(herald, token);
    await publish(url, { type: 'order:updated', data: { n: 1 } });
    await until('event 1', () => seen.events.length === 1);
    await stopJar(node);
    await until('reconnecting', () => herald.status === 'reconnecting');
    node = await startJar(port);
    await until('recovery incomplete', () => seen.recoveryIncomplete.length > 0);
    await until('open', () => herald.status === 'open');
    await handled(herald, token);
    await publish(url, { type: 'order:updated', data: { n: 2 } });
    await until('event 2', () => seen.events.length === 2);
    return seen;
  } finally {
    herald.close();
    node.kill('SIGKILL');
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startJar(port) {
  const env = { ...process.env, HERALD_CLUSTER: 'false', HERALD_DEMO: 'false', HERALD_HTTP_PORT: String(port) };
  const node = spawn(args.java, ['-jar', args.jar], { cwd: args.root, env, stdio: 'ignore' });
  await until('the node on port ' + port, async () => {
    try {
      return (await fetch('http://127.0.0.1:' + port + '/ready')).status === 200;
    } catch (e) {
      return false;
    }
  }, 30000);
  return node;
}

function stopJar(node) {
  return new Promise((resolve) => {
    node.once('exit', resolve);
    node.kill('SIGTERM');
  });
}

try {
  // the React tests share the one DOM, so they run one after the other; the rest runs alongside
  const react = (async () => ({
    useEvent: await reactUseEvent(),
    useEvents: (cleanup(), await reactUseEvents()),
    usePresence: (cleanup(), await reactUsePresence()),
    useTyping: (cleanup(), await reactUseTyping()),
  }))();
  const [reactResults, refused, recovers, refresh, restart] = await Promise.all([
    react, refusedToken(), tokenFunctionRecovers(), tokenRefresh(), restartLosesTheStream()]);
  done();
  console.log(JSON.stringify({ react: reactResults, refused, recovers, refresh, restart }));
  process.exit(0);
} catch (e) {
  fail(e.stack || String(e));
}
