"""Credentials: the provider's keys, signed certificates that verify offline, the audit chain.

Empty until the certificates work lands. What goes here: the instructor's passphrase, signing and
verifying certificates (Ed25519, so a certificate can be checked offline and not forged), and the
hash-chained audit log of who changed which grade.
"""
