-- Herald's transactional outbox (docs/outbox.md), PostgreSQL 11 and later. Safe to run twice.
-- A backend inserts a row in the same transaction as its business change; Herald publishes it and deletes it.

CREATE TABLE IF NOT EXISTS herald_outbox (
    id              bigserial   PRIMARY KEY,
    type            text        NOT NULL,               -- an event type of the catalog: 'order:created'
    data            jsonb       NOT NULL,               -- the event's data: a JSON object
    target          jsonb,                              -- optional, as the API's: {"users":[…],"roles":[…],"rooms":[…]}
    idempotency_key text,                               -- optional: the same key twice within the window is one event
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Rows Herald could not publish (unknown type, data not an object, bad target), with the reason.
CREATE TABLE IF NOT EXISTS herald_outbox_dead (
    id              bigint      PRIMARY KEY,
    type            text,
    data            jsonb,
    target          jsonb,
    idempotency_key text,
    created_at      timestamptz,
    error           text        NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now()
);

-- Wakes Herald when a transaction that inserted rows commits (a rolled-back one sends nothing); the channel is the
-- table's name. Herald also reads the table every sources.outbox.pollMs, so a lost notification only delays.
CREATE OR REPLACE FUNCTION herald_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_NAME, '');
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS herald_outbox_notify ON herald_outbox;
CREATE TRIGGER herald_outbox_notify AFTER INSERT ON herald_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION herald_outbox_notify();
