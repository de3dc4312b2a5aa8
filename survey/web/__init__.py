"""The web plumbing: security headers, the survey CSRF, cookies, logs and the locale."""
