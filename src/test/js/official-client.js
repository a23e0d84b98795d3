// Drives a Herald node with the official Vert.x event-bus client (@vertx/eventbus-bridge-client.js over
// sockjs-client), as a browser app would. Run by HeraldOfficialClientIT, which checks what it prints.
//   node official-client.js <baseUrl> <customerToken> <apiKey> <customerId>
// Prints one JSON object with what it observed, then exits 0; exits 1 with a message on a timeout.
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [baseUrl, token, apiKey, customerId] = process.argv.slice(2);
const observed = {};
const deadline = setTimeout(() => fail('timed out; observed so far: ' + JSON.stringify(observed)), 20000);

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function publishOverHttp(data) {
  const response = await fetch(baseUrl + '/api/events', {
    method: 'POST',
    headers: { 'Authorization': 'Bearer ' + apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'order:created', data })
  });
  return response.json();
}

const eb = new EventBus(baseUrl + '/eventbus?token=' + encodeURIComponent(token));
eb.onerror = (err) => { observed.unhandledError = err; };

eb.onopen = () => {
  // 1. an allowed register; orders are "own only" for customers
  eb.registerHandler('order:created', (err, message) => {
    if (err) {
      observed.orderHandlerError = err;          // 3. the refused publish below lands here
      maybeDone();
      return;
    }
    observed.received = observed.received || [];
    observed.received.push(message.body);
    sendAndPublish();
  });
  // 2. a refused register: the err frame names the address, so this callback gets it. It also tells
  // us the register above was processed (frames are handled in order).
  eb.registerHandler('payment:received', async (err) => {
    observed.refusedRegister = err;
    observed.published = [];
    observed.published.push(await publishOverHttp({ orderId: 'o-other', customerId: 'someone-else' }));
    observed.published.push(await publishOverHttp({ orderId: 'o-mine', customerId }));
  });
};

let sent = false;
function sendAndPublish() {
  if (sent) return;
  sent = true;
  // 3. a publish the customer role may not make
  eb.publish('order:created', { orderId: 'o-forged', customerId });
  // 4. an allowed send with a reply: the hub answers {id, seq}
  eb.send('customer:viewing_product', { productId: 'p-42', customerId: 'forged-id' }, (err, reply) => {
    observed.sendReply = err ? { error: err } : reply.body;
    maybeDone();
  });
}

function maybeDone() {
  if (observed.sendReply && observed.orderHandlerError) {
    clearTimeout(deadline);
    console.log(JSON.stringify(observed));
    eb.close();
    process.exit(0);
  }
}
