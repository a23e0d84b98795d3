// Herald's client refused at connect, over each SockJS transport, in plain Node (no DOM): over WebSocket the close
// carries the reason's own code and the client decides from its range; over the fallback transports vertx-web closes
// with 3000 whatever the reason, and the client decides from the err frame before the close (failureType and
// reconnect). The behaviour must be the same on every transport:
//   - a fixed token the hub refuses (token_invalid): closed, no reconnect;
//   - a token function whose first token is refused: asked again, its second token connects;
//   - a token revoked by the disconnect API (token_revoked, a refusal code that is no close reason): closed, no
//     reconnect (over the fallback transports the client used to see a lost connection and retry the same token).
// Run by HeraldJsIT; prints one JSON object, by transport.
//   node herald-refusals.mjs '{"url":"http://127.0.0.1:8080","apiKey":"…","jwtSecret":"…","transports":["websocket","xhr-streaming"]}'
import { createHmac } from 'node:crypto';
import { Herald } from 'herald-client';

const args = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => fail('timed out'), 100000);

function fail(message) {
  console.error('[herald-refusals] ' + message);
  process.exit(1);
}

function mint(sub, role, ttlSeconds) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = part({ typ: 'JWT', alg: 'HS256' }) + '.' + part({ sub, role, iat: now, exp: now + ttlSeconds });
  return body + '.' + createHmac('sha256', args.jwtSecret).update(body).digest('base64url');
}

async function until(what, check, state, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what + ': ' + JSON.stringify(state()));
}

function watch(herald) {
  const seen = { statuses: [], errors: [] };
  herald.onStatus((status, info) => seen.statuses.push({ status, reason: info ? info.reason : null }));
  herald.onError((err) => seen.errors.push(err.code));
  return seen;
}

async function refusals(transport) {
  const transports = [transport];
  const fixed = new Herald({ urls: [args.url], token: 'not-a-jwt', transports });
  const fixedSeen = watch(fixed);
  let calls = 0;
  const fn = new Herald({ urls: [args.url], transports,
    token: async () => (++calls === 1 ? 'not-a-jwt' : mint('refusals-fn-' + transport, 'staff', 3600)) });
  const fnSeen = watch(fn);
  const user = 'refusals-revoked-' + transport; // a user of its own: nobody else's tokens are revoked
  const revokedToken = mint(user, 'staff', 3600);
  const answer = await fetch(args.url + '/api/disconnect', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ users: [user], revokeTokensIssuedBefore: Math.floor(Date.now() / 1000) + 5 }),
  });
  if (answer.status !== 200) throw new Error('disconnect answered ' + answer.status + ' ' + await answer.text());
  const revoked = new Herald({ urls: [args.url], token: revokedToken, transports });
  const revokedSeen = watch(revoked);
  const state = () => ({ fixed: [fixedSeen, fixed.closeInfo], fn: [fnSeen, fn.closeInfo], revoked: [revokedSeen, revoked.closeInfo] });
  await until('the fixed token closed', () => fixed.status === 'closed', state);
  await until('the function\'s second token open', () => calls >= 2 && fn.status === 'open', state);
  await until('the revoked token closed', () => revoked.status === 'closed', state);
  await sleep(1500); // a reconnect would have started by now
  const result = {
    fixed: { seen: fixedSeen, closeInfo: fixed.closeInfo },
    fn: { seen: fnSeen, calls, transport: fn.transport },
    revoked: { seen: revokedSeen, closeInfo: revoked.closeInfo },
  };
  fn.close();
  return result;
}

try {
  const results = {};
  for (const transport of args.transports) {
    results[transport] = await refusals(transport);
  }
  clearTimeout(deadline);
  console.log(JSON.stringify(results));
  process.exit(0);
} catch (e) {
  fail(e.stack || String(e));
}
