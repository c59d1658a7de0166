"""The needs assessment: questionnaires answered per country and the needs matrix (services), and their pages
(views)."""
