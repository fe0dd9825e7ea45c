"""The pandera schemas: the single statement of what a valid submitted row is."""
