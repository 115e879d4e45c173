"""Every change to questioning goes through these functions, each named after its operation and
audited under that name."""
