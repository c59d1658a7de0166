"""Static files as `make demo` serves them: DEBUG on, but the hashed names of `sirbi collectstatic`'s manifest,
which whitenoise lets browsers keep for a year."""

import json

from sirbi.core.staticfiles import HashedStaticFilesStorage


def test_pages_name_the_hashed_copies_even_with_debug_on(settings, tmp_path):
    settings.DEBUG = True
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"version": "1.1", "hash": "0", "paths": {"sirbi/sirbi.css": "sirbi/sirbi.0123456789ab.css"}}))
    storage = HashedStaticFilesStorage(location=tmp_path, base_url="/static/")
    assert storage.url("sirbi/sirbi.css") == "/static/sirbi/sirbi.0123456789ab.css"
