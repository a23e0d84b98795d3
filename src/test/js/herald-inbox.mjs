// Drives herald.inbox()/herald.ack() and React's useInbox against a real two-node hub (docs/backends.md, "Per-user
// inbox"): events published while the user is offline on one node, read in pages through the other, acknowledged; a
// guest refused; useInbox renders the unread count, follows a new event and acknowledges. Run by InboxIT, which checks
// what this prints (one JSON object).
//   node herald-inbox.mjs '<json: urls, apiKey, jwtSecret>'
import { args, script, reactOnDom, mint, publish, until } from './hub-script.mjs';

const { fail, done } = script('herald-inbox', 90000);
const { h, testing: { render, screen, cleanup, fireEvent }, Herald, bindings: { HeraldProvider, useInbox } } = await reactOnDom();

async function unreadOverHttp(base, user) {
  const response = await fetch(base + '/api/inbox/' + user, { headers: { Authorization: 'Bearer ' + args.apiKey } });
  if (response.status !== 200) throw new Error('inbox answered ' + response.status);
  return (await response.json()).unread;
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
done();
console.log(JSON.stringify(out));
process.exit(0);
