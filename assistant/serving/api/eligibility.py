"""Eligibility: a company and its stated facts → each measure's conditions checked, with the clause quoted."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from assistant.limits import InvalidInput
from assistant.serving.api.access import JSON_READS
from assistant.serving.api.errors import ApiError
from assistant.serving.api.state import CurrentService
from assistant.serving.eligibility import DEFAULT_K, MAX_K, check_request

router = APIRouter(tags=["retrieval"])


class EligibilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "company": {"name": "某科技公司", "description": "在雄安新区注册的独立法人企业，成立于2022年3月",
                    "profile": {"revenue_last_year_wan": 3900, "qualifications": ["科技型中小企业"]}},
        "as_of": "2023-06", "k": 5}]})
    company: dict = Field(..., description="{name, description, profile: {industry, registered_in, district, founded, "
                                           "employees, revenue_last_year_wan, registered_capital_wan, rd_ratio, "
                                           "qualifications, tax_credit, violations, legal_person, …}}，均可省略")
    doc: str = Field("", max_length=300, description="只核对这一文档（文档 ID 或文件名）；空 = 全库排序")
    as_of: str = Field("", max_length=10, description="申报日期 YYYY-MM；空 = 今天")
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K)
    include_failed: bool = Field(False, description="同时列出不符合的措施及其未满足的条件")


@router.post("/v1/eligibility", dependencies=JSON_READS, summary="企业资料 → 可申报的措施，逐条核对申报条件")
def eligibility(body: EligibilityRequest, service: CurrentService) -> dict:
    try:
        return check_request(body.model_dump(), service.current.assistant.retriever.documents)
    except InvalidInput as e:
        raise ApiError(400, str(e), "invalid_value", "company") from e
