"""The home page: what do you want to do?"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


@router.get("/", include_in_schema=False)
@needs("self")
async def home(request: Request) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    status = await run_in_threadpool(portal.corpus_status)
    jobs = await run_in_threadpool(portal.my_jobs, p, "", 5)
    return renderer_of(request).page(request, "home.html", active="home", corpus=status, jobs=jobs)


@router.get("/favicon.ico", include_in_schema=False)
@needs("public")
def favicon() -> Response:
    from tsunagu.web import STATIC

    return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml")


@router.get("/fonts/ipaexg.ttf", include_in_schema=False)
@needs("public")
def japanese_font() -> Response:
    """IPAexGothic from the installed matplotlib-fontja package: the pages' last-resort Japanese font
    (browsers fetch it only when no installed font has the characters)."""
    from fastapi.responses import FileResponse

    from tsunagu.errors import MissingDependencyError
    from tsunagu.services.landscape.fonts import japanese_font_path

    try:
        path = japanese_font_path()
    except MissingDependencyError:
        return Response(status_code=404)
    return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "public, max-age=604800"})
