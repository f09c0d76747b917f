"""issuer."""
