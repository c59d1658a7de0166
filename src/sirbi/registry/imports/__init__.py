"""Bulk import of the registry (libraries and their service points), shared by the command line, the web and
the benchmarks."""

from . import jobs  # noqa: F401,E402  (registers the job kind)
from .libraries import COLUMN_LABELS, ImportReport, import_libraries  # noqa: F401
from .service_points import POINT_COLUMN_LABELS, import_service_points  # noqa: F401
