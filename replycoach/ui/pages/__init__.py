"""One module per page, each with ``render()``. Pages stay thin: read input, call the domain/storage, show."""
