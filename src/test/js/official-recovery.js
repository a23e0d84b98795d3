// Recovery with the official Vert.x event-bus client, unchanged: a client remembers the last seq and
// epoch it saw, and after a reconnect registers with headers {since, epoch}. Run by OfficialClientIT.
//   node official-recovery.js <baseUrl> <staffToken> <apiKey> <type>
// Prints one JSON object with what it observed, then exits 0; exits 1 with a message on a timeout.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [baseUrl, token, apiKey, type] = process.argv.slice(2);
const observed = { recovered: [] };
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 20000);

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function publish(n) {
  const response = await fetch(baseUrl + '/api/events', {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data: { n } })
  });
  return response.json();
}

function connect() {
  return new Promise((resolve) => {
    const eb = new EventBus(baseUrl + '/eventbus?token=' + encodeURIComponent(token));
    eb.onopen = () => resolve(eb);
  });
}

(async () => {
  // 1. a live client sees one event and remembers where it stands
  const first = await connect();
  const last = await new Promise((resolve) => {
    first.registerHandler(type, (err, message) => resolve({ seq: message.body.seq, epoch: message.body.epoch }));
    setTimeout(() => publish(0), 200);
  });
  first.close();
  observed.last = last;

  // 2. five events while it is away
  for (let n = 1; n <= 5; n++) await publish(n);

  // 3. it comes back and recovers from its position, then follows the live stream
  const again = await connect();
  again.registerHandler(type, { since: String(last.seq), epoch: last.epoch }, (err, message) => {
    if (err) return fail('recovery failed: ' + JSON.stringify(err));
    observed.recovered.push({ seq: message.body.seq, n: message.body.data.n });
    if (observed.recovered.length === 5) done();
  });
  // a position from another epoch cannot be recovered: the handler gets recovery_incomplete
  again.registerHandler('order:deleted', { since: '3', epoch: 'another-epoch' }, (err) => {
    observed.incomplete = err;
    done();
  });

  function done() {
    if (observed.recovered.length === 5 && observed.incomplete) {
      clearTimeout(deadline);
      console.log(JSON.stringify(observed));
      again.close();
      process.exit(0);
    }
  }
})();
