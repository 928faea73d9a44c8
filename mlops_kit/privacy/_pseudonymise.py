"""Keyed pseudonymisation: replace identifiers with HMAC-SHA-256 pseudonyms.

Why a *keyed* hash. An NHS number has only about a billion possible values, a phone
number or a date of birth far fewer: anyone can hash every one of them with plain SHA-256
in minutes and read the identifiers back from an "anonymised" column. HMAC-SHA-256 mixes
a secret key into every hash, so without the key nobody can build that table, yet the
same value with the same key always gives the same pseudonym, so records still link
across tables and over time.

Rules this module keeps:

* it refuses to run without a key, and refuses a key shorter than :data:`MIN_KEY_BYTES`
  (32 bytes, the size of the hash itself, as RFC 2104 recommends); it never falls back
  to an unkeyed hash;
* make a key with :func:`make_key` (``secrets.token_bytes``) and store it apart from the
  data, in a secrets store or with the data owner: never in the same folder, repository,
  notebook or email as the pseudonymised table. Whoever holds both can re-identify;
* a pseudonym is still personal data (UK GDPR, Recital 26): pseudonymising reduces the
  risk, it does not make the table anonymous.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

from ..errors import ConfigError, DataValidationError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MIN_KEY_BYTES", "make_key", "pseudonymise"]

#: The shortest key accepted: 32 bytes (256 bits), the output size of SHA-256.
MIN_KEY_BYTES = 32


def make_key(nbytes: int = MIN_KEY_BYTES) -> bytes:
    """A new random secret key for :func:`pseudonymise` (from :func:`secrets.token_bytes`).

    Store it apart from the data, for example ``key.hex()`` in a secrets manager; read it
    back with ``bytes.fromhex(text)``. Anyone with the key and the pseudonymised table can
    re-identify people.

    Examples
    --------
    >>> key = make_key()
    >>> len(key), key == make_key()
    (32, False)
    """
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < MIN_KEY_BYTES:
        raise ConfigError(
            f"The 'nbytes' parameter of make_key must be a whole number of at least "
            f"{MIN_KEY_BYTES}. Got {nbytes!r} instead."
        )
    return secrets.token_bytes(nbytes)


def _key_bytes(key: Any) -> bytes:
    if key is None:
        raise ConfigError(
            "pseudonymise needs a secret key and never makes an unkeyed hash (plain hashes "
            "of NHS numbers, dates of birth or phone numbers can be reversed by hashing "
            "every possible value). Make one with mlops_kit.privacy.make_key() and keep it "
            "apart from the data. Got key=None."
        )
    if isinstance(key, str):
        raw = key.encode("utf-8")
    elif isinstance(key, bytes | bytearray):
        raw = bytes(key)
    else:
        raise ConfigError(
            "The 'key' parameter of pseudonymise must be bytes (from make_key()) or text. "
            f"Got {type(key).__name__} instead."
        )
    if len(raw) < MIN_KEY_BYTES:
        raise ConfigError(
            f"The 'key' parameter of pseudonymise must be at least {MIN_KEY_BYTES} bytes long "
            f"(a short key can be guessed). Got {len(raw)} byte{'s' if len(raw) != 1 else ''}; "
            "make one with mlops_kit.privacy.make_key()."
        )
    return raw


def _normalised(values: pd.Series, normalise: bool) -> pd.Series:
    text = values.astype(str)
    if normalise:
        text = text.str.replace(r"\s+", "", regex=True).str.casefold()
    return text


def _hash_series(values: pd.Series, key: bytes, normalise: bool) -> pd.Series:
    """HMAC-SHA-256 of each non-missing value; missing values stay missing."""
    import pandas as pd

    present = values.notna()
    text = _normalised(values[present], normalise)
    # Each distinct value is hashed once: HMAC has no vectorised form.
    digests = {
        v: hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest() for v in text.unique()
    }
    out = pd.Series(pd.NA, index=values.index, dtype="string", name=values.name)
    out[present] = text.map(digests).astype("string")
    return out


@overload
def pseudonymise(
    data: pd.Series, *, key: bytes | str, columns: None = None, normalise: bool = True
) -> pd.Series: ...


@overload
def pseudonymise(
    data: pd.DataFrame,
    *,
    key: bytes | str,
    columns: Sequence[str] | None = None,
    normalise: bool = True,
) -> pd.DataFrame: ...


def pseudonymise(
    data: pd.Series | pd.DataFrame,
    *,
    key: bytes | str,
    columns: Sequence[str] | None = None,
    normalise: bool = True,
) -> pd.Series | pd.DataFrame:
    """Replace identifiers with keyed pseudonyms (HMAC-SHA-256, 64 hexadecimal characters).

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        The identifiers, or a table holding them.
    key : bytes or str
        The secret key, at least :data:`MIN_KEY_BYTES` (32) bytes: see :func:`make_key`.
        Text is encoded as UTF-8.
    columns : sequence of str
        For a DataFrame, the columns to pseudonymise (required: say what you replace).
    normalise : bool, default True
        Remove spaces and ignore case before hashing, so ``"943 476 5919"`` and
        ``"9434765919"`` (or ``"ZZ1 2AB"`` and ``"zz12ab"``) get the same pseudonym.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A new object; missing values stay missing. The same value and key always give the
        same pseudonym; another key gives a different one.

    Raises
    ------
    ConfigError
        No key, a key that is too short or not bytes or text, or a DataFrame without
        ``columns``.
    DataValidationError
        ``columns`` names a column the table does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> key = b"k" * 32  # a real key comes from make_key()
    >>> out = pseudonymise(pd.Series(["943 476 5919", "9434765919", None]), key=key)
    >>> out[0] == out[1], len(out[0]), out.isna().tolist()
    (True, 64, [False, False, True])
    """
    import pandas as pd

    raw = _key_bytes(key)
    if isinstance(data, pd.Series):
        if columns is not None:
            raise ConfigError(
                "The 'columns' parameter of pseudonymise is for a DataFrame; a Series is "
                f"pseudonymised whole. Got columns={list(columns)!r} with a Series."
            )
        return _hash_series(data, raw, normalise)
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"pseudonymise needs a pandas Series or DataFrame. Got {type(data).__name__} instead."
        )
    if columns is None or isinstance(columns, str) or not list(columns):
        raise ConfigError(
            "The 'columns' parameter of pseudonymise must list the DataFrame's columns to "
            f"replace, such as columns=['nhs_number']. Got {columns!r} instead."
        )
    names = [str(c) for c in data.columns]
    out = data.copy()
    for c in columns:
        if c not in names:
            raise DataValidationError(
                f"Column '{c}' given to pseudonymise is not in the table; its columns are "
                f"{', '.join(names)}.{did_you_mean(c, names)}",
                column=c,
            )
        out[c] = _hash_series(data[c], raw, normalise)
    return out
