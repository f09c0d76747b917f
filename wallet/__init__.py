"""The student's wallet: encrypted local store, import, selective disclosure and presentations.

``store`` keeps the encrypted file, ``disclosure`` builds partial shares and
``presentation`` signs records for one verifier. See docs/wallet.md.
"""
