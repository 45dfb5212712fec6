"""A tiny web-ish app used as a scan target by shipshape's tests."""

import jinja2
import requests


def render(name: str) -> str:
    return jinja2.Template("hello {{ name }} (requests {{ v }})").render(
        name=name, v=requests.__version__
    )


if __name__ == "__main__":
    print(render("shipshape"))
