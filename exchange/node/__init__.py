"""The node: gRPC servicers, server assembly, mTLS identity binding."""
