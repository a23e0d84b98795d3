// Typings of herald.js, Herald's browser client.
// The event types below are those of the hub's catalog when this file comes from a node
// (GET /client/herald.d.ts, or `java -jar herald.jar types <file>`); in the npm package they are any string.

// <catalog>
/** The event types by namespace (generated from the hub's catalog; here: any). */
export interface EventTypesByNamespace {
  [namespace: string]: string;
}
/** Every event type of the hub. */
export type EventType = string;
// </catalog>

export type Namespace = keyof EventTypesByNamespace;

/** What every event carries (the hub's envelope). */
export interface HeraldEvent<T extends EventType = EventType, D = Record<string, unknown>> {
  id: string;
  type: T;
  /** Publish time, milliseconds since the epoch. */
  ts: number;
  /** Rises by one per event of this type across the cluster. */
  seq: number;
  /** Names the stream seq counts in; changes when the stream was lost (a whole-cluster restart). */
  epoch: string;
  data: D;
  userId?: string;
  storeId?: string;
}

export type Status = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why a connection ended: one of the hub's close reasons, or what the client saw. */
export type CloseReason =
  | 'shutdown' | 'frame_too_large' | 'token_required' | 'token_invalid' | 'token_expired' | 'idle_timeout'
  | 'rate_limited' | 'too_many_connections' | 'slow_consumer' | 'internal_error' | 'unavailable' | 'revoked' | 'token_revoked'
  | 'connection_lost' | 'token_unavailable' | 'client_closed';

export interface CloseInfo {
  reason: CloseReason;
  code?: number;
  message: string;
  /** Whether the client connects again (false: status is 'closed'). */
  reconnect: boolean;
  /** With status 'reconnecting': how long until the next attempt. */
  retryInMs?: number;
}

export type Token = string | (() => string | Promise<string>);

export interface HeraldOptions {
  /** Base URLs of the hub's nodes ('http://host:8080'), tried in turn. */
  urls?: string[];
  url?: string;
  /** A JWT, or a function giving a fresh one (called to connect, and before the current one expires). */
  token?: Token;
  /** SockJS transports to allow, e.g. ['websocket', 'xhr-streaming', 'xhr-polling']; default: all. */
  transports?: string[];
  minReconnectMs?: number;
  maxReconnectMs?: number;
  stableMs?: number;
  pingMs?: number;
  requestTimeoutMs?: number;
  tokenRefreshMs?: number;
}

export declare class HeraldError extends Error {
  /** The hub's code: access_denied, recovery_incomplete, timeout, disconnected, closed, … */
  readonly code: string;
  readonly status?: number;
  readonly address?: string;
}

/** One user online: its connections across the cluster. */
export interface PresenceEntry {
  userId: string;
  role?: string;
  connections?: number;
  nodes?: string[];
  since?: number;
  [field: string]: unknown;
}
/** herald.presence(room) */
export interface RoomPresence {
  room: string;
  members: PresenceEntry[];
  count: number;
  uniqueUsers: number;
  connections: number;
  /** The last user id of this page: pass it back as page.next for the following one. */
  next: string | null;
  more: boolean;
}
/** herald.presence(): everyone the token may see. */
export interface Presence {
  users: PresenceEntry[];
  uniqueUsers: number;
  connections: number;
  /** The last user id of this page: pass it back as page.next for the following one. */
  next: string | null;
  more: boolean;
}
/** Which page of a presence answer: limit 1..500 (default 500), after the previous answer's next. */
export interface PresencePageRequest {
  limit?: number;
  next?: string;
}

export declare class Herald {
  constructor(options: HeraldOptions);
  readonly status: Status;
  readonly closeInfo: CloseInfo | null;
  /** The SockJS transport of the open connection ('websocket', 'xhr-streaming', …), or null. */
  readonly transport: string | null;
  /** Each event of the type, once and in seq order, across reconnects; returns the unsubscribe. */
  on<T extends EventType, D = Record<string, unknown>>(type: T, handler: (event: HeraldEvent<T, D>) => void): () => void;
  onStatus(callback: (status: Status, info: CloseInfo | null) => void): () => void;
  /** History could not replay all that was missed of a type: reload its state. */
  onRecoveryIncomplete(callback: (type: EventType, error: HeraldError) => void): () => void;
  onError(callback: (error: HeraldError) => void): () => void;
  /** Joins a room (kept across reconnects); rejects with code access_denied when the rules refuse it. */
  join(room: string): Promise<{ room: string; joined: boolean }>;
  leave(room: string): Promise<{ room: string; joined: boolean }>;
  presence(): Promise<Presence>;
  presence(room: string, page?: PresencePageRequest): Promise<RoomPresence>;
  presence(room: null | undefined, page: PresencePageRequest): Promise<Presence>;
  publish<T extends EventType>(type: T, data: Record<string, unknown>): Promise<{ id: string; seq: number; epoch: string }>;
  request(address: string, body?: Record<string, unknown>): Promise<any>;
  close(): void;
}

export declare function jwtExpiry(token: string): number | null;
