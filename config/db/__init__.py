"""Database infrastructure shared by the backend and the services: SQLite's write queue
(`writelock`), the helpers that re-run or serialise whole transactions (`retry`), and model
rows read and written by SQL written once (`rows`).

Imports only the standard library and Django and knows nothing of the project's apps, so
any app may use it (a test pins this).
"""
