"""JUnit XML: one test suite per submission, one test case per check."""

from __future__ import annotations

from xml.etree import ElementTree

from autograder.report import late_part, provisional_part
from autograder.results import Status, SubmissionResult


def junit_xml(results: list[SubmissionResult]) -> str:
    """A ``<testsuites>`` document; failures carry the French feedback, never test code.

    Each suite's ``score`` property is the total; a ``provisional`` property, when some of it is provisional,
    says how much (a provisional check's title, the failure's message, says so too); ``late`` and ``final_score``
    the late penalty, and the roster's ``student_id``, ``email``, ``group`` who the student is.
    """
    suites = ElementTree.Element("testsuites", name="dlkit")
    for result in results:
        failed = [t for t in result.tests if t.status is Status.FAILED]
        errors = [t for t in result.tests if not t.passed and t.status is not Status.FAILED]
        suite = ElementTree.SubElement(
            suites, "testsuite", name=f"{result.assignment}.{result.student}", tests=str(len(result.tests)),
            failures=str(len(failed)), errors=str(len(errors)), time=f"{result.duration_s:.2f}",
        )
        properties = ElementTree.SubElement(suite, "properties")
        ElementTree.SubElement(properties, "property", name="score", value=f"{result.score:g}/{result.max_score:g}")
        if provisional := provisional_part(*result.provisional_score()):
            ElementTree.SubElement(properties, "property", name="provisional", value=provisional)
        if result.late is not None:
            ElementTree.SubElement(properties, "property", name="late", value=late_part(result))
            ElementTree.SubElement(properties, "property", name="final_score",
                                   value=f"{result.final_score:g}/{result.max_score:g}")
        for column, value in result.identity.items():
            if value and column in ("student_id", "email", "group"):
                ElementTree.SubElement(properties, "property", name=column, value=value)
        for test in result.tests:
            case = ElementTree.SubElement(
                suite, "testcase", classname=f"{result.assignment}.{test.task}", name=test.name,
                time=f"{test.duration_s:.3f}",
            )
            if not test.passed:
                tag = "failure" if test.status is Status.FAILED else "error"
                node = ElementTree.SubElement(case, tag, message=test.title, type=test.status.value)
                node.text = f"{test.score:g}/{test.max_score:g} — {test.message}"
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)
