"""Uploads the built page (web/dist) to a deployed stack's portal bucket, with the config.json
that points it at that stack's API and hosted sign-in, then invalidates the distribution's cache.

`make deploy-web STACK=<name>` runs it after `npm --prefix web run build` (and after `sam deploy`).
The region is the deployment's: `--region` (`make deploy-web REGION=...`), else the `region` of
samconfig.toml's deploy (or global) parameters, as `sam deploy` takes it, else the AWS SDK's own
(AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
`--outputs-file outputs.json --dry-run` prints config.json and the upload plan without AWS, from
outputs given as {"OutputKey": "OutputValue", ...}.
"""

import argparse
import json
import mimetypes
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "web" / "dist"
SAMCONFIG = REPO / "samconfig.toml"
# Vite's hashed file names change with their content: cache them for good. Everything else
# (index.html, config.json) is asked for again on every load, so a deployment shows at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def page_config(outputs):
    """config.json of the page (web/README "Runtime configuration") from the stack's outputs."""
    missing = [key for key in ("ApiUrl", "HostedUiDomain", "UserPoolClientId") if key not in outputs]
    if missing:
        sys.exit(
            f"the stack has no output {', '.join(missing)}: deploy with HostedUiDomainPrefix set "
            "(and without JwtIssuer) to sign in through Cognito's hosted UI"
        )
    hosted_ui = outputs["HostedUiDomain"].rstrip("/")
    return {
        "apiBaseUrl": outputs["ApiUrl"].rstrip("/"),
        "auth": {
            "authorizeUrl": f"{hosted_ui}/oauth2/authorize",
            "tokenUrl": f"{hosted_ui}/oauth2/token",
            "logoutUrl": f"{hosted_ui}/logout",
            "clientId": outputs["UserPoolClientId"],
            "scopes": ["openid", "email", "profile"],
        },
    }


def samconfig_region(path=SAMCONFIG, environment="default"):
    """The region `sam deploy` deploys to by samconfig.toml, or None when it names none."""
    if not path.is_file():
        return None
    config = tomllib.loads(path.read_text()).get(environment, {})
    for command in ("deploy", "global"):
        region = config.get(command, {}).get("parameters", {}).get("region")
        if region:
            return region
    return None


def upload_plan(dist):
    """(key, file, content type, cache control) of every file of the built page."""
    if not (dist / "index.html").is_file():
        sys.exit(f"{dist}/index.html is missing: run `npm --prefix web run build` first")
    plan = []
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        plan.append((key, path, content_type, cache))
    return plan


def aws_session(region):
    """An AWS session in `region` (None: the SDK's own choice), which must end up with one."""
    import boto3  # The SAM CLI's, from infra/local/requirements.txt.

    session = boto3.session.Session(region_name=region)
    if not session.region_name:
        sys.exit("no region: set `region` in samconfig.toml's deploy parameters, or REGION=, or AWS_REGION")
    return session


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="meshcustomers")
    parser.add_argument("--region", help="the stack's region (default: samconfig.toml's, else the AWS SDK's)")
    parser.add_argument("--outputs-file", help="the stack's outputs as a JSON object, instead of asking AWS")
    parser.add_argument("--dry-run", action="store_true", help="print what would be uploaded")
    arguments = parser.parse_args()

    region = arguments.region or samconfig_region()
    session = None
    if arguments.outputs_file:
        outputs = json.loads(Path(arguments.outputs_file).read_text())
    else:
        from botocore.exceptions import ClientError

        session = aws_session(region)
        try:
            stack = session.client("cloudformation").describe_stacks(StackName=arguments.stack)["Stacks"][0]
        except ClientError as error:
            sys.exit(f"stack {arguments.stack} in {session.region_name}: {error.response['Error']['Message']}")
        outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    config = json.dumps(page_config(outputs), indent=2) + "\n"
    plan = upload_plan(DIST)
    if arguments.dry_run:
        print(config, end="")
        for key, _, content_type, cache in plan + [("config.json", None, "application/json", REVALIDATE)]:
            print(f"{key}\t{content_type}\t{cache}")
        return

    session = session or aws_session(region)
    s3 = session.client("s3")
    bucket = outputs["PortalBucketName"]
    # Assets first, index.html last: a visitor never gets a page whose scripts are not there yet.
    for key, path, content_type, cache in sorted(plan, key=lambda item: item[0] == "index.html"):
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type, "CacheControl": cache})
    s3.put_object(
        Bucket=bucket,
        Key="config.json",
        Body=config.encode(),
        ContentType="application/json",
        CacheControl=REVALIDATE,
    )
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["PortalDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"The page is at {outputs['PortalUrl']} (uploaded {len(plan) + 1} files to {bucket}, {session.region_name}).")


if __name__ == "__main__":
    main()
