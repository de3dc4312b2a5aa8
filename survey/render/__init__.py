"""Rendering: words, charts, PDFs and QR codes from data the services hand over."""
