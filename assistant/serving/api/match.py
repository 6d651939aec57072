"""Matching: a company's description → the measures that apply to it, best first."""
from __future__ import annotations

from fastapi import APIRouter

from assistant.matching.cards import SIZES
from assistant.matching.matcher import Company
from assistant.serving.api.access import JSON_READS
from assistant.serving.api.errors import ApiError
from assistant.serving.api.schemas import MatchRequest
from assistant.serving.api.state import CurrentService

router = APIRouter(tags=["retrieval"])


@router.post("/v1/match", dependencies=JSON_READS, summary="企业描述 → 适用的措施（按匹配度排序）")
def match(body: MatchRequest, service: CurrentService) -> dict:
    if body.size and body.size not in SIZES:
        raise ApiError(400, f"未知的企业规模 {body.size!r}；可选：{'、'.join(SIZES)}", "invalid_value", "size")
    try:
        result = service.current.matcher.match(Company(body.description, body.industry, body.size, body.district),
                                               k=body.k)
    except ValueError as e:
        raise ApiError(400, str(e), "invalid_value", "description") from e
    return {"matches": [m.to_json() for m in result.matches], "notices": result.notices}
