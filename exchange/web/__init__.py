"""The web console: a separate process (`exchange web`) that serves server-rendered pages to the
people of a node and talks to its node only over the Operator socket, with each signed-in
user's own token, so the node checks every role and audits every call with the user's name.
The console holds no privilege of its own; the node's peer port stays its only network surface.
"""
