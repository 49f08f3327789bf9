"""Parse untrusted WeChat XML safely: defusedxml refuses DTDs, entities and external references."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.channels.base import BadPayload

MAX_XML_BYTES = 256 * 1024


def parse_flat_xml(body: bytes | str) -> dict[str, str]:
    """Parse a WeChat ``<xml>`` document into a flat ``{tag: text}`` dict.

    Nested elements (``<ScanCodeInfo>``, ``<TransInfo>``) are flattened one level deep, as
    ``Parent.Child``. Any DTD (so any XML bomb or external entity) is refused.

    Args:
        body: The raw request body.

    Returns:
        The element texts, stripped of surrounding whitespace.

    Raises:
        BadPayload: The body is too large, not well-formed, has a DTD/entities, or its root is not ``xml``.
    """
    if len(body) > MAX_XML_BYTES:
        raise BadPayload("XML body too large")
    try:
        root: Element = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadPayload(f"forbidden XML construct: {type(exc).__name__}") from exc
    except (ParseError, ValueError) as exc:
        raise BadPayload(f"malformed XML: {exc}") from exc
    if root.tag != "xml":
        raise BadPayload(f"unexpected XML root <{root.tag}>")
    fields: dict[str, str] = {}
    for child in root:
        fields[child.tag] = (child.text or "").strip()
        for grandchild in child:
            fields[f"{child.tag}.{grandchild.tag}"] = (grandchild.text or "").strip()
    return fields
