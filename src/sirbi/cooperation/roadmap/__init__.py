"""The roadmap: lines, objectives and actions with their progress rolled up (services), its pages (views), and
actions to and from spreadsheets (spreadsheets)."""
