"""WTForms classes; labels are lazily translated so they follow each request's language."""
