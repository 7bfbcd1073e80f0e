-- Blogs are the main record; every change to one also writes exactly one outbox row in the same
-- transaction (the transactional outbox), which the relay moves to the stream.
create table blogs (
    blog_id      uuid        primary key,
    author_id    text        not null,
    title        text        not null,
    body         text        not null,
    tags         text[]      not null default '{}',
    version      integer     not null,
    deleted      boolean     not null default false,
    published_at timestamptz not null,
    updated_at   timestamptz not null
);
create index blogs_live_by_author on blogs (author_id) where not deleted;

create table outbox (
    id          bigserial   primary key,
    event_id    uuid        not null unique,
    event_type  text        not null,
    event_key   text        not null,
    payload     bytea       not null,
    created_at  timestamptz not null default now(),
    sent_at     timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- A client's Idempotency-Key, with the answer it got, so that a retry returns the same blog.
create table idempotency_keys (
    idem_key     text        primary key,
    request_hash text        not null,
    blog_id      uuid        not null,
    event_id     uuid        not null,
    version      integer     not null,
    created_at   timestamptz not null default now()
);

-- The counter group's state and its dedupe records, written in one transaction per batch.
create table author_stats (
    author_id  text   primary key,
    blog_count bigint not null default 0 check (blog_count >= 0)
);

create table processed_events (
    group_name   text        not null,
    event_id     uuid        not null,
    processed_at timestamptz not null default now(),
    primary key (group_name, event_id)
);
