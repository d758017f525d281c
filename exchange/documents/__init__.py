"""Best-practice documents: the pure parts (topics, media types, manifests and chunks).

Storage is in `exchange.store.documents`, the transfer in `exchange.node.docfetch` and
`exchange.node.exchange_service`, the use cases in `exchange.app.documents`.
"""
