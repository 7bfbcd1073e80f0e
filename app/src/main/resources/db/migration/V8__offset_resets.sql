-- An operator's offset reset of a group (POST /api/admin/groups/{group}/reset), noted after the stream took
-- it, by whichever instance served it. A reset forward passes over records the group never handled: the
-- relay's leader (outbox.GapHealer) looks for them only after a reset is noted here (and once when it starts
-- leading), instead of visiting every committed record of every group each second. It deletes the notes it
-- has acted on.
create table offset_resets (
    id         bigserial   primary key,
    group_name text        not null,
    reset_at   timestamptz not null default now()
);
