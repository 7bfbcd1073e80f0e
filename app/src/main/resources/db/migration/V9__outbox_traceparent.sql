-- The W3C trace context (traceparent) of the request that made the change, written with its outbox row in
-- the same transaction, so that the relay can send it as the stream record's header however long after the
-- commit it sends (a restart, a replay, a retention gap healed): the event's work then joins the publish's
-- trace. Null when tracing was off, or the request not traced, at publish time.
alter table outbox add column traceparent text;
