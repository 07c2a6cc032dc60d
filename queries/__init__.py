"""The analysts' library of named, parameterised SPARQL queries (issue 5)."""
