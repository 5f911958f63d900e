"""Bringing in what others published: ClaimReview records from other fact-checkers."""
