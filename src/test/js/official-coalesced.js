// The official Vert.x event-bus client (sockjs-client, unchanged) on a node with bridge.writeDelayMs set:
// several events arrive in one SockJS frame, and the client must still hand each to its handler once, in order.
// Run by WriteCoalescingIT.
//   node official-coalesced.js <baseUrl> <token> <apiKey> <type> <count>
// Publishes probes until its registration is live, then <count> events in batches of 50; prints one JSON
// object with the n of every event it received after the probes, then exits 0; exits 1 on a timeout.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [baseUrl, token, apiKey, type, countText] = process.argv.slice(2);
const count = Number(countText);
const observed = { transport: null, received: [], seqs: [] };
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 40000);

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function post(path, body) {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  if (response.status !== 202) fail('publish answered ' + response.status + ' ' + await response.text());
}

const eb = new EventBus(baseUrl + '/eventbus?token=' + encodeURIComponent(token));
let live = false;
eb.onopen = async () => {
  observed.transport = eb.sockJSConn && eb.sockJSConn.transport;
  eb.registerHandler(type, (err, message) => {
    if (err) return fail('error: ' + JSON.stringify(err));
    const data = message.body.data;
    if (data.probe) {
      live = true;
      return;
    }
    observed.received.push(data.n);
    observed.seqs.push(message.body.seq);
    if (observed.received.length >= count) {
      // a little longer, to see a duplicate if there were one
      setTimeout(() => {
        clearTimeout(deadline);
        console.log(JSON.stringify(observed));
        eb.close();
        process.exit(0);
      }, 500);
    }
  });
  while (!live) {
    await post('/api/events', { type, data: { probe: true } });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  for (let start = 0; start < count; start += 50) {
    const events = [];
    for (let n = start; n < Math.min(count, start + 50); n++) events.push({ type, data: { n } });
    await post('/api/events/batch', { events });
  }
};
