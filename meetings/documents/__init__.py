"""Session documents: text extraction per page."""
