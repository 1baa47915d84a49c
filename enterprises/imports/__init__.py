"""Loading the member networks' directories: read → map → normalize → validate → match → diff
→ apply, one stage per module, driven by ``pipeline.run_import`` for the admin and the command.
"""
