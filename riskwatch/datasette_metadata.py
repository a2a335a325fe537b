"""What riskwatch tells Datasette about its database: the title and licences, a description
of every table and column, the tables kept out of sight, and the canned queries with the
columns they return. riskwatch/datasette_site.py builds the app from these;
tests/test_serve.py checks them against a freshly migrated database."""

from __future__ import annotations

TITLE = "riskwatch: breaches, fines and IPO suspensions at tech firms"
LICENSE = "article text: each source's own terms; riskwatch's registries and data: MIT"
SOURCES_LICENSE = "each source's own terms"
SOURCE = "news sites, trade press and regulators (see the sources table), crawled by riskwatch"

DESCRIPTION_HTML = """<p>News and regulators' releases in English, French and Chinese, tagged
for <strong>data breaches</strong>, <strong>regulatory fines</strong> and <strong>IPO
suspensions</strong>, grouped into one <strong>event</strong> per real action (twenty outlets
reporting one fine in three languages make one event).</p>
<p>Start with {start}.</p>
<p><strong>Licences and terms.</strong> The text in <em>articles</em> (and the titles and
evidence sentences quoted in <em>tags</em>, <em>article_facts</em> and <em>events</em>) are
excerpts of third-party publications, kept for research; each source's own terms apply to
them. The company and regulator registries, the tags, facts and events riskwatch derived, and
riskwatch itself are the riskwatch project's, under the MIT licence.</p>
<p>Served read-only: a crawl or tagging run can write to the database while you browse, and
pages show its latest state.</p>"""

HIDDEN = {
    "frontier": "the crawl queue: links discovered and their fetch state",
    "entry_pages": "what each feed, sitemap and listing answered last (ETags, link counts)",
    "_sqlite_migrations": "the schema migrations applied to this file",
    "alerts": "the alert outbox: one row per event version, watchlist and channel",
    "job_runs": "runs of the daemon's scheduled jobs",
}  # articles_fts and its shadow tables are hidden by Datasette itself

TABLES: dict[str, dict] = {
    "events": {
        "description": "One row per real action: a breach, a fine or an IPO suspension, "
        "however many articles and languages reported it. Amounts are normalised to USD and "
        "EUR at that year's average rate.",
        "sort_desc": "action_date",
        "facets": ["type", "company", "regulator", {"array": "languages"}],
        "label_column": "title",
        "columns": {
            "id": "Stable event id (never changes once given)",
            "type": "data_breach, regulatory_fine or ipo_suspension (or a custom head's label)",
            "firm_key": "Grouping key: the firm's group id, or ? for a firm not in the registry",
            "company": "Registry id of the firm's group (Taobao counts as alibaba); empty when "
            "the firm is not in the registry",
            "company_name": "The firm's name (from the registry, else as the articles write it)",
            "unknown_company": "1 when the firm is not in the company registry",
            "regulator": "Registry id of the regulator, court or exchange most articles name",
            "action_date": "Date of the action as the text gives it (YYYY-MM-DD), which can "
            "differ from the publication date",
            "action_precision": "day, month or year as the text gave it; published when the "
            "text gave no date and the publication date is used",
            "amount_value": "The fine's amount as most articles report it, in its currency",
            "amount_currency": "ISO 4217 currency of amount_value",
            "amount_usd": "amount_value in US dollars at that year's average rate",
            "amount_eur": "amount_value in euros at that year's average rate",
            "amounts": "JSON list of every distinct amount reported, with how many articles "
            "reported each",
            "amounts_disagree": "1 when articles report different amounts (all are in amounts)",
            "records_value": "Largest number of records, accounts or people exposed that any "
            "article reports",
            "records_unit": "What records_value counts: records, accounts, users, customers or "
            "people",
            "title": "Headline of the first article reporting the event",
            "evidence": "The sentence that best states the event (quoted from an article)",
            "first_seen": "Publication time (UTC) of the earliest article",
            "first_source": "Source of the earliest article",
            "first_article": "Id of the earliest article (articles.id)",
            "lead_hours": "Hours between the first source's article and the next source's; "
            "empty when one source reported it",
            "languages": "JSON list of the languages of its articles",
            "n_articles": "Number of articles reporting it",
            "n_sources": "Number of sources reporting it",
            "confirmed": "1 when a regulator's own release is among the sources",
            "follows": "The earlier event this one updates (an appeal, a reduced fine, an IPO "
            "terminated after a suspension)",
            "created_at": "When riskwatch first recorded the event (UTC)",
            "updated_at": "When riskwatch last updated the event (UTC)",
        },
    },
    "event_companies": {
        "description": "Every firm an event is about, with the groups above it: the event of "
        "Taobao is listed under taobao and alibaba.",
        "facets": ["company"],
        "columns": {
            "event_id": "The event (events.id)",
            "company": "Registry id of a firm or one of its parent groups",
        },
    },
    "articles": {
        "description": "Stored articles: excerpts of third-party publications kept for "
        "research; each source's own terms apply.",
        "license": SOURCES_LICENSE,
        "sort_desc": "published",
        "facets": ["source", "lang", "status"],
        "label_column": "title",
        "columns": {
            "seq": "Stable row number (the full-text index points at it)",
            "id": "Article id: a hash of the canonical URL",
            "url": "Canonical URL of the article",
            "source": "Source name in the registry (sources.name)",
            "lang": "Language code detected from the text",
            "title": "Headline",
            "body": "Main text as extracted from the page",
            "published": "Publication time (UTC), from the page or its feed",
            "fetched_at": "When riskwatch last fetched the page (UTC)",
            "updated_at": "When the stored text last changed (UTC)",
            "content_hash": "SHA-256 of title and text: a re-crawl with the same hash keeps "
            "its status and tags",
            "status": "new (not tagged yet) or tagged",
        },
    },
    "tags": {
        "description": "What the classifier found in each article: one row per article and "
        "event type, with its score and evidence sentence.",
        "sort_desc": "tagged_at",
        "facets": ["type", "model"],
        "columns": {
            "article_id": "The article (articles.id)",
            "type": "Event type the article was tagged with",
            "score": "Classifier score from 0 to 1",
            "evidence": "The sentence that scored highest (quoted from the article)",
            "model": "Classifier that tagged it (e5-head, rules, a custom head or model)",
            "model_version": "Version of that classifier",
            "tagged_at": "When it was tagged (UTC)",
        },
    },
    "article_facts": {
        "description": "What the event stage read from each tagged article: firm, regulator, "
        "amount, records exposed and the date of the action, and the event it joined.",
        "facets": ["type", "company", "regulator"],
        "columns": {
            "article_id": "The article (articles.id)",
            "type": "Event type of the tag these facts come from",
            "tagged_at": "Time of that tag: a re-tagged article is read again",
            "company": "Registry id of the firm; empty when the registry does not know it",
            "firm_key": "Grouping key: the firm's group id, or ? for a firm not in the registry",
            "company_guess": "Name of a firm not in the registry, as the article writes it",
            "name_tokens": "JSON list of likely names of an unknown firm, for grouping",
            "recalled": "1 when the article recalls an earlier action rather than reporting news",
            "mentioned": "JSON list of every registry firm the article mentions",
            "regulator": "Registry id of the regulator, court or exchange named",
            "amount_value": "Amount of the fine, in its currency",
            "amount_currency": "ISO 4217 currency of amount_value",
            "amount_kind": "amount, cap (up to) or range",
            "amount_usd": "amount_value in US dollars at that year's average rate",
            "amount_eur": "amount_value in euros at that year's average rate",
            "records_value": "Number of records, accounts or people exposed",
            "records_unit": "What records_value counts",
            "action_date": "Date of the action as the text gives it (YYYY-MM-DD)",
            "action_precision": "day, month, year, or published (no date in the text)",
            "past_mention": "1 when the date points to an action before the publication",
            "evidence": "The sentence the facts were read from (quoted from the article)",
            "score": "The tag's classifier score",
            "event_id": "The event these facts joined (events.id)",
            "duplicate_of": "Article this one is a syndicated copy of, if any",
            "minhash": "MinHash signature of the text, to recognise syndicated copies",
            "embedding": "Multilingual sentence embedding of the evidence, when the default "
            "model was present",
        },
    },
    "sources": {
        "description": "The sources crawled into this database, as the registry described "
        "them at the last crawl. Articles from each source fall under its own terms.",
        "facets": ["kind", "lang"],
        "columns": {
            "name": "Source name",
            "lang": "Main language of the source",
            "kind": "portal, trade_press, regulator, exchange or demo",
            "config": "JSON: the registry entry (feeds, sitemaps, listing pages, homepage, notes)",
            "updated_at": "When the entry was last synced from the registry (UTC)",
        },
    },
    "crawl_runs": {
        "description": "One row per crawl of a source: when, how it ended, pages and items.",
        "sort_desc": "started",
        "facets": ["source", "status"],
        "columns": {
            "id": "Run number",
            "source": "Source crawled",
            "started": "Start time (UTC)",
            "finished": "End time (UTC); empty while running or after a crash",
            "status": "How the run ended: ok, failed, or blocked (the site answered 401/403/451)",
            "pages": "Pages fetched",
            "items": "Articles stored",
            "errors": "Pages that failed",
            "not_modified": "Entry pages (feeds, sitemaps, listings) answering 304 Not Modified",
            "links": "Article links the entry pages gave",
            "last_error": "The last error met",
        },
    },
}

_EVENT_OF_COMPANY = (
    "(:company = '' OR e.id IN (SELECT event_id FROM event_companies WHERE company = :company))"
)
_USD = "CAST(round(sum(e.amount_usd)) AS INTEGER)"

QUERIES: dict[str, dict] = {
    "fines_by_company_and_year": {
        "title": "Fines by company and year",
        "description": "Regulatory fines per firm and year of the action: how many, how many "
        "with an amount, and their sum and largest in USD. Leave company empty for every "
        "firm, or give a registry id (alibaba includes Taobao's fines). Firms not in the "
        "registry have no id and are listed by name.",
        "sql": f"""SELECT e.company,
  max(e.company_name) AS company_name,
  substr(e.action_date, 1, 4) AS year,
  count(*) AS fines,
  count(e.amount_usd) AS fines_with_amount,
  {_USD} AS total_usd,
  CAST(round(max(e.amount_usd)) AS INTEGER) AS largest_usd
FROM events e
WHERE e.type = 'regulatory_fine'
  AND {_EVENT_OF_COMPANY}
GROUP BY e.company, CASE WHEN e.company IS NULL THEN e.company_name END, year
ORDER BY company_name COLLATE NOCASE, year""",
    },
    "events_by_regulator": {
        "title": "Events by regulator",
        "description": "Per regulator, court or exchange and event type: events, fines with "
        "an amount and their sum in USD, first and last action. Events that name no "
        "regulator are left out.",
        "sql": f"""SELECT e.regulator,
  regulator_name(e.regulator) AS regulator_name,
  regulator_country(e.regulator) AS country,
  e.type,
  count(*) AS events,
  count(e.amount_usd) AS with_amount,
  {_USD} AS total_usd,
  min(e.action_date) AS first_action,
  max(e.action_date) AS last_action
FROM events e
WHERE e.regulator IS NOT NULL
GROUP BY e.regulator, e.type
ORDER BY events DESC, e.regulator, e.type""",
    },
    "breaches_by_records_exposed": {
        "title": "Breaches by records exposed",
        "description": "Data breaches with a reported number of records, accounts or people "
        "exposed, largest first.",
        "sql": """SELECT e.id AS event_id,
  e.action_date,
  coalesce(e.company_name, e.company) AS company,
  CAST(e.records_value AS INTEGER) AS records,
  e.records_unit,
  e.regulator,
  e.n_articles,
  e.languages,
  e.title
FROM events e
WHERE e.type = 'data_breach' AND e.records_value IS NOT NULL
ORDER BY e.records_value DESC, e.action_date""",
    },
    "lead_times_of_outlets": {
        "title": "Lead times of outlets",
        "description": "Per source: events it reported first, how many of them another source "
        "reported too, and the median, average and largest lead in hours over the next source.",
        "sql": """WITH leads AS (
  SELECT first_source, lead_hours,
    row_number() OVER (PARTITION BY first_source ORDER BY lead_hours) AS k,
    count(*) OVER (PARTITION BY first_source) AS n
  FROM events
  WHERE first_source IS NOT NULL AND lead_hours IS NOT NULL
), medians AS (
  SELECT first_source, avg(lead_hours) AS median_hours
  FROM leads
  WHERE k IN ((n + 1) / 2, (n + 2) / 2)
  GROUP BY first_source
)
SELECT e.first_source AS source,
  count(*) AS events_first_reported,
  count(e.lead_hours) AS reported_by_others_too,
  round(m.median_hours, 2) AS median_lead_hours,
  round(avg(e.lead_hours), 2) AS avg_lead_hours,
  round(max(e.lead_hours), 2) AS max_lead_hours
FROM events e LEFT JOIN medians m ON m.first_source = e.first_source
WHERE e.first_source IS NOT NULL
GROUP BY e.first_source
ORDER BY events_first_reported DESC, source""",
    },
    "events_per_month_by_type": {
        "title": "Events per month by type",
        "description": "Events per month of the action and type, with their articles and the "
        "sum of fines in USD. Leave company empty for every firm, or give a registry id.",
        "sql": f"""SELECT substr(e.action_date, 1, 7) AS month,
  e.type,
  count(*) AS events,
  sum(e.n_articles) AS articles,
  {_USD} AS total_usd
FROM events e
WHERE e.action_date IS NOT NULL
  AND {_EVENT_OF_COMPANY}
GROUP BY month, e.type
ORDER BY month, e.type""",
    },
}

# What each canned query returns, checked by the tests on a live server.
QUERY_COLUMNS = {
    "fines_by_company_and_year": [
        "company", "company_name", "year", "fines", "fines_with_amount", "total_usd",
        "largest_usd",
    ],
    "events_by_regulator": [
        "regulator", "regulator_name", "country", "type", "events", "with_amount", "total_usd",
        "first_action", "last_action",
    ],
    "breaches_by_records_exposed": [
        "event_id", "action_date", "company", "records", "records_unit", "regulator",
        "n_articles", "languages", "title",
    ],
    "lead_times_of_outlets": [
        "source", "events_first_reported", "reported_by_others_too", "median_lead_hours",
        "avg_lead_hours", "max_lead_hours",
    ],
    "events_per_month_by_type": ["month", "type", "events", "articles", "total_usd"],
}  # fmt: skip
