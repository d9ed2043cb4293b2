"""The review page end to end in headless Chromium (Selenium driving the system chromium + chromedriver).

Skips with a reason when selenium, chromium or chromedriver is absent. Set
``EMOREASON_SCREENSHOT_DIR`` to keep the screenshots it takes.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emoreason.review.app import create_app
from emoreason.review.auth import load_tokens
from emoreason.review.db import DB_NAME, ReviewDB
from tests.review.conftest import TOKENS, XSS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def server(dataset: Path, tokens_file: Path) -> Iterator[str]:
    """uvicorn serving the review app on a free local port."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(dataset, load_tokens(tokens_file)), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (dev dependency)")
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600",
                "--mute-audio", "--no-first-run"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: object, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    keep = os.environ.get("EMOREASON_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


def _wait_replaced(driver: object, page: object) -> None:
    """Wait until `page` (the old <html> element) is gone and the new page has loaded.

    Selenium's ``staleness_of`` lets other WebDriver errors through, and chromedriver raises them
    while a navigation is half done (seen on a loaded machine); those just mean "not yet".
    """
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def replaced(drv: object) -> bool:
        try:
            page.is_enabled()  # type: ignore[attr-defined]
        except StaleElementReferenceException:
            return drv.execute_script("return document.readyState") == "complete"  # type: ignore[attr-defined]
        except WebDriverException:
            return False
        return False

    WebDriverWait(driver, 30).until(replaced)


def _submit(driver: object, button_id: str) -> None:
    """Click a button that posts a form and wait until the next page has replaced this one."""
    from selenium.webdriver.common.by import By

    page = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    driver.find_element(By.ID, button_id).click()  # type: ignore[attr-defined]
    _wait_replaced(driver, page)


def test_login_rate_prefer_edit_export(server: str, browser: object, dataset: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    d.get(server + "/")  # type: ignore[attr-defined]
    assert "Sign in" in d.page_source  # 401 page carries the login form
    d.find_element(By.ID, "token").send_keys("wrong-token-000")
    _submit(d, "login")
    assert d.find_element(By.ID, "login-error").text == "Unknown token."
    d.find_element(By.ID, "token").send_keys(TOKENS["alice"])
    _submit(d, "login")
    assert d.find_element(By.ID, "who").text == "alice"
    page = d.find_element(By.TAG_NAME, "html")
    d.find_element(By.LINK_TEXT, "two").click()
    _wait_replaced(d, page)
    # the XSS payload is shown as text, and nothing ran
    assert d.find_element(By.ID, "description").text == f"He says {XSS}"
    assert d.execute_script("return document.querySelectorAll('main script, img[src=x]').length") == 0
    d.find_element(By.ID, "score-3").click()
    _submit(d, "rate")
    assert d.find_element(By.ID, "message").text == "Rating saved."
    assert d.find_element(By.ID, "score-3").is_selected()
    d.find_element(By.ID, "prefer-left").click()
    _submit(d, "prefer")
    assert d.find_element(By.ID, "message").text == "Preference saved."
    box = d.find_element(By.ID, "edit-text")
    box.clear()
    box.send_keys("In the video, he smiles <b>broadly</b> and thanks his friend.")
    _submit(d, "save-edit")
    assert d.find_element(By.ID, "message").text == "Edit saved."
    assert d.find_element(By.ID, "description").text == "In the video, he smiles <b>broadly</b> and thanks his friend."
    assert "alice" in d.find_element(By.ID, "history").text
    video_ok = d.execute_script(
        "const v=document.getElementById('player'); return v.readyState >= 1 || v.networkState !== 3;")
    assert video_ok
    shot = _shot(d, tmp_path, "review-clip.png")
    assert shot.stat().st_size > 20_000
    d.get(server + "/export/ratings.json")
    assert '"annotator":"alice"' in d.page_source.replace(" ", "")
    cookie = d.get_cookie("emoreason_review")["value"]
    csv_text = httpx.get(server + "/export/ratings.csv", cookies={"emoreason_review": cookie}).text
    assert "rating,two,alice,3" in csv_text and "preference,two,alice,left" in csv_text
    d.get(server + "/agreement")
    _shot(d, tmp_path, "review-agreement.png")
    db = ReviewDB(dataset / DB_NAME)
    assert [r["score"] for r in db.rows("ratings")] == [3]
    assert db.rows("edits")[0]["annotator"] == "alice"


def test_media_escape_in_the_browser(server: str, browser: object) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    d.get(server + "/login")  # type: ignore[attr-defined]
    d.find_element(By.ID, "token").send_keys(TOKENS["bob"])
    _submit(d, "login")
    d.get(server + "/media/..%2f..%2fsecret.txt")
    assert "TOP SECRET" not in d.page_source
