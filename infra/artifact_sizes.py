"""Sizes of function binaries as Lambda receives them: each zipped alone as `bootstrap`, the way
`sam deploy` packages a function's build folder (zipfile, ZIP_DEFLATED at zlib's default level).

Usage: python3 infra/artifact_sizes.py FILE...
Prints one JSON list: [{"path", "bytes", "zipped_bytes", "position_independent"}, ...], the last
from the ELF header (ET_DYN: a PIE the loader relocates at every start; ET_EXEC: not). Standard library only, so any
python3 runs it. The benchmark's artifact section (tests/src/bench/artifacts.rs) calls it.
"""

import io
import json
import os
import sys
import zipfile


def zipped_size(path: str) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, "bootstrap")
    return buffer.getbuffer().nbytes


def position_independent(path: str) -> bool:
    with open(path, "rb") as binary:
        header = binary.read(18)
    if header[:4] != b"\x7fELF":
        raise SystemExit(f"{path} is not an ELF binary")
    byte_order = "little" if header[5] == 1 else "big"
    return int.from_bytes(header[16:18], byte_order) == 3  # ET_DYN


def main() -> None:
    sizes = [
        {
            "path": path,
            "bytes": os.path.getsize(path),
            "zipped_bytes": zipped_size(path),
            "position_independent": position_independent(path),
        }
        for path in sys.argv[1:]
    ]
    json.dump(sizes, sys.stdout)
    print()


if __name__ == "__main__":
    main()
