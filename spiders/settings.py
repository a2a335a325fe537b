"""Scrapy settings built from riskwatch Settings: politeness, limits, pipeline, recorder."""

from __future__ import annotations

from riskwatch.settings import Settings


def scrapy_settings(settings: Settings, db_path: str, *, local_only: bool = False) -> dict:
    """The Scrapy settings for one crawl process; `local_only` drops throttling for loopback."""
    return {
        "RISKWATCH_DB": db_path,
        "USER_AGENT": settings.crawler_user_agent,
        "ROBOTSTXT_OBEY": settings.obey_robots,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8 if local_only else settings.concurrent_per_domain,
        "AUTOTHROTTLE_ENABLED": not local_only,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "DOWNLOAD_DELAY": 0 if local_only else 1.0,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_response_mb * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": 2,
        "RETRY_BACKOFF_BASE": 0.05 if local_only else 2.0,  # seconds, doubling per retry
        "RETRY_AFTER_MAX": settings.retry_after_max_s,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": settings.log_level,
        "ITEM_PIPELINES": {"spiders.pipelines.StorePipeline": 300},
        "EXTENSIONS": {"spiders.runlog.CrawlRunRecorder": 500},
        # names resolving to internal addresses are refused for public sources; a crawl of only
        # local sources (the demo, the tests) uses the stock resolver
        "TWISTED_DNS_RESOLVER": (
            "scrapy.resolver.CachingThreadedResolver"
            if local_only
            else "spiders.safety.PublicOnlyResolver"
        ),
        "DOWNLOADER_MIDDLEWARES": {
            "spiders.safety.InternalAddressGuard": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "spiders.politeness.PoliteRetryMiddleware": 550,
        },
    }
