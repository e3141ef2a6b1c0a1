"""vnnews: scraper and deduplicated archive of Vietnamese online news."""

__version__ = "0.1.0"
