"""The `certificates` hub service: a cadre downloads a course's 结业证书; anyone checks a code.

    GET <prefix>mine/<course_id>   the logged-in cadre's certificate (PDF), if earned
    GET <prefix>check?code=…       public check of a verification code (Chinese page)

Runs as the dashboard account (it reads the gradebooks and writes the platform database),
like jupyterhub's examples/service-whoami with hub OAuth for the browser.
"""

from __future__ import annotations

import asyncio
import html
import os
from urllib.parse import quote, urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from airclass.core.settings import Settings, load
from airclass.learner import certificate

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · 空中课堂</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;max-width:640px;margin:1em auto;padding:0 1em;
line-height:1.7}} input{{font-size:1rem;padding:.3em;width:14em;max-width:100%}}
button{{font-size:1rem}} .ok{{color:#17632a}} .bad{{color:#8c1d18}}</style></head>
<body><h2>{title}</h2>{body}<p><a href="/hub/home">返回我的入口</a></p></body></html>"""


class _Base(web.RequestHandler):
    def initialize(self, settings: Settings) -> None:
        self.airclass = settings

    def page(self, title: str, body: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(PAGE.format(title=html.escape(title), body=body))


class MyCertificate(HubOAuthenticated, _Base):
    @web.authenticated
    async def get(self, course_id: str) -> None:
        user = self.get_current_user()["name"]
        check_url = self.request.protocol + "://" + self.request.host + url_path_join(self.prefix, "check")
        try:
            cert = await asyncio.to_thread(certificate.issue, self.airclass, user, course_id)
            pdf = await asyncio.to_thread(certificate.render_pdf, cert, check_url)
        except certificate.CertificateError as exc:
            return self.page("结业证书", f'<p class="bad">{html.escape(str(exc))}</p>', 400)
        filename = quote(f"结业证书-{cert.course_title}.pdf")
        self.set_header("Content-Type", "application/pdf")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{filename}")
        self.finish(pdf)

    @property
    def prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/certificates/")


class CheckCertificate(_Base):
    async def get(self) -> None:
        code = self.get_argument("code", "").strip()
        form = (
            '<form method="get"><label>验证码：<input name="code" value="'
            + html.escape(code)
            + '" placeholder="XXXX-XXXX-XXXX"></label> <button type="submit">核验</button></form>'
        )
        if not code:
            return self.page("结业证书核验", form)
        cert = await asyncio.to_thread(certificate.verify, self.airclass, code)
        if cert is None:
            result = '<p class="bad">未找到该验证码对应的证书：证书可能是伪造的，或验证码输入有误。</p>'
        else:
            result = (
                '<p class="ok">证书有效。</p>'
                f"<p>学员：{html.escape(cert.name)}（{html.escape(cert.user_id)}）<br>"
                f"课程：《{html.escape(cert.course_title)}》<br>作业总分：{html.escape(cert.score)}<br>"
                f"发证日期：{html.escape(cert.issued_on)}<br>验证码：{html.escape(cert.code)}</p>"
            )
        self.page("结业证书核验", form + result)


def make_app(settings: Settings) -> web.Application:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/certificates/")
    return web.Application(
        [
            (url_path_join(prefix, r"mine/([a-z][a-z0-9-]*)"), MyCertificate, {"settings": settings}),
            (url_path_join(prefix, "check"), CheckCertificate, {"settings": settings}),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        ],
        cookie_secret=os.urandom(32),
    )


def main() -> None:
    settings = load()
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    make_app(settings).listen(url.port, url.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
