"""Rules -> findings. Column and value rules are the pandera schemas under schemas/; file,
integrity, consistency and batch rules are code here, all making the same Finding."""
