-- When a group passed over an event still in the stream without handling it (an offset reset forward, a start
-- at the latest offset): the trace calls it skipped, and gap healing never sends it again for that group.
-- Recorded by the relay's leader (outbox.GapHealer); goes with the event's other rows when it is pruned.
alter table event_attempts add column skipped_at timestamptz;
