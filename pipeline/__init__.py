"""shinchoku: the yearly progress check (進行管理) of a municipal plan.

Stages, in the one direction data flows: plan (master) -> templates; ingest -> normalise ->
validate -> figures -> report. `batch` is the only module that knows that order.
"""

__version__ = "0.1.0"
TEMPLATE_VERSION = "1"
