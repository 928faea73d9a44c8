"""Seeded generator of ``data/raw_contacts.csv``: a raw extract full of *fake* personal data.

The privacy lesson needs a table that looks like the raw extracts a public body holds
before anything is removed: names, email addresses, phone numbers, postcodes, National
Insurance and NHS numbers, dates of birth and free-text notes. Every one of those values
is fake by construction, drawn from ranges set aside so that they can never belong to a
real person:

* names: a common first name with a surname invented for this file (``Sampleton``,
  ``Testwell``...);
* email addresses: at ``example.org``, ``example.com`` (reserved for documentation by
  RFC 2606) or under the reserved top-level domain ``.invalid``;
* phone numbers: Ofcom's ranges for TV and radio drama (mobiles ``07700 900000`` to
  ``07700 900999``; ``020 7946 0xxx``, ``0113 496 0xxx``, ``0161 496 0xxx``);
* postcodes: in the areas ``ZX``, ``ZY`` and ``ZZ``, which the Royal Mail does not use
  (the only real area starting with Z is ZE, Shetland); three districts in each, such
  as ZX1, and none of the NHS pseudo-postcodes ``ZZ99 ...``;
* National Insurance numbers: the prefix ``QQ``, which HMRC never issues (its own
  documented example is ``QQ 12 34 56 C``);
* NHS numbers: starting ``999``, a range the NHS keeps for testing, with a valid
  modulus-11 check digit, except for a few with a deliberately wrong one (typing errors).

The table must never be used to train a model; ``data/raw_contacts.datasheet.md`` says
so. :func:`write_raw_contacts` (re)writes the CSV; a test checks the committed file is
exactly this function's output.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._io import atomic_write_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CONTACTS_EXTRACT_DATE",
    "generate_raw_contacts",
    "raw_contacts_csv_text",
    "write_raw_contacts",
]

#: The day the fake extract was taken: ages are worked out at this date.
CONTACTS_EXTRACT_DATE = "2024-06-30"

FIRST_NAMES_FEMALE = (
    "Amelia", "Olivia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Ruby", "Chloe", "Freya",
    "Hannah", "Leah", "Megan", "Zara", "Aisha", "Priya", "Niamh", "Eilidh", "Cerys", "Mary",
)  # fmt: skip
FIRST_NAMES_MALE = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Oscar", "Charlie", "Jacob",
    "Thomas", "James", "Ali", "Mohammed", "Rhys", "Callum", "Ewan", "Dylan", "Kwame", "John",
)  # fmt: skip
# Invented for this file: plainly not real family names, so nobody mistakes a row for a person.
SURNAMES = (
    "Sampleton", "Testwell", "Examplar", "Mockridge", "Placeholt", "Fictley", "Dummyworth",
    "Notreal", "Pretendon", "Madeupson", "Specimen", "Templeby", "Demoson", "Draftwood",
    "Trialby", "Syntheton", "Fakesley", "Inventor-Smythe", "Proxton", "Nullbury",
)  # fmt: skip
EMAIL_DOMAINS = ("example.org", "example.com", "mail.invalid", "council.invalid")
# Ofcom's drama ranges: (how the number starts, first digit block of the last part).
PHONE_RANGES = (("07700 900", 0.7), ("020 7946 0", 0.1), ("0113 496 0", 0.1), ("0161 496 0", 0.1))
# Postcode districts in three fake areas, with unequal populations: ZX is a town, ZY its
# suburbs, ZZ a rural area whose ZZ2 and ZZ3 are small villages.
DISTRICTS = ("ZX1", "ZX2", "ZX3", "ZY1", "ZY2", "ZY3", "ZZ1", "ZZ2", "ZZ3")
DISTRICT_SHARES = (0.20, 0.17, 0.15, 0.13, 0.12, 0.10, 0.08, 0.03, 0.02)
# The letters a postcode's last two characters may use (never C, I, K, M, O or V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SUPPORT_NEEDS = (
    "housing",
    "debt advice",
    "employment",
    "mental health",
    "physical health",
    "caring responsibilities",
)
PREFERENCES = ("email", "phone", "letter")
NOTES_PLAIN = (
    "Asked for letters in large print.",
    "Prefers contact in the morning.",
    "Needs an interpreter for appointments.",
    "Happy to be contacted by text message.",
    "Referred by the local advice centre.",
    "Will bring documents to the next appointment.",
)


def _nhs_check_digit(nine: np.ndarray) -> np.ndarray:
    """Modulus-11 check digit of each row of nine digits (10 means no valid number)."""
    weights = np.arange(10, 1, -1)
    check = 11 - (nine * weights).sum(axis=1) % 11
    return np.where(check == 11, 0, check)


def generate_raw_contacts(*, n: int = 1500, seed: int = 20240630) -> pd.DataFrame:
    """Generate the fake raw contacts extract (for the privacy lesson only; never train on it).

    Parameters
    ----------
    n : int, default 1500
        Number of people (rows).
    seed : int, default 20240630
        Seed of the NumPy generator; the same arguments always give the same table.

    Returns
    -------
    pandas.DataFrame
        One row per (fake) person; the columns are documented in
        ``data/raw_contacts.datasheet.md``.

    Examples
    --------
    >>> df = generate_raw_contacts(n=20)
    >>> df.shape
    (20, 15)
    >>> bool(df["phone"].str.contains("7700 900|7946 0|496 0").all())
    True
    """
    import pandas as pd

    # The draws below are made in a fixed order: the same seed gives the same table.
    rng = np.random.default_rng(seed)
    sex, first, surname = _names(rng, n)
    full_name = np.char.add(np.char.add(first.astype(str), " "), surname.astype(str))
    age, dob = _ages(rng, n)
    email = _emails(rng, n, first, surname)
    phone = _phones(rng, n)
    postcode = _postcodes(rng, n)
    ni = _ni_numbers(rng, n)
    nhs = _nhs_numbers(rng, n)
    older = age >= 67
    need = _support_needs(rng, n, older)
    household = np.clip(1 + rng.poisson(1.1, n) - older, 1, 8)
    preference = rng.choice(PREFERENCES, size=n, p=[0.45, 0.35, 0.20])
    contact_day = pd.Timestamp("2024-01-02") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    notes = _case_notes(rng, n, phone, email)
    return pd.DataFrame(
        {
            "contact_id": [f"RC{i:05d}" for i in rng.permutation(np.arange(10001, 10001 + n))],
            "full_name": full_name,
            "email": email,
            "phone": phone,
            "postcode": postcode,
            "ni_number": ni,
            "nhs_number": nhs,
            "date_of_birth": dob.strftime("%Y-%m-%d"),
            "age": age,
            "sex": sex,
            "household_size": household.astype(int),
            "support_need": np.asarray(SUPPORT_NEEDS)[need],
            "contact_preference": preference,
            "last_contact": contact_day.strftime("%Y-%m-%d"),
            "case_notes": notes,
        }
    )


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each person's sex, first name and (invented) surname."""
    sex = rng.choice(["female", "male"], size=n, p=[0.54, 0.46])
    female = sex == "female"
    first = np.where(
        female,
        np.asarray(FIRST_NAMES_FEMALE)[rng.integers(0, len(FIRST_NAMES_FEMALE), n)],
        np.asarray(FIRST_NAMES_MALE)[rng.integers(0, len(FIRST_NAMES_MALE), n)],
    )
    surname = np.asarray(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    return sex, first, surname


def _ages(rng: np.random.Generator, n: int) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Each person's age at the extract date, and a date of birth that gives it."""
    import pandas as pd

    # Ages 18 to 97: most of working age, a long thin tail of the oldest people.
    age = np.where(
        rng.random(n) < 0.85,
        rng.integers(18, 67, n),
        np.minimum(67 + np.floor(rng.exponential(8.0, n)), 97),
    ).astype(int)
    extract = pd.Timestamp(CONTACTS_EXTRACT_DATE)
    # A birthday within the year before the extract's anniversary gives exactly ``age``.
    days_back = rng.integers(0, 365, n)
    anniversary = pd.to_datetime([f"{extract.year - a}-06-30" for a in age])
    return age, anniversary - pd.to_timedelta(days_back, unit="D")


def _emails(rng: np.random.Generator, n: int, first: np.ndarray, surname: np.ndarray) -> np.ndarray:
    """first.surname, a number, and a domain that can never deliver."""
    user = np.char.lower(np.char.replace(np.char.add(np.char.add(first, "."), surname), "-", ""))
    number = rng.integers(1, 100, n).astype(str)
    domain = np.asarray(EMAIL_DOMAINS)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    return np.char.add(np.char.add(np.char.add(user, number), "@"), domain)


def _phones(rng: np.random.Generator, n: int) -> list[str]:
    """Phone numbers from Ofcom's drama ranges."""
    prefixes = np.asarray([p for p, _ in PHONE_RANGES])
    which = rng.choice(len(PHONE_RANGES), size=n, p=[s for _, s in PHONE_RANGES])
    last = rng.integers(0, 1000, n)
    # Some mobiles are written in the international format.
    international = (which == 0) & (rng.random(n) < 0.2)
    return [
        f"+44 7700 900{v:03d}" if i else f"{prefixes[w]}{v:03d}"
        for w, v, i in zip(which, last, international, strict=True)
    ]


def _postcodes(rng: np.random.Generator, n: int) -> list[str]:
    """Full postcodes in the fake districts."""
    district = np.asarray(DISTRICTS)[rng.choice(len(DISTRICTS), size=n, p=DISTRICT_SHARES)]
    sector = rng.integers(0, 10, n)
    letters = np.asarray(list(UNIT_LETTERS))
    unit = np.char.add(
        letters[rng.integers(0, len(letters), n)], letters[rng.integers(0, len(letters), n)]
    )
    return [f"{d} {s}{u}" for d, s, u in zip(district, sector, unit, strict=True)]


def _ni_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """National Insurance numbers with the prefix QQ, which HMRC never issues."""
    ni_digits = rng.integers(0, 1_000_000, n)
    ni_suffix = np.asarray(list("ABCD"))[rng.integers(0, 4, n)]
    spaced = rng.random(n) < 0.7
    return [
        f"QQ {d // 10000:02d} {d // 100 % 100:02d} {d % 100:02d} {s}" if sp else f"QQ{d:06d}{s}"
        for d, s, sp in zip(ni_digits, ni_suffix, spaced, strict=True)
    ]


def _nhs_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """NHS numbers in the 999 range, about 2% with a typing error in the check digit."""
    # 999 then six random digits, the check digit last. A draw whose check digit would be
    # 10 has no valid number, so it is drawn again.
    nine = np.column_stack([np.full((n, 3), 9), rng.integers(0, 10, (n, 6))])
    check = _nhs_check_digit(nine)
    while (bad := check == 10).any():
        nine[bad, 3:] = rng.integers(0, 10, (int(bad.sum()), 6))
        check = _nhs_check_digit(nine)
    typo = rng.random(n) < 0.02
    check = np.where(typo, (check + rng.integers(1, 10, n)) % 10, check)
    check = np.where(typo & (check == _nhs_check_digit(nine)), (check + 1) % 10, check)
    digits = np.column_stack([nine, check]).astype(str)
    nhs = ["".join(row) for row in digits]
    return [f"{s[:3]} {s[3:6]} {s[6:]}" for s in nhs]


def _support_needs(rng: np.random.Generator, n: int, older: np.ndarray) -> np.ndarray:
    """The sensitive attribute: the code of what each person needs help with."""
    # Older people more often need support with their physical health or as carers.
    base = np.array([0.26, 0.18, 0.20, 0.16, 0.12, 0.08])
    old = np.array([0.18, 0.06, 0.01, 0.10, 0.40, 0.25])
    p = np.where(older[:, None], old, base)
    need = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return np.minimum(need, len(SUPPORT_NEEDS) - 1)


def _case_notes(
    rng: np.random.Generator, n: int, phone: list[str], email: np.ndarray
) -> list[str | None]:
    """Free-text notes: mostly empty or harmless, some with a phone number or an email."""
    # Identifiers typed in by a caseworker are hidden where a column name cannot warn.
    kind = rng.choice(4, size=n, p=[0.45, 0.38, 0.10, 0.07])
    plain = np.asarray(NOTES_PLAIN)[rng.integers(0, len(NOTES_PLAIN), n)]
    notes: list[str | None] = []
    for k, text, ph, em in zip(kind, plain, phone, email, strict=True):
        if k == 0:
            notes.append(None)
        elif k == 1:
            notes.append(str(text))
        elif k == 2:
            notes.append(f"Call back on {ph} after 3pm.")
        else:
            notes.append(f"Send the form to {em} instead of by post.")
    return notes


def raw_contacts_csv_text(*, n: int = 1500, seed: int = 20240630) -> str:
    """The exact text of ``data/raw_contacts.csv``, produced by the seeded generator."""
    df = generate_raw_contacts(n=n, seed=seed)
    return str(df.to_csv(index=False, lineterminator="\n"))


def write_raw_contacts(out_dir: str | os.PathLike[str]) -> Path:
    """(Re)write ``raw_contacts.csv`` from its generator into ``out_dir``, atomically."""
    return atomic_write_text(Path(out_dir) / "raw_contacts.csv", raw_contacts_csv_text())
