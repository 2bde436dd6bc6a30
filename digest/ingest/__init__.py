"""Feed ingestion: from RSS, Atom and JSON feeds to tagged draft articles.

fetch -> parse -> keep -> tag -> deduplicate -> write, one module per stage; the
orchestrator is `pipeline.run_ingest`, the commands are in `cli.py`. This package
imports nothing heavy itself, so that registering its commands keeps `digest --help` fast.
"""
