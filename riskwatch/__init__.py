"""riskwatch: news and regulatory-event monitoring for tech firms."""

__version__ = "0.1.0"
