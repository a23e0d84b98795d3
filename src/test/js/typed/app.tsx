// A small typed app, as docs/client.md ("Typed events") shows it: event names are checked against the hub's catalog.
import { Herald, type EventType, type HeraldEvent, type OrdersEventType } from 'herald-client';
import { ConnectionStatus, HeraldProvider, useEvent, useEvents, useHerald, useInbox, usePresence, useTyping } from 'herald-client/react';

const herald = new Herald({ urls: ['http://a:8080', 'http://b:8080'], token: async () => 'a JWT from your login' });

const off: () => void = herald.on('order:created', (event) => {
  const type: 'order:created' = event.type;
  const seq: number = event.seq;
  console.log(type, seq, event.epoch, event.data.orderId);
});
off();
herald.on<'order:updated', { orderId: string }>('order:updated', (event) => event.data.orderId.toUpperCase());
herald.onStatus((status, info) => console.log(status === 'reconnecting' ? info?.reason : status));
herald.onRecoveryIncomplete((type: EventType) => console.log('reload', type));
const shipped: OrdersEventType = 'order:status_changed';
herald.join('store:s-1').then(() => herald.presence('store:s-1'));
herald.join('chat:c-1').then((joined) => joined.signals?.forEach((signal) => console.log(signal.from.userId, signal.expiresAt)));
const offSignals: () => void = herald.onSignal<{ typing: boolean }>((signal) => console.log(signal.room, signal.data.typing));
offSignals();
herald.signal('chat:c-1', { typing: true }, { ttlMs: 3000 }).then((sent) => console.log(sent.expiresAt + 1));
herald.inbox({ limit: 20 }).then((page) => {
  const unread: number = page.unread;
  console.log(unread, page.more ? page.next : null, page.entries.map((event) => event.seq));
  return herald.ack(page.entries.map((event) => event.id));
}).then((reply) => console.log(reply.acked + 1));

function Orders() {
  const { isConnected } = useHerald();
  useEvent('order:created', (event: HeraldEvent<'order:created'>) => console.log(event.data, shipped));
  useEvents({
    'payment:received': (event) => console.log(event.seq),
    'inventory:low_stock': (event) => console.log(event.type),
  });
  const { presence } = usePresence('dashboard');
  const { typing, notify, stop } = useTyping('chat:c-1', { ttlMs: 3000 });
  const inbox = useInbox({ limit: 10, types: ['order:status_changed'] });
  const readAll = () => inbox.ack(inbox.entries.map((event) => event.id));
  return <p onKeyDown={notify} onBlur={stop}>{isConnected ? 'live' : 'offline'} {presence?.count} online
    {typing.map((entry) => entry.userId).join(', ')} <ConnectionStatus /> <button onClick={readAll}>{inbox.unread}</button></p>;
}

export const App = () => <HeraldProvider client={herald}><Orders /></HeraldProvider>;
