"""Verdict exports (CSV, JSON, ClaimReview JSON-LD) that stream with flat memory; see ``formats``."""
