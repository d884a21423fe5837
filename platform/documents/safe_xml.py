"""Parsing XML that an uploader controls. Every XML read in this app goes through here.

Two parsers, on purpose: defusedxml (on the standard library's expat) stops at the first DTD, entity
declaration or external reference, before anything is expanded or fetched, so billion-laughs and
XXE documents are refused rather than defused silently. Only then does lxml build the tree the
XPath readers and the factur-x library need, with entity resolution, DTD loading and the network
switched off as a second line.
"""

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

HOSTILE_DTD = gettext_lazy(
    "XML with a DTD or entity declarations is refused (possible entity-expansion or external-entity attack)."
)


def parse_untrusted_xml(data: bytes, *, where: str = "") -> etree._Element:
    """The root element of `data`, or a ValidationError on `file`. `where` prefixes the message
    when the XML came from inside another file (e.g. "The PDF's embedded factur-x.xml: ")."""
    try:
        defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValidationError({"file": f"{where}{HOSTILE_DTD}"}) from None
    except ParseError as error:
        raise ValidationError({"file": where + _not_well_formed(error)}) from None
    try:
        # A parser per call: lxml parsers must not be shared between threads.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ValidationError({"file": where + _not_well_formed(error)}) from None


def _not_well_formed(error: Exception) -> str:
    return _("The XML is not well-formed: %(error)s.") % {"error": error}
