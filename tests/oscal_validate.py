"""Load OSCAL JSON documents with compliance-trestle's models (an independent
OSCAL 1.2 implementation); exit non-zero naming the first error. Used by
tests/cli.rs; `.ci/run` installs trestle into a venv."""
import json, sys
from trestle.oscal.catalog import Catalog
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones
kinds = {"catalog": Catalog, "assessment-results": AssessmentResults,
         "plan-of-action-and-milestones": PlanOfActionAndMilestones}
for path in sys.argv[1:]:
    doc = json.load(open(path, encoding="utf-8"))
    (key, body), = doc.items()
    kinds[key].model_validate(body)
    print("ok", path, key)
