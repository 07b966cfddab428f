"""Sizes of the function artifacts `make build` wrote, as Lambda receives them.

Reads .aws-sam/build/template.yaml (or the folder given as the first argument) and, for every
AWS::Serverless::Function, zips its built folder in memory the way `sam deploy` packages it
(zipfile, ZIP_DEFLATED at zlib's default level), then prints one JSON object:
{"functions": [{"logical_id", "bootstrap_bytes", "zipped_bytes"}, ...]}.
The benchmark's artifact section (tests/src/bench) runs it.
"""

import io
import json
import os
import sys
import zipfile

import yaml


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation's short tags (!Ref, !GetAtt, ...) as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def zipped_size(folder: str) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for root, _, files in sorted(os.walk(folder)):
            for name in sorted(files):
                path = os.path.join(root, name)
                archive.write(path, os.path.relpath(path, folder))
    return buffer.getbuffer().nbytes


def main() -> None:
    build = sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build"
    with open(os.path.join(build, "template.yaml"), encoding="utf-8") as file:
        template = yaml.load(file, Loader=_Loader)
    functions = []
    for logical_id, resource in sorted(template["Resources"].items()):
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        folder = os.path.join(build, resource["Properties"]["CodeUri"])
        functions.append(
            {
                "logical_id": logical_id,
                "bootstrap_bytes": os.path.getsize(os.path.join(folder, "bootstrap")),
                "zipped_bytes": zipped_size(folder),
            }
        )
    json.dump({"functions": functions}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
