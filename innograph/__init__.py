"""innograph: a knowledge graph and SPARQL service for science and technology innovation programmes."""

__version__ = "0.1.0"
