// What the scripts that drive a real hub from Node share (herald-node.mjs, herald-inbox.mjs, herald-state.mjs): their arguments (one
// JSON object: urls, apiKey, jwtSecret, …), failing with their name and a deadline, a DOM for React before React and
// the testing library load, HS256 tokens of the hub's secret, publishing over the HTTP API, and waiting for a condition.
import { JSDOM } from 'jsdom';
import { createHmac } from 'node:crypto';

export const args = JSON.parse(process.argv[2]);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** fail(message) prints "[name] message" and exits 1; done() cancels the deadline (timeoutMs) that fails otherwise. */
export function script(name, timeoutMs) {
  const fail = (message) => {
    console.error('[' + name + '] ' + message);
    process.exit(1);
  };
  const deadline = setTimeout(() => fail('timed out'), timeoutMs);
  return { fail, done: () => clearTimeout(deadline) };
}

/** React, the testing library, herald-client and its React bindings, on a jsdom document. */
export async function reactOnDom() {
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  if (!globalThis.navigator) globalThis.navigator = dom.window.navigator;
  const React = await import('react');
  const testing = await import('@testing-library/react');
  // events come from a real hub over a real socket, not from act(): React must not expect act() around updates
  globalThis.IS_REACT_ACT_ENVIRONMENT = false;
  const { Herald } = await import('herald-client');
  const bindings = await import('herald-client/react');
  return { React, h: React.createElement, testing, Herald, bindings };
}

/** An HS256 JWT signed with the hub's secret, as an identity provider would issue it. */
export function mint(sub, role, ttlSeconds) {
  const part = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = part({ typ: 'JWT', alg: 'HS256' }) + '.' + part({ sub, role, iat: now, exp: now + ttlSeconds });
  return body + '.' + createHmac('sha256', args.jwtSecret).update(body).digest('base64url');
}

/** POST /api/events with the API key; its 202 answer. */
export async function publish(base, event) {
  const response = await fetch(base + '/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + args.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
  if (response.status !== 202) throw new Error('publish answered ' + response.status + ' ' + await response.text());
  return response.json();
}

/** Waits until check() holds, polling every 50 ms, for at most ms. */
export async function until(what, check, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error('waited in vain for ' + what);
}
