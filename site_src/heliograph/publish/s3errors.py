"""What a failed S3 or CloudFront call means for the person deploying, in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from heliograph.publish.deployplan import key_prefix

if TYPE_CHECKING:
    from heliograph.publish.deploy import Target

_CREDENTIALS_REJECTED = {
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "InvalidClientTokenId",
    "TokenRefreshRequired",
}
_DENIED = {"AccessDenied", "AllAccessDisabled", "403", "Forbidden"}
_WRONG_REGION = {
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "301",
    "IllegalLocationConstraintException",
}
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (in GitHub Actions, "
    "aws-actions/configure-aws-credentials sets them)"
)


def explain(exc: BaseException, target: Target, doing: str) -> str | None:
    """A one-line message for a boto3 failure; None for anything that is not one."""
    from botocore import exceptions as bx

    endpoint = target.endpoint_url or "S3" + (f" in {target.region}" if target.region else "")
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return NO_CREDENTIALS
    if isinstance(exc, bx.EndpointConnectionError):  # includes connect timeouts
        return (
            f"cannot reach {endpoint} while {doing}: no connection after retries; "
            "check --endpoint-url, --region and the network"
        )
    if isinstance(exc, bx.ClientError):
        return _client_error(exc, target, doing, endpoint)
    if isinstance(exc, bx.ConnectionClosedError):
        return f"{doing} failed at {endpoint}: the connection was cut on every retry"
    if isinstance(exc, bx.ReadTimeoutError):
        return f"{doing} failed at {endpoint}: no answer in time on every retry"
    if isinstance(exc, bx.BotoCoreError):
        return _one_line(f"{doing} failed at {endpoint}: {exc}")
    if isinstance(exc, OSError):
        return _one_line(f"{doing} failed: {exc}")
    return None


def _client_error(exc: BaseException, target: Target, doing: str, endpoint: str) -> str:
    response = getattr(exc, "response", {})
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    where = "" if "CloudFront" in doing else f" in s3://{target.bucket}/{key_prefix(target.prefix)}"
    if code == "NoSuchBucket" or code == "404" and doing.startswith(("listing", "reading the b")):
        return f"bucket {target.bucket!r} does not exist at {endpoint}: check --bucket"
    if code in _DENIED:
        return (
            f"access denied while {doing}{where}: the credentials in use lack a "
            "permission (docs/deploy.md has the IAM policy a deploy needs)"
        )
    if code in _CREDENTIALS_REJECTED:
        return (
            f"the AWS credentials were rejected ({code}) while {doing}: check AWS_PROFILE "
            "or AWS_ACCESS_KEY_ID, or get fresh ones"
        )
    if code in _WRONG_REGION:
        region = (
            response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("x-amz-bucket-region")
        )
        hint = f"--region {region}" if region else "the bucket's --region"
        return f"bucket {target.bucket!r} is in another region: pass {hint}"
    if code == "NoSuchDistribution":
        return (
            f"CloudFront distribution {target.cloudfront_distribution!r} does not exist: "
            "check --cloudfront-distribution (the site itself was deployed)"
        )
    return _one_line(
        f"{doing} failed at {endpoint}: {code or 'error'}: {error.get('Message', exc)}"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
