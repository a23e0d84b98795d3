// React bindings for Herald's client: a provider that holds one client, hooks that subscribe components
// to event types, rooms' presence and the connection status, and a status component. Handlers passed to
// the hooks may be new functions on every render: the hooks call the latest one and subscribe only when
// the client or the event types change.
import { createContext, createElement, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Herald } from './herald.js';

const HeraldContext = createContext(null);

/**
 * Gives its children a Herald client: the `client` you made, or one it makes from `options` (and closes
 * when it unmounts; `options` are read when it mounts).
 */
export function HeraldProvider({ client, options, children }) {
  const [own, setOwn] = useState(null);
  useEffect(() => {
    if (client) return undefined;
    const made = new Herald(options);
    setOwn(made);
    return () => made.close();
  }, [client]); // eslint-disable-line react-hooks/exhaustive-deps -- options are read once, at mount
  const herald = client || own;
  const [status, setStatus] = useState(herald ? herald.status : 'connecting');
  useEffect(() => {
    if (!herald) return undefined;
    setStatus(herald.status);
    return herald.onStatus((next) => setStatus(next));
  }, [herald]);
  const value = useMemo(() => ({ client: herald, status, isConnected: status === 'open' }), [herald, status]);
  return createElement(HeraldContext.Provider, { value }, children);
}

/** { client, status, isConnected } of the nearest HeraldProvider (client is null until it is made). */
export function useHerald() {
  const value = useContext(HeraldContext);
  if (!value) {
    throw new Error('useHerald and the Herald hooks need a <HeraldProvider> above them');
  }
  return value;
}

/** The latest value of something that changes every render, for callbacks registered once. */
function useLatest(value) {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

/** Calls handler(event) for each event of the type; with { filter }, for those the filter matches (docs/filters.md). */
export function useEvent(type, handler, { filter } = {}) {
  const { client } = useHerald();
  const latest = useLatest(handler);
  // a filter written inline is a new object each render: the subscription follows its text, not its identity
  const filterText = filter === undefined || filter === null ? '' : typeof filter === 'string' ? filter : JSON.stringify(filter);
  useEffect(() => {
    if (!client || !type) return undefined;
    return client.on(type, (event) => latest.current(event), filterText ? { filter: filterText } : undefined);
  }, [client, type, latest, filterText]);
}

/** useEvent for several types at once: { 'order:created': handler, … }. */
export function useEvents(handlers) {
  const { client } = useHerald();
  const latest = useLatest(handlers);
  const types = Object.keys(handlers).sort().join('\n'); // resubscribe when the set of types changes, not the functions
  useEffect(() => {
    if (!client || !types) return undefined;
    const offs = types.split('\n').map((type) => client.on(type, (event) => {
      const handler = latest.current[type];
      if (handler) handler(event);
    }));
    return () => offs.forEach((off) => off());
  }, [client, types, latest]);
}

/**
 * A keyed type's state (docs/state.md), kept current: a Map from key to the latest envelope, re-rendering on each
 * change ({ map, ready, error }: ready once the snapshot is read; error a HeraldError such as access_denied).
 */
export function useHeraldState(type) {
  const { client } = useHerald();
  const [view, setView] = useState({ map: new Map(), ready: false, error: null });
  useEffect(() => {
    if (!client || !type) return undefined;
    const state = client.state(type, (map) => setView({ map: new Map(map), ready: true, error: null }));
    state.ready.catch((error) => setView((previous) => ({ ...previous, error })));
    return () => state.close();
  }, [client, type]);
  return view;
}

/** The hub's presence events, aimed at a room's members when someone joins or leaves it. */
const PRESENCE_EVENTS = ['presence:joined', 'presence:left'];

/**
 * Who is online in a room ({ room, members, count }), or everyone the token may see without a room
 * ({ users, uniqueUsers, connections }): asked when the connection opens, on each presence:joined /
 * presence:left of the room, every `refreshMs` if set, and on `refresh()`. Returns { presence, error, refresh }.
 */
export function usePresence(room, { refreshMs = 0 } = {}) {
  const { client, status } = useHerald();
  const [state, setState] = useState({ presence: null, error: null });
  const ask = useCallback(() => {
    if (!client || status !== 'open') return;
    client.presence(room).then(
      (presence) => setState({ presence, error: null }),
      (error) => setState((previous) => ({ presence: previous.presence, error })));
  }, [client, status, room]);
  const latestAsk = useLatest(ask);
  useEffect(() => {
    ask();
    if (!refreshMs) return undefined;
    const timer = setInterval(ask, refreshMs);
    return () => clearInterval(timer);
  }, [ask, refreshMs]);
  useEffect(() => {
    if (!client) return undefined;
    const offs = PRESENCE_EVENTS.map((type) => client.on(type, (event) => {
      if (room === undefined || (event.data && event.data.room === room)) latestAsk.current();
    }));
    return () => offs.forEach((off) => off());
  }, [client, room, latestAsk]);
  return { ...state, refresh: ask };
}

/**
 * The user's inbox (docs/backends.md): the newest page (up to limit entries), the unread count, and ack(ids), which
 * removes them at once here and from the hub. Read when connected (again after each reconnect), on refresh(), and
 * when an event of one of `types` arrives (the inbox types the page shows live, e.g. ['order:status_changed']).
 */
export function useInbox({ limit = 50, types = [] } = {}) {
  const { client, status } = useHerald();
  const [state, setState] = useState({ entries: [], unread: 0, more: false, ready: false, error: null });
  const read = useCallback(() => {
    if (!client || status !== 'open') return;
    client.inbox({ limit }).then(
      (page) => setState({ entries: page.entries, unread: page.unread, more: page.more, ready: true, error: null }),
      (error) => setState((previous) => ({ ...previous, error })));
  }, [client, status, limit]);
  const latestRead = useLatest(read);
  useEffect(() => { read(); }, [read]);
  const typeKey = types.join(',');
  useEffect(() => {
    if (!client || !typeKey) return undefined;
    // the hub files an event a moment after it delivers it: read a little later
    const offs = typeKey.split(',').map((type) => client.on(type, () => setTimeout(() => latestRead.current(), 250)));
    return () => offs.forEach((off) => off());
  }, [client, typeKey, latestRead]);
  const ack = useCallback((ids) => {
    const list = Array.isArray(ids) ? ids : [ids];
    if (!client || list.length === 0) return Promise.resolve({ acked: 0 });
    setState((previous) => {
      const entries = previous.entries.filter((entry) => !list.includes(entry.id));
      return { ...previous, entries, unread: Math.max(0, previous.unread - (previous.entries.length - entries.length)) };
    });
    return client.ack(list).then((reply) => { latestRead.current(); return reply; });
  }, [client, latestRead]);
  return { ...state, ack, refresh: read };
}


/**
 * Who is typing in a room: the room's signals whose data is { typing: true } (a { typing: false } ends one at once),
 * each until its expiresAt, from when the hook mounts and from join replies. Returns { typing, notify, stop }:
 * typing is [{ userId, role, expiresAt }]; notify() signals { typing: true } for ttlMs (call it on each keystroke: it
 * sends at most one signal per ttlMs / 2); stop() signals { typing: false }.
 */
export function useTyping(room, { ttlMs = 3000 } = {}) {
  const { client } = useHerald();
  const [typing, setTyping] = useState([]);
  const lastSent = useRef(0);
  useEffect(() => {
    if (!client || !room) return undefined;
    const current = new Map(); // sender -> { userId, role, expiresAt }
    let timer = null;
    const show = () => {
      const now = Date.now();
      for (const [key, entry] of current) {
        if (entry.expiresAt <= now) current.delete(key);
      }
      setTyping([...current.values()]);
      clearTimeout(timer);
      timer = null;
      if (current.size > 0) {
        const next = Math.min(...[...current.values()].map((entry) => entry.expiresAt));
        timer = setTimeout(show, Math.max(0, next - now) + 5);
      }
    };
    const off = client.onSignal((signal) => {
      if (signal.room !== room || !signal.data || typeof signal.data.typing !== 'boolean') return;
      const from = signal.from || {};
      const key = from.userId == null ? 'role:' + from.role : from.userId;
      if (signal.data.typing) {
        current.set(key, { userId: from.userId, role: from.role, expiresAt: signal.expiresAt });
      } else {
        current.delete(key);
      }
      show();
    });
    setTyping([]);
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, room]);
  const notify = useCallback(() => {
    const now = Date.now();
    if (!client || !room || now - lastSent.current < ttlMs / 2) return;
    lastSent.current = now;
    client.signal(room, { typing: true }, { ttlMs }).catch(() => { lastSent.current = 0; });
  }, [client, room, ttlMs]);
  const stop = useCallback(() => {
    if (!client || !room || lastSent.current === 0) return;
    lastSent.current = 0;
    client.signal(room, { typing: false }, { ttlMs: 1 }).catch(() => {});
  }, [client, room]);
  return { typing, notify, stop };
}

const LABELS = { connecting: 'Connecting…', open: 'Live', reconnecting: 'Reconnecting…', closed: 'Disconnected' };

/**
 * The connection status as a small element: <span class="herald-status herald-status-open" data-status="open">Live</span>.
 * `labels` overrides the texts; `render(status, closeInfo)` replaces the element.
 */
export function ConnectionStatus({ labels, render, className = 'herald-status' }) {
  const { client, status } = useHerald();
  if (render) {
    return render(status, client ? client.closeInfo : null);
  }
  const text = (labels && labels[status]) || LABELS[status];
  const reason = status === 'closed' && client && client.closeInfo ? client.closeInfo.reason : undefined;
  return createElement('span', {
    className: className + ' ' + className + '-' + status,
    'data-status': status,
    title: reason,
    role: 'status',
  }, text);
}
