"""ClickHouse failures as our errors, for both executors: bad input is BadData, load is Unavailable."""

from __future__ import annotations

from meshscope.errors import BadData, StorageError, Unavailable

# ClickHouse error codes that mean "the data you gave me is malformed", not "I am broken".
_BAD_DATA_CODES = {
    "CANNOT_PARSE_INPUT_ASSERTION_FAILED", "CANNOT_READ_ALL_DATA", "UNKNOWN_PROTOBUF_FORMAT",
    "CANNOT_PARSE_PROTOBUF_SCHEMA", "INCORRECT_DATA", "CANNOT_PARSE_TEXT", "PROTOBUF_BAD_CAST",
    "TOO_LARGE_STRING_SIZE", "ATTEMPT_TO_READ_AFTER_EOF", "CANNOT_PARSE_NUMBER",
    "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO",  # our own validation inside INSERT ... SELECT
}


def translate_error(exc: Exception) -> Exception:
    """Our error for a chDB/ClickHouse failure: bad input is BadData, the rest StorageError."""
    text = str(exc)
    code = text.split("(")[-1].rstrip(").\n ") if "(" in text else ""
    if code in _BAD_DATA_CODES:
        return BadData(f"malformed data: {_first_line(text)}")
    if code in {"TOO_MANY_PARTS", "MEMORY_LIMIT_EXCEEDED", "TIMEOUT_EXCEEDED"}:
        return Unavailable(f"storage is busy: {_first_line(text)}", retry_after_s=2.0)
    return StorageError(_first_line(text))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line[:500]
