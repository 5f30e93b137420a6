"""factcheck: check every quote and attribution against the article's own text."""
