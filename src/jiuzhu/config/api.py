"""The HTTP API at /api/v1 (django-ninja); its OpenAPI schema is at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from jiuzhu.core.auth import API_AUTH
from jiuzhu.core.errors import JiuzhuError, NotFound

api = NinjaAPI(
    title="jiuzhu 救助 API",
    version="1",
    description="社会救助综合服务平台接口。所有数据按调用者的管辖范围过滤；身份证号和电话默认脱敏。",
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(NotFound)
def not_found(request, exc):
    return api.create_response(request, {"detail": "未找到该记录"}, status=404)


@api.exception_handler(JiuzhuError)
def domain_error(request, exc: JiuzhuError):
    body = {"code": str(exc.code), "detail": exc.message}
    if problems := getattr(exc, "problems", None):
        body["problems"] = problems
    return api.create_response(request, body, status=exc.http_status)


api.add_router("/households", "jiuzhu.registry.api.router")
api.add_router("/org", "jiuzhu.org.api.router")
api.add_router("/eligibility", "jiuzhu.policy.api.router")
api.add_router("/feeds", "jiuzhu.exchange.api.router")
api.add_router("/verifications", "jiuzhu.verification.api.router")
api.add_router("/workorders", "jiuzhu.workorders.api.router")
api.add_router("/monitoring", "jiuzhu.monitoring.api.router")
api.add_router("/leads", "jiuzhu.leads.api.router")
api.add_router("/cases", "jiuzhu.cases.api.router")
