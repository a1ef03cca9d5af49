"""cookiecutter post-generation hook: render the project with copier from the one template (copier.yml +
template/ at the root of this repository), with the answers given to cookiecutter.

cookiecutter renders this file with Jinja before it runs it, in the directory it generated; the logic lives in
../mlops_audit_cookiecutter.py (importable and tested without cookiecutter).
"""

import json
import sys
from pathlib import Path

# cookiecutter writes JSON between r'''...''': tojson escapes every ' (the string cannot end early) and the raw
# string keeps JSON's backslash escapes. A JSON text can end with ", hence no """ here (and no formatter).
# fmt: off
CONTEXT = json.loads(r'''{{ cookiecutter | tojson }}''')
TEMPLATE_ROOT = Path(json.loads(r'''{{ mlops_audit_template_root | tojson }}'''))
# fmt: on

sys.path.insert(0, str(TEMPLATE_ROOT / "cookiecutter"))

from mlops_audit_cookiecutter import main  # noqa: E402

sys.exit(main(Path.cwd(), CONTEXT))
