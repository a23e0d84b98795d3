// Herald's console: the hub as one role sees it, on Herald's own browser client.
import { Herald } from '/client/herald.js';

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 300;
const HISTORY_POINTS = 60;
const STATS_EVERY_MS = 2000;
const PRESENCE_EVERY_MS = 5000;

const state = {
  herald: null,
  token: null,
  claims: null,
  catalog: null,
  paused: false,
  held: [],
  received: 0,
  nodes: new Map(), // node id → { connections: [], rate: [], lastPublished, lastAt }
  timers: [],
  chatRoom: null,   // the last room joined where members see each other: its typing is shown
  typing: new Map(), // userId -> expiresAt, in chatRoom
  typingSentAt: 0,
};

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - part.length % 4) % 4)));
  } catch (e) {
    return {};
  }
}

// --- signing in -------------------------------------------------------------------------------

async function offerDevSignIn() {
  const answer = await fetch('/api/dev/roles');
  if (answer.status === 404) {
    return; // prod: tokens come from the identity provider
  }
  const { roles = [], tokens = false } = await answer.json();
  if (!tokens) {
    $('dev-paste').hidden = false; // dev on a non-loopback address (http.host public): tokens must be pasted
    return;
  }
  $('dev-role').replaceChildren(...roles.map((role) => el('option', { value: role, textContent: role })));
  $('dev-form').hidden = false;
  $('dev-role').onchange = () => { $('dev-sub').value = 'dev-' + $('dev-role').value; };
  $('dev-form').onsubmit = async (e) => {
    e.preventDefault();
    const query = new URLSearchParams({ sub: $('dev-sub').value, role: $('dev-role').value, storeId: $('dev-store').value });
    const minted = await (await fetch('/api/dev/token?' + query)).json();
    if (minted.token) {
      start(minted.token);
    } else {
      toast('Sign-in refused', minted.message || 'no token');
    }
  };
}

$('token-form').onsubmit = (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  if (token) start(token);
};

$('signout').onclick = () => {
  stop();
  history.replaceState(null, '', location.pathname);
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signout').hidden = true;
  $('who').textContent = '';
  setStatus('closed', { message: 'signed out' });
};

// --- the connection ---------------------------------------------------------------------------

function setStatus(status, info) {
  const pill = $('status');
  pill.dataset.status = status;
  pill.textContent = status + (info && info.reason && status !== 'open' ? ' · ' + info.reason : '');
  pill.title = info && info.message ? info.message : status;
}

async function start(token) {
  stop();
  state.token = token;
  state.claims = claimsOf(token);
  state.catalog = state.catalog || await (await fetch('/api/catalog')).json();
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  $('who').textContent = (state.claims.sub || 'anonymous') + ' · ' + (state.claims.role || 'guest');
  const isAdmin = state.claims.role === 'admin';
  $('publish-card').hidden = !isAdmin;

  const herald = new Herald({ urls: [location.origin], token: () => state.token });
  state.herald = herald;
  herald.onStatus((status, info) => setStatus(status, info));
  setStatus(herald.status, null);
  herald.onError((error) => {
    if (error.code === 'access_denied' && error.address) {
      markDenied(error.address);
    } else if (error.code !== 'recovery_incomplete') {
      toast(error.code, error.message);
    }
  });
  herald.onRecoveryIncomplete((type) => toast('Some ' + type + ' events were missed', 'history no longer held them'));
  herald.onSignal(onSignal);

  renderNamespaces();
  for (const namespace of Object.values(state.catalog.namespaces)) {
    for (const type of namespace.types) {
      herald.on(type, onEvent);
    }
  }
  followStock(herald);
  fillPublishTypes();
  refreshPresence();
  refreshStats();
  state.timers.push(setInterval(refreshPresence, PRESENCE_EVERY_MS), setInterval(refreshStats, STATS_EVERY_MS));
}

function stop() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  if (state.herald) {
    state.herald.close();
    state.herald = null;
  }
  state.nodes.clear();
  state.chatRoom = null;
  state.typing.clear();
  $('chat').hidden = true;
}

// --- live events ------------------------------------------------------------------------------

function namespaceOf(type) {
  for (const [name, namespace] of Object.entries(state.catalog.namespaces)) {
    if (namespace.types.includes(type)) return name;
  }
  return '';
}

function onEvent(event) {
  state.received++;
  $('count').textContent = state.received;
  if (event.type.startsWith('system:')) {
    toast(event.type, event.data && (event.data.message || event.data.level || JSON.stringify(event.data)));
  }
  if (state.paused) {
    state.held.push(event);
    $('held').textContent = state.held.length;
    return;
  }
  showEvent(event);
}

function passesFilter(event) {
  const namespace = $('filter-ns').value;
  const text = $('filter-type').value.trim();
  return (!namespace || namespaceOf(event.type) === namespace) && (!text || event.type.includes(text));
}

function showEvent(event) {
  const row = el('tr', { className: 'fresh' + (event.type.startsWith('system:') ? ' system' : '') },
    el('td', { className: 'time', textContent: new Date(event.ts).toLocaleTimeString() }),
    el('td', { className: 'type', textContent: event.type }),
    el('td', { className: 'seq', textContent: event.seq }),
    el('td', { className: 'data', textContent: JSON.stringify(event.data) }));
  row.dataset.type = event.type;
  row.hidden = !passesFilter(event);
  const body = $('events');
  body.prepend(row);
  while (body.children.length > MAX_ROWS) body.lastChild.remove();
}

function applyFilter() {
  for (const row of $('events').children) {
    row.hidden = !passesFilter({ type: row.dataset.type });
  }
}

$('filter-ns').onchange = applyFilter;
$('filter-type').oninput = applyFilter;
$('clear').onclick = () => $('events').replaceChildren();
$('pause').onclick = () => {
  state.paused = !state.paused;
  $('pause').setAttribute('aria-pressed', String(state.paused));
  $('pause').textContent = state.paused ? 'Resume' : 'Pause';
  $('paused-note').hidden = !state.paused;
  if (!state.paused) {
    state.held.forEach(showEvent);
    state.held = [];
    $('held').textContent = '0';
  }
};

function renderNamespaces() {
  const names = Object.keys(state.catalog.namespaces);
  $('namespaces').replaceChildren(...names.map((name) => el('li', { id: 'ns-' + name, textContent: name })));
  $('filter-ns').replaceChildren(el('option', { value: '', textContent: 'all namespaces' }),
    ...names.map((name) => el('option', { value: name, textContent: name })));
}

function markDenied(type) {
  const item = $('ns-' + namespaceOf(type));
  if (item) {
    item.classList.add('denied');
    item.title = 'this role may not read it';
  }
}

// --- keyed state: the stock table --------------------------------------------------------------

const STOCK_TYPE = 'inventory:updated';

/** The state of inventory:updated (docs/state.md), kept current by herald.state(): one row per product. */
function followStock(herald) {
  $('stock-rows').replaceChildren();
  $('stock-count').textContent = '';
  $('stock-note').textContent = 'The state of ' + STOCK_TYPE + ', by product (a snapshot, then live).';
  const view = herald.state(STOCK_TYPE, (map, event) => renderStock(map, event));
  view.ready.catch((error) => {
    $('stock-note').textContent = error.code === 'access_denied' ? 'This role may not read ' + STOCK_TYPE + '.'
      : error.code === 'not_found' ? STOCK_TYPE + ' keeps no state on this hub.' : error.code + ': ' + error.message;
  });
}

function renderStock(map, event) {
  const rows = [...map.entries()].sort(([a], [b]) => a.localeCompare(b)).slice(0, MAX_ROWS).map(([key, envelope]) => {
    const data = envelope.data || {};
    const row = el('tr', { title: key },
      el('td', { textContent: data.product ? data.product + ' (' + key + ')' : key }),
      el('td', { textContent: data.quantity === undefined ? '' : String(data.quantity) }),
      el('td', { textContent: data.warehouse || '' }),
      el('td', { textContent: String(envelope.seq) }));
    if (event && envelope === event) row.classList.add('changed');
    return row;
  });
  $('stock-rows').replaceChildren(...rows);
  $('stock-count').textContent = String(map.size);
}

// --- presence ---------------------------------------------------------------------------------

function person(entry, detail) {
  return el('li', {}, entry.userId, el('span', { textContent: detail }));
}

async function refreshPresence() {
  if (!state.herald || state.herald.status !== 'open') return;
  try {
    const everyone = await state.herald.presence();
    $('presence-note').hidden = true;
    $('online-count').textContent = everyone.uniqueUsers + ' users, ' + everyone.connections + ' connections';
    const isAdmin = state.claims.role === 'admin';
    $('online').replaceChildren(...everyone.users.slice(0, 200).map((entry) => {
      const item = person(entry, entry.role + ' · ' + entry.connections + (entry.connections === 1 ? ' tab' : ' tabs'));
      if (isAdmin && entry.userId && entry.userId !== state.claims.sub) item.append(disconnectButton(entry.userId));
      return item;
    }));
  } catch (error) {
    $('presence-note').hidden = false;
    $('presence-note').textContent = error.code === 'access_denied'
      ? 'This role may not see who is online; a room\'s members show to its members where the room allows it.'
      : 'Presence: ' + error.message;
    $('online').replaceChildren();
  }
}

// admins: close every connection of a user on every node (close reason revoked: it reconnects only with a new token)
function disconnectButton(userId) {
  return el('button', {
    type: 'button',
    className: 'disconnect',
    textContent: 'disconnect',
    title: 'close every connection of ' + userId + ' on every node',
    onclick: async () => {
      try {
        const answer = await fetch('/api/disconnect', {
          method: 'POST',
          headers: { Authorization: 'Bearer ' + state.token, 'Content-Type': 'application/json' },
          body: JSON.stringify({ users: [userId] }),
        });
        const body = await answer.json();
        toast(answer.ok ? 'Disconnected ' + userId : 'Not disconnected', answer.ok
          ? body.disconnected + ' connections closed; ' + body.nodes.answered + ' of ' + body.nodes.total + ' nodes answered'
          : body.error + ': ' + body.message);
      } catch (error) {
        toast('Not disconnected', String(error && error.message || error));
      }
      refreshPresence();
    },
  });
}

$('room-form').onsubmit = async (e) => {
  e.preventDefault();
  const room = $('room').value.trim();
  if (!room || !state.herald) return;
  try {
    const members = await state.herald.presence(room);
    $('room-members').replaceChildren(...(members.members.length
      ? members.members.map((entry) => person(entry, entry.role + ' · ' + entry.connections))
      : [el('li', { textContent: 'nobody in ' + room })]));
  } catch (error) {
    $('room-members').replaceChildren(el('li', { textContent: error.code + ': ' + error.message }));
  }
};

$('join').onclick = async () => {
  const room = $('room').value.trim();
  if (!room || !state.herald) return;
  try {
    const joined = await state.herald.join(room);
    toast('Joined ' + room, 'room-targeted events of the types you read now reach you');
    if (joined.signals) {
      // members see each other here: show who is typing, and let this user be seen typing
      state.chatRoom = room;
      state.typing.clear();
      joined.signals.forEach(onSignal);
      showTyping();
      $('chat').hidden = false;
    }
  } catch (error) {
    toast('Not joined', error.code + ': ' + error.message);
  }
};

// --- who is typing (herald:signal) --------------------------------------------------------------------

function onSignal(signal) {
  if (signal.room !== state.chatRoom || !signal.data || typeof signal.data.typing !== 'boolean' || !signal.from) return;
  const who = signal.from.userId || 'anonymous ' + signal.from.role;
  if (signal.data.typing) {
    state.typing.set(who, signal.expiresAt);
  } else {
    state.typing.delete(who);
  }
  showTyping();
}

function showTyping() {
  clearTimeout(state.typingTimer);
  const now = Date.now();
  for (const [who, expiresAt] of state.typing) {
    if (expiresAt <= now) state.typing.delete(who);
  }
  const names = [...state.typing.keys()];
  $('typing').textContent = names.length ? names.join(', ') + (names.length === 1 ? ' is typing…' : ' are typing…') : 'nobody is typing';
  if (names.length) {
    state.typingTimer = setTimeout(showTyping, Math.max(0, Math.min(...state.typing.values()) - now) + 5);
  }
}

$('chat-input').oninput = () => {
  const now = Date.now();
  if (!state.herald || !state.chatRoom || now - state.typingSentAt < 1500) return;
  state.typingSentAt = now;
  state.herald.signal(state.chatRoom, { typing: true }, { ttlMs: 3000 }).catch((error) => toast(error.code, error.message));
};

$('chat-input').onblur = () => {
  if (!state.herald || !state.chatRoom || !state.typingSentAt) return;
  state.typingSentAt = 0;
  state.herald.signal(state.chatRoom, { typing: false }, { ttlMs: 1 }).catch(() => {});
};

// --- the cluster ------------------------------------------------------------------------------

function sparkline(points, className) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 ' + (HISTORY_POINTS - 1) + ' 34');
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...points);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('class', className);
  line.setAttribute('points', points.map((value, i) => (i + HISTORY_POINTS - points.length) + ',' + (32 - 30 * value / max)).join(' '));
  svg.append(line);
  return svg;
}

function remember(series, value) {
  series.push(value);
  if (series.length > HISTORY_POINTS) series.shift();
}

async function refreshStats() {
  let answer;
  try {
    answer = await fetch('/api/stats', { headers: { Authorization: 'Bearer ' + state.token } });
  } catch (e) {
    return; // the node is away: the status pill says so
  }
  if (!answer.ok) {
    $('cluster-note').hidden = false;
    $('nodes').replaceChildren();
    return;
  }
  $('cluster-note').hidden = true;
  const stats = await answer.json();
  const now = Date.now();
  $('cluster-size').textContent = stats.totals.nodes + (stats.totals.nodes === 1 ? ' node' : ' nodes') + ' · '
    + stats.totals.totalConnections + ' connections · ' + (stats.totals.uniqueUsers ?? '?') + ' users';
  const cards = [];
  for (const node of stats.nodes) {
    const seen = state.nodes.get(node.node) || { connections: [], rate: [], lastPublished: node.eventsPublished, lastAt: now };
    const seconds = Math.max(0.001, (now - seen.lastAt) / 1000);
    const rate = seen.lastAt === now ? 0 : Math.max(0, (node.eventsPublished - seen.lastPublished) / seconds);
    remember(seen.connections, node.totalConnections);
    remember(seen.rate, rate);
    seen.lastPublished = node.eventsPublished;
    seen.lastAt = now;
    state.nodes.set(node.node, seen);
    cards.push(el('div', { className: 'node' },
      el('div', { className: 'id', textContent: node.node }),
      el('div', { className: 'figures' },
        el('span', {}, el('b', { textContent: node.totalConnections }), ' connections'),
        el('span', {}, el('b', { textContent: rate.toFixed(1) }), ' events/s'),
        el('span', {}, el('b', { textContent: node.messagesDelivered }), ' delivered'),
        ...sourceFigures(node)),
      sparkline(seen.connections, 'connections'),
      sparkline(seen.rate, 'rate')));
  }
  for (const id of [...state.nodes.keys()]) {
    if (!stats.nodes.some((node) => node.node === id)) state.nodes.delete(id);
  }
  $('nodes').replaceChildren(...cards);
}

// A node's sources (kafka:<topic>, the outbox): events appended, records waiting and set aside; only where a source ran.
function sourceFigures(node) {
  const of = (stat, name) => (node[stat] || {})[name] || 0;
  const names = new Set([...Object.keys(node.sourceConnected || {}), ...Object.keys(node.sourceConsumed || {})]);
  return [...names].sort().map((name) => el('span', { className: 'source' }, el('b', { textContent: of('sourceAppended', name) }),
    ' ' + name + ' appended · ' + of('sourceLag', name) + ' waiting' + (of('sourceDeadLettered', name) ? ' · ' + of('sourceDeadLettered', name) + ' dead' : '')));
}

// --- publishing (admins) ----------------------------------------------------------------------

function fillPublishTypes() {
  const options = [];
  for (const [name, namespace] of Object.entries(state.catalog.namespaces)) {
    const group = el('optgroup', { label: name });
    group.append(...namespace.types.map((type) => el('option', { value: type, textContent: type })));
    options.push(group);
  }
  $('publish-type').replaceChildren(...options);
  $('publish-type').value = 'system:notification';
}

$('publish-form').onsubmit = async (e) => {
  e.preventDefault();
  let data;
  try {
    data = JSON.parse($('publish-data').value || '{}');
  } catch (error) {
    $('publish-result').textContent = 'data is not JSON: ' + error.message;
    return;
  }
  const event = { type: $('publish-type').value, data };
  const rooms = $('publish-rooms').value.split(',').map((room) => room.trim()).filter(Boolean);
  if (rooms.length) event.target = { rooms };
  const answer = await fetch('/api/events', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + state.token, 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
  const body = await answer.json();
  $('publish-result').textContent = answer.ok ? 'published, seq ' + body.seq : body.error + ': ' + body.message;
};

// --- toasts -----------------------------------------------------------------------------------

function toast(title, text) {
  const note = el('div', { className: 'toast', role: 'status' }, el('b', { textContent: title }), text || '');
  $('toasts').append(note);
  setTimeout(() => note.remove(), 6000);
  while ($('toasts').children.length > 4) $('toasts').firstChild.remove();
}

// --- start ------------------------------------------------------------------------------------

offerDevSignIn();
const fromUrl = new URLSearchParams(location.search).get('token');
if (fromUrl) {
  history.replaceState(null, '', location.pathname); // the token stays out of the address bar and the history
  start(fromUrl);
}
