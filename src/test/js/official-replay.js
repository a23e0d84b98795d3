// A large replay with the official Vert.x event-bus client restricted to one SockJS transport (e.g.
// xhr-streaming, as behind a proxy that blocks WebSocket): registers with header since and counts what
// arrives, checking seq order. Run by ReplayAttackIT.
//   node official-replay.js <baseUrl> <token or ""> <apiKey> <transport> <type> <since> <count>
// Prints one JSON object { received, first, last, disorder, errors, closed }, then exits 0; exits 1 on a timeout.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [baseUrl, token, , transport, type, since, count] = process.argv.slice(2);
const expected = Number(count);
const observed = { transport, received: 0, first: null, last: null, disorder: null, errors: [], closed: null };
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 120000);

function fail(message) {
  console.error('[' + transport + '] ' + message);
  process.exit(1);
}

function finish() {
  clearTimeout(deadline);
  console.log(JSON.stringify(observed));
  process.exit(0);
}

const url = baseUrl + '/eventbus' + (token ? '?token=' + encodeURIComponent(token) : '');
const eb = new EventBus(url, { transports: [transport] });
eb.onclose = (event) => {
  observed.closed = { code: event && event.code, reason: event && event.reason };
  finish();
};
eb.onopen = () => {
  eb.registerHandler(type, { since: String(since) }, (err, message) => {
    if (err) {
      observed.errors.push(err);
      return;
    }
    const seq = message.body.seq;
    if (observed.last !== null && seq !== observed.last + 1 && observed.disorder === null) {
      observed.disorder = 'seq ' + seq + ' after ' + observed.last;
    }
    if (observed.first === null) {
      observed.first = seq;
    }
    observed.last = seq;
    observed.received++;
    if (observed.received === expected) {
      finish();
    }
  });
};
