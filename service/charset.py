"""What a request's ``Content-Type`` declares: its media type, and its charset
(``text/plain; charset=...``), honoured or refused by name. Undeclared means UTF-8, as for
JSON (RFC 8259) and the CLI's files.

Offsets index the text as decoded: characters, whatever bytes carried them."""

from __future__ import annotations

from .errors import UndecodableInputError, UnsupportedCharsetError

# Labels as clients send them (case-insensitive), to the Python codec that reads them.
# Latin-1 is read as Latin-1 (not as WHATWG's windows-1252 alias): what is declared is
# what is decoded, and cp1252 can be declared as itself.
_CODECS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "l1": "latin-1",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "utf-16": "utf-16",
    "utf16": "utf-16",
}
SUPPORTED = ("utf-8", "us-ascii", "iso-8859-1 (latin-1)", "windows-1252 (cp1252)", "utf-16")
_BOMS = (b"\xff\xfe", b"\xfe\xff")


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, lower-cased, without its parameters."""
    return content_type.split(";")[0].strip().lower()


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower-cased and unquoted; None
    when there is none."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip().lower() or None
    return None


def decode_as(raw: bytes, charset: str | None) -> str:
    """``raw`` as text in the declared ``charset`` (UTF-8 when None). A charset this service
    does not read is an :class:`UnsupportedCharsetError`; bytes that are not valid in it, or
    UTF-16 without a byte order mark (which says which of its two byte orders it is), an
    :class:`UndecodableInputError` that names it."""
    codec = _CODECS.get(charset or "utf-8")
    if codec is None:
        raise UnsupportedCharsetError(
            f"the declared charset {charset!r} is not one this service reads; send "
            f"{', '.join(SUPPORTED)}, or UTF-8 without a charset"
        )
    if codec == "utf-16" and not raw.startswith(_BOMS):
        raise UndecodableInputError(
            f"the declared charset {charset!r} needs a byte order mark (FF FE or FE FF) at the "
            "start of the body"
        )
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        named = f"the declared charset {charset!r}" if charset else "UTF-8 (no charset declared)"
        raise UndecodableInputError(
            f"input is not valid {named} (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})"
        ) from None
