"""``Analysis.plan()`` and ``ManyAnalysis.plan()``: the rotation plan of
rotation-rule.md §2 with typed attributes, every form of ``access_keys``,
DataFrames with fixed dtypes, and the notebook view with everything from
the report escaped."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest

import keyrot
from conftest import AS_OF, CASES, report, row

PHASES = CASES / "plan_two_key_rotation_phases"
WITH_IDS = CASES / "plan_with_access_key_ids"
HOSTILE = CASES / "plan_hostile_user_names"
ONE_KEY = CASES / "plan_one_key_users"


def expected_plan(case: Path) -> Dict[str, Any]:
    result: Dict[str, Any] = json.loads((case / "expected_plan.json").read_text(encoding="utf-8"))
    return result


def plan_of(case: Path, **options: Any) -> keyrot.Plan:
    return keyrot.analyze(case / "input.csv", as_of=AS_OF).plan(**options)


def test_steps_have_typed_attributes() -> None:
    plan = plan_of(PHASES)
    assert isinstance(plan.as_of, datetime) and plan.as_of == datetime(2026, 11, 26, tzinfo=timezone.utc)
    assert plan.source is None
    assert plan.policy == keyrot.Policy(90, 14, False, "exact", 7)
    steps = {s.user: s for s in plan}
    first = plan.steps[0]
    assert isinstance(first, keyrot.Step)
    assert (first.step, first.user, first.account_id, first.is_root, first.line) == (
        "update_applications",
        "phase1-apps-still-on-old",
        "111122223333",
        False,
        2,
    )
    assert first.arn == "arn:aws:iam::111122223333:user/phase1-apps-still-on-old"
    assert "rotation is underway" in first.reason
    assert first.commands == []  # change the applications, then look again
    assert first.checks == [
        "aws iam list-access-keys --user-name 'phase1-apps-still-on-old'",
        'aws iam get-access-key-last-used --access-key-id "$ACCESS_KEY_ID"',
    ]
    assert first.notes == [] and first.delete_after is None
    old, new = first.keys
    assert isinstance(old, keyrot.PlanKey)
    assert (old.slot, old.role, old.status, old.active) == (1, "old", "fail", True)
    assert old.last_rotated == datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert old.last_used == datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    assert (old.access_key_id, old.variable) == (None, "ACCESS_KEY_ID")
    assert (new.slot, new.role, new.status, new.last_used) == (2, "new", "pass", "never")

    waiting = steps["phase3-old-inactive-within-grace"]
    assert waiting.step == "wait_before_delete"
    assert waiting.delete_after == datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
    assert [k.role for k in waiting.keys] == ["inactive"]

    deleting = steps["both-inactive-one-past-grace"]
    assert deleting.step == "delete_inactive_key"
    assert deleting.commands == [
        "aws iam delete-access-key --user-name 'both-inactive-one-past-grace' --access-key-id \"$ACCESS_KEY_ID\""
    ]
    assert "both-fresh" not in steps  # nothing to do


def test_plan_values_and_contract_agree() -> None:
    plan = plan_of(PHASES)
    expected = expected_plan(PHASES)
    assert plan.to_dict() == expected
    assert json.loads(plan.to_json()) == expected
    assert plan.to_json(indent=2).startswith('{\n  "as_of"')
    assert plan.to_dicts() == expected["steps"]
    assert len(plan) == len(plan.steps) == len(list(plan)) == 8
    assert plan.counts["delete_inactive_key"] == 3 and plan.counts["rotate_both"] == 0
    assert tuple(plan.counts) == keyrot.STEPS


def test_step_value_semantics() -> None:
    a, b = plan_of(PHASES), plan_of(PHASES)
    assert a.steps[0] == b.steps[0] and hash(a.steps[0]) == hash(b.steps[0])
    assert a.steps[0] != a.steps[1]
    assert a.steps[0].keys[0] == b.steps[0].keys[0] and a.steps[0].keys[0] != a.steps[0].keys[1]
    assert len({*a.steps, *b.steps}) == len(a)
    assert repr(a.steps[0]) == (
        "Step(step='update_applications', account_id='111122223333', user='phase1-apps-still-on-old', line=2)"
    )
    assert repr(a.steps[0].keys[0]).startswith("PlanKey(slot=1, role='old', status='fail'")
    assert repr(a) == (
        "<keyrot.Plan 8 steps (update_applications=2, deactivate_old_key=2, delete_inactive_key=3, "
        "wait_before_delete=1); as_of 2026-11-26T00:00:00Z>"
    )


def test_grace_days_come_from_the_analysis() -> None:
    default = plan_of(PHASES)
    assert default.policy.grace_days == 7
    assert "wait_before_delete" in [s.step for s in default]
    none = keyrot.analyze(PHASES / "input.csv", as_of=AS_OF, grace_days=0).plan()
    assert none.policy.grace_days == 0
    assert "wait_before_delete" not in [s.step for s in none]
    long = keyrot.analyze(PHASES / "input.csv", as_of=AS_OF, grace_days=365).plan()
    assert [s.step for s in long].count("delete_inactive_key") < default.counts["delete_inactive_key"]


def test_the_plan_is_made_without_reading_the_report_again(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes((PHASES / "input.csv").read_bytes())
    analysis = keyrot.analyze(path, as_of=AS_OF)
    path.unlink()
    assert analysis.plan().to_dict() == expected_plan(PHASES)


def test_a_boto3_response_plans_at_its_generated_time() -> None:
    generated = datetime(2026, 11, 26, tzinfo=timezone.utc)
    response = {"Content": (PHASES / "input.csv").read_bytes(), "ReportFormat": "text/csv", "GeneratedTime": generated}
    plan = keyrot.analyze(response).plan()
    assert plan.as_of == generated
    assert plan.to_dict() == expected_plan(PHASES)


def test_a_compliant_report_has_an_empty_plan() -> None:
    plan = keyrot.analyze(report(row("a", key1="true,2026-11-01T00:00:00Z,N/A,N/A,N/A")), as_of=AS_OF).plan()
    assert len(plan) == 0 and plan.steps == () and plan.to_dict()["steps"] == []
    assert repr(plan) == "<keyrot.Plan 0 steps; as_of 2026-11-26T00:00:00Z>"


# --- access_keys -----------------------------------------------------------


def access_keys_forms(tmp_path: Path) -> Dict[str, Any]:
    path = WITH_IDS / "access_keys.json"
    text = path.read_text(encoding="utf-8")
    documents: List[Dict[str, Any]] = json.loads(text)
    boto3_like = [
        {
            "AccessKeyMetadata": [
                {
                    **key,
                    "CreateDate": datetime.fromisoformat(key["CreateDate"].replace("Z", "+00:00")),
                }
                for key in doc["AccessKeyMetadata"]
            ],
            "IsTruncated": False,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
        for doc in documents
    ]
    return {
        "path": path,
        "str path": str(path),
        "bytes": path.read_bytes(),
        "str": text,
        "concatenated documents": "\n".join(json.dumps(doc) for doc in documents),
        "parsed list": documents,
        "boto3 responses": boto3_like,
        "binary file": io.BytesIO(path.read_bytes()),
        "text file": io.StringIO(text),
    }


@pytest.mark.parametrize(
    "form",
    [
        "path",
        "str path",
        "bytes",
        "str",
        "concatenated documents",
        "parsed list",
        "boto3 responses",
        "binary file",
        "text file",
    ],
)
def test_access_keys_in_every_form(form: str, tmp_path: Path) -> None:
    plan = plan_of(WITH_IDS, access_keys=access_keys_forms(tmp_path)[form])
    assert plan.to_dict() == expected_plan(WITH_IDS)
    deploy = next(s for s in plan.steps if s.user == "deploy")
    assert [k.access_key_id for k in deploy.keys] == ["AKIAI44QH8DHBEXAMPLE", "AKIAIOSFODNN7EXAMPLE"]
    assert deploy.commands[0] == "aws iam delete-access-key --user-name 'deploy' --access-key-id 'AKIAI44QH8DHBEXAMPLE'"


def test_one_parsed_document() -> None:
    documents = json.loads((WITH_IDS / "access_keys.json").read_text(encoding="utf-8"))
    plan = plan_of(WITH_IDS, access_keys=documents[0])  # deploy's keys only
    deploy = next(s for s in plan.steps if s.user == "deploy")
    assert deploy.keys[0].access_key_id == "AKIAI44QH8DHBEXAMPLE"
    others = [s for s in plan.steps if s.user != "deploy"]
    assert any("no entry for this user" in note for note in others[0].notes)


@pytest.mark.parametrize(
    "value",
    [b"not json", "{", '{"Users": []}', b"", [{"AccessKeyMetadata": [{"UserName": "x"}]}]],
    ids=["garbage", "truncated", "not-list-access-keys", "empty", "missing-fields"],
)
def test_an_access_key_list_that_cannot_be_read(value: Any) -> None:
    with pytest.raises(keyrot.ParseError) as caught:
        plan_of(WITH_IDS, access_keys=value)
    assert caught.value.code == "invalid_json"


def test_a_naive_create_date_is_refused() -> None:
    naive = {
        "AccessKeyMetadata": [
            {
                "UserName": "ci",
                "AccessKeyId": "AKIAJ6X5EXAMPLEKEY01",
                "Status": "Active",
                "CreateDate": datetime(2026, 1, 1),
            }
        ]
    }
    with pytest.raises(keyrot.ParseError) as caught:
        plan_of(WITH_IDS, access_keys=naive)
    assert (caught.value.code, caught.value.column) == ("invalid_json", "CreateDate")
    assert "naive" in str(caught.value)


def test_access_keys_of_the_wrong_kind() -> None:
    with pytest.raises(FileNotFoundError):
        plan_of(WITH_IDS, access_keys="no-such-keys.json")
    with pytest.raises(TypeError, match="list-access-keys"):
        plan_of(WITH_IDS, access_keys=42)
    with pytest.raises(TypeError, match="not JSON data"):
        plan_of(WITH_IDS, access_keys={"AccessKeyMetadata": [{"CreateDate": {1, 2}}]})
    with pytest.raises(TypeError):
        keyrot.analyze(WITH_IDS / "input.csv", as_of=AS_OF).plan(WITH_IDS / "access_keys.json")


# --- several reports ---------------------------------------------------------


def test_many_reports_give_one_plan_each() -> None:
    sources = {
        "phases.csv": PHASES / "input.csv",
        "ids.csv": WITH_IDS / "input.csv",
        "broken.csv": b"not,a,report\n",
        "later.csv": (ONE_KEY / "input.csv").read_bytes(),
    }
    many = keyrot.analyze_many(sources, as_of=AS_OF)
    plans = many.plan(access_keys=WITH_IDS / "access_keys.json")
    assert list(plans) == ["phases.csv", "ids.csv", "later.csv"]  # the broken one is in failed()
    assert [r.source for r in many.failed()] == ["broken.csv"]
    assert plans["ids.csv"].to_dict() == expected_plan(WITH_IDS)
    # The list applies to every report: users it does not list get a note.
    assert all(any("no entry for this user" in n for n in s.notes) for s in plans["phases.csv"])
    without = many.plan()
    assert without["phases.csv"].to_dict() == expected_plan(PHASES)
    assert without["later.csv"].to_dict() == expected_plan(ONE_KEY)
    for name, plan in plans.items():
        assert plan.source == name
        assert all(step.source == name for step in plan)
    assert repr(plans["ids.csv"]).startswith("<keyrot.Plan 'ids.csv' 4 steps")
    frame = plans["phases.csv"].to_pandas()
    assert list(frame.columns)[0] == "source" and set(frame.source) == {"phases.csv"}


def test_many_reports_each_at_its_own_time() -> None:
    def response(day: int) -> Dict[str, Any]:
        return {
            "Content": (PHASES / "input.csv").read_bytes(),
            "GeneratedTime": datetime(2026, 11, day, tzinfo=timezone.utc),
        }

    plans = keyrot.analyze_many({"a": response(26), "b": response(27)}).plan()
    assert plans["a"].as_of.day == 26 and plans["b"].as_of.day == 27
    assert plans["a"].to_dict() == expected_plan(PHASES)


def test_the_same_name_twice_cannot_be_told_apart() -> None:
    path = str(PHASES / "input.csv")
    many = keyrot.analyze_many([path, path], as_of=AS_OF)
    with pytest.raises(ValueError, match="distinct names"):
        many.plan()


# --- DataFrames ----------------------------------------------------------------

PLAN_DTYPES = {
    "account_id": "category",
    "is_root": "bool",
    "step": "category",
    "slot_1_role": "category",
    "slot_2_role": "category",
    "delete_after": "datetime64[us, UTC]",
    "line": "int64",
}
PLAN_TEXT = ["user", "arn", "reason", "checks", "commands", "notes"]


def check_plan_dtypes(frame: Any) -> None:
    pd = pytest.importorskip("pandas")
    text = pd.Series(["x"]).dtype
    assert list(frame.columns) == [
        "account_id",
        "user",
        "arn",
        "is_root",
        "step",
        "slot_1_role",
        "slot_2_role",
        "reason",
        "checks",
        "commands",
        "notes",
        "delete_after",
        "line",
    ]
    for name, dtype in PLAN_DTYPES.items():
        assert str(frame[name].dtype) == dtype, name
    for name in PLAN_TEXT:
        assert frame[name].dtype == text, name
    assert list(frame.step.cat.categories) == list(keyrot.STEPS)
    assert list(frame.slot_1_role.cat.categories) == ["target", "old", "new", "inactive"]


def test_plan_pandas_dtypes_and_values() -> None:
    pd = pytest.importorskip("pandas")
    plan = plan_of(PHASES)
    frame = plan.to_pandas()
    check_plan_dtypes(frame)
    assert len(frame) == len(plan)
    assert list(frame.step) == [s.step for s in plan]
    assert list(frame.user) == [s.user for s in plan]
    # Commands are joined by a line break: split gives the lists back.
    assert [c.split("\n") if c else [] for c in frame.commands] == [s.commands for s in plan]
    assert [c.split("\n") if c else [] for c in frame.checks] == [s.checks for s in plan]
    # Each slot's role, null where the step does not concern it.
    first = frame.iloc[0]
    assert (first.slot_1_role, first.slot_2_role) == ("old", "new")
    waiting = frame[frame.step == "wait_before_delete"].iloc[0]
    assert pd.isna(waiting.slot_1_role)
    assert waiting.slot_2_role == "inactive"
    assert waiting.delete_after == datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
    assert frame.delete_after.isna().sum() == len(frame) - 1


def test_plan_dtypes_do_not_depend_on_the_data() -> None:
    empty = keyrot.analyze(report(row("a")), as_of=AS_OF).plan().to_pandas()
    assert len(empty) == 0
    check_plan_dtypes(empty)


def test_plan_polars_schema() -> None:
    pl = pytest.importorskip("polars")
    frame = plan_of(PHASES).to_polars()
    schema = dict(frame.schema)
    assert schema["step"] == pl.Enum(list(keyrot.STEPS))
    assert schema["slot_2_role"] == pl.Enum(["target", "old", "new", "inactive"])
    assert schema["account_id"] == pl.Categorical
    assert schema["delete_after"] == pl.Datetime("us", "UTC")
    assert schema["is_root"] == pl.Boolean and schema["line"] == pl.Int64
    assert all(schema[name] == pl.String for name in PLAN_TEXT)
    assert frame["step"].to_list() == [s.step for s in plan_of(PHASES)]
    assert frame.filter(pl.col("slot_1_role").is_null()).height == 1


# --- the notebook view ------------------------------------------------------------


def test_plan_html_lists_steps_and_commands() -> None:
    html = plan_of(WITH_IDS, access_keys=WITH_IDS / "access_keys.json")._repr_html_()
    assert "Rotation plan</b> &mdash; 4 steps" in html
    assert "as of 2026-11-26T00:00:00Z" in html and "grace 7 days" in html
    assert ">free_slot</span>&nbsp;1" in html
    assert (
        "aws iam delete-access-key --user-name &#x27;deploy&#x27; --access-key-id &#x27;AKIAI44QH8DHBEXAMPLE&#x27;"
        in html
    )
    assert "note: the access-key list has no entry for this user" in html


def test_plan_html_escapes_hostile_names() -> None:
    html = plan_of(HOSTILE)._repr_html_()
    assert "o&#x27;neil" in html and "o'neil" not in html
    assert "&quot;$ACCESS_KEY_ID&quot;" in html
    assert "x&#x27; ; echo pwned ; &#x27;" in html
    # The user name with a line break gets a note, not a command.
    assert "note: the user name holds a control character" in html
    evil = "<img src=x onerror=alert(1)>"
    service = "<script>alert(1)</script>"
    text = report(
        row(evil, key1=f"true,2025-01-01T00:00:00Z,2026-11-20T00:00:00Z,us-east-1,{service}"),
        row("<b>", key1="true,2025-01-01T00:00:00Z,N/A,N/A,N/A"),
    )
    plan = keyrot.analyze(text, as_of=AS_OF).plan()
    assert {s.user for s in plan} == {evil, "<b>"}
    assert service in plan.steps[0].reason  # the reason cites the service
    html = plan._repr_html_()
    assert "<img" not in html and "<script" not in html and "<b>" not in html.replace("<b>Rotation plan", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;" in html


def test_long_plans_are_cut() -> None:
    rows = [row(f"user{i}", key1="true,2025-01-01T00:00:00Z,N/A,N/A,N/A") for i in range(60)]
    html = keyrot.analyze(report(*rows), as_of=AS_OF).plan()._repr_html_()
    assert "showing 50 of 60 steps" in html
    assert html.count("<tr style=") == 50
