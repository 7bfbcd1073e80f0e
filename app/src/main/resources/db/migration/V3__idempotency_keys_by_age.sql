-- Idempotency keys are kept for a while, then pruned oldest first (publisher.IdempotencyKeyPruner).
create index idempotency_keys_created on idempotency_keys (created_at);
