"""Pages for assessments: working through one, reviewing it, its results, import and export."""

# --- workflow pages

# --- import and export
# This section keeps its own imports (under names of its own) so that it can change apart from
# the workflow pages above.
from django.conf import settings as platform_settings  # noqa: E402
from django.contrib import messages as flash  # noqa: E402
from django.core.exceptions import ValidationError as ServiceRefusal  # noqa: E402
from django.http import HttpResponse as DownloadResponse  # noqa: E402
from django.shortcuts import redirect as redirect_to  # noqa: E402
from django.shortcuts import render as render_page  # noqa: E402
from django.utils.translation import gettext  # noqa: E402
from django.views.decorators.http import require_GET as only_get  # noqa: E402
from django.views.decorators.http import require_http_methods as only_methods  # noqa: E402

from weerbaar.assessments import exports  # noqa: E402
from weerbaar.assessments import selectors as assessment_selectors  # noqa: E402
from weerbaar.assessments import services as assessment_services  # noqa: E402
from weerbaar.assessments.choices import AssessmentStatus as ImportStatus  # noqa: E402
from weerbaar.assessments.spreadsheet import RowError, SpreadsheetError, read_scores  # noqa: E402
from weerbaar.core.access import access_rule as declare_access  # noqa: E402
from weerbaar.core.permissions import Action as Permission  # noqa: E402

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refusal_rows(exc: ServiceRefusal) -> list[RowError]:
    """The service's problems as table rows: per row and field where it names them."""
    if hasattr(exc, "error_dict"):
        return [
            RowError(None, field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    rows = []
    for error in exc.error_list:
        params = error.params or {}
        message = error.message % params if params else error.message
        rows.append(RowError(params.get("row"), str(params.get("column", "")), str(message)))
    return rows


@only_methods(["GET", "POST"])
@declare_access(Permission.ASSESSMENT_EDIT)
def assessment_import(request, assessment_id):
    """Fill a draft assessment from the organisation's own spreadsheet (XLSX or CSV). The whole
    file is checked first; every problem is listed with its row and column, and nothing is
    written unless the whole file is right."""
    assessment = assessment_selectors.access_assessment(
        request.user, assessment_id, Permission.ASSESSMENT_EDIT
    )
    limit = platform_settings.MAX_UPLOAD_BYTES
    locked = assessment.status != ImportStatus.DRAFT
    errors: list[RowError] = []
    file_error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if locked:
            file_error = gettext("This assessment is no longer a draft and cannot be changed.")
        elif upload is None:
            file_error = gettext("Choose a file to upload.")
        elif upload.size > limit:
            file_error = gettext("The file is too large (at most %(mb)d MB).") % {
                "mb": limit // (1024 * 1024)
            }
        else:
            try:
                parsed = read_scores(
                    upload.name,
                    upload.read(),
                    norm_codes=assessment.scores.values_list("norm__code", flat=True),
                    max_bytes=limit,
                )
                counts = assessment_services.import_scores(
                    actor=request.user, assessment=assessment, rows=parsed.rows
                )
            except SpreadsheetError as exc:
                errors = exc.errors
            except ServiceRefusal as exc:
                errors = _refusal_rows(exc)
            else:
                flash.success(
                    request,
                    gettext("%(rows)d norms read from the file; %(changed)d answers changed.")
                    % counts,
                )
                if parsed.ignored_columns:
                    flash.info(
                        request,
                        gettext("These columns were not used: %(columns)s.")
                        % {"columns": ", ".join(parsed.ignored_columns[:20])},
                    )
                return redirect_to(
                    "assessments:assessment_import", assessment_id=assessment.public_id
                )
    return render_page(
        request,
        "assessments/assessment_import.html",
        {
            "assessment": assessment,
            "locked": locked,
            "errors": errors,
            "file_error": file_error,
            "max_mb": limit // (1024 * 1024),
        },
        status=400 if (errors or file_error) else 200,
    )


def _download(body: bytes, content_type: str, filename: str) -> DownloadResponse:
    response = DownloadResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Scores show where a school is weak: never kept in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@only_get
@declare_access(Permission.ASSESSMENT_VIEW)
def assessment_export_xlsx(request, assessment_id):
    """The assessment as a workbook: the answers (which can be imported again), the results per
    domain and the details. The assigned reviewer may export it too."""
    assessment = assessment_selectors.access_assessment(
        request.user, assessment_id, Permission.ASSESSMENT_VIEW
    )
    body = exports.workbook(exports.export_data(assessment))
    return _download(body, XLSX_TYPE, f"{exports.file_stem(assessment)}.xlsx")


@only_get
@declare_access(Permission.ASSESSMENT_VIEW)
def assessment_export_pdf(request, assessment_id):
    """The assessment as a printable report."""
    assessment = assessment_selectors.access_assessment(
        request.user, assessment_id, Permission.ASSESSMENT_VIEW
    )
    body = exports.pdf(exports.export_data(assessment))
    return _download(body, "application/pdf", f"{exports.file_stem(assessment)}.pdf")
