"""The student's wallet: encrypted local store, import, sharing and presentations.

Not built yet. Students receive the credential JSON embedded in their PDF; any
`hocba verify` reads it from there.
"""
