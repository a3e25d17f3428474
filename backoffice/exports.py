"""The back office's CSV downloads: what spreadsheets open right, formulas made harmless."""

import csv

from django.http import HttpResponse

# A cell that a spreadsheet would read as a formula is written as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_response(filename: str, header: list) -> tuple[HttpResponse, object]:
    """A CSV download that spreadsheets open as the French write it, and its writer."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheets read the accents right
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    return response, writer
