"""Static files under their hashed names also when DEBUG is on (`make demo`).

Django's manifest storage names files without their hash while DEBUG is on, because a development server
finds them in the source folders. The demo keeps DEBUG on but is served like production: gunicorn, and
whitenoise serving what `sirbi collectstatic` put in STATIC_ROOT. There the hashed names are the ones
that exist, and the ones whitenoise may let browsers keep for a year.
"""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """ManifestStaticFilesStorage that names the hashed copy whatever DEBUG says (no compressed copies:
    the demo is served on loopback, and compressing the vendor packages' 60 MB takes minutes)."""

    def url(self, name, force=False):
        return super().url(name, force=True)
