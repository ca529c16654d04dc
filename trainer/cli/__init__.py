"""The command line, thin: ``main`` parses and prints, ``commands`` calls the rooms that do the
work."""
