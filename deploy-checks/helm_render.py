"""Renders and lints the Helm chart with Helm's own library (PyPI helm-python-sdk).

Reads one JSON request on stdin:
  {"chart": "deploy/helm/sima", "values": {...}, "lint": false}
and writes one JSON answer on stdout:
  {"rendered": true, "manifests": [{"template": "...", "object": {...}}],
   "notes": "...", "defaults": {...}, "lint": {...} | null}
or, when Helm refuses the values, {"rendered": false, "error": "..."}.
Each rendered YAML document is converted to JSON by Helm's YAML reader too.
Exits 3 when the library is not installed.
"""

import json
import re
import sys

try:
    import helm_python as helm
except ImportError:
    sys.stderr.write("helm-python-sdk is not installed: pip install helm-python-sdk==0.2.2\n")
    sys.exit(3)


def documents(text):
    """The non-empty YAML documents of one rendered template."""
    for document in re.split(r"(?m)^---\s*$", text):
        if document.strip():
            yield document


def main():
    request = json.load(sys.stdin)
    values = request.get("values") or {}
    answer = {"lint": None}
    with helm.Chart.load(request["chart"]) as chart:
        answer["defaults"] = chart.values
        try:
            rendered = chart.render(values, name="sima", namespace="incidents")
        except helm.HelmError as error:
            answer.update(rendered=False, error=str(error))
        else:
            manifests = []
            for template, text in sorted(rendered.items()):
                if template.endswith("NOTES.txt"):
                    answer["notes"] = text
                    continue
                for document in documents(text):
                    manifests.append({"template": template, "object": helm.values_from_yaml(document)})
            answer.update(rendered=True, manifests=manifests)
    if request.get("lint"):
        answer["lint"] = helm.lint(request["chart"], values, strict=True)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
