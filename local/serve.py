"""``make serve``: Pinpoint's HTTP API on loopback over the local stack - the Docker-free
``sam local start-api``.

Each request becomes the API Gateway REST proxy event API Gateway would send (``/{proxy+}``,
path decoded, multi-value headers and query string), after API Gateway's IAM check: the
SigV4 signature is verified with botocore's own signer, for the service name ``execute-api``
and the local stack's credentials, so a client that signs for ``mobiletargeting`` (plain
``boto3.client("pinpoint", endpoint_url=...)``) gets API Gateway's 403, as it would on AWS.
The ``ApiFunction`` handler is loaded once, with its template environment, and called
in-process; calls are serialised, like one warm Lambda container.

    make serve                      # prints the URL and a boto3 snippet; Ctrl-C stops
    python -m local.serve --port 3000
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.functions import LambdaContext, function_specs, load_handler, patched_environ
from local.stack import LocalStack

FUNCTION = "api"
SMS_ANSWERS = 1000
SERVICE = "execute-api"
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?Signature=(?P<signature>[0-9a-f]+)"
)


def check_signature(method: str, url: str, headers: dict[str, str], body: bytes) -> str:
    """``""`` if the request is SigV4-signed for ``execute-api`` with our credentials, else why not."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    lowered = {k.lower(): v for k, v in headers.items()}
    match = _AUTH.fullmatch(lowered.get("authorization", "").strip())
    if not match:
        return "Missing Authentication Token"
    if match["service"] != SERVICE:
        return f"Credential should be scoped to correct service: '{SERVICE}'. "
    if match["key"] != os.environ.get("AWS_ACCESS_KEY_ID"):
        return "The security token included in the request is invalid."
    signed = match["signed"].split(";")
    request = AWSRequest(method=method, url=url, data=body, headers={h: lowered.get(h, "") for h in signed})
    request.context["timestamp"] = lowered.get("x-amz-date", "")
    credentials = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ.get("AWS_SECRET_ACCESS_KEY", ""))
    signer = SigV4Auth(credentials, SERVICE, match["region"])
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    if expected != match["signature"]:
        return "The request signature we calculated does not match the signature you provided."
    return ""


def proxy_event(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The API Gateway REST proxy event (payload format 1.0) for one request."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    try:
        text, encoded = body.decode(), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    request_id = str(uuid.uuid4())
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": dict(headers),
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": path,
            "stage": "local",
            "requestId": request_id,
            "identity": {"sourceIp": "127.0.0.1", "accessKey": os.environ.get("AWS_ACCESS_KEY_ID", "")},
        },
        "body": text or None,
        "isBase64Encoded": encoded,
    }


class ApiServer:
    """The API function behind a loopback HTTP server; ``url`` is the client's ``endpoint_url``."""

    def __init__(
        self,
        stack: LocalStack,
        *,
        port: int = 0,
        env: dict[str, str] | None = None,
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None,
    ) -> None:
        """``handler`` replaces the function's own (the benchmark builds its router itself)."""
        spec = function_specs()[FUNCTION]
        self.function_name = stack.physical_id(spec.logical_id)
        self.timeout_s = spec.timeout_s
        self.environment = {
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            **stack.function_environment(spec.logical_id),
            **(env or {}),
        }
        if handler is None:
            with patched_environ(self.environment):  # the cold start: settings and clients built here
                handler = load_handler(spec)
        self.handler = handler
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._request_handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """One invocation, with the function's environment present as in Lambda."""
        with self._lock, patched_environ(self.environment):
            return self.handler(event, LambdaContext(self.function_name, self.timeout_s))

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body are two writes: without this, Nagle + delayed ACK add ~40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                url = f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"
                problem = check_signature(self.command, url, headers, body)
                if problem:  # API Gateway's own answer: {"message": ...}, 403, no Lambda call
                    self._reply(
                        403, {"x-amzn-ErrorType": "ForbiddenException"}, json.dumps({"message": problem})
                    )
                    return
                response = server.invoke(proxy_event(self.command, self.path, headers, body))
                out = dict(response.get("headers") or {})
                for name, values in (response.get("multiValueHeaders") or {}).items():
                    out[name] = ",".join(str(v) for v in values)
                text = response.get("body") or ""
                raw = base64.b64decode(text) if response.get("isBase64Encoded") else text.encode()
                self._reply(int(response.get("statusCode", 200)), out, raw)

            def _reply(self, status: int, headers: dict[str, str], body: str | bytes) -> None:
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815 - http.server's names

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> ApiServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def main(argv: list[str] | None = None) -> int:
    import contextlib
    import io

    from local.demo_channel import sms_stub
    from local.seed import seed

    parser = argparse.ArgumentParser(description="Pinpoint's HTTP API on loopback over the local stack")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    with contextlib.redirect_stdout(io.StringIO()):
        stack = LocalStack().start()
    try:
        seed(stack)
        # moto has no End User Messaging SMS: SMS sends (SendMessages, SendOTPMessage) go to the
        # demo's Stubber-backed client, which checks each request against the service model.
        with sms_stub(SMS_ANSWERS), ApiServer(stack, port=args.port) as api:
            print(f"Pinpoint API at {api.url} (local stack at {stack.endpoint_url}); Ctrl-C stops.")
            print(f"SMS goes to a stubbed End User Messaging client (moto has none): {SMS_ANSWERS} sends.\n")
            print("    from engagement.client import pinpoint")
            print(f'    client = pinpoint("{api.url}")  # AWS_ACCESS_KEY_ID=testing, secret testing')
            print('    client.get_user_endpoints(ApplicationId="<app>", UserId="<user>")')
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
