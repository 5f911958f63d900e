"""How published records go out: verdict exports that stream with flat memory (``formats``, from
the database expressions of ``columns``), ClaimReview JSON-LD (``claimreview``), and the verdict
report with its charts (``report``, ``charts``)."""
