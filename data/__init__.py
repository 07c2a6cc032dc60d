"""Data shipped with innograph: the 5568 programme graph, demo data and loader templates."""
