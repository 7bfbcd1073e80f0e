-- What GET /api/events/{eventId} and GET /api/blogs/{blogId}/events read (issue 5/6).
-- The blog an event belongs to, so a blog's events are found without reading every payload. Rows written
-- before this migration get it from their payload (the outbox is pruned, so this reads a bounded table).
alter table outbox add column blog_id uuid;
update outbox set blog_id = (convert_from(payload, 'UTF8')::jsonb ->> 'blogId')::uuid;
create index outbox_by_blog on outbox (blog_id, id);

-- A group's trouble with one event: failed attempts (made while its sink's circuit was closed), the last
-- error, when it was dead-lettered and when a replay handled it. Only events that had trouble get a row;
-- rows go with their outbox row when the pruner deletes it.
create table event_attempts (
    group_name       text        not null,
    event_id         uuid        not null,
    attempts         integer     not null default 0,
    last_error       text,
    last_failed_at   timestamptz,
    dead_lettered_at timestamptz,
    replayed_at      timestamptz,
    primary key (event_id, group_name)
);
