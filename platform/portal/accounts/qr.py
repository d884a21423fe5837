"""The authenticator key as a QR code image: an SVG data URI that an <img> can show. An SVG read
as an image file (not inline in the page) needs its namespace, or the browser refuses to draw it."""

import segno


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4)
