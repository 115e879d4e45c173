"""Voting rules: thresholds over all seats, tallies and their wording."""
