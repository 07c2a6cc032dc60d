"""The web service: SPARQL endpoint, linked-data pages and the named query API (issue 4 onwards)."""
