"""The study PDF in pure Python: its page size, its pages and links, its outline."""
