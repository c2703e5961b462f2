"""Agreements (업무협약서): file names, .docx rendering and PDF conversion.

* :mod:`.names` — ``{매칭ID}_{기관명}_{시장명}`` file stems and paths kept inside the output folder.
* :mod:`.docx` — the template (templates/agreement.docx) rendered with docxtpl, atomically written.
* :mod:`.pdf` — LibreOffice headless, many files per process, each process with its own profile.
* :mod:`.context` — what goes into one pair's agreement (built from the sheet rows).
"""
