"""The 政策匹配 tab's eligibility form in a real browser, over real notices of the Xiong'an library."""
import shutil

import pytest

from conftest import XIONGAN, require_library
from test_app import App, browser, shot  # noqa: F401  (browser is a fixture)

pytestmark = pytest.mark.browser
FAILED_QUOTE = "申请单位应当是在雄安新区内依法经营，具有独立法人资格的企业、科研机构等单位"


@pytest.fixture(scope="module")
def xiongan_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("xiongan-app")
    library = root / "library"
    library.mkdir()
    for prefix in ("082", "104", "141"):
        shutil.copy(next(require_library(XIONGAN).glob(f"{prefix}_*.md")), library)
    a = App(root, "--backend", "extractive", "--library", str(library))
    yield a
    a.stop()


@pytest.mark.parametrize("width, height", [(1400, 900), (1280, 720)])
def test_the_form_checks_each_condition_and_a_click_shows_its_source(browser, xiongan_app, width, height):  # noqa: F811
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(xiongan_app.url)
    page.get_by_role("tab", name="政策匹配").click()
    page.fill("#el-description textarea", "我单位是在保定市徐水区注册的独立法人企业，项目申请单位、项目负责人均未被列入国家严重违法失信名单。")
    page.fill("#el-founded textarea", "2019-05")
    page.fill("#el-as-of textarea", "2023-12-07")
    page.locator("#el-failed input").check()
    page.click("#el-run")
    card = page.locator(".el-card", has_text="关于在研国家级科技项目配套资金申报的通知")
    card.wait_for()
    assert card.locator(".el-verdict").inner_text() == "不符合"
    failed = card.locator("tr.el-failed")
    assert failed.count() == 1 and failed.locator("a.el-cond").inner_text() == FAILED_QUOTE
    assert "不在雄安新区" in failed.inner_text()
    met = card.locator("tr.el-met", has_text="项目申请单位、项目负责人均未被列入国家严重违法失信名单")
    assert met.count() == 1
    shot(page, f"eligibility-{width}x{height}.png", full_page=False)
    failed.locator("a.el-cond").click()
    anchor = failed.locator("a.el-cond").get_attribute("href")[1:]
    source = page.locator(f"#{anchor}")
    page.wait_for_function(
        """id => { const el = document.getElementById(id); if (!el) return false; const r = el.getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""", arg=anchor)
    assert source.locator("mark").inner_text() == FAILED_QUOTE
    shot(page, f"eligibility-source-{width}x{height}.png", full_page=False)
    with page.expect_download() as download:
        page.click("#el-csv")
    assert download.value.suggested_filename == "申报条件核对.csv"
    ctx.close()
