"""知財ビジネスマッチング: programmes, offers, matching both ways, deals, documents and outcome figures.

The services are composed in `tsunagu.app.App` (``programmes``, ``offers``, ``matching``, ``deals``,
``kpi``); the company register lives in `tsunagu.services.companies`. See ``docs/matching.md``.
"""
