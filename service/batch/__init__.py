"""``factcheck batch``: many articles from a JSONL file, one result line each.

The jobs, one module each: reading the input (:mod:`.input`), the results file and resuming
(:mod:`.results`), progress on stderr (:mod:`.progress`), the live path (:mod:`.live`), the
provider's Batch API (:mod:`.provider`), and the command that puts them together
(:mod:`.command`). Both paths build the model's requests and read its answers with the
same functions as a single request (:mod:`service.analysis`, :mod:`service.llm`), and
check the answers with the pipeline's own functions."""

from .command import run_batch
from .input import Item, id_key, parse_line
from .options import OPERATIONS, BatchOptions, CheckOptions
from .results import Tally

__all__ = [
    "OPERATIONS",
    "BatchOptions",
    "CheckOptions",
    "Item",
    "Tally",
    "id_key",
    "parse_line",
    "run_batch",
]
