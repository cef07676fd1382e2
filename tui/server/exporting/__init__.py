"""Export rendering: the bytes of a CSV, XLSX, PNG or PDF made from data it is handed.

No SQL and no HTTP in here: ``tui.server.export_jobs`` gathers an export's data from the
store and hands it over as the plain objects of :mod:`.subjects`; :func:`.render.render`
turns them into a file's bytes.
"""
