// /graphql with the graphql-ws client (graphql-transport-ws) against a real node (docs/graphql.md): live events of
// several types, recovery with since and epoch, a filter, a type the role may not read, a customer's own orders only,
// the state query, a bad token. Run by GraphQLJsIT, which checks what this prints (one JSON object).
//   node graphql-ws-client.mjs '<json: url, apiKey, jwtSecret>'
import { createHmac } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const args = JSON.parse(process.argv[2]);
const deadline = setTimeout(() => { console.error('[graphql-ws-client] timed out waiting for ' + step); process.exit(1); }, 170000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const wsUrl = args.url.replace(/^http/, 'ws') + '/graphql';
const RUN = 'r-' + Date.now();

function mint(sub, role) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = part({ typ: 'JWT', alg: 'HS256' }) + '.' + part({ sub, role, iat: now, exp: now + 3600 });
  return body + '.' + createHmac('sha256', args.jwtSecret).update(body).digest('base64url');
}

async function publish(type, data) {
  const response = await fetch(args.url + '/api/events', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + args.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ type, data: { run: RUN, ...data } }),
  });
  if (response.status !== 202) throw new Error('publish ' + type + ': ' + response.status + ' ' + (await response.text()));
  return response.json();
}

function client(token) {
  const closes = [];
  const c = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { token } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => closes.push({ code: event.code, reason: event.reason }) },
  });
  c.closes = closes;
  return c;
}

/** One operation: what it got (results), its errors, whether it completed. */
function operation(c, query, variables) {
  const op = { results: [], errors: null, completed: false };
  op.stop = c.subscribe({ query, variables }, {
    next: (value) => op.results.push(value),
    error: (err) => { op.errors = Array.isArray(err) ? err : [{ message: String(err && err.reason), close: err && err.code }]; },
    complete: () => { op.completed = true; },
  });
  return op;
}

const events = (op) => op.results.filter((r) => r.data).map((r) => Object.values(r.data)[0]).filter((e) => !e.data || e.data.run === RUN);

let step = 'start';
async function until(what, check, ms = 20000) {
  step = what;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}

/** Publishes a probe of `type` until the operation got one: then it is registered and gets all that follows. */
async function live(op, type, data) {
  for (let i = 0; i < 200; i++) {
    await publish(type, { probe: true, ...data });
    const end = Date.now() + 250;
    while (Date.now() < end) {
      if (events(op).some((e) => e.data && e.data.probe)) return;
      if (op.errors) throw new Error('errors while waiting: ' + JSON.stringify(op.errors));
      await sleep(25);
    }
  }
  throw new Error('never live: ' + type);
}

// graphql-ws rejects a lazy client's pending connect with the CloseEvent of a refused connection (the crowd below)
process.on('unhandledRejection', (err) => {
  if (err && typeof err.code === 'number') return;
  console.error('[graphql-ws-client]', err);
  process.exit(1);
});

const out = {};
const admin = client(mint('a-1', 'admin'));

// ---- live events of several types; each field as selected (aliases too), nothing of a type not asked for
const several = operation(admin, 'subscription { ev: events(types: ["order:created", "payment:received"]) { id type seq epoch at: ts data } }');
await live(several, 'order:created', { customerId: 'c-9' });
await live(several, 'payment:received', {});
await publish('product:created', { n: 1 });
await publish('order:created', { n: 2, customerId: 'c-9' });
await publish('payment:received', { n: 3 });
await until('two live events', () => events(several).filter((e) => !e.data.probe).length >= 2);
await publish('order:created', { n: 4, customerId: 'c-9' });
await until('the third', () => events(several).filter((e) => !e.data.probe).length >= 3);
out.several = events(several).filter((e) => !e.data.probe).map((e) => ({ type: e.type, n: e.data.n, keys: Object.keys(e).sort() }));
out.severalSeqs = events(several).filter((e) => e.type === 'order:created').map((e) => e.seq);

// ---- recovery: since and epoch of the first of three, then the live one after them
const first = await publish('inventory:restocked', { n: 1 });
await publish('inventory:restocked', { n: 2 });
await publish('inventory:restocked', { n: 3 });
const recovered = operation(admin, 'subscription R($since: String, $epoch: String) { events(type: "inventory:restocked", since: $since, epoch: $epoch) { seq epoch data } }',
  { since: String(first.seq), epoch: first.epoch });
await until('the two after since', () => events(recovered).length >= 2);
await publish('inventory:restocked', { n: 4 });
await until('the live one', () => events(recovered).length >= 3);
out.recovered = events(recovered).map((e) => e.data.n);
out.recoveredEpochs = [...new Set(events(recovered).map((e) => e.epoch))].length === 1 && events(recovered)[0].epoch === first.epoch;
// another epoch: recovery_incomplete as an error in a result, and the operation goes on with live events
const otherEpoch = operation(admin, 'subscription { events(type: "inventory:low_stock", since: "1", epoch: "no-such-epoch") { data } }');
await until('recovery_incomplete', () => otherEpoch.results.some((r) => r.errors));
out.incomplete = otherEpoch.results.find((r) => r.errors).errors[0].extensions.code;
await live(otherEpoch, 'inventory:low_stock', {});
out.incompleteGoesOn = otherEpoch.errors === null;

// ---- a filter: only orders over 100
const filtered = operation(admin, 'subscription { events(type: "order:updated", filter: {field: "data.total", op: "gt", value: 100}) { data } }');
await live(filtered, 'order:updated', { total: 1000 });
for (const total of [50, 150, 99, 300]) await publish('order:updated', { total });
await until('two over 100', () => events(filtered).filter((e) => !e.data.probe).length >= 2);
await publish('order:updated', { total: 500, last: true });
await until('the last', () => events(filtered).some((e) => e.data.last));
out.filtered = events(filtered).filter((e) => !e.data.probe).map((e) => e.data.total);
const badFilter = operation(admin, 'subscription { events(type: "order:deleted", filter: {field: "data.total", op: "like", value: 1}) { id } }');
await until('invalid_filter', () => badFilter.errors);
out.badFilter = badFilter.errors[0].extensions.code;
// a type read with a filter is that operation's alone on its connection
const conflict = operation(admin, 'subscription { events(types: ["order:updated"]) { id } }');
await until('the conflict', () => conflict.errors);
out.conflict = conflict.errors[0].extensions.code;

// ---- a type the role may not read: a GraphQL error with the code; the rest of the connection goes on
const guest = client(null);
const denied = operation(guest, 'subscription { events(types: ["product:created", "payment:received"]) { id } }');
await until('access_denied', () => denied.errors);
out.denied = denied.errors.map((e) => e.extensions && e.extensions.code);
const guestProducts = operation(guest, 'subscription { events(types: ["product:updated"]) { data } }');
await live(guestProducts, 'product:updated', {});
out.guestStillServed = true;
const unknown = operation(guest, 'subscription { events(types: ["order:nope"]) { id } }');
await until('unknown type', () => unknown.errors);
out.unknown = unknown.errors[0].extensions.code;
const invalid = operation(guest, 'subscription { events(types: ["product:updated"]) { nope } }');
await until('a validation error', () => invalid.errors);
out.invalid = invalid.errors[0].message;

// ---- a customer gets its own orders only
const customer = client(mint('c-1', 'customer'));
const own = operation(customer, 'subscription { events(types: ["order:created"]) { data } }');
await live(own, 'order:created', { customerId: 'c-1' });
await publish('order:created', { customerId: 'c-2', n: 1 });
await publish('order:created', { customerId: 'c-1', n: 2 });
await until('its own order', () => events(own).some((e) => e.data.n === 2));
out.own = events(own).filter((e) => !e.data.probe).map((e) => e.data.customerId);

// ---- the state query
await publish('inventory:updated', { productId: 'gql-p-1', quantity: 7 });
let state;
for (let i = 0; i < 100; i++) {
  const q = operation(admin, 'query { state(type: "inventory:updated", filter: {field: "data.productId", op: "eq", value: "gql-p-1"}) { type key seq entries { seq data } } }');
  await until('the state answer', () => q.completed || q.errors);
  state = q.results[0];
  if (state && state.data && state.data.state && state.data.state.entries.length > 0) break;
  await sleep(100);
}
out.state = state.data.state;
const deniedState = operation(guest, 'query { state(type: "inventory:updated") { seq } }');
await until('state refused', () => deniedState.completed || deniedState.errors);
out.deniedState = (deniedState.results[0] || {}).errors ? deniedState.results[0].errors[0].extensions.code : JSON.stringify(deniedState);

// ---- a bad token: refused with the bridge's close
const forged = client('not-a-token');
const refused = operation(forged, 'subscription { events(types: ["product:updated"]) { id } }');
await until('the refusal', () => forged.closes.length > 0);
out.forged = forged.closes[0];

// ---- revocation (POST /api/disconnect) closes a /graphql connection as any other
const revokedClient = client(mint('gone-1', 'staff'));
const revokedOp = operation(revokedClient, 'subscription { events(types: ["product:created"]) { data } }');
await live(revokedOp, 'product:created', {});
const disconnect = await fetch(args.url + '/api/disconnect', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + args.apiKey, 'content-type': 'application/json' },
  body: JSON.stringify({ users: ['gone-1'] }),
});
out.disconnected = (await disconnect.json()).disconnected;
await until('the revoked close', () => revokedClient.closes.length > 0);
out.revoked = revokedClient.closes[0];

// ---- the bridge's handshake checks hold at /graphql: a foreign Origin is refused; the protocol's own closes
function raw(headers, onOpen) {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { headers });
    ws.on('unexpected-response', (req, res) => { resolve({ status: res.statusCode }); req.destroy(); });
    ws.on('open', () => onOpen(ws));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), protocol: ws.protocol }));
    ws.on('error', () => {});
  });
}
out.foreignOrigin = (await raw({ Origin: 'https://evil.example.net' }, (ws) => ws.close())).status;
out.beforeInit = await raw({}, (ws) => ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ types }' } })));
out.twoInits = await raw({}, (ws) => {
  ws.send(JSON.stringify({ type: 'connection_init', payload: { token: mint('a-2', 'admin') } }));
  ws.send(JSON.stringify({ type: 'connection_init' }));
});

// ---- connection caps count /graphql connections as any other (limits.connectionsPerIp in the IT's config)
const crowd = [];
for (let i = 0; i < args.connectionsPerIp + 1; i++) {
  const c = client(mint('crowd-' + i, 'staff'));
  crowd.push(c);
  operation(c, 'subscription { events(types: ["product:deleted"]) { id } }');
}
await until('a crowd member refused', () => crowd.some((c) => c.closes.length > 0));
out.crowdRefused = crowd.flatMap((c) => c.closes)[0];

for (const op of [several, recovered, otherEpoch, filtered, guestProducts, own]) op.stop();
await Promise.all(crowd.map((c) => Promise.resolve(c.dispose()).catch(() => {})));
await Promise.all([admin.dispose(), guest.dispose(), customer.dispose(), forged.dispose(), Promise.resolve(revokedClient.dispose()).catch(() => {})]);
clearTimeout(deadline);
console.log(JSON.stringify(out));
process.exit(0);
