"""Alliances: partners, partnership agreements and good practices (services), and their pages (views)."""
