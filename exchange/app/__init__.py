"""Use cases behind every interface (the Operator service today, a web console later).

They take plain values, return frozen dataclasses and raise `exchange.errors.Error`; they
import no grpc (tests/unit/test_import_graph.py), so any interface can call them:

    alerts      publish, amend, withdraw this node's own alerts (keyed retries: keyed)
    listing     list alerts, show one (audited read); AlertView, what every version looks like
    quarantine  received items held back: list, release, drop
    matching    local hit/no-hit over subject tokens (audited by counts)
    policy      reload the policy file, explain a disclosure
    status      the node and its links; alarms: every alarm, acknowledging one
    peers       list, add, remove, move a peer
    trust       import trust items, keys status, resolve a split view
    audit       list events, verify the chain (also against the peers' signed heads)
"""
