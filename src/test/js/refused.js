// The official Vert.x event-bus client (@vertx/eventbus-bridge-client.js over sockjs-client), restricted to ONE
// SockJS transport, connecting with a token the hub refuses: it must see the err frame that says why (without
// address: eb.onerror) and then the close. Over WebSocket the close carries the reason's own code (token_invalid,
// 4102, in the range 4100-4199: reconnect with a new token); over the fallback transports vertx-web closes with
// 3000, and the err frame's reconnect is what tells a client whether to connect again. Run by SockJsTransportsIT.
//   node refused.js <transport> <baseUrl>
// Prints one JSON object ({transport, errors, close}), then exits 0; exits 1 on a timeout.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [transport, baseUrl] = process.argv.slice(2);
const observed = { requestedTransport: transport, errors: [] };
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 20000);

function fail(message) {
  console.error('[refused ' + transport + '] ' + message);
  process.exit(1);
}

const eb = new EventBus(baseUrl + '/eventbus?token=not-a-jwt', { transports: [transport] });
eb.enableReconnect(false);
eb.onopen = () => { observed.transport = eb.sockJSConn.transport; };
eb.onerror = (err) => { observed.errors.push(err); };
eb.onclose = (event) => {
  observed.close = { code: event && event.code, reason: event && event.reason };
  clearTimeout(deadline);
  console.log(JSON.stringify(observed));
  process.exit(0);
};
