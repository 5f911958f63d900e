"""How records come in: claims proposed from an article (``extraction``, ``proposals``), the curated
seed files (``seed``), other fact-checkers' ClaimReview (``claimreview``) and the synthetic corpus
(``demo``); ``bulk`` writes large batches the fastest way the database takes them."""
