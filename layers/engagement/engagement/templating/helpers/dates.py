"""Date helpers: ``dateFormat`` and ``now`` (Handlebars.java StringHelpers plus Pinpoint's hash).

``{{dateFormat date [pattern] [inputFormat=..] [outputFormat=..] [tz=..]}}``. The
styles ``full long medium short`` are date-only, as Handlebars.java's
``DateFormat.getDateInstance`` in US English. Dates are ISO 8601 strings,
epoch milliseconds, or text parsed with ``inputFormat``. A date without an offset
is a wall-clock time in ``tz`` (so ``09/19/2020`` stays September 19); ``tz``
defaults to UTC, the Lambda default. Zones come from zoneinfo: the Lambda layer
must ship the ``tzdata`` package because the python3.13 runtime has no zone files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._common import helper, is_missing, text

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["HELPERS", "STYLES", "current_time"]

STYLES = {"full": "EEEE, MMMM d, y", "long": "MMMM d, y", "medium": "MMM d, y", "short": "M/d/yy"}


def current_time() -> dt.datetime:
    """The instant ``now`` prints (a seam for tests)."""
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def _render(moment: dt.datetime, pattern: Any, options: Any) -> str:
    """Format in ``tz`` with a style name or SimpleDateFormat pattern."""
    from ._moments import localize, zone
    from ._simpledate import format_date

    pattern = text(pattern, "format")
    return format_date(localize(moment, zone(options.hash.get("tz"))), STYLES.get(pattern, pattern))


def _output_format(pattern: Any, options: Any) -> Any:
    """Positional pattern (Handlebars.java), else ``outputFormat=``, ``format=``, or ``medium``."""
    if pattern is not None:
        return pattern
    return options.hash.get("outputFormat", options.hash.get("format", "medium"))


@helper("dateFormat", 1, 2)
def date_format(value: Any, pattern: Any = None, *, options: Any) -> str:
    """Format a date; a missing date prints nothing."""
    if is_missing(value):
        return ""
    from ._moments import instant, zone

    hash_ = options.hash
    moment = instant(value, hash_.get("inputFormat"), zone(hash_.get("tz")), current_time().year)
    return _render(moment, _output_format(pattern, options), options)


@helper("now", 0, 1)
def now(pattern: Any = None, *, options: Any) -> str:
    """The current date (``medium`` style unless a style or pattern is given) in ``tz``."""
    return _render(current_time(), _output_format(pattern, options), options)


HELPERS: dict[str, Callable[..., Any]] = {"dateFormat": date_format, "now": now}
