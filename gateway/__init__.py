"""Ketenpoort gateway: dat-information only, convenant-checked, hash-chained audit."""
