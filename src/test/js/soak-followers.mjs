// Followers for the chaos soak (ChaosSoakIT, docs/chaos.md), in one Node process: some with the official Vert.x
// client (@vertx/eventbus-bridge-client.js over sockjs-client), moving to another node with since/epoch when their
// connection closes, as an application does by hand; some with Herald's own client (herald.js, which reconnects
// and recovers by itself over its list of nodes). Each prints what it receives as JSON lines on stdout:
//   {"k":"follow","f":name,"type":t}                once its registers were handled (the first time)
//   {"k":"rec","f":name,"type":t,"pid":p,"epoch":e,"seq":n,"node":i}
//   {"k":"err","f":name,"type":t,"code":c,"node":i}
//   {"k":"note","f":name,"text":…}
// Runs until its standard input closes.
//   node soak-followers.mjs '<json: urls, token, types, official (count), herald (count), prefix>'
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const EventBus = require('@vertx/eventbus-bridge-client.js');
const { Herald } = await import('herald-client');

const args = JSON.parse(process.argv[2]);
const out = (json) => process.stdout.write(JSON.stringify(json) + '\n');
const stops = [];

function official(name, first) {
  const positions = new Map(); // type -> { seq, epoch }
  let node = first;
  let followed = false;
  let stopped = false;
  let eb = null;
  const connect = () => {
    if (stopped) return;
    const here = node;
    eb = new EventBus(args.urls[here] + '/eventbus?token=' + encodeURIComponent(args.token), { vertxbus_ping_interval: 5000 });
    eb.enableReconnect(false);
    let opened = false;
    eb.onopen = () => {
      opened = true;
      out({ k: 'note', f: name, text: 'connected to node ' + here });
      for (const type of args.types) {
        const p = positions.get(type);
        const headers = p ? { since: String(p.seq), epoch: p.epoch } : { since: '0' };
        eb.registerHandler(type, headers, (err, message) => {
          if (err) {
            out({ k: 'err', f: name, type, code: err.failureType || err.body || String(err.message), node: here });
            return;
          }
          const e = message.body;
          positions.set(type, { seq: e.seq, epoch: e.epoch });
          out({ k: 'rec', f: name, type, pid: e.data && e.data.pid, epoch: e.epoch, seq: e.seq, node: here });
        });
      }
      // an unknown address: its err comes after the registers above were handled
      eb.registerHandler('sync:' + name, () => {
        if (!followed) {
          followed = true;
          for (const type of args.types) out({ k: 'follow', f: name, type });
        }
      });
    };
    eb.onclose = (e) => {
      if (stopped) return;
      out({ k: 'note', f: name, text: (opened ? 'closed by' : 'could not connect to') + ' node ' + here + ': ' + (e && (e.code + ' ' + e.reason)) });
      const next = Math.floor(Math.random() * (args.urls.length - 1));
      node = next >= here ? next + 1 : next;
      setTimeout(connect, 200);
    };
    eb.onerror = () => { };
  };
  connect();
  stops.push(() => { stopped = true; try { eb.close(); } catch (e) { } });
}

function herald(name, first) {
  // its list starts at another node for each follower
  const urls = args.urls.slice(first).concat(args.urls.slice(0, first));
  const client = new Herald({ urls, token: args.token, minReconnectMs: 200, maxReconnectMs: 2000 });
  let followed = false;
  const nodeOf = () => -1; // herald.js does not say which of its urls it is connected to
  for (const type of args.types) {
    client.on(type, (e) => out({ k: 'rec', f: name, type, pid: e.data && e.data.pid, epoch: e.epoch, seq: e.seq, node: nodeOf() }));
  }
  client.onRecoveryIncomplete((type, err) => out({ k: 'err', f: name, type, code: 'recovery_incomplete', node: nodeOf() }));
  client.onError((err) => out({ k: 'note', f: name, text: 'error ' + (err && (err.code + ' ' + err.message)) }));
  client.onStatus((status, info) => {
    out({ k: 'note', f: name, text: 'status ' + status + (info ? ' ' + JSON.stringify(info) : '') });
    if (status === 'open' && !followed) {
      followed = true;
      // herald.js registers at open; its registers are handled before anything published after this line
      setTimeout(() => { for (const type of args.types) out({ k: 'follow', f: name, type }); }, 500);
    }
  });
  stops.push(() => client.close());
}

for (let i = 0; i < args.official; i++) official(args.prefix + 'o' + i, i % args.urls.length);
for (let i = 0; i < args.herald; i++) herald(args.prefix + 'j' + i, (i + 1) % args.urls.length);

process.stdin.resume();
process.stdin.on('end', () => {
  stops.forEach((stop) => stop());
  setTimeout(() => process.exit(0), 500);
});
