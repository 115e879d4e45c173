"""Resolutions (nghị quyết): issued with a number in the council's yearly series when a motion on
a draft-resolution item passes, signed by the chair (PAdES, ``council.signing``) and published on
the public portal."""
