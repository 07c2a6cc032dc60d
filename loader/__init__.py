"""The loader: turns source files into named graphs of the store, checked and with provenance."""
