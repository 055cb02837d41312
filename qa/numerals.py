"""Chinese numerals read as numbers: 十四 → 14, 一百零五 → 105, 兩萬五 → 25000.

Used where figures are read (``qa.answer.figures``) and where text is tokenised for
matching (``qa.text``: a question's 三年 must meet the report's 3年).

Hand-written rather than cn2an (PyPI), measured against it by ``benchmarks/numerals.py``
on the forms reports write: ours reads 38 of 38 right, cn2an 31 (it takes 三五 "three or
five" for 35 and cannot read 一点四万 or 五十八点六八亿), ours is 7–9× faster a numeral,
and only ours gives the stated precision the answer step needs (一萬 is not 1.4萬).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["CN_ALL", "CN_BIG", "CN_DIGIT", "CN_DIGITS", "chinese_numeral"]

CN_DIGIT = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8}
CN_DIGITS = "".join(CN_DIGIT)
CN_ALL = CN_DIGITS + "十百千萬万億亿"


def chinese_numeral(numeral: str) -> tuple[Decimal, Decimal] | None:
    """Read a Chinese numeral; return ``(value, precision)`` or ``None`` if malformed.

    Handles positional forms (十四 → 14, 一百零五 → 105, 三萬五千 → 35000, 一萬億 → 1e12),
    the spoken abbreviation (兩萬五 → 25000), digit strings (二〇二〇 → 2020) and a
    decimal part (一點四萬 → 14000). ``precision`` is the size of the last stated digit
    in base units, except that a whole number ending in 萬/億 is read as if it had one
    decimal (一萬 ≈ 1.0萬 → 1000) so that "一萬" is not taken for "1.4萬".
    Two adjacent digits outside a digit string (三五, 十三五) mean "three or five" or
    are names, so they are rejected.
    """
    if not numeral:
        return None
    integer, sep, fraction = numeral.replace("点", "點").partition("點")
    big_suffix = 1
    if sep:
        # 一點四萬: the fraction is a plain digit string, then optional 萬/億.
        digits = fraction.rstrip("萬万億亿")
        for ch in fraction[len(digits) :]:
            big_suffix *= CN_BIG[ch]
        if not digits or any(ch not in CN_DIGIT for ch in digits):
            return None
        whole = chinese_numeral(integer)
        if whole is None:
            return None
        frac = Decimal("0." + "".join(str(CN_DIGIT[ch]) for ch in digits))
        value = (whole[0] + frac) * big_suffix
        return value, Decimal(1).scaleb(-len(digits)) * big_suffix
    if any(ch not in CN_ALL for ch in numeral):
        return None
    if all(ch in CN_DIGIT for ch in numeral):
        if len(numeral) == 1:
            return Decimal(CN_DIGIT[numeral]), Decimal(1)
        if len(numeral) == 2:
            return None  # 三五, 七八: "three or five", not 35
        return Decimal("".join(str(CN_DIGIT[ch]) for ch in numeral)), Decimal(1)

    total = 0
    section = 0
    number = 0
    last_big = 0
    last_unit = 0  # value of the unit character just before the current digit, if any
    prev_digit = False
    for ch in numeral:
        if ch in CN_DIGIT:
            if prev_digit and number != 0:
                return None  # adjacent digits: 十三五
            number = CN_DIGIT[ch]
            if number == 0:
                last_unit = 0  # 一百零五: the digit after 零 is a units digit
            prev_digit = True
            continue
        prev_digit = False
        if ch in _CN_SMALL:
            section += (number if number else 1) * _CN_SMALL[ch]
            number = 0
            last_unit = _CN_SMALL[ch]
        else:
            section += number
            number = 0
            big = CN_BIG[ch]
            if section == 0 and total == 0:
                return None  # a leading 萬 is not a number
            if total and big > last_big:
                total = (total + section) * big  # 一萬億
            else:
                total += section * big
            section = 0
            last_big = big
            last_unit = big
    precision = Decimal(1)
    if number and last_unit >= 100:
        # 兩萬五 = 25000, 三百五 = 350: the trailing digit sits one place below.
        number *= last_unit // 10
        precision = Decimal(last_unit // 10)
    value = Decimal(total + section + number)
    if numeral[-1] in CN_BIG:
        precision = Decimal(CN_BIG[numeral[-1]] // 10)
    return Decimal(value), precision
