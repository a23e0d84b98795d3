// Typings of the React bindings. They take the event types from 'herald-client': point that name at the
// types generated from your hub (tsconfig "paths") and event names are checked here too.
import type { ReactElement, ReactNode } from 'react';
import type { CloseInfo, EventType, Filter, Herald, HeraldError, HeraldEvent, HeraldOptions, Presence, RoomPresence, Status } from 'herald-client';

export interface HeraldProviderProps {
  /** A client you made; or `options` to have the provider make one (and close it on unmount). */
  client?: Herald;
  options?: HeraldOptions;
  children?: ReactNode;
}
export declare function HeraldProvider(props: HeraldProviderProps): ReactElement;

export interface HeraldContextValue {
  client: Herald | null;
  status: Status;
  isConnected: boolean;
}
export declare function useHerald(): HeraldContextValue;

/** Each event of the type; with a filter, those it matches (docs/filters.md). */
export declare function useEvent<T extends EventType, D = Record<string, unknown>>(
  type: T, handler: (event: HeraldEvent<T, D>) => void, options?: { filter?: Filter | string }): void;

export type EventHandlers = { [T in EventType]?: (event: HeraldEvent<T>) => void };
export declare function useEvents(handlers: EventHandlers): void;

export declare function usePresence<R extends string | undefined = undefined>(room?: R, options?: { refreshMs?: number }): {
  presence: (R extends string ? RoomPresence : Presence) | null;
  error: HeraldError | null;
  refresh: () => void;
};

/** A keyed type's state, kept current (docs/state.md): key -> the latest envelope of that key. */
export declare function useHeraldState<T extends EventType, D = Record<string, unknown>>(type: T): {
  map: Map<string, HeraldEvent<T, D>>;
  ready: boolean;
  error: HeraldError | null;
};

/**
 * The user's inbox (docs/backends.md): the newest page, the unread count, ack(ids) (removed here at once and from the
 * hub); read again after reconnects, on refresh(), and when an event of one of `types` arrives.
 */
export declare function useInbox<T extends EventType = EventType, D = Record<string, unknown>>(options?: { limit?: number; types?: EventType[] }): {
  entries: Array<HeraldEvent<T, D>>;
  unread: number;
  more: boolean;
  ready: boolean;
  error: HeraldError | null;
  ack: (ids: string | string[]) => Promise<{ acked: number }>;
  refresh: () => void;
};

/** Who is typing in a room (signals of data { typing: true }, each until it expires); notify() on keystrokes, stop() when done. */
export declare function useTyping(room: string, options?: { ttlMs?: number }): {
  typing: Array<{ userId: string | null; role: string; expiresAt: number }>;
  notify: () => void;
  stop: () => void;
};

export interface ConnectionStatusProps {
  labels?: Partial<Record<Status, string>>;
  render?: (status: Status, closeInfo: CloseInfo | null) => ReactNode;
  className?: string;
}
export declare function ConnectionStatus(props: ConnectionStatusProps): ReactElement;
