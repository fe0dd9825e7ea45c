"""Rules -> findings. Column and value rules are the pandera schemas under schemas/; file,
integrity, consistency and batch rules are code here, all making the same Finding.

`pipeline.validate(...)` calls the library function of that name (see pipeline/__init__.py)."""
