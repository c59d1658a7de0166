"""Working groups: documents and discussion (services) and their pages (views)."""
