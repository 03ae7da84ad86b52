"""The demo's real sample data (prices and instruments, see SOURCE.md) and its book generator."""

from ballast.sample.generate import (
    BookFiles,
    generate_book,
    sample_instruments_path,
    sample_models_path,
    sample_prices_path,
)

__all__ = [
    "BookFiles", "generate_book", "sample_instruments_path", "sample_models_path",
    "sample_prices_path",
]
