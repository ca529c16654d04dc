"""Credentials: the provider's signing key and certificates that cannot be forged.

A certificate is a PDF signed as a PAdES signature (pyHanko) with the course provider's key, made
on first use and kept encrypted under the instructor's passphrase; ``verify`` checks it offline,
so a changed byte, a name painted over by an incremental update or another key's signature is
caught by anyone holding the file.
"""
