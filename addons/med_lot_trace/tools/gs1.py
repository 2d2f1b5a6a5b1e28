"""GS1 element strings for UDI (医疗器械唯一标识).

AIs (01) GTIN, (10) lot, (11) production date, (17) expiry date, (21) serial, written
with parentheses (human readable) or as a scanned barcode with FNC1 (ASCII GS)
separators.
"""

import re
from datetime import date

GROUP_SEPARATOR = "\x1d"
# AI: (name, fixed length or None for variable up to 20 characters)
APPLICATION_IDENTIFIERS = {
    "01": ("gtin", 14),
    "10": ("lot", None),
    "11": ("production_date", 6),
    "17": ("expiry_date", 6),
    "21": ("serial", None),
}
VARIABLE_MAX = 20


class GS1Error(ValueError):
    """A GS1 element string that cannot be read; the message says why."""


def gtin_check_digit(digits):
    """The GS1 check digit of the first 13 (or n-1) digits of a GTIN."""
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1)
        for position, digit in enumerate(reversed(digits))
    )
    return str((10 - total % 10) % 10)


def is_valid_gtin(gtin):
    return (
        bool(gtin)
        and gtin.isdigit()
        and len(gtin) in (8, 12, 13, 14)
        and gtin_check_digit(gtin[:-1]) == gtin[-1]
    )


def parse_date(value):
    """YYMMDD; DD 00 means the last day of the month (GS1 General Specifications)."""
    if not re.fullmatch(r"\d{6}", value):
        raise GS1Error(f"date {value!r} is not YYMMDD")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if year - date.today().year > 50:  # GS1 sliding century
        year -= 100
    if day == 0:
        next_month = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    try:
        return date(year, month, day)
    except ValueError as error:
        raise GS1Error(f"date {value!r} does not exist") from error


def _strip_symbology(text):
    text = (text or "").strip()
    if text[:3] in ("]d2", "]C1", "]Q3", "]e0"):  # scanner symbology identifiers
        text = text[3:]
    return text


def _parenthesised_pairs(text):
    """[(AI, value)] of a human-readable string, or None for a scanned one."""
    if text.startswith("("):
        parts = re.findall(r"\((\d{2})\)([^(]*)", text)
        if not parts or "".join(f"({ai}){value}" for ai, value in parts) != text:
            raise GS1Error("malformed element string: expected (AI)value pairs")
        return [(ai, value) for ai, value in parts]
    return None


def parse(text):
    """{'gtin', 'lot', 'serial', 'production_date', 'expiry_date'} present in the
    string; raises GS1Error with the reason when the string is not valid."""
    result = {}
    text = _strip_symbology(text)
    pairs = _parenthesised_pairs(text)
    if pairs is None:
        pairs = []
        rest = text
        while rest:
            rest = rest.lstrip(GROUP_SEPARATOR)
            if not rest:
                break
            ai = rest[:2]
            if ai not in APPLICATION_IDENTIFIERS:
                raise GS1Error(f"unknown application identifier {ai!r}")
            length = APPLICATION_IDENTIFIERS[ai][1]
            if length:
                value, rest = rest[2 : 2 + length], rest[2 + length :]
            else:
                end = rest.find(GROUP_SEPARATOR, 2)
                end = len(rest) if end < 0 else end
                value, rest = rest[2:end], rest[end:]
            pairs.append((ai, value))
    if not pairs:
        raise GS1Error("empty element string")
    for ai, value in pairs:
        if ai not in APPLICATION_IDENTIFIERS:
            raise GS1Error(f"unknown application identifier {ai!r}")
        name, length = APPLICATION_IDENTIFIERS[ai]
        if length and len(value) != length:
            raise GS1Error(f"({ai}) needs {length} characters, got {value!r}")
        if not length and not 0 < len(value) <= VARIABLE_MAX:
            raise GS1Error(f"({ai}) needs 1 to {VARIABLE_MAX} characters")
        if name in result:
            raise GS1Error(f"({ai}) appears twice")
        if name == "gtin" and not is_valid_gtin(value):
            raise GS1Error(f"GTIN {value} has a wrong check digit")
        result[name] = parse_date(value) if name.endswith("_date") else value
    return result


def element_string(
    gtin=None, production_date=None, expiry_date=None, lot=None, serial=None
):
    """The UDI as encoded in a GS1 DataMatrix or GS1-128: fixed-length AIs first,
    each variable-length field but the last ended by a group separator (FNC1).
    Without the leading FNC1 (the symbology adds it)."""
    fixed = []
    if gtin:
        fixed.append(f"01{gtin}")
    if production_date:
        fixed.append(f"11{production_date:%y%m%d}")
    if expiry_date:
        fixed.append(f"17{expiry_date:%y%m%d}")
    variable = []
    if lot:
        variable.append(f"10{lot}")
    if serial:
        variable.append(f"21{serial}")
    return "".join(fixed) + GROUP_SEPARATOR.join(variable)


def human_readable(
    gtin=None, production_date=None, expiry_date=None, lot=None, serial=None
):
    """The UDI in GS1 human-readable form, e.g. (01)…(11)…(17)…(10)…(21)…"""
    parts = []
    if gtin:
        parts.append(f"(01){gtin}")
    if production_date:
        parts.append(f"(11){production_date:%y%m%d}")
    if expiry_date:
        parts.append(f"(17){expiry_date:%y%m%d}")
    if lot:
        parts.append(f"(10){lot}")
    if serial:
        parts.append(f"(21){serial}")
    return "".join(parts)
