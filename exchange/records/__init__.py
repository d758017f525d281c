"""Liaison record requests: the workflow's pure parts (deadlines, sealing, field selection).

No I/O here: the node's storage and the Operator adapters call these with values."""
