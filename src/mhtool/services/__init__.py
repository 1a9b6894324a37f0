"""One function per user action; each opens one transaction and returns view dataclasses."""
