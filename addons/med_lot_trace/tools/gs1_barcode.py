"""GS1 DataMatrix and GS1-128 carriers of a UDI, drawn by reportlab (Odoo's own
barcode renderer, ``ir.actions.report.barcode`` and ``/report/barcode``).

reportlab's ECC200 DataMatrix writes plain data (no FNC1), which a scanner does not
read as GS1. The GS1 variant starts with the FNC1 codeword and ends each
variable-length field but the last with FNC1 (ISO/IEC 16022, GS1 General
Specifications 5.6): ASCII encodation, digit pairs in one codeword each.
"""

from reportlab.graphics.barcode import getCodes, registerWidget
from reportlab.graphics.barcode.widgets import BarcodeECC200DataMatrix

from .gs1 import GROUP_SEPARATOR

DATAMATRIX = "GS1DataMatrix"
# Code 128 function character 1 as reportlab's Code128 reads it.
CODE128_FNC1 = "\xf1"
FNC1_CODEWORD = 232
UPPER_SHIFT_CODEWORD = 235
PAD_CODEWORD = 129


class BarcodeGS1DataMatrix(BarcodeECC200DataMatrix):
    codeName = DATAMATRIX

    # reportlab's encode() calls this name for the data codewords.
    def _encode_c40(self, value):
        codewords = [FNC1_CODEWORD]
        position = 0
        while position < len(value):
            pair = value[position : position + 2]
            if len(pair) == 2 and pair.isdigit():
                codewords.append(130 + int(pair))
                position += 2
                continue
            char = value[position]
            if char == GROUP_SEPARATOR:
                codewords.append(FNC1_CODEWORD)
            elif ord(char) > 127:
                codewords += [UPPER_SHIFT_CODEWORD, ord(char) - 127]
            else:
                codewords.append(ord(char) + 1)
            position += 1
        if len(codewords) > self.cw_data:
            raise ValueError("Too much data for a GS1 DataMatrix of 44x44 modules")
        if len(codewords) < self.cw_data:
            codewords.append(PAD_CODEWORD)
            while len(codewords) < self.cw_data:
                pseudo_random = ((149 * (len(codewords) + 1)) % 253) + 1
                codewords.append((PAD_CODEWORD + pseudo_random) % 254)
        return codewords


def register():
    """Make the symbology known to reportlab (idempotent: its registry can be reset)."""
    if DATAMATRIX not in getCodes():
        registerWidget(BarcodeGS1DataMatrix)


def code128_value(element_string):
    """The GS1-128 data for reportlab's Code128: FNC1 first and as separator."""
    return CODE128_FNC1 + element_string.replace(GROUP_SEPARATOR, CODE128_FNC1)
