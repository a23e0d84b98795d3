// Drives herald.state() and React's useHeraldState against a real two-node hub (docs/state.md): the snapshot read in
// pages, then the stream from its seq, while both nodes keep publishing (with deletes); the Map must end equal to the
// truth the publish replies give. Run by StateIT, which checks what this prints (one JSON object).
//   node herald-state.mjs '<json: urls, apiKey, jwtSecret, type, keyField>'
import { args, script, reactOnDom, mint, publish, until } from './hub-script.mjs';

const { fail, done } = script('herald-state', 90000);
const { h, testing: { render, screen, cleanup }, Herald, bindings: { HeraldProvider, useHeraldState } } = await reactOnDom();

const type = args.type;
const keyField = args.keyField;
const published = new Map(); // seq -> event
let stop = false;
async function publisher(base, seed) {
  let n = seed;
  while (!stop) {
    n = (n * 1103515245 + 12345) % 2147483648;
    const key = 'js-' + (n % 25);
    const event = { type, data: { [keyField]: key, quantity: n % 1000 } };
    if (n % 7 === 0) event.delete = true;
    const reply = await publish(base, event);
    published.set(reply.seq, event);
  }
}

function truth() {
  const state = new Map();
  [...published.keys()].sort((a, b) => a - b).forEach((seq) => {
    const event = published.get(seq);
    const key = event.data[keyField];
    if (event.delete) state.delete(key); else state.set(key, seq);
  });
  return state;
}

function mine(map) {
  const seqs = new Map();
  for (const [key, envelope] of map) {
    if (key.startsWith('js-')) seqs.set(key, envelope.seq);
  }
  return seqs;
}

const same = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

const out = {};
try {
  const running = [publisher(args.urls[0], 7), publisher(args.urls[1], 11)];
  await until('some events', () => published.size >= 60);
  const herald = new Herald({ urls: [args.urls[1]], token: mint('s-js', 'staff', 3600) });
  let changes = 0;
  let snapshots = 0;
  const view = herald.state(type, (map, event) => { changes++; if (!event) snapshots++; });
  await view.ready;
  out.snapshotSize = mine(view.map).size;
  const at = published.size;
  await until('more events after the snapshot', () => published.size >= at + 150);
  stop = true;
  await Promise.all(running);
  const expected = truth();
  await until('the map equals the truth', () => same(mine(view.map), expected));
  out.equal = same(mine(view.map), expected);
  out.keys = expected.size;
  out.published = published.size;
  out.snapshots = snapshots;
  out.changes = changes;
  view.close();

  // a role that may not read the type: ready rejects with access_denied
  const guest = new Herald({ urls: [args.urls[0]] });
  try {
    await guest.state(type).ready;
    out.guest = 'read';
  } catch (err) {
    out.guest = err.code;
  }
  guest.close();
  herald.close();

  // React: useHeraldState renders the map and follows a new key
  function Stock() {
    const { map, ready } = useHeraldState(type);
    const value = map.get('react-1');
    return h('p', { 'data-testid': 'stock' }, ready ? 'ready ' + (value ? value.data.quantity : 'none') : 'loading');
  }
  const client = new Herald({ urls: [args.urls[0]], token: mint('s-react', 'staff', 3600) });
  render(h(HeraldProvider, { client }, h(Stock)));
  await until('the snapshot rendered', () => screen.getByTestId('stock').textContent.startsWith('ready'));
  out.reactBefore = screen.getByTestId('stock').textContent;
  await publish(args.urls[1], { type, data: { [keyField]: 'react-1', quantity: 42 } });
  await until('the new key rendered', () => screen.getByTestId('stock').textContent === 'ready 42');
  out.reactAfter = screen.getByTestId('stock').textContent;
  cleanup();
  client.close();
} catch (err) {
  fail(String(err && err.stack || err));
}
done();
console.log(JSON.stringify(out));
process.exit(0);
