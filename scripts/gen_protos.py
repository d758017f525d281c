"""Regenerate exchange/_proto from protos/ (grpcio-tools + mypy-protobuf).

The .proto import paths are `exchange/v1/...`; the generated modules live in the
`exchange._proto.v1` package, so the generated imports are rewritten to match.
With --check, nothing is written: the script fails if the committed code differs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "exchange" / "_proto"
IMPORT_RE = re.compile(r"^(from|import) exchange\.v1\b", re.M)


def generate() -> dict[str, str]:
    files = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{PROTOS}",
            f"--python_out={tmp}",
            f"--grpc_python_out={tmp}",
            f"--plugin=protoc-gen-mypy={bindir / 'protoc-gen-mypy'}",
            f"--plugin=protoc-gen-mypy_grpc={bindir / 'protoc-gen-mypy_grpc'}",
            f"--mypy_out={tmp}",
            f"--mypy_grpc_out={tmp}",
            *files,
        ]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"protoc failed:\n{proc.stderr}")
        out: dict[str, str] = {}
        for path in sorted(Path(tmp, "exchange", "v1").iterdir()):
            text = IMPORT_RE.sub(r"\1 exchange._proto.v1", path.read_text())
            out[f"v1/{path.name}"] = text
        out["v1/__init__.py"] = ""
        out["__init__.py"] = (
            '"""Generated protobuf and gRPC code. Do not edit: run `make protos`."""\n'
        )
        return out


def main() -> int:
    check = "--check" in sys.argv
    wanted = generate()
    existing = (
        {
            str(p.relative_to(OUT)): p.read_text()
            for p in OUT.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        if OUT.exists()
        else {}
    )
    if check:
        drift = sorted(k for k in set(wanted) | set(existing) if wanted.get(k) != existing.get(k))
        if drift:
            print("generated protobuf code is out of date; run `make protos` and commit:")
            for name in drift:
                print(f"  exchange/_proto/{name}")
            return 1
        print("exchange/_proto is up to date with protos/")
        return 0
    for name in set(existing) - set(wanted):
        (OUT / name).unlink()
    for name, text in wanted.items():
        target = OUT / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    print(f"wrote {len(wanted)} files under exchange/_proto")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
