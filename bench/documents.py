"""Document transfer: one large document from kz to kg, beside a raw gRPC stream of the same
bytes over the same mutual TLS, in the same run.

Two real node processes on 127.0.0.1 (SQLite by default, or --database-url). Figures:
  (a) document rate: from `exchange docs publish` (the upload into kz's store) to the content
      stored and verified at kg (every chunk against the signed manifest, then the whole
      sha256), in MiB/s;
  (b) the floor: a raw gRPC server stream of the same bytes in 1 MiB messages, from a server
      process holding kz's TLS key to this process holding kg's, over the same mutual TLS;
  (c) the ratio a/b (goal: at least 0.7), and the peak resident memory (VmHWM) of both nodes
      (goal: under 200 MB each);
  (d) the storage floor, measured in the same run: the same bytes written as chunk rows through
      the node's own store code (a transaction per 16 chunks, as the fetcher writes) into a
      fresh database of the same kind, once for the publisher and once for the receiver. The
      raw stream stores nothing; a document is stored at both ends, so (d) bounds (a) on this
      machine, and a / (d) says how much of the rest is the exchange's own work.

Run: .venv/bin/python bench/documents.py [--mib 256] [--database-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import database_urls
from exchange.documents.manifest import CHUNK_SIZE as CHUNK
from exchange.localregion import LocalNode, LocalRegion, wait_for
from exchange.node.tls import server_name
from exchange.store import documents
from exchange.store.db import Database
from exchange.store.models import Blob

console = Console(stderr=True)
MiB = 1024 * 1024
METHOD = "/bench.Raw/Stream"


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        left = size - 9
        while left > 0:
            n = min(left, 4 * MiB)
            f.write(os.urandom(n))
            left -= n


def raw_rate(kz: LocalNode, kg: LocalNode, path: Path, size: int) -> float:
    """MiB/s of a raw server stream of the file in 1 MiB messages, kz's key to kg's."""
    script = Path(__file__).with_name("raw_stream_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(kz.state_dir / "tls.key"),
         str(kz.state_dir / "tls.crt"), str(kg.state_dir / "tls.crt"), str(path)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        creds = grpc.ssl_channel_credentials(
            root_certificates=(kz.state_dir / "tls.crt").read_bytes(),
            private_key=(kg.state_dir / "tls.key").read_bytes(),
            certificate_chain=(kg.state_dir / "tls.crt").read_bytes(),
        )
        opts = [
            ("grpc.ssl_target_name_override", server_name(kz.country)),
            ("grpc.max_receive_message_length", 8 * MiB),
        ]
        best = 0.0
        with grpc.secure_channel(f"127.0.0.1:{port}", creds, options=opts) as ch:
            call = ch.unary_stream(METHOD, request_serializer=bytes, response_deserializer=bytes)
            for _ in range(3):
                t = time.perf_counter()
                got = sum(len(p) for p in call(b"", timeout=300))
                elapsed = time.perf_counter() - t
                assert got == size, (got, size)
                best = max(best, size / MiB / elapsed)
        return best
    finally:
        proc.kill()
        proc.wait()


def store_rate(url: str, path: Path, size: int) -> float:
    """MiB/s of writing the file as chunk rows into a fresh database, as the fetcher does."""
    db = Database(url)
    try:
        db.migrate()
        digest = "00" * 32
        chunks = -(-size // CHUNK)
        t = time.perf_counter()
        with db.write() as s:
            documents.start_blob(s, digest, size, CHUNK, chunks, "xx", datetime.now(UTC))
        at = 0
        with path.open("rb") as f:
            while at < chunks:
                batch = [f.read(CHUNK) for _ in range(min(16, chunks - at))]
                with db.write() as s:
                    at = documents.add_chunks(s, digest, at, batch)
        return size / MiB / (time.perf_counter() - t)
    finally:
        db.close()


def storage_floor_s(root: Path, urls: Any, path: Path, size: int) -> float:
    """Seconds to store the bytes twice (publisher, then receiver), each in a fresh database."""
    total = 0.0
    for who in ("floor1", "floor2"):
        url = urls(who) if urls is not None else f"sqlite:///{root / (who + '.db')}"
        total += size / MiB / store_rate(url, path, size)
    return total


def peak_rss_mb(node: LocalNode) -> float:
    assert node.proc is not None
    for line in Path(f"/proc/{node.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def complete_at(node: LocalNode) -> bool:
    db = Database(node.config().db_url)
    try:
        with db.read() as s:
            b = s.query(Blob).first()
            return bool(b is not None and b.complete)
    finally:
        db.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    size = args.mib * MiB
    root = Path(tempfile.mkdtemp(prefix="exd-"))
    out: dict[str, Any] = {
        "mib": args.mib,
        "database": "postgresql" if args.database_url else "sqlite",
    }
    try:
        with database_urls(args.database_url) as urls:
            region = LocalRegion(
                root,
                ("kz", "kg"),
                urls,
                documents={"prefetch_bytes": 2 * size, "max_publish_bytes": 2 * size},
            )
            region.start()
            kz, kg = region["kz"], region["kg"]
            path = root / "big.pdf"
            console.print(f"writing a {args.mib} MiB file ...")
            make_file(path, size)
            console.print("raw gRPC stream over mutual TLS (best of 3) ...")
            out["raw_mib_s"] = round(raw_rate(kz, kg, path, size), 1)
            console.print("publishing at kz, until stored and verified at kg ...")
            t = time.perf_counter()
            kz.cli("docs", "publish", str(path), "--title", "Bench", "--topic", "training",
                   "--language", "en", "--json")  # fmt: skip
            out["publish_s"] = round(time.perf_counter() - t, 2)
            wait_for(lambda: complete_at(kg), 600, "the content at kg", interval=0.05)
            elapsed = time.perf_counter() - t
            out["total_s"] = round(elapsed, 2)
            out["document_mib_s"] = round(args.mib / elapsed, 1)
            out["ratio"] = round(out["document_mib_s"] / out["raw_mib_s"], 2)
            out["peak_rss_mb"] = {"kz": round(peak_rss_mb(kz)), "kg": round(peak_rss_mb(kg))}
            region.stop()
            console.print("storage floor: the same bytes stored twice, no network ...")
            out["storage_floor_s"] = round(storage_floor_s(root, urls, path, size), 2)
            out["of_floor"] = round(out["storage_floor_s"] / elapsed, 2)
    finally:
        if not args.keep_dir:
            shutil.rmtree(root, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mib", type=int, default=256, help="document size in MiB")
    p.add_argument("--database-url", default="", help="PostgreSQL server (schemas per node)")
    p.add_argument("--keep-dir", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    r = run(args)
    if args.json:
        print(json.dumps(r))
    else:
        print(
            f"document {r['mib']} MiB ({r['database']}): {r['document_mib_s']} MiB/s publish to "
            f"verified at the peer ({r['total_s']} s, of which upload {r['publish_s']} s)\n"
            f"raw gRPC stream, same bytes, same mutual TLS: {r['raw_mib_s']} MiB/s\n"
            f"ratio {r['ratio']} (goal >= 0.7); peak RSS kz {r['peak_rss_mb']['kz']} MB, "
            f"kg {r['peak_rss_mb']['kg']} MB (goal < 200 MB)\n"
            f"storage floor (the same bytes stored at two nodes, no network, no checks): "
            f"{r['storage_floor_s']} s; the document runs at {r['of_floor']} of the floor's rate"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
