"""Other fact-checkers' ClaimReview: found in what they publish (``reading``), read into records
(``records``) and stored as their published verdicts (``importing``)."""
