"""Reporting campaigns: who reports what (services), the pages (views, urls), the API (api), the spreadsheet
templates and uploads (spreadsheets) and the scope upload's background job (jobs)."""
