"""Control characters, escape sequences and bidi overrides: what a terminal or a chat client
acts on instead of showing.

``UNSAFE`` finds them: ANSI/ECMA-48 escape sequences (CSI ``\\x1b[…m`` and its one-byte form
``\\x9b``; OSC, DCS, SOS, PM, APC up to their terminator; other ``ESC`` sequences), the C0
controls but newline and tab, DEL, the C1 controls, and the bidi embeddings, overrides and
isolates U+202A–U+202E and U+2066–U+2069 (which make text read in another order than it is
stored). The presentation layer strips them from what it shows (``qa.present.safe``);
reading figures masks them (``mask``), so that a figure written right after one is still read.
Report text itself is kept verbatim.
"""

from __future__ import annotations

import re

_ESCAPE_SEQUENCES = (
    # CSI (ESC [ or the one-byte 0x9b): parameters, intermediates, one final byte.
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    # OSC, DCS, SOS, PM, APC (7- or 8-bit) up to their terminator (BEL or ST). Without a
    # terminator only the introducer matches (below): the rest is text, never swallowed.
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    # Any other escape sequence: ESC, intermediates, one final byte (ESC c, ESC ( B).
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
#: C0 controls but newline and tab, DEL, C1 controls, bidi embeddings/overrides/isolates.
_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"

#: An escape sequence or a control character (see the module docstring).
UNSAFE = re.compile(f"{_ESCAPE_SEQUENCES}|{_CONTROLS}")


def mask(text: str) -> str:
    """``text`` with every escape sequence and control character replaced by as many spaces:
    the same length, so offsets into it are offsets into ``text``."""
    return UNSAFE.sub(lambda m: " " * len(m.group()), text)
