"""Delivery: the transactional outbox, the inbox that applies entries, senders and pullers."""
