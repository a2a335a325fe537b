"""riskwatch: news and regulatory-event monitoring for tech firms.

import riskwatch
rw = riskwatch.open("riskwatch.db")   # see riskwatch/api.py
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # the API loads the store and registries only when a notebook asks for it
    if name in ("open", "Riskwatch"):
        from riskwatch import api

        return getattr(api, name)
    raise AttributeError(f"module 'riskwatch' has no attribute {name!r}")
