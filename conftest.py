"""Project-wide pytest fixtures."""

# API clients with keys and staff sessions, shared by the API tests of every app.
pytest_plugins = ["config.tests.api_fixtures"]
