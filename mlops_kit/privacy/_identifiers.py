"""What each kind of direct identifier looks like: name hints, value patterns, check digits.

Every test here works on a whole pandas Series at once (``str`` methods, regular
expressions, NumPy), never with a Python loop over rows. Formats follow the published
rules:

* **NHS numbers** are ten digits whose last is a modulus-11 check digit over the first
  nine (weights 10 down to 2; 11 minus the remainder, 11 becoming 0; a result of 10 means
  no valid number). NHS Digital, *NHS Number* data dictionary entry.
* **National Insurance numbers** are two prefix letters, six digits and a suffix A, B, C
  or D. HMRC never uses D, F, I, Q, U or V as either prefix letter, nor O as the second,
  and does not allocate the prefixes BG, GB, KN, NK, NT, TN and ZZ (HMRC National
  Insurance Manual, NIM39110). A number of the right shape with a prefix HMRC never
  issues, such as HMRC's own documented example ``QQ 12 34 56 C``, is test or example
  data; the scan still reports it, because a column of them is built to hold identifiers.
* **UK postcodes** have an outward code (area letters, district digits) and an inward
  code (sector digit, two unit letters): ``SW1A 1AA``. The pattern checks that shape;
  it does not look the code up in the Royal Mail's file.
* **UK phone numbers** start 0 (or +44 / 0044) and have ten digits after it (nine for a
  few small exchanges); spaces, hyphens, dots and brackets are ignored.
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IdentifierKind",
    "mask_value",
    "nhs_check_digit_valid",
]


class IdentifierKind(enum.StrEnum):
    """The kinds of identifier the scan looks for."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    POSTCODE = "postcode"
    NI_NUMBER = "ni_number"
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    NEAR_UNIQUE = "near_unique"

    @property
    def label(self) -> str:
        """The kind in words."""
        return _LABELS[self]


_LABELS = {
    IdentifierKind.NAME: "person's name",
    IdentifierKind.EMAIL: "email address",
    IdentifierKind.PHONE: "UK phone number",
    IdentifierKind.POSTCODE: "UK postcode",
    IdentifierKind.NI_NUMBER: "National Insurance number",
    IdentifierKind.NHS_NUMBER: "NHS number",
    IdentifierKind.DATE_OF_BIRTH: "date of birth",
    IdentifierKind.NEAR_UNIQUE: "near-unique values (singles a person out)",
}

# --- Column-name hints ----------------------------------------------------------------

_PERSON_NAME_WORDS = frozenset(
    {
        "forename", "forenames", "surname", "surnames", "firstname", "lastname", "fullname",
        "givenname", "familyname", "middlename", "maidenname",
    }
)  # fmt: skip
#: A column is hinted as a kind when one of its name's words (split at ``_``, spaces,
#: hyphens, dots and camelCase) is in the first set, or when its words contain one of
#: the phrases of the second (``nhs_number`` in ``patient_nhs_number``).
NAME_HINTS: dict[IdentifierKind, tuple[frozenset[str], frozenset[str]]] = {
    IdentifierKind.NAME: (_PERSON_NAME_WORDS, frozenset()),
    IdentifierKind.EMAIL: (frozenset({"email", "emails", "emailaddress"}), frozenset({"e_mail"})),
    IdentifierKind.PHONE: (
        frozenset({"phone", "telephone", "tel", "mobile", "landline", "phonenumber"}),
        frozenset(),
    ),
    IdentifierKind.POSTCODE: (
        frozenset({"postcode", "zipcode"}),
        frozenset({"post_code", "postal_code", "zip_code"}),
    ),
    IdentifierKind.NI_NUMBER: (
        frozenset({"nino"}),
        frozenset({"ni_number", "ni_no", "ni_num", "national_insurance"}),
    ),
    IdentifierKind.NHS_NUMBER: (
        frozenset({"nhsnumber", "nhsno"}),
        frozenset({"nhs_number", "nhs_no", "nhs_num"}),
    ),
    IdentifierKind.DATE_OF_BIRTH: (
        frozenset({"dob", "birthdate", "birthday"}),
        frozenset({"d_o_b", "date_of_birth", "birth_date", "born_on"}),
    ),
}
#: Short names that hint only when they are the whole column name.
_WHOLE_NAMES = {"nhs": IdentifierKind.NHS_NUMBER, "ni": IdentifierKind.NI_NUMBER}
#: Words that make a column *about* an identifier rather than the identifier itself:
#: ``email_opt_in``, ``phone_type``, ``postcode_district`` (a quasi-identifier),
#: ``nhs_region``, ``dob_known``.
NOT_IDENTIFIER_WORDS = frozenset(
    {
        "opt", "optin", "optout", "consent", "flag", "count", "has", "is", "verified",
        "valid", "type", "status", "preference", "provided", "missing", "known",
        "available", "changed", "domain", "length", "area", "district", "sector", "region",
        "trust", "year", "month", "decade", "band", "age",
    }
)  # fmt: skip
#: ``name`` on its own, or after one of these words, names a person (``claimant_name``);
#: after other words it usually does not (``region_name``, ``file_name``).
PERSON_WORDS = frozenset(
    {
        "person", "people", "claimant", "patient", "applicant", "customer", "client",
        "citizen", "resident", "contact", "member", "employee", "staff", "user", "parent",
        "guardian", "child", "mother", "father", "carer", "tenant", "student", "pupil",
        "full", "first", "last", "given", "family", "middle", "maiden", "preferred",
    }
)  # fmt: skip
#: Words in a column name that mark a reference number (``claim_id``, ``case_ref``).
ID_WORDS = frozenset(
    {"id", "ids", "ref", "reference", "number", "no", "num", "code", "key", "uuid", "guid", "urn"}
)


def name_words(column: str) -> list[str]:
    """A column name as lower-case words.

    Examples
    --------
    >>> name_words("dateOfBirth"), name_words("NHS No."), name_words("e-mail")
    (['date', 'of', 'birth'], ['nhs', 'no'], ['e', 'mail'])
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(column))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def hinted_kind(column: str) -> IdentifierKind | None:
    """The identifier a column's name suggests, or None.

    Examples
    --------
    >>> hinted_kind("claimant_name"), hinted_kind("region_name"), hinted_kind("DOB")
    (<IdentifierKind.NAME: 'name'>, None, <IdentifierKind.DATE_OF_BIRTH: 'date_of_birth'>)
    >>> hinted_kind("Mobile number"), hinted_kind("benefit_type"), hinted_kind("e-mail")
    (<IdentifierKind.PHONE: 'phone'>, None, <IdentifierKind.EMAIL: 'email'>)
    >>> hinted_kind("patient_NHS_no"), hinted_kind("nhs_region"), hinted_kind("email_opt_in")
    (<IdentifierKind.NHS_NUMBER: 'nhs_number'>, None, None)
    """
    words = name_words(column)
    if any(w in NOT_IDENTIFIER_WORDS for w in words):
        return None
    joined = f"_{'_'.join(words)}_"
    squashed = "".join(words)
    if squashed in _WHOLE_NAMES:
        return _WHOLE_NAMES[squashed]
    for kind, (hints, phrases) in NAME_HINTS.items():
        if squashed in hints or any(w in hints for w in words):
            return kind
        if any(f"_{p}_" in joined for p in phrases):
            return kind
    if words and words[-1] in ("name", "names") and (len(words) == 1 or words[-2] in PERSON_WORDS):
        return IdentifierKind.NAME
    return None


def has_id_words(column: str) -> bool:
    """Whether a column's name marks it as a reference number.

    Examples
    --------
    >>> has_id_words("claim_id"), has_id_words("CaseRef"), has_id_words("household_size")
    (True, True, False)
    """
    return any(w in ID_WORDS for w in name_words(column))


# --- Value patterns ----------------------------------------------------------------------

_SEPARATORS = r"[\s\-().]"
EMAIL = r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
PHONE = r"(?:\+44|0044|0)[1235789]\d{8,9}"
POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}"
NI_SHAPE = r"[A-Z]{2}\d{6}[A-D]"
# HMRC's rules: first letter not D F I Q U V; second not D F I O Q U V; and seven
# prefixes that are never allocated.
NI_VALID = r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]"
NHS_SHAPE = r"\d{10}"
_NAME_WORD = r"[A-Z][a-z'\u2019]+(?:-[A-Za-z'\u2019]+)?"
NAME_VALUE = rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}"
FULL_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?|\d{1,2}/\d{1,2}/\d{4}"

# The same identifiers inside free text (word boundaries instead of whole values).
TEXT_PATTERNS = {
    "email": EMAIL,
    "phone": r"(?<![\w+])(?:\+44\s?|0044\s?|0)[1235789](?:[\s\-]?\d){8,9}(?!\w)",
    "postcode": r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b",
    "ni_number": r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    "nhs_number": r"(?<!\w)\d{3}[ \-]?\d{3}[ \-]?\d{4}(?!\w)",
}


def compact(values: pd.Series) -> pd.Series:
    """Text without spaces, hyphens, dots or brackets, upper-cased (for number patterns)."""
    return values.str.replace(_SEPARATORS, "", regex=True).str.upper()


def matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Which values match ``pattern`` in full (a boolean array)."""
    return values.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def nhs_check_digit_valid(values: pd.Series) -> np.ndarray:
    """Whether each value is a ten-digit NHS number whose check digit is right.

    Spaces and hyphens are ignored. A value that is not ten digits is ``False``.

    Examples
    --------
    >>> import pandas as pd
    >>> nhs_check_digit_valid(pd.Series(["943 476 5919", "9434765918", "12345", "401 023 2137"]))
    array([ True, False, False,  True])
    """
    text = compact(values.astype(str))
    shaped = matches(text, NHS_SHAPE)
    out = np.zeros(len(text), dtype=bool)
    if not shaped.any():
        return out
    joined = "".join(text[shaped].tolist()).encode("ascii")
    digits = (np.frombuffer(joined, dtype=np.uint8).reshape(-1, 10) - ord("0")).astype(int)
    check = 11 - (digits[:, :9] * np.arange(10, 1, -1)).sum(axis=1) % 11
    check = np.where(check == 11, 0, check)
    out[shaped] = (check != 10) & (check == digits[:, 9])
    return out


def mask_value(value: object, *, width: int = 24) -> str:
    """A value with every letter and digit hidden but its first and last: safe to show.

    Separators (spaces, ``@``, dots, hyphens) are kept, so the shape stays readable;
    long values are cut to ``width`` characters.

    Examples
    --------
    >>> mask_value("943 476 5919"), mask_value("jane.doe@example.org")
    ('9** *** ***9', 'j***.***@*******.**g')
    >>> mask_value("QQ 12 34 56 C"), mask_value("AB")
    ('Q* ** ** ** C', '**')
    """
    text = str(value)
    if len(text) <= 3:
        return re.sub(r"[A-Za-z0-9]", "*", text)
    middle = re.sub(r"[A-Za-z0-9]", "*", text[1:-1])
    masked = text[0] + middle + text[-1]
    return masked if len(masked) <= width else masked[: width - 1] + "\u2026"
