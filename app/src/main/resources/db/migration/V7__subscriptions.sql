-- Webhook subscriptions (issue 3/5): each is one more consumer group of the events topic, named
-- 'sub-' || name, whose sink is an HTTP endpoint. Every instance reads this table to run the same ones.
create table subscriptions (
    name                 text        primary key,
    -- tells one life of a name from the next: a subscription deleted and created again is another one
    incarnation          uuid        not null,
    url                  text        not null,
    start_from           text        not null,
    start_timestamp      bigint,
    max_in_flight        integer     not null,
    timeout_ms           integer     not null,
    secret               text        not null,
    -- the secret before the last rotation, signing too until previous_until
    previous_secret      text,
    previous_until       timestamptz,
    paused               boolean     not null default false,
    -- outbox rows committed before this are not owed to the subscription: the relay never sends them
    -- again for it and the pruner does not keep them for it
    owed_from            timestamptz not null,
    created_at           timestamptz not null default now(),
    -- set once the subscription held outbox rows longer than --subscriptions-keep-hours
    expired_at           timestamptz,
    -- a snapshot still to deliver: the blog id it reached so far (null: from the start)
    snapshot_pending     boolean     not null default false,
    snapshot_after       uuid,
    -- set by DELETE: every instance stops it, then the one that deleted removes its group and rows
    deleted_at           timestamptz
);

-- Per subscription and blog, the newest version delivered (or passed over as older): an event or a
-- snapshot entry goes out only when it is newer, so re-sends never go backwards nor repeat.
create table subscription_deliveries (
    group_name text    not null,
    blog_id    uuid    not null,
    version    integer not null,
    primary key (group_name, blog_id)
);
