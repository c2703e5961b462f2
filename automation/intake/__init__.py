"""Intake: the 참여 신청서 as a file applicants fill in, and filled forms read back into 참여신청.

:mod:`automation.domain.form_layout` turns the 참여신청 schema into the form's sections and lines (so a column given a
``form_label`` appears on the form); :mod:`.grid` reads a filled .docx / .hwpx / .hwp into a grid of
cell texts, bounded against hostile files; :mod:`.fields` finds each field by its label in that
grid; :mod:`.step` imports files into rows.
"""
