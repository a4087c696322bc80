"""`/docs` (Swagger UI) and `/redoc` without internet: the assets are served by the gateway itself.

Swagger UI comes from the PyPI package `swagger-ui-bundle`; Redoc's standalone bundle is vendored
under `static/redoc/` with its licence. Many government networks have no route to a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

REDOC = Path(__file__).parent / "static" / "redoc"


def voeg_documentatie_toe(app: FastAPI) -> None:
    import swagger_ui_bundle

    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")
    app.mount("/static/redoc", StaticFiles(directory=REDOC), name="redoc")
    openapi_url = app.openapi_url or "/v1/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} — API",
                                   swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger-ui/favicon-32x32.png")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=openapi_url, title=f"{app.title} — API",
                              redoc_js_url="/static/redoc/redoc.standalone.js",
                              redoc_favicon_url="/static/swagger-ui/favicon-32x32.png", with_google_fonts=False)
