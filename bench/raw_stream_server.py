"""The floor of bench/documents.py: a bare grpc.aio server that streams a file in 1 MiB
messages over mutual TLS, as its own process. Args: KEY CERT PEER_CERT FILE; prints its port."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc


async def main(key: bytes, cert: bytes, peer_cert: bytes, path: str) -> None:
    async def stream(request: bytes, context: Any) -> AsyncIterator[bytes]:
        with open(path, "rb") as f:
            while piece := f.read(1 << 20):
                yield piece

    server = grpc.aio.server(options=[("grpc.max_send_message_length", 8 << 20)])
    method = grpc.unary_stream_rpc_method_handler(
        stream, request_deserializer=bytes, response_serializer=bytes
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("bench.Raw", {"Stream": method}),)
    )
    creds = grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=peer_cert, require_client_auth=True
    )
    port = server.add_secure_port("127.0.0.1:0", creds)
    await server.start()
    print(port, flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    k, c, p = (Path(a).read_bytes() for a in sys.argv[1:4])
    asyncio.run(main(k, c, p, sys.argv[4]))
