"""The template routes' writes, with the renderer's cache kept honest.

``/v1/templates/{name}/email`` and ``/sms`` (POST/PUT/DELETE) are served by the template store
itself (``engagement.templating.stores``: ``file://`` and ``s3://`` keep Pinpoint's JSON
documents); reads (GET) go to the store directly. After a write the API's own renderer forgets
what it cached, so the next send in this container uses the new content; other containers pick
it up within the renderer's cache TTL.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from engagement.templating.stores import TEMPLATE_WRITES as WRITES  # the six email/SMS writes


class TemplateService:
    """``create_email_template``, ``update_sms_template``... of the store, clearing the cache after."""

    def __init__(self, store: Any, renderer: Any) -> None:
        self.store = store
        self.renderer = renderer

    def __getattr__(self, name: str) -> Any:
        if name in WRITES:
            return partial(self._write, name)
        raise AttributeError(name)

    def _write(self, method: str, **kwargs: Any) -> dict[str, Any]:
        from engagement.models.errors import MethodNotAllowedException

        write = getattr(self.store, method, None)
        if write is None:
            raise MethodNotAllowedException(
                f"the template store {type(self.store).__name__} is read-only", method
            )
        try:
            return write(**kwargs)
        finally:
            self.renderer.clear()
