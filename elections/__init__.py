"""Terms and election information: a council's terms, its elections' constituencies, candidates and
results under the Election Law, and the new term's roster made from those results."""
