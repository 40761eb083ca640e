"""Given names that people carry in more than one country.

A byline such as "Jörg Staff" names a person; "Metro Staff" names a desk.  Only a list of
given names tells the two apart, and Faker (MIT, well kept) ships the given names of some
eighty locales.  A word counts as a given name when two locales or more list it: Faker's
generic ``en`` list also holds words such as "Metro", "Star" and "Press", which no second
locale repeats.  The list is read on first use only (about 0.1 s), since few bylines need it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from functools import lru_cache

_NAME_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


@lru_cache(maxsize=1)
def _common_given_names() -> frozenset[str]:
    try:
        import faker.providers.person as person_providers
    except ImportError:  # an install without Faker: no name is known, so none is rescued
        return frozenset()
    locales: Counter[str] = Counter()
    for module_info in pkgutil.iter_modules(person_providers.__path__):
        module = importlib.import_module(f"{person_providers.__name__}.{module_info.name}")
        provider = getattr(module, "Provider", None)
        names: set[str] = set()
        for list_name in _NAME_LISTS:
            value = vars(provider).get(list_name) if provider is not None else None
            if isinstance(value, (dict, list, tuple)):
                names.update(name.casefold() for name in value)
        locales.update(names)
    return frozenset(name for name, count in locales.items() if count >= 2)


def is_common_given_name(word: str) -> bool:
    """Is ``word`` a given name listed for two locales or more ("Jörg", "Kate"; not "Metro")?"""
    return word.casefold() in _common_given_names()
