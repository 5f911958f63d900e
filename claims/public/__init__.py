"""The readers' site: public fact-check pages, their index and the verdict report."""
