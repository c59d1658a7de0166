"""Static files under their hashed names also when DEBUG is on (`make demo`).

Django's manifest storage names files without their hash while DEBUG is on, because a development server
finds them in the source folders. The demo keeps DEBUG on but is served like production: gunicorn, and
whitenoise serving what `sirbi collectstatic` put in STATIC_ROOT. There the hashed names are the ones
that exist, and the ones whitenoise may let browsers keep for a year.
"""

import os

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.compress import Compressor

# Files a page loads are far below this; above it are the packages' unused extras (world-atlas's 1:10m maps).
GZIP_AT_MOST = 1024 * 1024


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """ManifestStaticFilesStorage that names the hashed copy whatever DEBUG says, and writes a gzip copy of each
    hashed text file up to 1 MB, which whitenoise serves to browsers that accept it: the demo's pages weigh
    what production's do (tests/e2e/test_page_weight.py). Production's storage also writes Brotli copies of
    everything; doing that for the vendor packages' 60 MB at each `make demo` would take minutes."""

    def url(self, name, force=False):
        return super().url(name, force=True)

    def post_process(self, *args, **kwargs):
        compressor = Compressor(use_brotli=False, quiet=True)
        for name, hashed_name, processed in super().post_process(*args, **kwargs):
            if hashed_name and not kwargs.get("dry_run") and compressor.should_compress(hashed_name) \
                    and not hashed_name.endswith(".map"):
                path = self.path(hashed_name)
                # A hashed name's content never changes: its copy from an earlier run is still right.
                if not os.path.exists(path + ".gz") and os.path.getsize(path) <= GZIP_AT_MOST:
                    list(compressor.compress(path))
            yield name, hashed_name, processed
