"""Paper survey forms from CSV or XLSX (placeholder until written)."""


class ImportFileError(ValueError):
    pass


def import_responses(path, *, questionnaire_code=None, dry_run=False, skip_invalid=False):
    raise ImportFileError("not written yet")
