// herald.js's filters (docs/filters.md), in plain Node: the evaluator against the cases the hub's evaluator is held to
// (src/test/resources/filters/cases.json, also read by EventFilterTest), then a real hub: handlers of one type with
// different filters share one subscription, registered with their `or`, and each gets the events its filter matches.
// Run by FiltersJsIT, which checks what this prints (one JSON object).
//   node herald-filters.mjs '<json: url, apiKey, jwtSecret>'
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import SockJS from 'sockjs-client';
import { JSDOM } from 'jsdom';
import { Herald, parseFilter, matchesFilter } from 'herald-client';

// a DOM for React before React and the testing library are loaded
const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
if (!globalThis.navigator) globalThis.navigator = dom.window.navigator;
const React = await import('react');
const { render, cleanup } = await import('@testing-library/react');
globalThis.IS_REACT_ACT_ENVIRONMENT = false;
const { HeraldProvider, useEvent } = await import('herald-client/react');
const h = React.createElement;

const args = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => { console.error('[herald-filters] timed out'); process.exit(1); }, 50000);
const TYPE = 'inventory:updated';
const REACT_TYPE = 'inventory:restocked';

// ---- the shared cases
const cases = JSON.parse(readFileSync(new URL('../resources/filters/cases.json', import.meta.url), 'utf8'));
const mismatches = [];
for (const row of cases.matches) {
  const got = matchesFilter(parseFilter(row.filter), cases.envelope);
  if (got !== row.matches) mismatches.push(`${row.why}: ${got}`);
}
for (const row of cases.invalid) {
  try {
    parseFilter(row.filter);
    mismatches.push(`${row.why}: accepted`);
  } catch (err) {
    if (err.code !== 'invalid_filter') mismatches.push(`${row.why}: ${err.code}`);
  }
}
for (const row of cases.valid) {
  try {
    parseFilter(row.filter);
  } catch (err) {
    mismatches.push(`${row.why}: refused ${err.message}`);
  }
}

// ---- a real hub: what the client registers, and what each handler gets

function mint(sub, role) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = part({ typ: 'JWT', alg: 'HS256' }) + '.' + part({ sub, role, iat: now, exp: now + 3600 });
  return body + '.' + createHmac('sha256', args.jwtSecret).update(body).digest('base64url');
}

async function publish(storeId, productId, type = TYPE) {
  const response = await fetch(args.url + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, storeId, data: { productId } }),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status);
  return (await response.json()).seq;
}

async function until(what, check, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}

const token = mint('staff-f', 'staff');
const herald = new Herald({ urls: [args.url], token });
await until('open', () => herald.status === 'open');
/** Every frame sent before was handled by the hub (it handles a connection's frames in order). */
const handled = () => herald.request('herald:token', { token });
// a witness on another connection has every event, so that what the handlers lack is known to be filtered out
const witness = new Herald({ urls: [args.url], token });
const all = [];
witness.on(TYPE, (event) => all.push(event.storeId));
await until('witness open', () => witness.status === 'open');
await witness.request('herald:token', { token });

// from here on, what the client under test registers (the witness registered already)
const registers = [];
const reactRegisters = [];
const send = SockJS.prototype.send;
SockJS.prototype.send = function (data) {
  const frame = JSON.parse(data);
  const filter = frame.type === 'register' && frame.headers.filter !== undefined ? JSON.parse(frame.headers.filter) : null;
  if (frame.type === 'register' && frame.address === TYPE) registers.push(filter);
  if (frame.type === 'register' && frame.address === REACT_TYPE) reactRegisters.push(filter);
  return send.call(this, data);
};
const got = { s1: [], s2: [], every: [] };
let refusedCode = null;
try {
  herald.on(TYPE, () => {}, { filter: { field: 'storeId', op: 'like', value: 's-%' } });
} catch (err) {
  refusedCode = err.code;
}
const offS1 = herald.on(TYPE, (event) => got.s1.push(event.data.productId), { filter: { field: 'storeId', op: 'eq', value: 's-1' } });
const offS2 = herald.on(TYPE, (event) => got.s2.push(event.data.productId), { filter: '{"field":"storeId","op":"eq","value":"s-2"}' });
await handled();
await publish('s-1', 'p-1');
await publish('s-2', 'p-2');
await publish('s-3', 'p-3');
await until('three events at the witness', () => all.length >= 3);
await handled();
await sleep(200);
const phase1 = { s1: [...got.s1], s2: [...got.s2] };

const offEvery = herald.on(TYPE, (event) => got.every.push(event.data.productId));
await handled();
await publish('s-3', 'p-4');
await publish('s-1', 'p-5');
await until('five events at the witness', () => all.length >= 5);
await until('the unfiltered handler', () => got.every.length >= 2);
offEvery();
offS2();
await handled();
await publish('s-2', 'p-6');
await publish('s-1', 'p-7');
await until('seven events at the witness', () => all.length >= 7);
await until('the s-1 handler', () => got.s1.length >= 3);
await sleep(200);
offS1();

// React: useEvent with a filter written inline (a new object at each render) keeps one subscription
const reactItems = [];
let renders = 0;
function Restocks() {
  const [count, setCount] = React.useState(0);
  renders++;
  useEvent(REACT_TYPE, (event) => {
    reactItems.push(event.data.productId);
    setCount((n) => n + 1);
  }, { filter: { field: 'storeId', op: 'eq', value: 's-9' } });
  return h('span', null, String(count));
}
render(h(HeraldProvider, { client: herald }, h(Restocks)));
await until('the React subscription', () => reactRegisters.length >= 1);
await handled();
await publish('s-9', 'r-1', REACT_TYPE);
await publish('s-8', 'r-2', REACT_TYPE);
await publish('s-9', 'r-3', REACT_TYPE);
await until('two restocks of s-9', () => reactItems.length >= 2);
await sleep(300);
cleanup();
const react = { items: reactItems, renders, registers: reactRegisters };

console.log(JSON.stringify({ mismatches, refusedCode, registers, phase1, got, witness: all, react }));
herald.close();
witness.close();
clearTimeout(deadline);
process.exit(0);
