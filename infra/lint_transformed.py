"""Lints the template after the SAM transform, as CloudFormation will see it.

cfn-lint checks Serverless resources against their schema only; the resources SAM generates
(roles, permissions, event source mappings, rules) are checked here.
Usage: python infra/lint_transformed.py infra/template.yaml
"""

import json
import sys
import tempfile

from cfnlint.decode import decode
from samtranslator.public.translator import ManagedPolicyLoader  # noqa: F401 (documents the loader we stub)
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """Offline stand-in for IAM's managed-policy lookup."""

    def load(self):
        return {}


def main(path: str) -> int:
    template, problems = decode(path)
    if problems:
        print("\n".join(str(p) for p in problems))
        return 1
    template = json.loads(json.dumps(template, default=str))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `sam package` puts there; the code's location does not matter to the lint.
            resource["Properties"]["CodeUri"] = "s3://bucket/key"
    parameters = {"AWS::Region": "eu-central-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}
    transformed = transform(template, parameters, NoManagedPolicies())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(transformed, out, indent=1)
    from cfnlint.runner import main as cfn_lint

    sys.argv = ["cfn-lint", out.name]
    return cfn_lint()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
