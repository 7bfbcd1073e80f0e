-- Where the relay's send of each event landed in the stream: what pruning needs to know that no
-- redelivery can reach an event any more (its record is older than its partition's first kept record).
alter table outbox add column stream_partition integer, add column stream_offset bigint;
create index outbox_sent_positions on outbox (stream_partition, stream_offset) where sent_at is not null;
