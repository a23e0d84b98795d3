// Drives a Herald node with the official Vert.x event-bus client (@vertx/eventbus-bridge-client.js over
// sockjs-client) restricted to ONE SockJS transport, as a browser behind a proxy that blocks WebSocket
// would end up using. Run by SockJsTransportsIT, which checks what it prints.
//   node transports.js <transport> <baseUrl> <customerToken> <apiKey>
// <transport>: websocket | xhr-streaming | xhr-polling | eventsource (sockjs-client's names).
// Steps: register product:updated (customers read products), register payment:received (refused: err),
// publish a product:updated over HTTP and receive it, send customer:viewing_product and get the reply.
// Prints one JSON object with what it observed, then exits 0; exits 1 with a message on a timeout or if
// the connection closes before the steps are done.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [transport, baseUrl, token, apiKey] = process.argv.slice(2);
const observed = { requestedTransport: transport };
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 20000);
let done = false;

function fail(message) {
  console.error('[' + transport + '] ' + message);
  process.exit(1);
}

async function publishOverHttp(type, data) {
  const response = await fetch(baseUrl + '/api/events', {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, data })
  });
  return { status: response.status, body: await response.json() };
}

// the official client hands its options to SockJS: only this transport may be tried
const eb = new EventBus(baseUrl + '/eventbus?token=' + encodeURIComponent(token), { transports: [transport] });
eb.onerror = (err) => { observed.unhandledError = err; };
eb.onclose = (event) => {
  if (!done) {
    fail('closed before the steps were done: ' + JSON.stringify({ code: event && event.code, reason: event && event.reason })
      + '; observed so far: ' + JSON.stringify(observed));
  }
};

eb.onopen = () => {
  // sockjs-client sets the name of the transport that actually opened the session
  observed.transport = eb.sockJSConn.transport;

  // 1. an allowed register
  eb.registerHandler('product:updated', (err, message) => {
    if (err) {
      fail('register product:updated refused: ' + JSON.stringify(err));
    }
    observed.received = observed.received || [];
    observed.received.push(message.body);
    sendWithReply();
  });
  // 2. a refused register: the err frame names the address, so this callback gets it. Frames are handled
  // in order, so the register above was processed too: publish now.
  eb.registerHandler('payment:received', async (err) => {
    if (observed.refusedRegister) return;
    observed.refusedRegister = err;
    try {
      const response = await publishOverHttp('product:updated', { productId: 'p-7', price: 12.5, via: transport, label: '50% off, a%20b' });
      observed.publishStatus = response.status;
      observed.published = response.body;
      maybeDone();
    } catch (e) {
      fail('publish over HTTP failed: ' + e);
    }
  });
};

let sent = false;
function sendWithReply() {
  if (sent) return;
  sent = true;
  // 3. an allowed send with a reply: the hub answers {id, seq}
  eb.send('customer:viewing_product', { productId: 'p-7' }, (err, reply) => {
    observed.sendReply = err ? { error: err } : reply.body;
    maybeDone();
  });
}

function maybeDone() {
  if (observed.sendReply && observed.refusedRegister && observed.received && observed.published) {
    done = true;
    clearTimeout(deadline);
    console.log(JSON.stringify(observed));
    eb.close();
    process.exit(0);
  }
}
