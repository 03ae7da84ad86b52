"""The kernel: use cases that tie the book of record, the data and the store together."""
